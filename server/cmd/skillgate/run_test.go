package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/testdb"
)

func runWith(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestRunReportsAllConfigErrorsAtOnce(t *testing.T) {
	t.Parallel()
	_, err := runWith(t, map[string]string{"SKILLGATE_ENV": "production", "LOG_LEVEL": "chatty"}, "serve")
	if err == nil {
		t.Fatal("got no error, want the configuration problems")
	}
	for _, want := range []string{"DATABASE_URL", "JWT_SECRET", "LOG_LEVEL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to name %s", err, want)
		}
	}
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	out, err := runWith(t, nil, "help")
	if err != nil || !strings.Contains(out, "migrate") || !strings.Contains(out, "serve") {
		t.Errorf("got %q, %v; want the list of commands", out, err)
	}
	if _, err := runWith(t, nil, "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("got %v, want unknown command", err)
	}
	if _, err := runWith(t, nil, "migrate", "sideways"); err == nil || !strings.Contains(err.Error(), "up|down|status") {
		t.Errorf("got %v, want the migrate usage", err)
	}
}

func TestMigrateCommands(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testdb.NewURL(t)}
	out, err := runWith(t, env, "migrate", "status")
	if err != nil || !strings.Contains(out, "00001_clients.sql") || strings.Contains(out, "pending") {
		t.Fatalf("got %q, %v; want every migration applied", out, err)
	}
	if out, err = runWith(t, env, "migrate", "down"); err != nil || !strings.Contains(out, "down") {
		t.Fatalf("got %q, %v; want one migration rolled back", out, err)
	}
	if out, err = runWith(t, env, "migrate", "status"); err != nil || !strings.Contains(out, "pending") {
		t.Fatalf("got %q, %v; want a pending migration", out, err)
	}
	if out, err = runWith(t, env, "migrate", "up"); err != nil || !strings.Contains(out, "up") {
		t.Fatalf("got %q, %v; want the migration applied again", out, err)
	}
}
