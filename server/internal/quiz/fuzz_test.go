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
