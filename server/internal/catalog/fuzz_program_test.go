package catalog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

// FuzzLoadProgram: any client.yaml and program.yaml load without panicking,
// and every problem names a file of the library and a line inside it (or 0
// for the whole file).
func FuzzLoadProgram(f *testing.F) {
	client, err := os.ReadFile("testdata/library/content/northbank/client.yaml")
	if err != nil {
		f.Fatal(err)
	}
	program, err := os.ReadFile("testdata/library/content/northbank/card-services/program.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(client), string(program))
	f.Add("slug: acme\nname: Acme\n", "slug: p\nname: P\nchannels: [voice]\nmodules: [m, core/calm]\nlicenses:\n  - {class: insurance-producer, lines: [life], states: [TX, ZZ]}\nonboarding:\n  - {day: -1, module: m}\n")
	f.Add("a: &a [*a, *a, *a]\n", "{{{")
	module := "---\nslug: m\ntitle: M\nkind: product\nsummary: M.\nminutes: 5\nchange: minor\n---\n\n# M\n"
	f.Fuzz(func(t *testing.T, client, program string) {
		root, err := os.MkdirTemp("", "fuzz-program-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(root)
		content := filepath.Join(root, "content")
		files := map[string]string{
			"acme/client.yaml":    client,
			"acme/p/program.yaml": program,
			"acme/p/m.md":         module,
		}
		lines := map[string]int{}
		for name, text := range files {
			p := filepath.Join(content, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			lines[p] = strings.Count(text, "\n") + strings.Count(text, "\r") + 2
		}
		lib, probs := catalog.LoadLibrary(content, filepath.Join(root, "quizzes"))
		if lib == nil {
			t.Fatal("got no library")
		}
		for _, p := range probs {
			if !strings.HasPrefix(p.File, root) || p.Line < 0 {
				t.Fatalf("got problem %+v outside the library", p)
			}
			if n, ok := lines[p.File]; ok && p.Line > n {
				t.Fatalf("got problem %+v for a file of %d lines", p, n)
			}
		}
	})
}
