package roleplay

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadTestdata(t *testing.T) map[string]*Scenario {
	t.Helper()
	ss, _, ps := LoadDir(filepath.Join("testdata", "quizzes"))
	if len(ps) > 0 {
		t.Fatalf("got problems %v, want none", ps)
	}
	out := map[string]*Scenario{}
	for _, s := range ss {
		out[s.Key()] = s
	}
	return out
}

func TestLoadDirExtendsWithVars(t *testing.T) {
	ss := loadTestdata(t)
	if len(ss) != 2 {
		t.Fatalf("got %d scenarios, want 2", len(ss))
	}
	s := ss["acme/support/complaint"]
	if s == nil {
		t.Fatal("got no acme/support/complaint")
	}
	checks := []struct{ name, got, want string }{
		{"title", s.Title, "A complaint about the Classic card"},
		{"situation", s.Persona.Situation, "Unhappy with the Classic card from Acme Cards (Intl.)."},
		{"prompt", s.Turns[0].FreeText.Prompt, "Greet the caller for Acme Cards (Intl.) and acknowledge the problem."},
		{"pattern is quoted", s.Turns[0].FreeText.Rubric.Required[0].Patterns[0], `thank you for calling Acme Cards \(Intl\.\)`},
		{"facts replaced", s.Facts[0].Label + "=" + s.Facts[0].Value, "Card=Classic, ending 2290"},
		{"extends", s.Extends, "core/complaint"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(s.Facts) != 1 || len(s.Vars) != 0 {
		t.Errorf("got facts %v vars %v, want the client's one fact and no vars", s.Facts, s.Vars)
	}
	st, _, _, err := s.answer(s.turn("opening"), 0, -1, "", "Thank you for calling Acme Cards (Intl.). I understand.")
	if err != nil || st.Earned["ownership"] != 2 || st.Earned["empathy"] != 2 {
		t.Errorf("got %+v %v, want the substituted pattern to match", st, err)
	}
}

// base is a small valid scenario; the validation cases mutate it.
const base = `title: T
persona: {name: P, mood: angry}
competencies: {empathy: 60, ownership: 40}
pass: {overall: 50, outcomes: [resolved]}
start: a
turns:
  - id: a
    customer: Hi
    agent:
      choice:
        - text: Yes
          points: {empathy: 1}
          next: b
  - id: b
    customer: Then?
    agent:
      choice:
        - text: Done
          points: {ownership: 1}
          next: done
endings:
  - {id: done, outcome: resolved, debrief: {passed: Ok, failed: Not ok}}
`

const freeTextTurn = `  - id: c
    customer: More?
    agent:
      free_text:
        prompt: Say it
        rubric:
          required:
            - {name: n, competency: empathy, points: 1, patterns: ["(unclosed"]}
        next: done
`

const core = `title: Core {{product}}
vars:
  product: the product
persona: {name: P, mood: angry}
competencies: {empathy: 100}
pass: {overall: 50, outcomes: [resolved]}
start: a
turns:
  - id: a
    customer: About {{product}}
    agent:
      choice:
        - {text: Yes, points: {empathy: 1}, next: done}
endings:
  - {id: done, outcome: resolved, debrief: {passed: Ok, failed: Not ok}}
`

func TestLoadDirProblems(t *testing.T) {
	const file = "acme/support/s.roleplay.yaml"
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unreachable turn", map[string]string{file: strings.Replace(base, "endings:", `  - id: c
    customer: Lonely
    agent: {choice: [{text: x, next: done}]}
endings:`, 1)}, []string{file + `:21: turn "c" is not reachable from start "a"`}},
		{"dangling next", map[string]string{file: strings.Replace(base, "next: done", "next: nowhere", 1)},
			[]string{file + `:20: next "nowhere" names no turn or ending`}},
		{"cycle without exit", map[string]string{file: strings.Replace(base, "next: done", "next: a", 1)}, []string{
			file + `:7: turn "a" never reaches an ending: every path from it loops (a cycle with no exit)`,
			file + `:14: turn "b" never reaches an ending: every path from it loops (a cycle with no exit)`}},
		{"weights do not sum to 100", map[string]string{file: strings.Replace(base, "empathy: 60", "empathy: 70", 1)},
			[]string{file + `:3: competency weights must sum to 100, they sum to 110`}},
		{"undeclared competency", map[string]string{file: strings.Replace(base, "{empathy: 1}", "{sales: 1}", 1)},
			[]string{file + `:12: points names competency "sales", which competencies does not declare`}},
		{"bad pattern", map[string]string{file: strings.Replace(strings.Replace(base, "endings:", freeTextTurn+"endings:", 1), "next: done", "next: c", 1)},
			[]string{file + `:28: pattern "(unclosed": not a valid Go regular expression: error parsing regexp: missing closing ): ` + "`(unclosed`"}},
		{"an ending that can pass with one debrief", map[string]string{file: strings.Replace(base, "debrief: {passed: Ok, failed: Not ok}", "debrief: Ok", 1)},
			[]string{file + `:22: ending "done" can pass (pass.outcomes has "resolved"), but a run that ends here can still fail on a blocker, a minimum or the overall score: write its debrief as passed: and failed:`}},
		{"a debrief mapping without failed", map[string]string{file: strings.Replace(base, "debrief: {passed: Ok, failed: Not ok}", "debrief: {passed: Ok}", 1)},
			[]string{file + `:22: a debrief written as a mapping needs both passed: and failed:`}},
		{"an ending that never passes with a passed debrief", map[string]string{file: strings.Replace(base, "  - {id: done,", "  - {id: gone, outcome: lost, debrief: {passed: Yes, failed: No}}\n  - {id: done,", 1)},
			[]string{file + `:22: ending "gone" never passes (pass.outcomes lacks "lost"): write its debrief as one text for a failed run, without passed:`}},
		{"unknown mood", map[string]string{file: strings.Replace(base, "mood: angry", "mood: grumpy", 1)},
			[]string{file + `:2: unknown mood "grumpy" (known: furious, angry, frustrated, neutral, calm, satisfied, delighted)`}},
		{"missing var", map[string]string{"_core/c.roleplay.yaml": core, file: "extends: core/c\nvars: {}\n"},
			[]string{file + `:2: vars: product is missing (core/c declares it: the product)`}},
		{"undeclared var supplied", map[string]string{"_core/c.roleplay.yaml": core, file: "extends: core/c\nvars:\n  product: x\n  colour: red\n"},
			[]string{file + `:4: vars: core/c declares no variable "colour"`}},
		{"undeclared var used in core", map[string]string{"_core/c.roleplay.yaml": strings.Replace(core, "About {{product}}", "About {{thing}}", 1)},
			[]string{"_core/c.roleplay.yaml:2: {{thing}} is used but not declared in vars"}},
		{"NUL in a scenario", map[string]string{file: strings.Replace(base, "mood: angry", "mood: an\x00gry", 1)},
			[]string{file + `:2: the file must not contain a NUL character (\u0000)`}},
		{"invalid UTF-8 in a scenario", map[string]string{file: strings.Replace(base, "empathy: 60", "empathy: 60 # \xc0", 1)},
			[]string{file + `:3: the file must be valid UTF-8 text`}},
		{"no such core", map[string]string{file: "extends: core/nope\nvars: {product: x}\n"},
			[]string{file + `:1: extends core/nope, but the quizzes folder has no _core/nope.roleplay.yaml`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, body := range tc.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, _, ps := LoadDir(root)
			var got []string
			for _, p := range ps {
				got = append(got, strings.TrimPrefix(p.String(), root+"/"))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
