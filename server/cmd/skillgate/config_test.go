package main

import (
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/app"
)

func TestConfigCommandListsEveryVariable(t *testing.T) {
	t.Parallel()
	out, err := runWith(t, nil, "config")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range app.Settings() {
		if !strings.Contains(out, s.Name+"\n    default: ") {
			t.Errorf("got no entry for %s in %q", s.Name, out)
		}
	}
	if !strings.Contains(out, "default: text in development, json in production") {
		t.Errorf("got %q, want LOG_FORMAT's defaults per environment", out)
	}
	md, err := runWith(t, nil, "config", "--markdown")
	if err != nil || md != app.ConfigMarkdown() {
		t.Errorf("got %q, %v; want the docs' table", md, err)
	}
	if _, err := runWith(t, nil, "config", "--values", "--markdown"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("got %v, want the usage", err)
	}
}

func TestConfigCommandValuesMaskSecrets(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s3cr3t", 6)
	out, err := runWith(t, map[string]string{
		"JWT_SECRET": secret, "DATABASE_URL": "postgres://skillgate:pa55word@db.internal/skillgate?sslmode=require",
		"HTTP_ADDR": " :9000 ", "SMTP_ADDR": "smtp.example.com:587", "SMTP_FROM": "noreply@example.com",
		"SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "mail-pa55",
	}, "config", "--values")
	if err != nil {
		t.Fatal(err)
	}
	for _, leaked := range []string{secret, "pa55word", "mail-pa55"} {
		if strings.Contains(out, leaked) {
			t.Errorf("got %q, want the secret %q masked", out, leaked)
		}
	}
	for _, want := range []string{
		"HTTP_ADDR ", ":9000  (set)", "postgres://skillgate:xxxxx@db.internal/skillgate?sslmode=require  (set)",
		"SMTP_PASSWORD ", "********  (set)", "LOG_FORMAT", "text  (default)", "(unset; default: 15m)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("got %q, want it to contain %q", out, want)
		}
	}

	out, err = runWith(t, map[string]string{"SKILLGATE_ENV": "production", "LOG_LEVEL": "chatty"}, "config", "--values")
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET (or JWT_SECRET_FILE) is required in production") {
		t.Errorf("got %v, want the configuration's problems", err)
	}
	if !strings.Contains(out, "LOG_FORMAT") || !strings.Contains(out, "json  (default)") {
		t.Errorf("got %q, want the production defaults printed before the problems", out)
	}
}
