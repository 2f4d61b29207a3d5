package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sqlCalls are the methods that send SQL text to the database (GORM's Raw, Exec and Joins; database/sql's
// and pgx's *Context methods). A call to one of them outside a store file is a violation, whatever its
// argument.
var sqlCalls = map[string]bool{
	"Raw": true, "Exec": true, "Joins": true,
	"QueryContext": true, "ExecContext": true, "QueryRowContext": true,
}

// sqlFragmentCalls are GORM's query-building methods whose first argument is a piece of SQL (a
// condition, an ordering, a table or column). Called with a string literal outside a store file, they are
// SQL written in a service.
var sqlFragmentCalls = map[string]bool{
	"Where": true, "Or": true, "Not": true, "Having": true, "Order": true, "Table": true, "Pluck": true,
	// Group is left out: gin's router has a Group("/api/v1") too.
}

// sqlText matches a string literal that is a SQL statement: after leading whitespace it starts with one of
// the statement keywords (any case) followed by the shape that keyword takes in SQL, so an English message
// such as "select a program" or "update failed" is not taken for SQL.
var sqlText = regexp.MustCompile(`(?is)^\s*(` +
	`select\s+(distinct\s+)?[\w.*"(]+.*\bfrom\b|select\s+\d|select\s+\w+\(|` +
	`insert\s+into\s|` +
	`update\s+"?\w+"?\s+(\w+\s+)?set\s|` +
	`delete\s+from\s|` +
	`with\s+(recursive\s+)?"?\w+"?(\s*\([^)]*\))?\s+as\s+(not\s+)?(materialized\s+)?\()`)

// sqlAllowed lists the files, relative to server/internal, that may hold SQL although they are not store
// files, each with the reason. Everything else keeps its SQL in a file named store*.go.
var sqlAllowed = map[string]string{
	// The infrastructure that opens and pings the pool speaks SQL to Postgres itself and owns no domain
	// tables. (Migrations live in migrations/, outside server/internal; testdb writes no SQL.)
	"db/db.go": "infrastructure: opening and pinging the pool",
	// The seed tool writes demonstration and test data straight into every domain's tables; the demo
	// seeder builds its center through the services and only asks whether it did so before.
	"seed/seed.go": "test-data tool",
	"demo/demo.go": "demo-data tool",
	// The API test fixtures build rows for HTTP tests; they are test helpers in a non-test file so that
	// every package's tests can share them.
	"apitest/fixtures.go": "test fixtures",
}

// violation is one place where SQL appears outside a store file.
type violation struct {
	pos  token.Position
	what string
}

func (v violation) String() string {
	return fmt.Sprintf("%s:%d: %s", v.pos.Filename, v.pos.Line, v.what)
}

// isStoreFile reports whether a file may hold SQL by its name: store.go, store_users.go and the like.
func isStoreFile(path string) bool {
	return strings.HasPrefix(filepath.Base(path), "store")
}

// checkSource parses one Go file and returns every call to a SQL method and every SQL-looking string
// literal in it.
func checkSource(fset *token.FileSet, filename string, src any) ([]violation, error) {
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []violation
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch {
			case sqlCalls[sel.Sel.Name]:
				out = append(out, violation{fset.Position(sel.Sel.Pos()), "call to " + sel.Sel.Name})
			case sqlFragmentCalls[sel.Sel.Name] && len(n.Args) > 0 && isStringLit(n.Args[0]):
				out = append(out, violation{fset.Position(sel.Sel.Pos()), "SQL fragment in a call to " + sel.Sel.Name})
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(n.Value)
			if err == nil && sqlText.MatchString(s) {
				first := strings.Fields(s)[0]
				out = append(out, violation{fset.Position(n.Pos()), "SQL string starting " + strings.ToUpper(first)})
			}
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].pos.Offset < out[j].pos.Offset })
	return out, nil
}

// isStringLit reports whether e is a string literal.
func isStringLit(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING
}

// internalDir is server/internal, found from this file's own path so the test runs from any directory.
func internalDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find the test's own path")
	}
	return filepath.Dir(filepath.Dir(file))
}

// TestSQLOnlyInStores fails, naming file and line, wherever SQL appears in a non-test Go file under
// server/internal that is neither a store file nor on the allowlist.
func TestSQLOnlyInStores(t *testing.T) {
	root := internalDir(t)
	fset := token.NewFileSet()
	var found []string
	seenAllowed := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || isStoreFile(path) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		vs, err := checkSource(fset, path, nil)
		if err != nil {
			return err
		}
		if _, ok := sqlAllowed[rel]; ok {
			seenAllowed[rel] = len(vs) > 0
			return nil
		}
		for _, v := range vs {
			v.pos.Filename = rel
			found = append(found, v.String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("SQL outside a store file (move it into the package's store.go): %s", f)
	}
	// An allowlist entry that no longer matches anything is stale: remove it so the list stays the truth.
	for rel := range sqlAllowed {
		if !seenAllowed[rel] {
			t.Errorf("sqlAllowed lists %s, which holds no SQL (or no longer exists): remove it", rel)
		}
	}
}

// TestCheckerFindsPlantedSQL proves the checker is not blind: it runs over small sources with a planted
// violation of each kind and over sources that only look similar.
func TestCheckerFindsPlantedSQL(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"raw call", `package p
func f(db DB) { db.Raw(q).Scan(&x) }`, []string{"p.go:2: call to Raw"}},
		{"exec call on tx", `package p
func f(tx DB) error { return tx.Exec(q, 1).Error }`, []string{"p.go:2: call to Exec"}},
		{"joins", `package p
func f(db DB) { db.Joins("JOIN users u ON u.id = x.user_id") }`, []string{"p.go:2: call to Joins"}},
		{"database/sql", `package p
func f(db DB) {
	db.QueryContext(ctx, q)
	db.ExecContext(ctx, q)
	db.QueryRowContext(ctx, q)
}`, []string{"p.go:3: call to QueryContext", "p.go:4: call to ExecContext", "p.go:5: call to QueryRowContext"}},
		{"const select", "package p\nconst q = `\n\tselect id, name\n\tFROM clients WHERE id = ?`", []string{"p.go:2: SQL string starting SELECT"}},
		{"insert string", `package p
var s = "INSERT INTO audit (a) VALUES ($1)"`, []string{"p.go:2: SQL string starting INSERT"}},
		{"update string", `package p
var s = "  update users SET role = ?"`, []string{"p.go:2: SQL string starting UPDATE"}},
		{"delete string", `package p
var s = "DELETE FROM sessions WHERE id = ?"`, []string{"p.go:2: SQL string starting DELETE"}},
		{"cte", "package p\nvar s = `WITH due AS (SELECT 1) SELECT * FROM due`", []string{"p.go:2: SQL string starting WITH"}},
		{"gorm fragments", `package p
func f(db DB) {
	db.Where("id = ?", 1).Order("name").First(&x)
	r.Group("/api/v1")
	db.Table("cohort_members").Pluck("user_id", &ids)
}`, []string{"p.go:3: SQL fragment in a call to Where", "p.go:3: SQL fragment in a call to Order",
			"p.go:5: SQL fragment in a call to Table", "p.go:5: SQL fragment in a call to Pluck"}},
		{"gorm without SQL text", `package p
func f(db DB, cond string) {
	db.Where(cond).First(&x)
	db.Create(&x)
	sort.Order(xs)
}`, nil},
		{"english messages", `package p
var a = "select a program first"
var b = "update failed: try again"
var c = "with the given id"
var d = "delete the module"`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := checkSource(token.NewFileSet(), "p.go", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range vs {
				got = append(got, v.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
