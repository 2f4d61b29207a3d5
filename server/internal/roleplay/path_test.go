package roleplay

import (
	"path/filepath"
	"testing"
)

// unpassable are the library's scenarios no path passes (only a
// supervisor's override could pass them): none, and a new one must not be.
var unpassable = map[string]bool{}

// TestPassingPathOfTheLibrary finds a passing path through every scenario
// of the repository's library, and checks it passes when replayed.
func TestPassingPathOfTheLibrary(t *testing.T) {
	t.Parallel()
	scenarios, _, probs := LoadDir(filepath.Join("..", "..", "..", "quizzes"))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if len(scenarios) == 0 {
		t.Fatal("no scenarios")
	}
	for _, sc := range scenarios {
		t.Run(sc.Slug, func(t *testing.T) {
			mood, _ := moodValue(sc.Persona.Mood)
			budget := maxPaths
			path, ok := sc.search(sc.Start, sc.enter(sc.Start, mood), nil, nil, &budget)
			if ok == unpassable[sc.Slug] {
				t.Fatalf("passing path found: got %v, want %v", ok, !unpassable[sc.Slug])
			}
			if !ok {
				return
			}
			// Replay it as Take does.
			id, m := sc.Start, sc.enter(sc.Start, mood)
			var steps []Step
			for _, a := range path {
				st, next, nm, err := sc.answer(sc.turn(id), len(steps), m, a.OptionID, a.Text)
				if err != nil {
					t.Fatal(err)
				}
				steps, id, m = append(steps, st), next, nm
				if sc.ending(id) == nil {
					m = sc.enter(id, m)
				}
			}
			e := sc.ending(id)
			if e == nil || !sc.evaluate(steps, e.Outcome, nil).Passed {
				t.Fatalf("replayed path ended at %q without passing", id)
			}
		})
	}
}
