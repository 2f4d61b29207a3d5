package roleplay

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseScenario: any role-play YAML parses or fails with problems
// naming the file, never panics; a scenario that parses and checks clean
// can be played from its start to an ending (first option, or the fuzzed
// text for free-text turns) and scored without panicking.
func FuzzParseScenario(f *testing.F) {
	for _, name := range []string{
		"testdata/quizzes/acme/support/late-fee.roleplay.yaml",
		"testdata/quizzes/_core/complaint.roleplay.yaml",
	} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data), "I'm sorry, let me help")
	}
	f.Add("extends: core/x\nvars: {a: b}\n", "")
	f.Fuzz(func(t *testing.T, src, say string) {
		s, ext, ps := parseFile("c/p/x.roleplay.yaml", []byte(src))
		for _, p := range ps {
			if p.File != "c/p/x.roleplay.yaml" || p.Line < 0 || p.Line > strings.Count(src, "\n")+strings.Count(src, "\r")+2 {
				t.Fatalf("got problem %+v outside the file", p)
			}
		}
		if ext != nil || s == nil || len(ps) > 0 || len(check(s)) > 0 {
			return
		}
		id, mood := s.Start, 0
		if v, ok := moodValue(s.Persona.Mood); ok {
			mood = v
		}
		var steps []Step
		for i := 0; i < 100; i++ {
			tn := s.turn(id)
			if tn == nil {
				break
			}
			mood = s.enter(id, mood)
			optionID, text := "", say
			if tn.FreeText == nil && len(tn.Choice) > 0 {
				optionID, text = tn.Choice[0].ID, ""
			}
			st, next, m, err := s.answer(tn, i, mood, optionID, text)
			if err != nil {
				return // e.g. empty text: refused, not a crash
			}
			steps, id, mood = append(steps, st), next, m
		}
		outcome := ""
		if e := s.ending(id); e != nil {
			outcome = e.Outcome
		}
		_ = s.evaluate(steps, outcome, nil)
	})
}
