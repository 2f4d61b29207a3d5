package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/testdb"
)

func TestImportCommand(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../../internal/catalog/testdata/library")); err != nil {
		t.Fatal(err)
	}
	content, quizzes := filepath.Join(root, "content"), filepath.Join(root, "quizzes")
	env := map[string]string{"DATABASE_URL": testdb.NewURL(t)}

	out, err := runWith(t, env, "import", "--dry-run", content, quizzes)
	if err != nil || !strings.Contains(out, "would have: 7 created, 0 changed, 0 unchanged") {
		t.Fatalf("got %q, %v; want a dry-run report", out, err)
	}
	out, err = runWith(t, env, "import", "--actor", "ci", content, quizzes)
	if err != nil || !strings.Contains(out, "imported: 7 created") || !strings.Contains(out, "created   module   northbank/card-products (version 1)") || !strings.Contains(out, "created   roleplay northbank/card-services/disputed-fee (version 1)") {
		t.Fatalf("got %q, %v; want everything created", out, err)
	}
	out, err = runWith(t, env, "import", content, quizzes)
	if err != nil || !strings.Contains(out, "imported: 0 created, 0 changed, 7 unchanged") {
		t.Fatalf("got %q, %v; want everything unchanged", out, err)
	}
	module := filepath.Join(content, "northbank", "card-services", "card-products.md")
	b, _ := os.ReadFile(module)
	os.WriteFile(module, []byte(strings.Replace(string(b), "kind: product", "kind: flyer", 1)), 0o644)
	out, err = runWith(t, env, "import", content, quizzes)
	if err == nil || !strings.Contains(out, module+`:4: unknown kind "flyer"`) || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("got %q, %v; want the problem with file and line", out, err)
	}
	if _, err := runWith(t, env, "import", "a", "b", "c"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("got %v, want the usage", err)
	}
}

// TestExportLibraryCommand: the demo library imported, exported with the
// command, and imported again changes nothing.
func TestExportLibraryCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testdb.NewURL(t)}
	if out, err := runWith(t, env, "import", "../../../content", "../../../quizzes"); err != nil {
		t.Fatalf("import the demo: %q, %v", out, err)
	}
	dir := filepath.Join(t.TempDir(), "library")
	out, err := runWith(t, env, "export-library", dir)
	if err != nil || !strings.Contains(out, "wrote ") {
		t.Fatalf("got %q, %v; want the files written", out, err)
	}
	out, err = runWith(t, env, "import", "--dry-run", filepath.Join(dir, "content"), filepath.Join(dir, "quizzes"))
	if err != nil || !strings.Contains(out, "would have: 0 created, 0 changed, ") {
		t.Fatalf("got %q, %v; want nothing created or changed", out, err)
	}
	if _, err := runWith(t, env, "export-library", dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("into a folder with files: got %v, want refused", err)
	}
	if _, err := runWith(t, env, "export-library"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("got %v, want the usage", err)
	}
}
