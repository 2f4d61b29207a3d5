package catalog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

func TestParseModuleLineNumbers(t *testing.T) {
	t.Parallel()
	src := "---\r\nslug: fees\r\ntitle: Fees\r\nkind: product\r\nminutes: 5\r\nchange: minor\r\n---\r\n# Fees\r\n"
	m, probs := catalog.ParseModule("fees.md", src, "fees", false)
	if len(probs) != 0 || m.Title != "Fees" || m.Body != "# Fees\n" || m.BodyLine != 8 || m.Minutes != 5 {
		t.Fatalf("got %+v %v, want a parsed module with LF line ends", m, probs)
	}
	_, probs = catalog.ParseModule("fees.md", strings.Replace(src, "minutes: 5", "minutes: -1\r\nextra: x", 1), "fees", false)
	if got := probs.Error(); got != "fees.md:5: minutes must be 1 or more\nfees.md:6: unknown field \"extra\"" {
		t.Errorf("got %q", got)
	}
}

// FuzzParseModule checks that any module file parses without panicking and
// that every problem points at a line of the file.
func FuzzParseModule(f *testing.F) {
	for _, s := range []string{
		"---\nslug: x\ntitle: X\nkind: product\nminutes: 5\nchange: minor\n---\n# X\n",
		"---\nslug: [\n---\n",
		"---\na: &a [*a]\n---\n",
		"no front matter",
		"---\n- a\n- b\n---\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		m, probs := catalog.ParseModule("x.md", src, "x", false)
		if m == nil {
			t.Fatal("got no module")
		}
		n := strings.Count(src, "\n") + strings.Count(src, "\r") + 2
		for _, p := range probs {
			if p.File != "x.md" || p.Line < 0 || p.Line > n {
				t.Fatalf("got problem %+v for a file of %d lines", p, n)
			}
		}
	})
}

// TestRefresherBlock loads the onboarding testdata library with its
// refresher block, then broken variants of it, each problem named by file
// and line.
func TestRefresherBlock(t *testing.T) {
	t.Parallel()
	src := filepath.Join("..", "onboarding", "testdata")
	lib, probs := catalog.LoadLibrary(filepath.Join(src, "content"), filepath.Join(src, "quizzes"))
	if len(probs) != 0 {
		t.Fatalf("got %v", probs)
	}
	r := lib.Clients[0].Programs[0].Refresher
	if r == nil || r.Quiz != "refresh" || len(r.Modules) != 1 || r.Modules[0].String() != "fees" {
		t.Fatalf("refresher: got %+v", r)
	}
	tests := []struct {
		name, block, want string
	}{
		{"no quiz", "refresher:\n  modules: [fees]\n", `program.yaml:22: quiz is required`},
		{"unknown quiz", "refresher:\n  quiz: nope\n", `program.yaml:22: refresher quiz "nope" has no file`},
		{"module not required", "refresher:\n  modules: [other]\n  quiz: refresh\n", `program.yaml:22: refresher module "other" is not one of the program's modules`},
		{"module twice", "refresher:\n  modules: [fees, fees]\n  quiz: refresh\n", `program.yaml:22: refresher module "fees" is listed twice`},
		{"unknown field", "refresher:\n  quiz: refresh\n  quizzes: [x]\n", `program.yaml:23: unknown field "quizzes"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "content", "acme", "support", "program.yaml")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			text = text[:strings.Index(text, "refresher:")] + tc.block
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, probs := catalog.LoadLibrary(filepath.Join(dir, "content"), filepath.Join(dir, "quizzes"))
			if got := probs.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// TestQuizGates loads the onboarding testdata library with its basics quiz
// gated in each way program.yaml allows, then broken gates, each problem
// named by file and line.
func TestQuizGates(t *testing.T) {
	t.Parallel()
	src := filepath.Join("..", "onboarding", "testdata")
	tests := []struct {
		name, quizzes string
		want          []string // the gate's modules, when it loads
		problem       string
	}{
		{name: "every module", quizzes: "  - {slug: basics, opens_after: modules}\n", want: []string{"fees", "verify-caller"}},
		{name: "a listed set", quizzes: "  - slug: basics\n    opens_after: [verify-caller]\n", want: []string{"verify-caller"}},
		{name: "not gated", quizzes: "  - basics\n"},
		{name: "unknown module", quizzes: "  - slug: basics\n    opens_after:\n      - fees\n      - nope\n",
			problem: `program.yaml:11: quiz "basics" opens after module "nope", which is not one of the program's modules`},
		{name: "listed twice", quizzes: "  - slug: basics\n    opens_after: [fees, fees]\n",
			problem: `program.yaml:9: quiz "basics": opens_after lists module "fees" twice`},
		{name: "a word", quizzes: "  - {slug: basics, opens_after: everything}\n",
			problem: `program.yaml:8: quiz "basics": opens_after must be "modules"`},
		{name: "empty list", quizzes: "  - {slug: basics, opens_after: []}\n",
			problem: `program.yaml:8: quiz "basics": opens_after lists no module`},
		{name: "unknown field", quizzes: "  - {slug: basics, opens_before: modules}\n",
			problem: `program.yaml:8: unknown field "opens_before"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "content", "acme", "support", "program.yaml")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Replace(string(b), "quizzes:\n  - basics\n", "quizzes:\n"+tc.quizzes, 1)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			lib, probs := catalog.LoadLibrary(filepath.Join(dir, "content"), filepath.Join(dir, "quizzes"))
			if tc.problem != "" {
				if got := probs.Error(); !strings.Contains(got, tc.problem) {
					t.Errorf("got %q, want it to contain %q", got, tc.problem)
				}
				return
			}
			if len(probs) != 0 {
				t.Fatalf("got %v", probs)
			}
			p := lib.Clients[0].Programs[0]
			var got []string
			for _, g := range p.QuizGates {
				if g.Quiz != "basics" {
					t.Errorf("gate of %q, want basics", g.Quiz)
				}
				for _, m := range g.Modules {
					got = append(got, m.String())
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") || len(p.QuizGates) != min(len(tc.want), 1) {
				t.Errorf("gates: got %+v (%v), want %v", p.QuizGates, got, tc.want)
			}
		})
	}
}
