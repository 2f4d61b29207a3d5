package quiz

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestParseQuizFixture(t *testing.T) {
	qz := loadFixtureQuiz(t)
	tests := []struct {
		name      string
		got, want any
	}{
		{"client", qz.Client, "northbank"},
		{"program", qz.Program, "card-services"},
		{"slug", qz.Slug, "card-basics"},
		{"title", qz.Title, "Card basics"},
		{"pass", qz.PassPercent, 70},
		{"per attempt", qz.QuestionsPerAttempt, 6},
		{"quotas", qz.Quotas, []TagQuota{{Tag: "card-fees/rates", Count: 2, Line: 6}, {Tag: "cards", Count: 1, Line: 7}}},
		{"time limit", qz.TimeLimit, 20 * time.Minute},
		{"wait", qz.WaitBetweenAttempts, 24 * time.Hour},
		{"attempts", qz.AttemptsAllowed, 3},
		{"grading", qz.Grading, GradeHighest},
		{"review", qz.Review, ReviewFeedback},
		{"banks", qz.Banks, []BankRef{{Name: "card-fees", Line: 16}}},
		{"questions", len(qz.Questions), 6},
		{"single options", qz.Questions[0].Options, []Option{
			{ID: "first", Text: "Customers building credit", Weight: 100},
			{ID: "travel", Text: "Frequent travellers", Feedback: "That is the Voyager card."},
			{ID: "business", Text: "Small businesses"},
		}},
		{"single reread", qz.Questions[0].Reread, "card-products#classic"},
		{"single source", qz.Questions[0].Source, "northbank/card-services/card-basics.quiz.yaml:18"},
		{"multi default weights", []float64{qz.Questions[1].Options[0].Weight, qz.Questions[1].Options[2].Weight}, []float64{50, -50}},
		{"multi default ids", qz.Questions[1].Options[2].ID, OptionID(qz.Questions[1].Options[2].Text)},
		{"tf", qz.Questions[2].Options, []Option{{ID: "true", Text: "True", Weight: 100}, {ID: "false", Text: "False", Feedback: "Always verify first."}}},
		{"short answers", qz.Questions[3].Answers, []TextAnswer{{Text: "Thank you for calling Northbank", Weight: 100}, {Text: "Thanks for calling", Weight: 50, Feedback: "Use the full sentence."}}},
		{"short pattern", qz.Questions[3].Pattern, "thank(s| you) for calling( northbank)?[.!]?"},
		{"numeric", qz.Questions[4].Numbers, []NumericAnswer{{Value: 500, Weight: 100}, {IsRange: true, Min: 400, Max: 600, Weight: 50}}},
		{"points", qz.Questions[4].Points, 2},
		{"matching", qz.Questions[5].Pairs, []Pair{{ID: "p1", Left: "Classic", Right: "Blue"}, {ID: "p2", Left: "Voyager", Right: "Silver"}, {ID: "p3", Right: "Gold"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
}

func TestParseQuizDefaults(t *testing.T) {
	qz, err := ParseQuiz("c/p/q.quiz.yaml", []byte("title: T\npass_percent: 80\nquestions:\n  - {id: a, type: true_false, text: Sky is blue, answer: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !qz.ShuffleQuestions || !qz.ShuffleOptions || qz.Grading != GradeHighest || qz.Review != ReviewScore || qz.QuestionsPerAttempt != 0 || qz.Questions[0].Points != 1 {
		t.Errorf("got %+v, want shuffles on, highest, score, every question, 1 point", qz)
	}
}

func TestParseQuizWrongFeedback(t *testing.T) {
	src := "title: T\npass_percent: 80\nquestions:\n" +
		"  - {id: s, type: short_answer, text: Close the call, answers: [Thank you for calling], wrong_feedback: 'Use the script''s words.'}\n" +
		"  - {id: n, type: numeric, text: The limit, answers: [{value: 500}], wrong_feedback: See the limits table.}\n"
	qz, err := ParseQuiz("c/p/q.quiz.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q        Question
		response string
		want     []string
	}{
		{qz.Questions[0], "bye", []string{"Use the script's words."}},
		{qz.Questions[0], "thank you for CALLING", nil},
		{qz.Questions[0], "", nil}, // not answered: nothing to say about it
		{qz.Questions[1], "400", []string{"See the limits table."}},
		{qz.Questions[1], "500", nil},
	}
	for _, tc := range tests {
		if _, fb := tc.q.grade(Response{Text: tc.response}); !slices.Equal(fb, tc.want) {
			t.Errorf("%s answered %q: got feedback %q, want %q", tc.q.ID, tc.response, fb, tc.want)
		}
	}
}

func TestParseQuizErrorsNameFileAndLine(t *testing.T) {
	const file = "c/p/q.quiz.yaml"
	head := "title: T\npass_percent: 70\n"
	tf := "questions:\n  - {id: a, type: true_false, text: X, answer: true}\n"
	tests := []struct {
		name string
		src  string
		want []string // "line: fragment"
	}{
		{"syntax", "title: [\n", []string{"1: not valid YAML"}},
		{"empty", "", []string{"1: empty"}},
		{"not a mapping", "- a\n", []string{"1: must be a mapping of settings"}},
		{"missing title and pass", "questions:\n  - {id: a, type: true_false, text: X, answer: true}\n", []string{"1: title is required", "1: pass_percent is required"}},
		{"pass percent 0", "title: T\npass_percent: 0\n" + tf, []string{"2: 1..100"}},
		{"pass percent 101", "title: T\npass_percent: 101\n" + tf, []string{"2: 1..100"}},
		{"pass percent text", "title: T\npass_percent: lots\n" + tf, []string{"2: whole number"}},
		{"unknown key", head + "colour: red\n" + tf, []string{"3: unknown key"}},
		{"duplicate key", head + "title: U\n" + tf, []string{"3: given twice"}},
		{"bad enums", head + "grading: best\nreview: all\n" + tf, []string{"3: highest or last", "4: score, answers"}},
		{"bad duration", head + "time_limit: soon\n" + tf, []string{"3: duration"}},
		{"no questions", head, []string{"1: needs questions"}},
		{"empty question list", head + "questions: []\n", []string{"1: needs questions"}},
		{"duplicate ids", head + tf + "  - {id: a, type: true_false, text: Y, answer: false}\n", []string{"5: used twice"}},
		{"single two correct", head + "questions:\n  - id: s\n    type: single_choice\n    text: Q\n    options:\n      - {text: a, correct: true}\n      - {text: b, correct: true}\n",
			[]string{"4: exactly one correct option"}},
		{"multi weights", head + "questions:\n  - id: m\n    type: multiple_response\n    text: Q\n    options:\n      - {text: a, weight: 60}\n      - {text: b, weight: 30}\n",
			[]string{"4: sum to 100"}},
		{"multi mixed weights", head + "questions:\n  - id: m\n    type: multiple_response\n    text: Q\n    options:\n      - {text: a, weight: 100}\n      - {text: b, correct: true}\n",
			[]string{"8: give every option a weight"}},
		{"numeric range", head + "questions:\n  - {id: n, type: numeric, text: Q, answers: [{min: 5, max: 1}]}\n", []string{"4: low above high"}},
		{"numeric tolerance", head + "questions:\n  - {id: n, type: numeric, text: Q, answers: [{value: 5, tolerance: -1}]}\n", []string{"4: tolerance"}},
		{"numeric half range", head + "questions:\n  - {id: n, type: numeric, text: Q, answers: [{min: 5}]}\n", []string{"4: both min and max"}},
		{"matching one pair", head + "questions:\n  - {id: m, type: matching, text: Q, pairs: [{left: a, right: b}]}\n", []string{"4: at least 2 pairs"}},
		{"bad pattern", head + "questions:\n  - {id: s, type: short_answer, text: Q, pattern: \"a(\"}\n", []string{"4: pattern"}},
		{"long pattern", head + "questions:\n  - {id: s, type: short_answer, text: Q, pattern: \"" + strings.Repeat("a", MaxPatternLen+1) + "\"}\n", []string{"4: longer than"}},
		{"unknown type", head + "questions:\n  - {id: x, type: essay, text: Q}\n", []string{"4: type \"essay\""}},
		{"bad reread", head + "questions:\n  - {id: a, type: true_false, text: X, answer: true, reread: somewhere}\n", []string{"4: reread"}},
		{"tf without answer", head + "questions:\n  - {id: a, type: true_false, text: X}\n", []string{"4: answer: true or false"}},
		{"wrong feedback on a single choice", head + "questions:\n  - {id: s, type: single_choice, text: Q, wrong_feedback: No, options: [{text: a, correct: true}, {text: b}]}\n",
			[]string{"4: wrong_feedback belongs to"}},
		{"same option text twice", head + "questions:\n  - {id: s, type: single_choice, text: Q, options: [{text: a, correct: true}, {id: other, text: a}]}\n",
			[]string{"4: written twice"}},
		{"more than the pool", head + "questions_per_attempt: 2\n" + tf, []string{"3: the pool has 1"}},
		{"quota over tag", head + "quotas:\n  - {tag: x, count: 1}\n" + tf, []string{"4: with that tag"}},
		{"quotas over per attempt", head + "questions_per_attempt: 1\nquotas:\n  - {tag: x, count: 2}\n" + tf, []string{"4: questions_per_attempt is 1"}},
		{"bad bank ref", head + "banks: [Bad Bank]\n", []string{"3: slug of a .gift"}},
		{"several problems in one file", "title: T\npass_percent: 0\ngrading: x\n" + tf + "  - {id: b, type: numeric, text: Q, answers: [{min: 2, max: 1}]}\n",
			[]string{"2: 1..100", "3: highest or last", "6: low above high"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseQuiz(file, []byte(tc.src))
			if err == nil {
				t.Fatalf("got no error, want %v", tc.want)
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("got %T, want Problems", err)
			}
			if len(ps) != len(tc.want) {
				t.Errorf("got %d problems:\n%v\nwant %d", len(ps), ps, len(tc.want))
			}
			for _, w := range tc.want {
				line, frag, _ := strings.Cut(w, ": ")
				found := false
				for _, p := range ps {
					found = found || (p.File == file && p.Line == atoi(line) && strings.Contains(p.Message, frag))
				}
				if !found {
					t.Errorf("got:\n%v\nwant %s:%s: …%s…", ps, file, line, frag)
				}
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestLoadDir(t *testing.T) {
	lib, err := LoadDir(os.DirFS("testdata/library"))
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if len(lib.Quizzes) != 1 || len(lib.Banks) != 1 || len(lib.Skipped) != 2 {
		t.Errorf("got %d quizzes, %d banks, %d skipped, want 1, 1, 2", len(lib.Quizzes), len(lib.Banks), len(lib.Skipped))
	}
}

func TestLoadDirKeepsClientsApart(t *testing.T) {
	bank := &fstest.MapFile{Data: []byte("::a::A{T}\n\n::b::B{F}\n")}
	quiz := func(banks string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("title: T\npass_percent: 50\nbanks: [" + banks + "]\n")}
	}
	tests := []struct {
		name string
		fs   fstest.MapFS
		want string // "" for no error
	}{
		{"own client's bank", fstest.MapFS{"acme/sales/q.quiz.yaml": quiz("shared"), "acme/sales/banks/shared.gift": bank}, ""},
		{"bank of another program of the same client", fstest.MapFS{"acme/sales/q.quiz.yaml": quiz("shared"), "acme/service/shared.gift": bank}, ""},
		{"another client's bank", fstest.MapFS{"acme/sales/q.quiz.yaml": quiz("shared"), "globex/sales/shared.gift": bank}, "acme/sales/q.quiz.yaml:3: no bank \"shared\""},
		{"duplicate bank name in a client", fstest.MapFS{"acme/a/x.gift": bank, "acme/b/x.gift": bank}, "already has a bank \"x\""},
		{"tag filter leaves nothing", fstest.MapFS{"acme/sales/q.quiz.yaml": &fstest.MapFile{Data: []byte("title: T\npass_percent: 50\nbanks:\n  - {name: shared, tags: [nope]}\n")}, "acme/sales/shared.gift": bank}, "q.quiz.yaml:4: bank \"shared\" has no questions tagged nope"},
		{"quiz in the wrong folder", fstest.MapFS{"acme/q.quiz.yaml": quiz("shared")}, "acme/q.quiz.yaml:1: quiz files live in"},
		{"NUL in a GIFT file", fstest.MapFS{"acme/sales/b.gift": &fstest.MapFile{Data: []byte("::a::A{T}\n\n::b::B\x00{F}\n")}},
			"acme/sales/b.gift:3: the file must not contain a NUL character"},
		{"invalid UTF-8 in a quiz file", fstest.MapFS{"acme/sales/q.quiz.yaml": &fstest.MapFile{Data: []byte("title: T\xff\npass_percent: 50\n")}},
			"acme/sales/q.quiz.yaml:1: the file must be valid UTF-8 text"},
		{"errors from several files together", fstest.MapFS{"acme/sales/q.quiz.yaml": &fstest.MapFile{Data: []byte("title: T\n")}, "acme/sales/b.gift": &fstest.MapFile{Data: []byte("::q::Q{#x}")}},
			"acme/sales/b.gift:1: numeric answer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lib, err := LoadDir(tc.fs)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				pool, ps := lib.Quizzes[0].Pool(map[string]*Bank{"shared": lib.Banks[0]})
				if len(ps) != 0 || len(pool) != 2 || pool[0].Key() != "shared/a" {
					t.Errorf("got pool %v (%v), want shared/a and shared/b", keys(pool), ps)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("a foreign bank handed to Pool is refused", func(t *testing.T) {
		qz := &Quiz{Client: "acme", Source: "q", Banks: []BankRef{{Name: "x", Line: 2}}}
		_, ps := qz.Pool(map[string]*Bank{"x": {Client: "globex", Name: "x", Questions: []Question{{ID: "a"}}}})
		if len(ps) != 1 || !strings.Contains(ps[0].Message, "belongs to client globex") {
			t.Errorf("got %v, want the bank refused", ps)
		}
	})
}
