package auth_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// testPassword is every test user's password.
const testPassword = "tangerine-orbit-lantern"

type fixture struct {
	*apitest.Env
	clientA, clientB string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{Env: apitest.New(t), clientA: uuid.NewString(), clientB: uuid.NewString()}
	for slug, id := range map[string]string{"acme-bank": f.clientA, "bolt-insurance": f.clientB} {
		if err := f.DB.Exec(`INSERT INTO clients (id, slug, name) VALUES (?, ?, ?)`, id, slug, slug).Error; err != nil {
			t.Fatalf("insert client: %v", err)
		}
	}
	return f
}

// user creates an active user with testPassword.
func (f *fixture) user(t *testing.T, email string, role auth.Role, clients ...string) *auth.User {
	t.Helper()
	u, err := f.App.Auth.CreateUserAs(context.Background(), audit.System("test"), auth.CreateUserInput{
		Email: email, Role: role, Password: testPassword, ClientIDs: clients,
	})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

type tokens struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token"`
	User         *auth.User `json:"user"`
}

// login signs in with the refresh token in the body.
func (f *fixture) login(t *testing.T, email string) tokens {
	t.Helper()
	res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
		Body: map[string]string{"email": email, "password": testPassword, "refresh_token_delivery": "body"}})
	if res.Status != 200 {
		t.Fatalf("login %s: got %d %s, want 200", email, res.Status, res.Body)
	}
	var tk tokens
	res.JSON(t, &tk)
	if tk.AccessToken == "" || tk.RefreshToken == "" {
		t.Fatalf("login %s: got %s, want both tokens", email, res.Body)
	}
	return tk
}

// status sends a request and returns its status.
func (f *fixture) status(t *testing.T, method, path, token string, body any) int {
	t.Helper()
	return f.Do(apitest.Request{Method: method, Path: path, Token: token, Body: body}).Status
}

// auditCount counts audit rows with the action.
func (f *fixture) auditCount(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := f.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = ?`, action).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
