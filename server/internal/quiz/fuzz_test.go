package quiz

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// FuzzParseGIFT: any input parses or fails with problems naming the file,
// never panics, and whatever parses grades and shows publicly without
// panicking.
func FuzzParseGIFT(f *testing.F) {
	data, err := os.ReadFile("testdata/library/northbank/card-services/card-fees.gift")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Fuzz(func(t *testing.T, src string) {
		b, err := ParseGIFT("c/p/bank.gift", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid: ") || !strings.Contains(err.Error(), "c/p/bank.gift:") {
				t.Fatalf("got error %q, want problems naming file:line", err)
			}
			return
		}
		for _, q := range b.Questions {
			if len(q.check()) != 0 {
				t.Fatalf("got an accepted question that fails its check: %+v", q)
			}
			_ = q.Mark(Response{Choices: []string{"a"}, Text: "1", Matches: map[string]string{"p1": "x"}})
			if _, err := json.Marshal(q.Public()); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzParseQuiz: any input parses or fails with problems naming the file,
// never panics; an accepted quiz without banks can always be drawn.
func FuzzParseQuiz(f *testing.F) {
	data, err := os.ReadFile("testdata/library/northbank/card-services/card-basics.quiz.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("title: T\npass_percent: 50\nquestions:\n  - id: c\n    type: cloze\n    text: |\n      {2:MCV:=a~%50%b#c} {:SA:=x~*#y} {1:NM:=1:0.5}\n")
	f.Fuzz(func(t *testing.T, src string) {
		qz, err := ParseQuiz("c/p/q.quiz.yaml", []byte(src))
		if err != nil {
			if !strings.Contains(err.Error(), "c/p/q.quiz.yaml:") {
				t.Fatalf("got error %q, want problems naming file:line", err)
			}
			return
		}
		if len(qz.Banks) == 0 {
			if _, err := Draw(qz, qz.Questions, 1); err != nil {
				t.Fatalf("got draw error %v for an accepted quiz", err)
			}
		}
	})
}

// checkFuzzedBank: an accepted bank's questions pass their check, grade
// and show publicly, and export and import back the same.
func checkFuzzedBank(t *testing.T, b *Bank) {
	for _, q := range b.Questions {
		if len(q.check()) != 0 {
			t.Fatalf("got an accepted question that fails its check: %+v", q)
		}
		_ = q.Mark(Response{Choices: []string{"a"}, Text: "1", Matches: map[string]string{"p1": "x"}, Gaps: map[string]string{"1": "1"}})
		if _, err := json.Marshal(q.Public()); err != nil {
			t.Fatal(err)
		}
		if r, ok := q.keyedResponse(); ok && q.Type == Cloze && q.Mark(r).Cmp(ratOne) != 0 {
			t.Fatalf("got less than full credit for the keyed answer to %+v", q)
		}
	}
	if raw, _, err := Export(ExportMoodleXML, b.Questions); err == nil {
		if _, err := ParseMoodleXML("c/p/export.xml", raw); err != nil {
			t.Fatalf("got error %v importing the export of an accepted bank:\n%s", err, raw)
		}
	}
}

// FuzzParseMoodleXML: any input parses or fails with problems naming the
// file, never panics; whatever parses grades, shows publicly and exports.
func FuzzParseMoodleXML(f *testing.F) {
	data, err := os.ReadFile("testdata/interchange/every-form.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add(`<quiz><question type="shortanswer"><name><text>a</text></name><questiontext><text>Q</text></questiontext><answer fraction="100"><text>x*</text></answer></question></quiz>`)
	f.Add(clozeXML)
	f.Add(`<quiz><question type="multianswer"><questiontext><text>{1:MCH:=a\}~%50%b#c} {2:NM:=1:0.1~*#x} {:SA:=y}</text></questiontext></question></quiz>`)
	f.Fuzz(func(t *testing.T, src string) {
		b, err := ParseMoodleXML("c/p/bank.xml", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid: ") || !strings.Contains(err.Error(), "c/p/bank.xml:") {
				t.Fatalf("got error %q, want problems naming file:line", err)
			}
			return
		}
		checkFuzzedBank(t, b)
	})
}

// FuzzParseAiken: any input parses or fails with problems naming the file,
// never panics; whatever parses grades, shows publicly and exports.
func FuzzParseAiken(f *testing.F) {
	data, err := os.ReadFile("testdata/interchange/every-form.aiken.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Fuzz(func(t *testing.T, src string) {
		b, err := ParseAiken("c/p/bank.aiken.txt", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid: ") || !strings.Contains(err.Error(), "c/p/bank.aiken.txt:") {
				t.Fatalf("got error %q, want problems naming file:line", err)
			}
			return
		}
		checkFuzzedBank(t, b)
	})
}
