package apitest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// Password is every test user's password.
const Password = "tangerine-orbit-lantern"

// User creates an active user with Password, the role and memberships.
func (e *Env) User(email string, role auth.Role, clientIDs ...string) *auth.User {
	e.T.Helper()
	u, err := e.App.Auth.CreateUserAs(context.Background(), audit.System("test"), auth.CreateUserInput{
		Email: email, Role: role, Password: Password, ClientIDs: clientIDs,
	})
	if err != nil {
		e.T.Fatalf("apitest: create user %s: %v", email, err)
	}
	return u
}

// Login signs the user in through the API and returns the access token.
func (e *Env) Login(email string) string {
	e.T.Helper()
	res := e.Do(Request{Method: "POST", Path: "/api/v1/auth/login",
		Body: map[string]string{"email": email, "password": Password, "refresh_token_delivery": "body"}})
	if res.Status != 200 {
		e.T.Fatalf("apitest: login %s: got %d %s, want 200", email, res.Status, res.Body)
	}
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	res.JSON(e.T, &tk)
	return tk.AccessToken
}

// RepoRoot is the repository's root folder (where go.mod is).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// CopyLibrary copies the library folder src (with content/ and quizzes/)
// into a new temporary folder, for a test that edits it, and returns the
// copy's root and its content and quizzes folders.
func CopyLibrary(t testing.TB, src string) (root, content, quizzes string) {
	t.Helper()
	root = t.TempDir()
	if err := os.CopyFS(root, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return root, filepath.Join(root, "content"), filepath.Join(root, "quizzes")
}

// Import loads a library tree into the environment's database.
func (e *Env) Import(contentDir, quizzesDir string) *catalog.Report {
	e.T.Helper()
	rep, err := e.App.Import(context.Background(), contentDir, quizzesDir, catalog.ImportOptions{})
	if err != nil {
		e.T.Fatalf("apitest: import %s: %v", contentDir, err)
	}
	return rep
}

// ImportDemo loads the real demo library (content/ and quizzes/ of the repo).
func (e *Env) ImportDemo() *catalog.Report {
	e.T.Helper()
	root := RepoRoot()
	return e.Import(filepath.Join(root, "content"), filepath.Join(root, "quizzes"))
}

// ClientID returns the id of the client with the slug.
func (e *Env) ClientID(slug string) string {
	e.T.Helper()
	c, err := catalog.NewStore(e.DB).ClientBySlug(context.Background(), slug)
	if err != nil {
		e.T.Fatalf("apitest: client %s: %v", slug, err)
	}
	return c.ID
}

// ProgramID returns the id of the program clientSlug/programSlug.
func (e *Env) ProgramID(clientSlug, programSlug string) string {
	e.T.Helper()
	s := catalog.NewStore(e.DB)
	p, err := s.ProgramBySlug(context.Background(), e.ClientID(clientSlug), programSlug)
	if err != nil {
		e.T.Fatalf("apitest: program %s/%s: %v", clientSlug, programSlug, err)
	}
	return p.ID
}

// AuditCount counts audit rows with the action.
func (e *Env) AuditCount(action string) int {
	e.T.Helper()
	var n int
	if err := e.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = ?`, action).Scan(&n).Error; err != nil {
		e.T.Fatal(err)
	}
	return n
}
