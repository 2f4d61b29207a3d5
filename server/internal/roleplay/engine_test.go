package roleplay

import (
	"slices"
	"testing"
)

// play answers turns of s from its start; each answer is an option id or
// (for free text) the text. It returns the steps and the ending reached.
func play(t *testing.T, s *Scenario, answers ...string) ([]Step, string) {
	t.Helper()
	mood, _ := moodValue(s.Persona.Mood)
	cur := s.Start
	mood = s.enter(cur, mood)
	var steps []Step
	for i, a := range answers {
		turn := s.turn(cur)
		if turn == nil {
			t.Fatalf("answer %d: no turn %q", i, cur)
		}
		opt, text := a, ""
		if turn.FreeText != nil {
			opt, text = "", a
		}
		st, next, m, err := s.answer(turn, i, mood, opt, text)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		steps = append(steps, st)
		if s.ending(next) != nil {
			if i != len(answers)-1 {
				t.Fatalf("the call ended at %s after answer %d of %d", next, i, len(answers))
			}
			return steps, next
		}
		cur, mood = next, s.enter(next, m)
	}
	t.Fatalf("the call did not end; at %s", cur)
	return nil, ""
}

func TestScoring(t *testing.T) {
	s := loadTestdata(t)["acme/support/late-fee"]
	const good = "I'm sorry. Can you confirm your date of birth? I'll remove the fee."
	cases := []struct {
		name        string
		answers     []string
		wantEnding  string
		wantPassed  bool
		wantOverall float64
		wantReasons []string // kind:turn_index or kind
		wantScores  map[string]float64
	}{
		{"best path passes", []string{"a", good, "a"}, "resolved", true, 100, nil,
			map[string]float64{"empathy": 100, "ownership": 100, "compliance": 100, "accuracy": 100}},
		{"folded text and typographic quotes", []string{"a", "Your  date\n of   birth please, I’ll  remove it", "a"}, "resolved", true, 100, nil, nil},
		{"courtesy waiver is retained but weaker", []string{"a", good, "b"}, "retained", true, 77.08, nil,
			map[string]float64{"accuracy": 0, "ownership": 83.33}},
		{"choice blocker", []string{"b", "a"}, "escalated", false, 30, []string{"blocker:0", "outcome", "minimum", "overall"},
			map[string]float64{"compliance": 0, "de-escalation": 100}},
		{"rubric blocker: full card number", []string{"a", good + " Your card is 4417 1234 5678 9012.", "a"}, "resolved", false, 100, []string{"blocker:1"}, nil},
		{"missing required element is a blocker", []string{"a", "I'll remove the fee.", "a"}, "resolved", false, 85, []string{"blocker:1", "minimum"},
			map[string]float64{"compliance": 40}},
		{"forbidden phrase costs points", []string{"a", good + " Please calm down.", "a"}, "resolved", true, 80, nil,
			map[string]float64{"de-escalation": 0}},
		{"mood drop hangs up", []string{"a", good, "c"}, "lost", false, 58.33, []string{"outcome", "overall"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			steps, ending := play(t, s, tc.answers...)
			if ending != tc.wantEnding {
				t.Fatalf("got ending %s, want %s", ending, tc.wantEnding)
			}
			sc := s.evaluate(steps, s.ending(ending).Outcome, nil)
			if sc.Passed != tc.wantPassed {
				t.Errorf("got passed %v (%+v), want %v", sc.Passed, sc.Reasons, tc.wantPassed)
			}
			if sc.Overall != tc.wantOverall {
				t.Errorf("got overall %v, want %v (%+v)", sc.Overall, tc.wantOverall, sc.Competencies)
			}
			var reasons []string
			for _, r := range sc.Reasons {
				k := r.Kind
				if r.TurnIndex != nil {
					k += ":" + string(rune('0'+*r.TurnIndex))
				}
				reasons = append(reasons, k)
			}
			if !slices.Equal(reasons, tc.wantReasons) {
				t.Errorf("got reasons %v (%+v), want %v", reasons, sc.Reasons, tc.wantReasons)
			}
			for c, want := range tc.wantScores {
				i := slices.IndexFunc(sc.Competencies, func(x CompetencyScore) bool { return x.Competency == c })
				if got := sc.Competencies[i]; !got.Exercised || got.Score != want {
					t.Errorf("%s: got %+v, want score %v", c, got, want)
				}
			}
		})
	}
}

func TestAnswerRefusesWrongKind(t *testing.T) {
	s := loadTestdata(t)["acme/support/late-fee"]
	cases := []struct{ turn, option, text string }{
		{"opening", "", "hello"}, {"opening", "z", ""}, {"verify", "a", ""}, {"verify", "", "   "},
	}
	for _, tc := range cases {
		if _, _, _, err := s.answer(s.turn(tc.turn), 0, 0, tc.option, tc.text); err == nil {
			t.Errorf("%+v: got no error, want invalid", tc)
		}
	}
}

func TestOverride(t *testing.T) {
	s := loadTestdata(t)["acme/support/late-fee"]
	steps, ending := play(t, s, "a", "I'm sorry, your date of birth please? I'll remove it.", "a")
	sc := s.evaluate(steps, s.ending(ending).Outcome, map[string]float64{"empathy": 0})
	if sc.Overall != 68.75 || sc.Passed {
		t.Errorf("got overall %v passed %v, want 68.75 and a fail", sc.Overall, sc.Passed)
	}
}

func TestReasonMessagesReadAsSentences(t *testing.T) {
	s := loadTestdata(t)["acme/support/late-fee"]
	steps, ending := play(t, s, "a", "I'm sorry. Can you confirm your date of birth? I'll remove the fee.", "c")
	sc := s.evaluate(steps, s.ending(ending).Outcome, nil)
	var got []string
	for _, r := range sc.Reasons {
		got = append(got, r.Message)
	}
	// 58.33 overall: shown as a whole percent rounded down, like every score people read.
	want := []string{
		`The call ended as "lost"; to pass, it must end as "resolved" or "retained".`,
		"The overall score was 58%, below the 70% needed.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	steps, ending = play(t, s, "a", "I'll remove the fee.", "a")
	sc = s.evaluate(steps, s.ending(ending).Outcome, nil)
	if i := slices.IndexFunc(sc.Reasons, func(r Reason) bool { return r.Kind == ReasonMinimum }); i < 0 ||
		sc.Reasons[i].Message != "Compliance scored 40%, below its minimum of 100%." {
		t.Errorf("got reasons %+v, want the compliance minimum as a sentence", sc.Reasons)
	}
	for _, tc := range []struct {
		v    float64
		want int
	}{{69.99, 69}, {70, 70}, {0.57 * 100, 57}, {100, 100}} {
		if got := WholePercent(tc.v); got != tc.want {
			t.Errorf("WholePercent(%v): got %d, want %d", tc.v, got, tc.want)
		}
	}
}
