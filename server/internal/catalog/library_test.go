package catalog_test

import (
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
