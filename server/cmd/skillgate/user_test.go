package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/skillgate/skillgate/server/internal/testdb"
)

func runStdin(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestUserCommands(t *testing.T) {
	t.Parallel()
	url := testdb.NewURL(t)
	env := map[string]string{"DATABASE_URL": url}
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	if _, err := sqlDB.Exec(`INSERT INTO clients (id, slug, name) VALUES ('11111111-1111-1111-1111-111111111111', 'acme', 'Acme')`); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, stdin string
		args        []string
		wantErr     string
		wantOut     string
	}{
		{"bootstrap an admin", "lighthouse-quartz-meadow\n", []string{"user", "create", "--email", "Boss@Example.test", "--role", "admin", "--name", "Boss", "--password-stdin"}, "", "created admin boss@example.test"},
		{"same email again", "lighthouse-quartz-meadow\n", []string{"user", "create", "--email", "boss@example.test", "--role", "admin", "--password-stdin"}, "already exists", ""},
		{"common password", "password1234\n", []string{"user", "create", "--email", "b@example.test", "--role", "admin", "--password-stdin"}, "most common", ""},
		{"unknown role", "lighthouse-quartz-meadow\n", []string{"user", "create", "--email", "c@example.test", "--role", "king", "--password-stdin"}, "role", ""},
		{"no --password-stdin", "", []string{"user", "create", "--email", "d@example.test", "--role", "admin"}, "usage", ""},
		{"seed-demo refused in production", "", []string{"user", "seed-demo"}, "production", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := env
			if strings.Contains(tc.name, "production") {
				e = map[string]string{"DATABASE_URL": url, "SKILLGATE_ENV": "production", "JWT_SECRET": strings.Repeat("s", 32)}
			}
			out, err := runStdin(t, e, tc.stdin, tc.args...)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("got %v (%s), want success", err, out)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("got output %q, want %q", out, tc.wantOut)
			}
		})
	}

	for i := 0; i < 2; i++ { // idempotent
		out, err := runStdin(t, env, "", "user", "seed-demo")
		if err != nil {
			t.Fatalf("seed-demo run %d: %v", i+1, err)
		}
		for _, role := range []string{"agent", "trainer", "supervisor", "compliance", "admin"} {
			want := fmt.Sprintf("%s@demo.skillgate.test", role)
			if !strings.Contains(out, want) || !strings.Contains(out, role+"-demo-skillgate") {
				t.Errorf("run %d: got %q, want the %s login and password", i+1, out, role)
			}
		}
	}
	var users, memberships int
	_ = sqlDB.QueryRow(`SELECT count(*) FROM users WHERE email LIKE '%@demo.skillgate.test'`).Scan(&users)
	_ = sqlDB.QueryRow(`SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email LIKE '%@demo.skillgate.test'`).Scan(&memberships)
	if users != 5 || memberships != 5 {
		t.Errorf("got %d demo users with %d memberships, want 5 and 5 (one client each)", users, memberships)
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	url := testdb.NewURL(t)
	env := map[string]string{"DATABASE_URL": url}
	for _, email := range []string{"a@example.test", "b@example.test", "c@example.test"} {
		if out, err := runStdin(t, env, "lighthouse-quartz-meadow\n", "user", "create", "--email", email, "--role", "agent", "--password-stdin"); err != nil {
			t.Fatalf("create %s: %v %s", email, err, out)
		}
	}
	out, err := runStdin(t, env, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "3 rows checked") || !strings.Contains(out, "intact") {
		t.Fatalf("got %q, %v; want 3 rows and an intact chain", out, err)
	}

	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	if _, err := sqlDB.Exec(`UPDATE audit_log SET actor_id = 'mallory' WHERE seq = 2`); err == nil {
		t.Fatal("got an audit row updated, want the trigger to refuse")
	}
	// A superuser can get past the trigger; the chain still tells.
	var seq int64
	var id string
	if err := sqlDB.QueryRow(`SELECT seq, id FROM audit_log ORDER BY seq OFFSET 1 LIMIT 1`).Scan(&seq, &id); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`,
		fmt.Sprintf(`UPDATE audit_log SET after = '{"email":"mallory@example.test"}' WHERE seq = %d`, seq),
		`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`,
	} {
		if _, err := sqlDB.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	out, err = runStdin(t, env, "", "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("seq=%d", seq)) || !strings.Contains(err.Error(), id) {
		t.Fatalf("got %q, %v; want a failure naming row seq=%d id=%s", out, err, seq, id)
	}
}
