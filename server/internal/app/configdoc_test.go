package app_test

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/app"
)

var update = flag.Bool("update", false, "rewrite the generated table of docs/configuration.md")

// Markers around the generated table in docs/configuration.md.
const (
	tableBegin = "<!-- BEGIN generated from server/internal/app/settings.go: edit the table there, then run " + regenerate + " -->\n"
	tableEnd   = "<!-- END generated -->\n"
	regenerate = "`go test ./server/internal/app -run TestConfigurationTableIsCurrent -update`"
)

// TestConfigurationTableIsCurrent checks that the table of variables in
// docs/configuration.md is the one the settings write (app.ConfigMarkdown);
// with -update it rewrites it.
func TestConfigurationTableIsCurrent(t *testing.T) {
	path := filepath.Join(repoRoot(t), "docs", "configuration.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start, end := strings.Index(text, tableBegin), strings.Index(text, tableEnd)
	if start < 0 || end < start {
		t.Fatalf("%s has no generated table between %q and %q", path, tableBegin, tableEnd)
	}
	got, want := text[start+len(tableBegin):end], app.ConfigMarkdown()
	if got == want {
		return
	}
	if *update {
		text = text[:start+len(tableBegin)] + want + text[end:]
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the table of %s", path)
		return
	}
	t.Errorf("docs/configuration.md's table of variables is not the one server/internal/app/settings.go writes: run %s", regenerate)
}

// TestConfigurationIsDocumented checks that every environment variable the
// server reads is in the table of docs/configuration.md, and that the table
// lists none it does not read. The variables read are those LoadConfig asks
// its getenv for (recorded in development, in production and with the
// optional outbound settings on, so every branch asks) and every string
// literal the server's non-test code passes to os.Getenv, os.LookupEnv or a
// function named getenv.
func TestConfigurationIsDocumented(t *testing.T) {
	root := repoRoot(t)
	read := map[string]bool{}
	envs := []map[string]string{
		{},
		{"SKILLGATE_ENV": "production"},
		{"SMTP_ADDR": "127.0.0.1:25", "SMTP_FROM": "a@example.com", "XAPI_ENDPOINT": "https://lrs.example.com/xapi/",
			"XAPI_ACTIVITY_BASE": "https://skillgate.example.com", "METRICS_ADDR": "127.0.0.1:9090"},
	}
	for _, env := range envs {
		_, _ = app.LoadConfig(func(name string) string {
			read[name] = true
			return env[name]
		})
	}
	if len(read) < 10 {
		t.Fatalf("LoadConfig asked for %d variables; the recording getenv is not being called", len(read))
	}
	table := map[string]bool{}
	for _, s := range app.Settings() {
		table[s.Name] = true
		if s.Secret {
			table[s.Name+"_FILE"] = true
		}
	}
	for name := range read {
		if !table[name] {
			t.Errorf("LoadConfig reads %s, which is not in the table of settings (server/internal/app/settings.go)", name)
		}
	}
	for name := range literalGetenvs(t, filepath.Join(root, "server")) {
		read[name] = true
	}

	documented := documentedVariables(t, filepath.Join(root, "docs", "configuration.md"))
	for name := range read {
		if !documented[name] {
			t.Errorf("the server reads %s, but docs/configuration.md does not document it", name)
		}
	}
	for name := range documented {
		if !read[name] {
			t.Errorf("docs/configuration.md documents %s, but the server does not read it", name)
		}
	}
}

// documentedVariables returns the names in the first column of the table
// under "## The server's variables", and the NAME_FILE variants that
// section lists.
func documentedVariables(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const heading = "## The server's variables"
	text := string(b)
	start := strings.Index(text, heading)
	if start < 0 {
		t.Fatalf("%s has no %q section", path, heading)
	}
	section := text[start+len(heading):]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	name := regexp.MustCompile("`([A-Z][A-Z0-9_]+)`")
	names := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			first := strings.SplitN(line[1:], "|", 2)[0]
			for _, m := range name.FindAllStringSubmatch(first, -1) {
				names[m[1]] = true
			}
			continue
		}
		for _, m := range name.FindAllStringSubmatch(line, -1) {
			if strings.HasSuffix(m[1], "_FILE") {
				names[m[1]] = true
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("found %d variables in %s; is the table still there?", len(names), path)
	}
	return names
}

// literalGetenvs returns the string literals passed to os.Getenv,
// os.LookupEnv or any function or method named getenv in the non-test Go
// files under dir.
func literalGetenvs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "benchcpu" {
			// The benchmarks' helpers: the server never links them, and their variables
			// (BENCH_*) are documented with the Makefile's.
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			var fn string
			switch f := call.Fun.(type) {
			case *ast.Ident:
				fn = f.Name
			case *ast.SelectorExpr:
				fn = f.Sel.Name
			}
			if !slices.Contains([]string{"Getenv", "LookupEnv", "getenv"}, fn) {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					names[s] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// repoRoot is the directory holding go.mod, above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
