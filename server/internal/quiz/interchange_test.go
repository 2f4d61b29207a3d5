package quiz

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

const everyFormFile = "northbank/card-services/every-form.gift"

func loadEveryFormGIFT(t *testing.T) *Bank {
	t.Helper()
	data, err := os.ReadFile("testdata/interchange/every-form.gift")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseGIFT(everyFormFile, data)
	if err != nil {
		t.Fatalf("got error %v, want the file Moodle imports to import", err)
	}
	return b
}

func TestParseGIFTReadsEveryFormAsMoodleDoes(t *testing.T) {
	b := loadEveryFormGIFT(t)
	byID := map[string]Question{}
	for _, q := range b.Questions {
		byID[q.ID] = q
	}
	if len(byID) != len(b.Questions) || len(b.Questions) != 21 {
		t.Fatalf("got %d questions (%v), want 21 distinct", len(b.Questions), keys(b.Questions))
	}
	get := func(id string) Question {
		t.Helper()
		q, ok := byID[id]
		if !ok {
			t.Fatalf("got no question %q among %v", id, keys(b.Questions))
		}
		return q
	}
	owns := textID("Who owns the customer's problem until it is solved?", "")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"repeated text: ids by occurrence", []string{b.Questions[0].ID, b.Questions[1].ID, b.Questions[3].ID, b.Questions[4].ID, b.Questions[5].ID},
			[]string{owns, owns + "-2", owns + "-3", owns + "-4", owns + "-5"}},
		{"repeated text: types", []Type{get(owns).Type, get(owns + "-3").Type, get(owns + "-5").Type}, []Type{SingleChoice, ShortAnswer, TrueFalse}},
		{"missing word", []string{get(b.Questions[2].ID).Text, get(b.Questions[2].ID).TextAfter}, []string{"An agent greets the caller", "verifying the account."}},
		{"category kept", get("aht").Category, "$course$/top/Call Handling"},
		{"category as tag", get("sla").Tags, []string{"call-handling/numbers"}},
		{"case-variant short answers merged", get("aht").Answers, []TextAnswer{
			{Text: "average handle time", Weight: 100}, {Text: "handle time", Weight: 50, Feedback: "Nearly: it is an average."}}},
		{"wildcard as pattern", []any{get("fcr").Pattern, len(get("fcr").Answers)}, []any{".*first call resolution.*", 0}},
		{"numeric ~%0%#feedback", get("abandon").WrongFeedback, "Look at the service-level table."},
		{"numeric answers", get("abandon").Numbers, []NumericAnswer{{Value: 5, Weight: 100, Feedback: "Exactly."}, {Value: 5, Tolerance: 2, Weight: 50, Feedback: "Close."}}},
		{"numeric ~#feedback", get("callback").WrongFeedback, "One day: 24 hours."},
		{"numeric range", get("wrap-up").Numbers, []NumericAnswer{{IsRange: true, Min: 30, Max: 60, Weight: 100}}},
		{"html sanitized", []string{get("html").Format, get("html").Text}, []string{FormatHTML, "Which tag makes text <b>bold</b>?"}},
		{"html options stay html", get("html").Options[0].Text, "&lt;b&gt;"},
		{"moodle: line breaks kept as html", []string{get("moodle").Format, get("moodle").Text}, []string{FormatHTML, "First line<br/>\nsecond line: which line is this?"}},
		{"moodle: plain answers escaped", get("moodle").Options[0].Text, "the second"},
		{"plain", []string{get("plain").Format, get("plain").Text}, []string{FormatPlain, "Is 2 < 3 & 4 > 3?"}},
		{"markdown", []string{get("markdown").Format, get("markdown").Text}, []string{"", "Is **escalation** the last step?"}},
		{"escapes", get("escapes").Options[0].Text, "~"},
		{"multiple response", get("listening").Type, MultipleResponse},
		{"matching distractor", get("match-metrics").Pairs[3], Pair{ID: "p4", Right: "calls per hour"}},
		{"true/false feedback", get("hold-time").Options[1].Feedback, "Check in at least every two minutes."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
	if len(b.Skipped) != 2 || b.Skipped[0].Line != 82 || b.Skipped[1].Line != 84 {
		t.Errorf("got skipped %v, want the essay (line 82) and the description (line 84)", b.Skipped)
	}
	if len(b.Warnings) != 1 || b.Warnings[0].Line != 32 || !strings.Contains(b.Warnings[0].Message, `"Average Handle Time" is "average handle time" again`) {
		t.Errorf("got warnings %v, want the merged short answer at line 32", b.Warnings)
	}
}

// A file imported twice gives the same ids: re-import is idempotent.
func TestParseGIFTRepeatedQuestionIDsAreStable(t *testing.T) {
	a, b := loadEveryFormGIFT(t), loadEveryFormGIFT(t)
	if !reflect.DeepEqual(keys(a.Questions), keys(b.Questions)) {
		t.Errorf("got ids %v then %v, want the same", keys(a.Questions), keys(b.Questions))
	}
	two, err := ParseGIFT("c/p/bank.gift", []byte("::same::A{T}\n\n::same::B{F}\n\n::same-2::C{T}"))
	if err != nil {
		t.Fatal(err)
	}
	if got := questionIDs(two.Questions); !reflect.DeepEqual(got, []string{"same", "same-2", "same-2-2"}) {
		t.Errorf("got ids %v, want same, same-2, same-2-2", got)
	}
	if len(two.Warnings) != 2 || two.Warnings[0].Line != 3 || two.Warnings[1].Line != 5 {
		t.Errorf("got warnings %v, want the repeated titles at lines 3 and 5", two.Warnings)
	}
}

func questionIDs(qs []Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// demoQuestions are every question of the demo library (quizzes/): each
// bank's, and each quiz's inline questions, by where they come from.
func demoQuestions(t *testing.T) map[string][]Question {
	t.Helper()
	lib, err := LoadDir(os.DirFS("../../../quizzes"))
	if err != nil {
		t.Fatalf("got error %v loading the demo quizzes", err)
	}
	sets := map[string][]Question{}
	for _, b := range lib.Banks {
		sets[b.Source] = b.Questions
	}
	for _, qz := range lib.Quizzes {
		if len(qz.Questions) > 0 {
			sets[qz.Source] = qz.Questions
		}
	}
	if len(sets) < 5 {
		t.Fatalf("got %d question sets, want the demo library's banks and quizzes", len(sets))
	}
	return sets
}

// comparable drops what a round trip may change: where the question is
// written, its bank, and a title that only restates the id.
func comparable(qs []Question) []Question {
	out := make([]Question, len(qs))
	for i, q := range qs {
		q.Source, q.Bank = "", ""
		q.Text = strings.TrimSpace(q.Text) // YAML block scalars end with a line break
		if q.Title == q.ID {
			q.Title = ""
		}
		if q.Format == FormatMarkdown {
			q.Format = ""
		}
		out[i] = q
	}
	return out
}

func TestExportRoundTripsEveryDemoQuestion(t *testing.T) {
	parse := map[string]func(string, []byte) (*Bank, error){ExportMoodleXML: ParseMoodleXML, ExportGIFT: ParseGIFT}
	n := 0
	for src, qs := range demoQuestions(t) {
		for format, read := range parse {
			t.Run(format+" "+src, func(t *testing.T) {
				raw, ext, err := Export(format, qs)
				if err != nil {
					t.Fatalf("got error %v exporting", err)
				}
				b, err := read("c/p/export"+ext, raw)
				if err != nil {
					t.Fatalf("got error %v importing the export:\n%s", err, raw)
				}
				if len(b.Warnings) != 0 || len(b.Skipped) != 0 {
					t.Errorf("got warnings %v, skipped %v, want none", b.Warnings, b.Skipped)
				}
				got, want := comparable(b.Questions), comparable(qs)
				if len(got) != len(want) {
					t.Fatalf("got %d questions back, want %d", len(got), len(want))
				}
				for i := range want {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Errorf("question %s:\ngot  %#v\nwant %#v", want[i].ID, got[i], want[i])
					}
				}
			})
			n += len(qs)
		}
	}
	if n < 100 {
		t.Errorf("round-tripped %d questions, want every demo question", n)
	}
}

// The fixture that exercises every GIFT form round-trips too.
func TestExportRoundTripsEveryGIFTForm(t *testing.T) {
	qs := loadEveryFormGIFT(t).Questions
	for _, format := range []string{ExportMoodleXML, ExportGIFT} {
		raw, ext, err := Export(format, qs)
		if err != nil {
			t.Fatal(err)
		}
		b, err := map[string]func(string, []byte) (*Bank, error){ExportMoodleXML: ParseMoodleXML, ExportGIFT: ParseGIFT}[format]("northbank/card-services/every-form"+ext, raw)
		if err != nil {
			t.Fatalf("%s: got error %v importing:\n%s", format, err, raw)
		}
		got, want := comparable(b.Questions), comparable(qs)
		if !reflect.DeepEqual(got, want) {
			for i := range want {
				if i < len(got) && !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("%s: question %s:\ngot  %#v\nwant %#v", format, want[i].ID, got[i], want[i])
				}
			}
			t.Errorf("%s: got %d questions, want %d", format, len(got), len(want))
		}
	}
}

func TestExportRefusesAnUnknownFormatAndPatternOnlyQuestions(t *testing.T) {
	if _, _, err := Export("qti", nil); err == nil || !strings.Contains(err.Error(), "moodle-xml") {
		t.Errorf("got %v, want the formats named", err)
	}
	q := Question{ID: "p", Type: ShortAnswer, Text: "Q", Pattern: "a+", Points: 1}
	if _, _, err := Export(ExportGIFT, []Question{q}); err == nil || !strings.Contains(err.Error(), "graded only by its pattern") {
		t.Errorf("got %v, want the pattern-only question refused", err)
	}
}
