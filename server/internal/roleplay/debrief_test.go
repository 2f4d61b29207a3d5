package roleplay

import "testing"

func TestDebriefFor(t *testing.T) {
	t.Parallel()
	two := Ending{ID: "resolved", Outcome: "resolved", DebriefPassed: "You verified first.", Debrief: "The run did not pass."}
	legacy := Ending{ID: "resolved", Outcome: "resolved", Debrief: "You verified first."} // imported before endings had two debriefs
	never := Ending{ID: "lost", Outcome: "lost", Debrief: "Refusing the escalation lost her."}
	cases := []struct {
		name            string
		e               Ending
		passed, canPass bool
		want            string
	}{
		{"passed at an ending that can pass", two, true, true, "You verified first."},
		{"failed at an ending that can pass", two, false, true, "The run did not pass."},
		{"failed at an ending that never passes", never, false, false, "Refusing the escalation lost her."},
		{"an old version's praise is not shown to a failed run", legacy, false, true, failedFallback},
		{"an old version's debrief still reads after a pass", legacy, true, true, "You verified first."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.DebriefFor(tc.passed, tc.canPass); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
