package quiz

import (
	"encoding/json"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"
)

// clozeText has one gap of each kind: a dropdown with a partial-credit
// option (weight 2), a short answer (weight 1) with a * feedback, and a
// number with a tolerance (weight 1).
const clozeText = "Refund window: {2:MULTICHOICE:=30 days#Right, 30.~%50%14 days#Half right.~60 days#No.} " +
	"for a {1:SHORTANSWER:=damaged#Yes.~%50%broken~*#Think of the return reason codes.} unit, " +
	"restocking fee {1:NUMERICAL:=10:0.5#Right.}%."

func clozeQuestion(t *testing.T) Question {
	t.Helper()
	q := Question{ID: "refunds", Type: Cloze, Text: clozeText}
	q.defaults()
	if errs := q.check(); len(errs) != 0 {
		t.Fatalf("got problems %v, want none", errs)
	}
	return q
}

func TestParseGapsReadsEveryKind(t *testing.T) {
	q := clozeQuestion(t)
	want := []Gap{
		{ID: "1", Kind: GapChoice, Weight: 2, Display: GapDropdown, Syntax: "MULTICHOICE", Options: []Option{
			{ID: OptionID("30 days"), Text: "30 days", Weight: 100, Feedback: "Right, 30."},
			{ID: OptionID("14 days"), Text: "14 days", Weight: 50, Feedback: "Half right."},
			{ID: OptionID("60 days"), Text: "60 days", Feedback: "No."}}},
		{ID: "2", Kind: GapShort, Weight: 1, Syntax: "SHORTANSWER", WrongFeedback: "Think of the return reason codes.",
			Answers: []TextAnswer{{Text: "damaged", Weight: 100, Feedback: "Yes."}, {Text: "broken", Weight: 50}}},
		{ID: "3", Kind: GapNumeric, Weight: 1, Syntax: "NUMERICAL", Numbers: []NumericAnswer{{Value: 10, Tolerance: 0.5, Weight: 100, Feedback: "Right."}}},
	}
	if !reflect.DeepEqual(q.Gaps, want) {
		t.Errorf("got gaps\n%#v\nwant\n%#v", q.Gaps, want)
	}
}

func TestParseGapsVariantsAndEscapes(t *testing.T) {
	gaps, errs := ParseGaps(`{:MCV:=a\~b~c} {3:MCH:=x~y} {:SA:=\}brace\#hash} {NM:=1}`)
	if len(errs) != 0 {
		t.Fatalf("got problems %v, want none", errs)
	}
	if len(gaps) != 3 {
		t.Fatalf("got %d gaps, want 3 ({NM:=1} has no weight colon and is text)", len(gaps))
	}
	if gaps[0].Display != GapVertical || gaps[0].Weight != 1 || gaps[0].Options[0].Text != "a~b" {
		t.Errorf("got %+v, want a vertical gap of weight 1 with option a~b", gaps[0])
	}
	if gaps[1].Display != GapHorizontal || gaps[1].Weight != 3 {
		t.Errorf("got %+v, want a horizontal gap of weight 3", gaps[1])
	}
	if gaps[2].Answers[0].Text != "}brace#hash" {
		t.Errorf("got %q, want }brace#hash", gaps[2].Answers[0].Text)
	}
}

func TestParseGapsRefusals(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"no gap", "Plain text {not a gap}", "at least one gap"},
		{"unknown type", "{1:ESSAY:=a}", `gap 1 (text line 1): "ESSAY" is not a gap type`},
		{"multiresponse", "a\n{1:MULTIRESPONSE:=a~=b}", "gap 1 (text line 2): MULTIRESPONSE (several answers in one gap) is not supported yet"},
		{"case sensitive", "{1:SAC:=a}", "compares case"},
		{"weight 0", "{0:SA:=a}", "weight 0 must be a whole number 1..100"},
		{"no right option", "{1:MC:a~b}", "exactly one correct option, got 0"},
		{"one option", "{1:MC:=a}", "at least 2 options"},
		{"bad percent", "{1:SA:%150%a}", "must be a percentage"},
		{"bad number", "x {1:SA:=a} {1:NM:=ten}", `gap 2 (text line 1): "ten" is not a number`},
		{"short without full credit", "{1:SA:%50%a}", "needs an answer with weight 100"},
		{"wildcard with credit", "{1:SA:=a~=*}", "a * answer gives no credit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := ParseGaps(tc.text)
			if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Errorf("got %q, want a problem naming %q", errs, tc.want)
			}
		})
	}
}

func TestGradeClozePerGapAndWeights(t *testing.T) {
	q := clozeQuestion(t)
	right, half, wrong := OptionID("30 days"), OptionID("14 days"), OptionID("60 days")
	tests := []struct {
		name string
		gaps map[string]string
		want *big.Rat
		fb   []string
	}{
		{"all right", map[string]string{"1": right, "2": " Damaged ", "3": "10.5"}, big.NewRat(1, 1), []string{"Right, 30.", "Yes.", "Right."}},
		{"nothing", nil, new(big.Rat), nil},
		{"choice only (weight 2 of 4)", map[string]string{"1": right}, big.NewRat(1, 2), []string{"Right, 30."}},
		{"partial choice", map[string]string{"1": half}, big.NewRat(1, 4), []string{"Half right."}},
		{"wrong choice", map[string]string{"1": wrong, "2": "lost"}, new(big.Rat), []string{"No.", "Think of the return reason codes."}},
		{"partial short", map[string]string{"2": "broken"}, big.NewRat(1, 8), nil},
		{"number outside tolerance", map[string]string{"3": "10.51"}, new(big.Rat), nil},
		{"number read as typed", map[string]string{"3": "+9.5"}, big.NewRat(1, 4), []string{"Right."}},
		{"number not a number", map[string]string{"3": "ten"}, new(big.Rat), nil},
		{"unknown option", map[string]string{"1": "o00000000"}, new(big.Rat), nil},
		{"overlong text", map[string]string{"2": strings.Repeat("a", MaxResponseLen+1)}, new(big.Rat), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := Grade([]Question{q}, map[string]Response{q.Key(): {Gaps: tc.gaps}}, 50)
			if got := g.Questions[0].Mark; got.Cmp(tc.want) != 0 {
				t.Errorf("got mark %s, want %s", got.RatString(), tc.want.RatString())
			}
			if got := g.Questions[0].Feedback; !reflect.DeepEqual(got, tc.fb) {
				t.Errorf("got feedback %q, want %q", got, tc.fb)
			}
			if len(g.Questions[0].Gaps) != 3 {
				t.Errorf("got %d gap grades, want 3", len(g.Questions[0].Gaps))
			}
		})
	}
}

func TestClozeResultShowsPerGapAsPolicyAllows(t *testing.T) {
	q := clozeQuestion(t)
	g := Grade([]Question{q}, map[string]Response{q.Key(): {Gaps: map[string]string{"1": OptionID("14 days"), "2": "damaged"}}}, 50)
	tests := []struct {
		policy        ReviewPolicy
		gaps, key, fb bool
	}{
		{ReviewScore, false, false, false},
		{ReviewAnswers, true, false, false},
		{ReviewCorrect, true, true, false},
		{ReviewFeedback, true, true, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.policy), func(t *testing.T) {
			res := g.View(tc.policy)
			if !tc.gaps {
				if len(res.Questions) != 0 {
					t.Errorf("got questions %+v, want none", res.Questions)
				}
				return
			}
			gaps := res.Questions[0].Gaps
			if len(gaps) != 3 || gaps[0].Mark != 0.5 || gaps[0].Weight != 2 || !gaps[1].Correct || gaps[2].Mark != 0 {
				t.Fatalf("got gaps %+v, want 0.5 (weight 2), right, 0", gaps)
			}
			if got := gaps[0].CorrectAnswer != nil; got != tc.key {
				t.Errorf("got correct answer shown %v, want %v", got, tc.key)
			}
			if tc.key && (gaps[0].CorrectAnswer.Choices[0] != OptionID("30 days") || gaps[2].CorrectAnswer.Numbers[0] != "10 ± 0.5") {
				t.Errorf("got correct answers %+v %+v", gaps[0].CorrectAnswer, gaps[2].CorrectAnswer)
			}
			if got := len(gaps[1].Feedback) > 0; got != tc.fb {
				t.Errorf("got feedback shown %v, want %v", got, tc.fb)
			}
		})
	}
}

func TestClozePublicViewHasNoKey(t *testing.T) {
	q := clozeQuestion(t)
	pq := q.Public()
	raw, err := json.Marshal(pq)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"damaged", "broken", "10:0.5", "weight\":100", "Right", "Half", "reason codes", "%50%", "="} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("public view %s holds %q", raw, secret)
		}
	}
	want := "Refund window: {{gap:1}} for a {{gap:2}} unit, restocking fee {{gap:3}}%."
	if pq.Text != want {
		t.Errorf("got text %q, want %q", pq.Text, want)
	}
	if len(pq.Gaps) != 3 || len(pq.Gaps[0].Options) != 3 || pq.Gaps[1].Kind != GapShort || pq.Gaps[2].Options != nil {
		t.Errorf("got gaps %+v", pq.Gaps)
	}
}

func TestCheckClozeResponse(t *testing.T) {
	q := clozeQuestion(t)
	tests := []struct {
		name string
		r    Response
		want string // "" for accepted
	}{
		{"every gap", Response{Gaps: map[string]string{"1": OptionID("60 days"), "2": "x", "3": "1,200.5"}}, ""},
		{"blank gaps", Response{Gaps: map[string]string{"1": "", "3": " "}}, ""},
		{"unknown gap", Response{Gaps: map[string]string{"4": "x"}}, `no gap "4"`},
		{"unknown option", Response{Gaps: map[string]string{"1": "o1"}}, `Gap 1: The gap has no option "o1".`},
		{"decimal comma", Response{Gaps: map[string]string{"3": "12,5"}}, "Gap 3: Use a point for decimals"},
		{"words", Response{Gaps: map[string]string{"3": "ten"}}, "Gap 3: Enter only a number"},
		{"long", Response{Gaps: map[string]string{"2": strings.Repeat("a", MaxResponseLen+1)}}, "at most"},
		{"text", Response{Text: "x"}, "answered with gaps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := q.CheckResponse(tc.r)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want accepted", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	sc := Question{ID: "s", Type: ShortAnswer, Text: "Q", Answers: []TextAnswer{{Text: "a", Weight: 100}}}
	if err := sc.CheckResponse(Response{Gaps: map[string]string{"1": "a"}}); err == nil {
		t.Error("got gaps accepted for a short answer question, want refused")
	}
}

func TestClozeKeyedResponseEarnsFullCredit(t *testing.T) {
	q := clozeQuestion(t)
	r, ok := q.keyedResponse()
	if !ok {
		t.Fatal("got no keyed response")
	}
	if m := q.Mark(r); m.Cmp(ratOne) != 0 {
		t.Errorf("got mark %s for %+v, want 1", m.RatString(), r)
	}
}

func TestParseQuizCloze(t *testing.T) {
	src := "title: T\npass_percent: 50\nquestions:\n  - id: c\n    type: cloze\n    points: 4\n    text: |\n      Fee {1:NUMERICAL:=10:0.5}\n      and {2:SA:=damaged}\n"
	qz, err := ParseQuiz("c/p/q.quiz.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if q := qz.Questions[0]; q.Type != Cloze || len(q.Gaps) != 2 || q.Gaps[1].Weight != 2 {
		t.Errorf("got %+v, want a cloze question with 2 gaps, the second of weight 2", q)
	}
	bad := "title: T\npass_percent: 50\nquestions:\n  - id: c\n    type: cloze\n    text: |\n      Fee {1:NUMERICAL:=10:0.5}\n      and {1:MC:=a}\n"
	_, err = ParseQuiz("c/p/q.quiz.yaml", []byte(bad))
	checkProblems(t, "c/p/q.quiz.yaml", err, []string{"4: question c: gap 2 (text line 2): needs at least 2 options"})
}

const clozeXML = `<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<question type="multianswer">
  <name><text>Refund rules</text></name>
  <questiontext format="html"><text><![CDATA[<p>Window: {2:MCV:=30 days~%50%14 days#Half.~60 days} and fee {1:NUMERICAL:=10:0.5~*#No.} for {1:SHORTANSWER:=damaged}</p>]]></text></questiontext>
  <generalfeedback format="html"><text>See the refunds module.</text></generalfeedback>
</question>
</quiz>`

func TestParseMoodleXMLClozeAndRoundTrip(t *testing.T) {
	b, err := ParseMoodleXML("c/p/bank.xml", []byte(clozeXML))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Skipped) != 0 || len(b.Questions) != 1 {
		t.Fatalf("got %d questions, skipped %v, want 1 question", len(b.Questions), b.Skipped)
	}
	q := b.Questions[0]
	if q.Type != Cloze || q.ID != "refund-rules" || len(q.Gaps) != 3 || q.Gaps[0].Display != GapVertical || q.Gaps[1].WrongFeedback != "No." {
		t.Errorf("got %+v", q)
	}
	raw, _, err := Export(ExportMoodleXML, b.Questions)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `type="multianswer"`) {
		t.Errorf("export %s has no multianswer question", raw)
	}
	back, err := ParseMoodleXML("c/p/bank.xml", raw)
	if err != nil {
		t.Fatalf("got %v importing\n%s", err, raw)
	}
	if got, want := comparable(back.Questions), comparable(b.Questions); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\ngot  %#v\nwant %#v", got, want)
	}
	gift, _, err := Export(ExportGIFT, b.Questions)
	if err != nil || !strings.Contains(string(gift), "refund-rules is a cloze") {
		t.Errorf("got %v\n%s, want the cloze question left out of GIFT with a comment", err, gift)
	}
	if gb, err := ParseGIFT("c/p/bank.gift", gift); err != nil || len(gb.Questions) != 0 {
		t.Errorf("got %v, %+v, want the GIFT export to import with no questions", err, gb)
	}
}

func TestParseMoodleXMLClozeRefusalNamesFileLine(t *testing.T) {
	src := "<quiz>\n<question type=\"category\"><category><text>$course$/top</text></category></question>\n<question type=\"multianswer\">\n<name><text>Q</text></name><questiontext><text>A {1:MULTICHOICE:a~b}</text></questiontext>\n</question>\n</quiz>"
	_, err := ParseMoodleXML("c/p/bank.xml", []byte(src))
	checkProblems(t, "c/p/bank.xml", err, []string{"3: gap 1 (text line 1): a choice gap needs exactly one correct option"})
}

// TestREADMEClozeExampleParses keeps the README's cloze example honest.
func TestREADMEClozeExampleParses(t *testing.T) {
	data, err := os.ReadFile("../../../quizzes/README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	s = s[strings.Index(s, "#### Cloze"):]
	s = s[strings.Index(s, "```yaml\n")+len("```yaml\n"):]
	s = s[:strings.Index(s, "```\n")]
	qz, err := ParseQuiz("c/p/q.quiz.yaml", []byte("title: T\npass_percent: 50\nquestions:\n"+s))
	if err != nil {
		t.Fatalf("got error in the README's cloze example:\n%v", err)
	}
	if g := qz.Questions[0].Gaps; len(g) != 3 || g[0].Weight != 2 || g[1].WrongFeedback == "" {
		t.Errorf("got gaps %+v, want 3, the first of weight 2", g)
	}
}

func TestDrawShufflesClozeChoiceGapsWithoutTouchingThePool(t *testing.T) {
	q := Question{ID: "c", Type: Cloze, Text: "{1:MC:=a~b~c~d} {1:SA:=x}"}
	q.defaults()
	pool := []Question{q}
	orders := map[string]bool{}
	for seed := range uint64(30) {
		qs, err := Draw(&Quiz{Slug: "t", ShuffleOptions: true}, pool, seed)
		if err != nil {
			t.Fatal(err)
		}
		order := ""
		for _, o := range qs[0].Gaps[0].Options {
			order += o.Text
		}
		orders[order] = true
		if again, _ := Draw(&Quiz{Slug: "t", ShuffleOptions: true}, pool, seed); !reflect.DeepEqual(again, qs) {
			t.Fatalf("seed %d: got a different draw for the same seed", seed)
		}
	}
	if len(orders) < 5 {
		t.Errorf("got %d orders of the gap's options over 30 seeds, want them shuffled", len(orders))
	}
	if pool[0].Gaps[0].Options[0].Text != "a" {
		t.Errorf("got the pool's gap reordered: %+v", pool[0].Gaps[0].Options)
	}
}
