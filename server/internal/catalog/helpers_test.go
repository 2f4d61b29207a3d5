package catalog_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

var ctx = context.Background()

// fixture is a writable copy of testdata/library and a service over a fresh database.
type fixture struct {
	svc     *catalog.Service
	db      *gorm.DB
	clock   *clock.Manual
	content string
	quizzes string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	g := testdb.New(t)
	clk := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	root := copyLibrary(t)
	return &fixture{svc: catalog.NewService(g, clk, audit.NewRecorder(clk), nil, nil, nil), db: g, clock: clk,
		content: filepath.Join(root, "content"), quizzes: filepath.Join(root, "quizzes")}
}

// copyLibrary copies testdata/library into a temporary folder.
func copyLibrary(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("testdata/library")); err != nil {
		t.Fatal(err)
	}
	return root
}

func (f *fixture) importAll(t *testing.T, opts catalog.ImportOptions) *catalog.Report {
	t.Helper()
	rep, err := f.svc.Import(ctx, f.content, f.quizzes, opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

// edit rewrites a file of the content tree, replacing old by new (old ""
// appends new).
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if old == "" {
		s += new
	} else {
		if !strings.Contains(s, old) {
			t.Fatalf("%s does not contain %q", path, old)
		}
		s = strings.Replace(s, old, new, 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

var countedTables = []string{"clients", "programs", "modules", "module_versions", "program_modules", "program_quizzes",
	"program_roleplays", "program_licenses", "program_onboarding", "content_imports", "audit_log", "module_progress"}

// counts returns the row count of every catalog table.
func counts(t *testing.T, g *gorm.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range countedTables {
		var n int64
		if err := g.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func (f *fixture) moduleID(t *testing.T, clientSlug, slug string) string {
	t.Helper()
	clientID := ""
	if clientSlug != "" {
		c, err := f.svc.ClientBySlug(ctx, clientSlug)
		if err != nil {
			t.Fatal(err)
		}
		clientID = c.ID
	}
	m, err := f.svc.ModuleBySlug(ctx, clientID, slug)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// unsafeHTML returns why an HTML fragment could run code, or "" when it cannot.
func unsafeHTML(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "style", "link", "meta", "base", "form", "svg", "math", "frame", "frameset", "applet":
				return "element <" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcset" || key == "formaction" {
					return "attribute " + a.Key
				}
				if key == "href" || key == "src" || key == "action" || key == "cite" || key == "background" || key == "poster" {
					v := strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, strings.ToLower(a.Val))
					for _, scheme := range []string{"javascript:", "vbscript:", "data:", "file:"} {
						if strings.HasPrefix(v, scheme) {
							return "URL " + a.Val
						}
					}
				}
				if tok.Data == "input" && key == "type" && a.Val != "checkbox" {
					return "input type " + a.Val
				}
			}
			if tok.Data == "input" && tt != html.EndTagToken {
				disabled := false
				for _, a := range tok.Attr {
					disabled = disabled || a.Key == "disabled"
				}
				if !disabled {
					return "enabled <input>"
				}
			}
		}
	}
}

func isCode(err error, code string) bool {
	return err != nil && string(apperr.CodeOf(err)) == code
}

func hasField(err error, field string) bool {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return false
	}
	for k := range ae.Fields {
		if strings.HasPrefix(k, field) {
			return true
		}
	}
	return false
}
