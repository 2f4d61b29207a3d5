package quiz

import (
	"math/big"
	"reflect"
	"strings"
	"testing"
)

func rat(a, b int64) *big.Rat { return big.NewRat(a, b) }

// gradeFixtures are one question of every type.
func gradeFixtures() map[string]Question {
	return map[string]Question{
		"single": {ID: "single", Type: SingleChoice, Text: "?", Points: 1, Options: []Option{
			{ID: "a", Text: "right", Weight: 100, Feedback: "yes"},
			{ID: "b", Text: "half", Weight: 50},
			{ID: "c", Text: "bad", Weight: -50},
		}},
		"multi": {ID: "multi", Type: MultipleResponse, Text: "?", Points: 1, Options: []Option{
			{ID: "a", Text: "1", Weight: 50},
			{ID: "b", Text: "2", Weight: 50},
			{ID: "c", Text: "3", Weight: -100},
			{ID: "d", Text: "4", Weight: -25},
		}},
		"thirds": {ID: "thirds", Type: MultipleResponse, Text: "?", Points: 1, Options: []Option{
			{ID: "a", Text: "1", Weight: 33.33333},
			{ID: "b", Text: "2", Weight: 33.33333},
			{ID: "c", Text: "3", Weight: 33.33333},
			{ID: "d", Text: "4", Weight: -33.33333},
		}},
		"tf": {ID: "tf", Type: TrueFalse, Text: "?", Points: 1, Options: trueFalseOptions(false, "right", "wrong")},
		"short": {ID: "short", Type: ShortAnswer, Text: "?", Points: 1, Answers: []TextAnswer{
			{Text: "Thank  You", Weight: 100},
			{Text: "thanks", Weight: 50, Feedback: "half"},
		}, Pattern: `n(orth)?\s?bank`},
		"numeric": {ID: "numeric", Type: Numeric, Text: "?", Points: 1, Numbers: []NumericAnswer{
			{Value: 3.5, Tolerance: 0.1, Weight: 100},
			{IsRange: true, Min: 1, Max: 5, Weight: 50},
		}},
		"match": {ID: "match", Type: Matching, Text: "?", Points: 1, Pairs: []Pair{
			{ID: "p1", Left: "Classic", Right: "Blue"},
			{ID: "p2", Left: "Voyager", Right: "Silver"},
			{ID: "p3", Left: "Business", Right: "Blue"},
			{ID: "p4", Right: "Gold"},
		}},
	}
}

func TestMark(t *testing.T) {
	qs := gradeFixtures()
	tests := []struct {
		name string
		q    string
		r    Response
		want *big.Rat
	}{
		{"single right", "single", Response{Choices: []string{"a"}}, rat(1, 1)},
		{"single partial", "single", Response{Choices: []string{"b"}}, rat(1, 2)},
		{"single negative floored", "single", Response{Choices: []string{"c"}}, rat(0, 1)},
		{"single two choices", "single", Response{Choices: []string{"a", "b"}}, rat(0, 1)},
		{"single unknown id", "single", Response{Choices: []string{"zz"}}, rat(0, 1)},
		{"single none", "single", Response{}, rat(0, 1)},
		{"multi all right", "multi", Response{Choices: []string{"a", "b"}}, rat(1, 1)},
		{"multi one right", "multi", Response{Choices: []string{"b"}}, rat(1, 2)},
		{"multi right and small penalty", "multi", Response{Choices: []string{"a", "b", "d"}}, rat(3, 4)},
		{"multi negative floored at 0", "multi", Response{Choices: []string{"a", "c"}}, rat(0, 1)},
		{"multi everything", "multi", Response{Choices: []string{"a", "b", "c", "d"}}, rat(0, 1)},
		{"multi duplicate choice counts once", "multi", Response{Choices: []string{"a", "a"}}, rat(1, 2)},
		{"thirds all right is exactly 1", "thirds", Response{Choices: []string{"a", "b", "c"}}, rat(1, 1)},
		{"thirds one right", "thirds", Response{Choices: []string{"a"}}, rat(1, 3)},
		{"thirds two right one wrong", "thirds", Response{Choices: []string{"a", "b", "d"}}, rat(1, 3)},
		{"tf right", "tf", Response{Choices: []string{OptionFalse}}, rat(1, 1)},
		{"tf wrong", "tf", Response{Choices: []string{OptionTrue}}, rat(0, 1)},
		{"short exact", "short", Response{Text: "Thank You"}, rat(1, 1)},
		{"short case and spaces", "short", Response{Text: "  thank \t YOU "}, rat(1, 1)},
		{"short partial", "short", Response{Text: "THANKS"}, rat(1, 2)},
		{"short pattern", "short", Response{Text: "North Bank"}, rat(1, 1)},
		{"short pattern is anchored", "short", Response{Text: "a northbank b"}, rat(0, 1)},
		{"short wrong", "short", Response{Text: "bye"}, rat(0, 1)},
		{"short too long", "short", Response{Text: string(make([]byte, MaxResponseLen+1))}, rat(0, 1)},
		{"numeric exact", "numeric", Response{Text: "3.5"}, rat(1, 1)},
		{"numeric at tolerance edge", "numeric", Response{Text: "3.6"}, rat(1, 1)},
		{"numeric low edge", "numeric", Response{Text: " 3.4 "}, rat(1, 1)},
		{"numeric in range only", "numeric", Response{Text: "3.61"}, rat(1, 2)},
		{"numeric range edge", "numeric", Response{Text: "5"}, rat(1, 2)},
		{"numeric outside", "numeric", Response{Text: "5.0001"}, rat(0, 1)},
		{"numeric not a number", "numeric", Response{Text: "three"}, rat(0, 1)},
		{"numeric with a plus sign", "numeric", Response{Text: "+3.5"}, rat(1, 1)},
		{"numeric negative", "numeric", Response{Text: "-3.5"}, rat(0, 1)},
		{"numeric hexadecimal", "numeric", Response{Text: "0x1p1"}, rat(0, 1)},
		{"numeric NaN", "numeric", Response{Text: "NaN"}, rat(0, 1)},
		{"numeric huge exponent", "numeric", Response{Text: "1e999999999"}, rat(0, 1)},
		{"match all", "match", Response{Matches: map[string]string{"p1": RightID("Blue"), "p2": RightID("Silver"), "p3": RightID("Blue")}}, rat(1, 1)},
		{"match two of three", "match", Response{Matches: map[string]string{"p1": RightID("Blue"), "p2": RightID("Gold"), "p3": RightID("Blue")}}, rat(2, 3)},
		{"match none", "match", Response{}, rat(0, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := qs[tc.q]
			if got := q.Mark(tc.r); got.Cmp(tc.want) != 0 {
				t.Errorf("got %s, want %s", got.RatString(), tc.want.RatString())
			}
		})
	}
}

func TestGradePassIsExact(t *testing.T) {
	q := func(id string) Question {
		return Question{ID: id, Type: TrueFalse, Text: "?", Points: 1, Options: trueFalseOptions(true, "", "")}
	}
	three := []Question{q("a"), q("b"), q("c")}
	twoRight := map[string]Response{"a": {Choices: []string{"true"}}, "b": {Choices: []string{"true"}}, "c": {Choices: []string{"false"}}}
	tests := []struct {
		name string
		pass int
		want bool
	}{
		{"2 of 3 fails 70", 70, false},
		{"2 of 3 fails 67", 67, false},
		{"2 of 3 passes 66", 66, true},
		{"2 of 3 passes 1", 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := Grade(three, twoRight, tc.pass)
			if g.Passed != tc.want {
				t.Errorf("got passed %v, want %v (score %s)", g.Passed, tc.want, g.Score.RatString())
			}
			if g.Score.Cmp(rat(2, 3)) != 0 {
				t.Errorf("got score %s, want 2/3", g.Score.RatString())
			}
		})
	}

	// Exactly at the mark passes: 7 of 10 at 70%, where 0.7 in floating point is not exact.
	var ten []Question
	rs := map[string]Response{}
	for i := range 10 {
		id := string(rune('a' + i))
		ten = append(ten, q(id))
		if i < 7 {
			rs[id] = Response{Choices: []string{"true"}}
		}
	}
	if g := Grade(ten, rs, 70); !g.Passed || g.View(ReviewScore).Percent != 70 {
		t.Errorf("7 of 10 at 70%%: got passed %v percent %v, want true 70", g.Passed, g.View(ReviewScore).Percent)
	}
}

func TestGradeWeightsPoints(t *testing.T) {
	qs := gradeFixtures()
	two := qs["numeric"]
	two.Points = 3
	g := Grade([]Question{qs["single"], two}, map[string]Response{
		"single":  {Choices: []string{"a"}},
		"numeric": {Text: "2"}, // half of 3 points
	}, 50)
	// (1 + 1.5) / 4
	if g.Score.Cmp(rat(5, 8)) != 0 {
		t.Errorf("got score %s, want 5/8", g.Score.RatString())
	}
	if got := g.View(ReviewScore).Percent; got != 62.5 {
		t.Errorf("got percent %v, want 62.5", got)
	}
}

func TestResultViewFollowsReviewPolicy(t *testing.T) {
	qs := gradeFixtures()
	single := qs["single"]
	single.Reread = "card-products#fees"
	single.Feedback = "general"
	short := qs["short"]
	short.Reread = "card-products#fees"
	tf := qs["tf"]
	tf.Reread = "core/staying-calm#breathe"
	g := Grade([]Question{single, short, tf}, map[string]Response{
		"single": {Choices: []string{"b"}},
		"short":  {Text: "thanks"},
		"tf":     {Choices: []string{"false"}},
	}, 50)

	wantReread := []string{"card-products#fees"}
	for _, policy := range []ReviewPolicy{ReviewScore, ReviewAnswers, ReviewCorrect, ReviewFeedback, "bogus"} {
		t.Run(string(policy), func(t *testing.T) {
			res := g.View(policy)
			if !reflect.DeepEqual(res.Reread, wantReread) {
				t.Errorf("got reread %v, want %v", res.Reread, wantReread)
			}
			if res.Percent != 66.66 {
				t.Errorf("got percent %v, want 66.66 (rounded down)", res.Percent)
			}
			if !res.Passed {
				t.Errorf("got passed false, want true")
			}
			if !policy.Shows(ReviewAnswers) {
				if len(res.Questions) != 0 {
					t.Fatalf("got %d questions, want none", len(res.Questions))
				}
				return
			}
			if len(res.Questions) != 3 {
				t.Fatalf("got %d questions, want 3", len(res.Questions))
			}
			first := res.Questions[0]
			if first.Mark != 0.5 || first.Correct || first.Reread != "card-products#fees" || first.Response.Choices[0] != "b" {
				t.Errorf("got %+v, want mark 0.5, not correct, reread, response b", first)
			}
			if res.Questions[2].Reread != "" || !res.Questions[2].Correct {
				t.Errorf("got %+v, want a correct answer without reread", res.Questions[2])
			}
			if got := first.CorrectAnswer != nil; got != policy.Shows(ReviewCorrect) {
				t.Errorf("got correct answer shown %v, want %v", got, policy.Shows(ReviewCorrect))
			}
			if policy.Shows(ReviewCorrect) {
				if !reflect.DeepEqual(first.CorrectAnswer.Choices, []string{"a"}) {
					t.Errorf("got correct choices %v, want [a]", first.CorrectAnswer.Choices)
				}
				if !reflect.DeepEqual(res.Questions[1].CorrectAnswer.Texts, []string{"Thank  You"}) {
					t.Errorf("got correct texts %v, want [Thank  You]", res.Questions[1].CorrectAnswer.Texts)
				}
			}
			wantFB := []string(nil)
			if policy.Shows(ReviewFeedback) {
				wantFB = []string{"general"}
			}
			if !reflect.DeepEqual(first.Feedback, wantFB) {
				t.Errorf("got feedback %v, want %v", first.Feedback, wantFB)
			}
			if policy.Shows(ReviewFeedback) && !reflect.DeepEqual(res.Questions[1].Feedback, []string{"half"}) {
				t.Errorf("got feedback %v, want [half]", res.Questions[1].Feedback)
			}
		})
	}
}

func TestCorrectAnswerPerType(t *testing.T) {
	qs := gradeFixtures()
	tests := []struct {
		q    string
		want CorrectAnswer
	}{
		{"multi", CorrectAnswer{Choices: []string{"a", "b"}}},
		{"tf", CorrectAnswer{Choices: []string{"false"}}},
		{"numeric", CorrectAnswer{Numbers: []string{"3.5 ± 0.1"}}},
		{"match", CorrectAnswer{Matches: map[string]string{"p1": RightID("Blue"), "p2": RightID("Silver"), "p3": RightID("Blue")}}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			q := qs[tc.q]
			if got := q.correctAnswer(); !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}

func TestReadNumberTakesWhatPeopleType(t *testing.T) {
	tests := []struct {
		in     string
		want   string // the number as a fraction; "" when refused
		reason string // part of the reason when refused
	}{
		{"1200", "1200", ""},
		{"1,200", "1200", ""},
		{"1,234,567.25", "4938269/4", ""},
		{"12.5", "25/2", ""},
		{" -3 ", "-3", ""},
		{"−3", "-3", ""},
		{"+3", "3", ""},
		{".5", "1/2", ""},
		{"12.", "12", ""},
		{"1.5e3", "1500", ""},
		{"0.1", "1/10", ""},
		{"", "", "Enter a number"},
		{"ten dollars", "", "without words, units or currency signs"},
		{"$12", "", "currency signs"},
		{"12%", "", "units"},
		{"12,5", "", "point for decimals"},
		{"1,20,000", "", "Group thousands in threes"},
		{"0x10", "", "without words"},
		{"NaN", "", "without words"},
		{"Inf", "", "without words"},
		{"1e9999", "", "without words"},
		{"--3", "", "without words"},
		{"1 200", "", "without words"},
		{strings.Repeat("9", 65), "", "at most 64"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, why := readNumber(tc.in)
			switch {
			case tc.want != "" && (got == nil || got.RatString() != tc.want):
				t.Errorf("got %v (%q), want %s", got, why, tc.want)
			case tc.want == "" && (got != nil || !strings.Contains(why, tc.reason)):
				t.Errorf("got %v, reason %q; want it refused for %q", got, why, tc.reason)
			}
		})
	}
}
