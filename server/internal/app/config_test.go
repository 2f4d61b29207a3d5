package app

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/credential"
	"github.com/skillgate/skillgate/server/internal/notify"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if cfg.HTTPAddr != ":8080" || cfg.Env != Development || cfg.LogFormat != "text" || cfg.DatabaseURL != DefaultDatabaseURL {
		t.Errorf("got %+v, want development defaults", cfg)
	}
	if len(cfg.JWTSecret) != 32 || len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "JWT_SECRET") {
		t.Errorf("got secret of %d bytes and warnings %q, want a random secret and a warning", len(cfg.JWTSecret), cfg.Warnings)
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	_, err := LoadConfig(envOf(map[string]string{
		"SKILLGATE_ENV": "production",
		"HTTP_ADDR":     "8080",
		"LOG_FORMAT":    "xml",
		"LOG_LEVEL":     "loud",
	}))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *ConfigError", err)
	}
	for _, want := range []string{"HTTP_ADDR", "DATABASE_URL is required", "JWT_SECRET", "LOG_FORMAT", "LOG_LEVEL", "PUBLIC_URL is required", "CREDENTIAL_SIGNING_KEY"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to name %s", err, want)
		}
	}
	if len(ce.Problems) != 7 {
		t.Errorf("got %d problems, want 7: %q", len(ce.Problems), ce.Problems)
	}
}

func TestLoadConfigSecretFiles(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "jwt")
	if err := os.WriteFile(secretFile, []byte(strings.Repeat("s", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"file", map[string]string{"SKILLGATE_ENV": "production", "PUBLIC_URL": "https://skillgate.example.com", "CREDENTIAL_SIGNING_KEY": testSigningKey, "DATABASE_URL": "postgres://x@h/db", "JWT_SECRET_FILE": secretFile}, ""},
		{"both set", map[string]string{"JWT_SECRET": strings.Repeat("a", 40), "JWT_SECRET_FILE": secretFile}, "both set"},
		{"missing file", map[string]string{"JWT_SECRET_FILE": filepath.Join(dir, "nope")}, "cannot read"},
		{"short secret", map[string]string{"JWT_SECRET": "short"}, "at least 32 bytes"},
		{"not postgres", map[string]string{"DATABASE_URL": "mysql://x"}, "postgres:// URL"},
		{"bad env", map[string]string{"SKILLGATE_ENV": "staging"}, "development or production"},
		{"bad proxy", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, lb.internal"}, `"lb.internal" is not an IP address or CIDR`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tc.env))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if string(cfg.JWTSecret) != strings.Repeat("s", 40) {
					t.Errorf("got secret %q, want the file's content without the newline", cfg.JWTSecret)
				}
				if cfg.LogFormat != "json" {
					t.Errorf("got log format %q, want json in production", cfg.LogFormat)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestLoadConfigDevelopmentDurations covers the settings that shorten a
// duration for development and tests only (refused in production, warned
// about when set).
func TestLoadConfigDevelopmentDurations(t *testing.T) {
	settings := []struct {
		name     string
		short    string
		dev      time.Duration
		tooShort string
		got      func(Config) time.Duration
	}{
		{"ACCESS_TOKEN_TTL", "20s", 20 * time.Second, "1s", func(c Config) time.Duration { return c.AccessTokenTTL }},
		{"REMINDER_INTERVAL", "2s", 2 * time.Second, "10ms", func(c Config) time.Duration { return c.ReminderInterval }},
	}
	for _, st := range settings {
		cases := []struct {
			name    string
			env     map[string]string
			want    time.Duration
			wantErr string
		}{
			{"unset keeps the default", nil, 0, ""},
			{"development", map[string]string{st.name: st.short}, st.dev, ""},
			{"too short", map[string]string{st.name: st.tooShort}, 0, st.name + " must be a duration"},
			{"too long", map[string]string{st.name: "1h"}, 0, st.name + " must be a duration"},
			{"not a duration", map[string]string{st.name: "soon"}, 0, st.name + " must be a duration"},
			{"production", map[string]string{st.name: st.short, "SKILLGATE_ENV": "production", "PUBLIC_URL": "https://skillgate.example.com", "CREDENTIAL_SIGNING_KEY": testSigningKey,
				"DATABASE_URL": "postgres://x@h/db", "JWT_SECRET": strings.Repeat("a", 40)}, 0, "development and tests only"},
		}
		for _, tc := range cases {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				cfg, err := LoadConfig(envOf(tc.env))
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if got := st.got(cfg); got != tc.want {
					t.Errorf("got %s %v, want %v", st.name, got, tc.want)
				}
				if tc.want != 0 && !strings.Contains(strings.Join(cfg.Warnings, "\n"), st.name) {
					t.Errorf("got warnings %q, want one naming %s", cfg.Warnings, st.name)
				}
			})
		}
	}
}

func TestLoadConfigWebhooks(t *testing.T) {
	prod := map[string]string{"SKILLGATE_ENV": "production", "PUBLIC_URL": "https://skillgate.example.com", "CREDENTIAL_SIGNING_KEY": testSigningKey, "DATABASE_URL": "postgres://db/x", "JWT_SECRET": strings.Repeat("j", 32)}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range prod {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name         string
		env          map[string]string
		wantErr      string
		allowPrivate bool
		key          string
	}{
		{"development allows private addresses", nil, "", true, ""},
		{"production refuses them, key from JWT_SECRET", prod, "", false, strings.Repeat("j", 32)},
		{"production override", with(map[string]string{"WEBHOOK_ALLOW_PRIVATE": "true"}), "", true, strings.Repeat("j", 32)},
		{"own key", with(map[string]string{"WEBHOOK_KEY": strings.Repeat("w", 40)}), "", false, strings.Repeat("w", 40)},
		{"short key", with(map[string]string{"WEBHOOK_KEY": "short"}), "WEBHOOK_KEY", false, ""},
		{"bad flag", with(map[string]string{"WEBHOOK_ALLOW_PRIVATE": "maybe"}), "WEBHOOK_ALLOW_PRIVATE", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := cfg.webhookOptions(nil)
			if o.AllowPrivate != tc.allowPrivate || o.RequireHTTPS == tc.allowPrivate {
				t.Errorf("got allow private %v, https %v, want %v, %v", o.AllowPrivate, o.RequireHTTPS, tc.allowPrivate, !tc.allowPrivate)
			}
			if tc.key != "" && string(o.Key) != tc.key {
				t.Errorf("got key material %q, want %q", o.Key, tc.key)
			}
		})
	}
}

func TestLoadConfigSMTP(t *testing.T) {
	dir := t.TempDir()
	passFile := filepath.Join(dir, "smtp")
	if err := os.WriteFile(passFile, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		env     map[string]string
		want    *notify.MailConfig
		wantErr []string
	}{
		{"unset: in-app only", nil, nil, nil},
		{"server and sender", map[string]string{"SMTP_ADDR": "smtp.example.com:587", "SMTP_FROM": "Skillgate <noreply@example.com>"},
			&notify.MailConfig{Addr: "smtp.example.com:587", From: `"Skillgate" <noreply@example.com>`}, nil},
		{"credentials, password from a file", map[string]string{"SMTP_ADDR": "smtp.example.com:587", "SMTP_FROM": "noreply@example.com",
			"SMTP_USERNAME": "mailer", "SMTP_PASSWORD_FILE": passFile},
			&notify.MailConfig{Addr: "smtp.example.com:587", From: "<noreply@example.com>", Username: "mailer", Password: "from-a-file"}, nil},
		{"sender without a server", map[string]string{"SMTP_FROM": "noreply@example.com"}, nil, []string{"need SMTP_ADDR"}},
		{"no port, no sender", map[string]string{"SMTP_ADDR": "smtp.example.com"}, nil, []string{"SMTP_ADDR must be host:port", "SMTP_FROM must be an email address"}},
		{"username without password", map[string]string{"SMTP_ADDR": "smtp.example.com:587", "SMTP_FROM": "a@example.com", "SMTP_USERNAME": "u"},
			nil, []string{"SMTP_USERNAME and SMTP_PASSWORD go together"}},
		{"bad public URL", map[string]string{"PUBLIC_URL": "skillgate.example.com"}, nil, []string{"PUBLIC_URL must be an absolute http(s) URL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tc.env))
			if wantProblems(t, err, tc.wantErr) {
				return
			}
			if (cfg.Mail == nil) != (tc.want == nil) || (tc.want != nil && *cfg.Mail != *tc.want) {
				t.Errorf("got %+v, want %+v", cfg.Mail, tc.want)
			}
		})
	}
}

func TestLoadConfigXAPI(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    *xapi.Config
		wantErr []string
	}{
		{"unset: nothing recorded", nil, nil, nil},
		{"endpoint and base, mbox by default", map[string]string{"XAPI_ENDPOINT": "https://lrs.example.com/xapi",
			"XAPI_ACTIVITY_BASE": "https://skillgate.example.com/xapi/activities/", "XAPI_USERNAME": "key", "XAPI_PASSWORD": "secret"},
			&xapi.Config{Endpoint: "https://lrs.example.com/xapi/", ActivityBase: "https://skillgate.example.com/xapi/activities",
				Username: "key", Password: "secret", Actor: xapi.ActorMbox}, nil},
		{"account actor at the public URL", map[string]string{"XAPI_ENDPOINT": "https://lrs.example.com/xapi/",
			"XAPI_ACTIVITY_BASE": "https://skillgate.example.com/a", "XAPI_ACTOR": "account", "PUBLIC_URL": "https://skillgate.example.com"},
			&xapi.Config{Endpoint: "https://lrs.example.com/xapi/", ActivityBase: "https://skillgate.example.com/a",
				Actor: xapi.ActorAccount, AccountHomePage: "https://skillgate.example.com"}, nil},
		{"settings without an endpoint", map[string]string{"XAPI_ACTIVITY_BASE": "https://x.example.com"}, nil, []string{"need XAPI_ENDPOINT"}},
		{"no base, bad actor", map[string]string{"XAPI_ENDPOINT": "https://lrs.example.com/xapi/", "XAPI_ACTOR": "email"},
			nil, []string{"XAPI_ACTIVITY_BASE is required", "XAPI_ACTOR must be mbox or account"}},
		{"account without a home page", map[string]string{"XAPI_ENDPOINT": "https://lrs.example.com/", "XAPI_ACTIVITY_BASE": "https://x.example.com",
			"XAPI_ACTOR": "account"}, nil, []string{"XAPI_ACCOUNT_HOMEPAGE"}},
		{"http endpoint in production", map[string]string{"SKILLGATE_ENV": "production", "PUBLIC_URL": "https://skillgate.example.com", "CREDENTIAL_SIGNING_KEY": testSigningKey, "DATABASE_URL": "postgres://db/skillgate",
			"JWT_SECRET": strings.Repeat("j", 32), "XAPI_ENDPOINT": "http://lrs.example.com/", "XAPI_ACTIVITY_BASE": "https://x.example.com"},
			nil, []string{"XAPI_ENDPOINT must be https in production"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tc.env))
			if wantProblems(t, err, tc.wantErr) {
				return
			}
			if (cfg.XAPI == nil) != (tc.want == nil) || (tc.want != nil && *cfg.XAPI != *tc.want) {
				t.Errorf("got %+v, want %+v", cfg.XAPI, tc.want)
			}
		})
	}
}

func TestLoadConfigResilienceSettings(t *testing.T) {
	cfg, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Admission != DefaultAdmission || cfg.DBMaxConns != 20 || cfg.DBStatementTimeout != 30*time.Second || cfg.MetricsAddr != "" {
		t.Errorf("got %+v, %d, %s, %q; want the defaults and no metrics listener", cfg.Admission, cfg.DBMaxConns, cfg.DBStatementTimeout, cfg.MetricsAddr)
	}
	if !cfg.EligibilityView || cfg.RosterCacheTTL != routing.RosterCacheTTL {
		t.Errorf("got view %v, roster cache %s; want the view on and rosters cached as production serves", cfg.EligibilityView, cfg.RosterCacheTTL)
	}
	cfg, err = LoadConfig(envOf(map[string]string{
		"ADMISSION_ELIGIBILITY_LIMIT": "8", "ADMISSION_ELIGIBILITY_WAIT": "5ms", "ADMISSION_LIMIT": "0", "ADMISSION_WAIT": "2s",
		"ADMISSION_ELIGIBILITY_TARGET": "2ms", "ADMISSION_TARGET": "100ms", "ADMISSION_ELIGIBILITY_QUEUE": "64",
		"DB_MAX_CONNS": "40", "DB_STATEMENT_TIMEOUT": "0s", "METRICS_ADDR": "127.0.0.1:9090",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Admission{EligibilityLimit: 8, EligibilityWait: 5 * time.Millisecond, EligibilityTarget: 2 * time.Millisecond,
		EligibilityQueue: 64, Limit: 0, Wait: 2 * time.Second, Target: 100 * time.Millisecond}
	if cfg.Admission != want || cfg.DBMaxConns != 40 || cfg.DBStatementTimeout != 0 || cfg.MetricsAddr != "127.0.0.1:9090" || len(cfg.Warnings) != 1 {
		t.Errorf("got %+v %d %s %q %q", cfg.Admission, cfg.DBMaxConns, cfg.DBStatementTimeout, cfg.MetricsAddr, cfg.Warnings)
	}
	cfg, err = LoadConfig(envOf(map[string]string{"METRICS_ADDR": "0.0.0.0:9090"}))
	if err != nil || !strings.Contains(strings.Join(cfg.Warnings, "\n"), "METRICS_TOKEN") {
		t.Errorf("got %q, %v; want a warning about metrics open on every interface without a token", cfg.Warnings, err)
	}
	_, err = LoadConfig(envOf(map[string]string{
		"ADMISSION_ELIGIBILITY_LIMIT": "-1", "ADMISSION_WAIT": "forever", "DB_MAX_CONNS": "0", "ADMISSION_TARGET": "0s",
		"METRICS_ADDR": "nope", "METRICS_TOKEN": "short",
	}))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a ConfigError", err)
	}
	for _, name := range []string{"ADMISSION_ELIGIBILITY_LIMIT", "ADMISSION_WAIT", "ADMISSION_TARGET", "DB_MAX_CONNS", "METRICS_ADDR", "METRICS_TOKEN"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("got %q, want it to name %s", err, name)
		}
	}
	if _, err := LoadConfig(envOf(map[string]string{"METRICS_TOKEN": "a-long-enough-token"})); err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
		t.Errorf("got %v, want a token without an address refused", err)
	}
}

// wantProblems checks that err is a ConfigError with exactly the problems
// want (each named by a part of its text) and reports whether it was one;
// with want empty, err must be nil.
func wantProblems(t *testing.T, err error, want []string) bool {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	var ce *ConfigError
	if !errors.As(err, &ce) || len(ce.Problems) != len(want) {
		t.Fatalf("got %v, want %d problems", err, len(want))
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("got %q, want it to say %q", err, w)
		}
	}
	return true
}

func TestLoadConfigSlowStatementThreshold(t *testing.T) {
	const secret = "a-production-secret-of-32-bytes!!"
	prod := map[string]string{"SKILLGATE_ENV": "production", "PUBLIC_URL": "https://skillgate.example.com", "CREDENTIAL_SIGNING_KEY": testSigningKey, "DATABASE_URL": "postgres://db/skillgate", "JWT_SECRET": secret}
	with := func(base map[string]string, k, v string) map[string]string {
		m := map[string]string{k: v}
		for bk, bv := range base {
			m[bk] = bv
		}
		return m
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want time.Duration
		bad  bool
	}{
		{"development: none", nil, 0, false},
		{"production: the default", prod, DefaultSlowStatement, false},
		{"development, asked for", map[string]string{"DB_SLOW_STATEMENT": "250ms"}, 250 * time.Millisecond, false},
		{"production, off", with(prod, "DB_SLOW_STATEMENT", "0s"), 0, false},
		{"not a duration", map[string]string{"DB_SLOW_STATEMENT": "slow"}, 0, true},
		{"negative", map[string]string{"DB_SLOW_STATEMENT": "-1s"}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tc.env))
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), "DB_SLOW_STATEMENT") {
					t.Fatalf("got %v, want a problem naming DB_SLOW_STATEMENT", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.DBSlowStatement != tc.want {
				t.Errorf("got %s, want %s", cfg.DBSlowStatement, tc.want)
			}
		})
	}
}

func TestLoadConfigDeadlines(t *testing.T) {
	cases := []struct {
		name        string
		env         map[string]string
		want        Deadlines
		wantTCP     time.Duration
		wantWarning string
		wantErr     []string
	}{
		{"defaults", nil, DefaultDeadlines, DefaultDBTCPTimeout, "", nil},
		{"set", map[string]string{"DEADLINE_ELIGIBILITY": "500ms", "DEADLINE_BULK": "2m", "DEADLINE_API": "5s", "DEADLINE_AUTH": "300ms", "DB_TCP_TIMEOUT": "0s"},
			Deadlines{Eligibility: 500 * time.Millisecond, Bulk: 2 * time.Minute, API: 5 * time.Second, Auth: 300 * time.Millisecond}, 0, "", nil},
		{"an auth bound past a request deadline is only a warning", map[string]string{"DEADLINE_AUTH": "5s"},
			Deadlines{Eligibility: 2 * time.Second, Bulk: 30 * time.Second, API: 15 * time.Second, Auth: 5 * time.Second}, DefaultDBTCPTimeout, "DEADLINE_AUTH", nil},
		{"out of range", map[string]string{"DEADLINE_ELIGIBILITY": "0s", "DEADLINE_BULK": "forever", "DEADLINE_API": "1h", "DEADLINE_AUTH": "10ms", "DB_TCP_TIMEOUT": "-1s"},
			Deadlines{}, 0, "", []string{"DEADLINE_ELIGIBILITY", "DEADLINE_BULK", "DEADLINE_API", "DEADLINE_AUTH", "DB_TCP_TIMEOUT"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tc.env))
			if wantProblems(t, err, tc.wantErr) {
				return
			}
			if cfg.Deadlines != tc.want || cfg.DBTCPTimeout != tc.wantTCP {
				t.Errorf("got %+v and DB_TCP_TIMEOUT %s, want %+v and %s", cfg.Deadlines, cfg.DBTCPTimeout, tc.want, tc.wantTCP)
			}
			if warned := strings.Contains(strings.Join(cfg.Warnings, "\n"), "DEADLINE_AUTH"); warned != (tc.wantWarning != "") {
				t.Errorf("got warnings %q, want one about DEADLINE_AUTH: %v", cfg.Warnings, tc.wantWarning != "")
			}
		})
	}
}

func TestDeadlinesOrDefault(t *testing.T) {
	got := Deadlines{Bulk: time.Minute}.orDefault()
	want := DefaultDeadlines
	want.Bulk = time.Minute
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestLoadConfigProblemOrder checks that problems come in the order of the
// table, a rule's right after the setting it follows.
func TestLoadConfigProblemOrder(t *testing.T) {
	_, err := LoadConfig(envOf(map[string]string{
		"HTTP_ADDR": "8080", "LOG_FORMAT": "xml", "SMTP_FROM": "a@example.com", "ADMISSION_LIMIT": "-1", "METRICS_TOKEN": "short",
	}))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a ConfigError", err)
	}
	want := []string{"HTTP_ADDR", "LOG_FORMAT", "SMTP_FROM, SMTP_USERNAME and SMTP_PASSWORD need SMTP_ADDR", "ADMISSION_LIMIT",
		"METRICS_TOKEN is set but METRICS_ADDR is not", "METRICS_TOKEN must be at least 16 bytes"}
	if len(ce.Problems) != len(want) {
		t.Fatalf("got %q, want %d problems", ce.Problems, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(ce.Problems[i], w) {
			t.Errorf("got problem %d %q, want it to start with %q", i, ce.Problems[i], w)
		}
	}
}

func TestSettingsDefaultsAreTheLoadedDefaults(t *testing.T) {
	for _, env := range []string{Development, Production} {
		values, _, _ := ConfigValues(envOf(map[string]string{"SKILLGATE_ENV": env}))
		for i, s := range settings {
			if d := s.defaultIn(env); d != "" && s.RequiredInProduction == "" && s.Name != "SKILLGATE_ENV" && (values[i].Value != d || values[i].Source != "default") {
				t.Errorf("%s in %s: got %q (%s), want the default %q", s.Name, env, values[i].Value, values[i].Source, d)
			}
		}
	}
}

func TestMaskSecret(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a-long-secret", "********"},
		{"postgres://u:pw@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db?password=pw&sslmode=disable", "postgres://u@h/db?password=xxxxx&sslmode=disable"},
	} {
		if got := maskSecret(tc.in); got != tc.want {
			t.Errorf("maskSecret(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// testSigningKey is a credential signing key for production configurations
// (PEM, as CREDENTIAL_SIGNING_KEY takes it).
var testSigningKey = func() string {
	pem, err := credential.MarshalPrivateKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	if err != nil {
		panic(err)
	}
	return pem
}()

func TestLoadConfigCredentialKeys(t *testing.T) {
	old := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	oldPub, err := credential.MarshalPublicKey(old.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	oldPriv, err := credential.MarshalPrivateKey(old)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "signing.pem")
	if err := os.WriteFile(keyFile, []byte(testSigningKey), 0o600); err != nil {
		t.Fatal(err)
	}
	prod := func(extra map[string]string) map[string]string {
		m := map[string]string{"SKILLGATE_ENV": "production", "DATABASE_URL": "postgres://db/x", "JWT_SECRET": strings.Repeat("j", 32),
			"PUBLIC_URL": "https://skillgate.example.com"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name        string
		env         map[string]string
		wantSigning bool
		wantRetired int
		wantErr     string
	}{
		{"development without a key: the database's", map[string]string{}, false, 0, ""},
		{"production without a key", prod(nil), false, 0, "CREDENTIAL_SIGNING_KEY (or CREDENTIAL_SIGNING_KEY_FILE) is required in production"},
		{"production without PUBLIC_URL", map[string]string{"SKILLGATE_ENV": "production", "DATABASE_URL": "postgres://db/x",
			"JWT_SECRET": strings.Repeat("j", 32), "CREDENTIAL_SIGNING_KEY": testSigningKey}, false, 0, "PUBLIC_URL is required in production"},
		{"from a file", prod(map[string]string{"CREDENTIAL_SIGNING_KEY_FILE": keyFile}), true, 0, ""},
		{"on one line with \\n", prod(map[string]string{"CREDENTIAL_SIGNING_KEY": strings.ReplaceAll(strings.TrimSpace(testSigningKey), "\n", `\n`)}), true, 0, ""},
		{"retired keys, public and private", prod(map[string]string{"CREDENTIAL_SIGNING_KEY": testSigningKey, "CREDENTIAL_RETIRED_KEYS": oldPub + oldPriv}), true, 2, ""},
		{"a public key cannot sign", prod(map[string]string{"CREDENTIAL_SIGNING_KEY": oldPub}), false, 0, "CREDENTIAL_SIGNING_KEY: PEM block 1: a PUBLIC KEY, want the PRIVATE KEY"},
		{"not PEM", map[string]string{"CREDENTIAL_SIGNING_KEY": "hunter2"}, false, 0, "CREDENTIAL_SIGNING_KEY: want exactly one PEM PRIVATE KEY block"},
		{"retired not PEM", map[string]string{"CREDENTIAL_RETIRED_KEYS": "nope"}, false, 0, "CREDENTIAL_RETIRED_KEYS: no PEM block found"},
		{"issuer name too long", map[string]string{"CREDENTIAL_ISSUER_NAME": strings.Repeat("n", 201)}, false, 0, "CREDENTIAL_ISSUER_NAME must be at most 200 characters"},
		{"rate limit zero", map[string]string{"VERIFY_RATE_LIMIT": "0"}, false, 0, "VERIFY_RATE_LIMIT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if (cfg.CredentialSigningKey != nil) != tc.wantSigning || len(cfg.CredentialRetiredKeys) != tc.wantRetired {
				t.Errorf("got signing key %v and %d retired keys, want %v and %d", cfg.CredentialSigningKey != nil, len(cfg.CredentialRetiredKeys), tc.wantSigning, tc.wantRetired)
			}
			if tc.wantRetired > 0 && !cfg.CredentialRetiredKeys[0].Equal(old.Public()) {
				t.Errorf("retired key: got %x, want the old key's public half", cfg.CredentialRetiredKeys[0])
			}
			if cfg.CredentialIssuerName != "Skillgate" || cfg.VerifyRateLimit != 60 {
				t.Errorf("defaults: got issuer %q and rate %d, want Skillgate and 60", cfg.CredentialIssuerName, cfg.VerifyRateLimit)
			}
		})
	}
}

func TestLoadConfigIdentityProvider(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "oidc")
	if err := os.WriteFile(secretFile, []byte("client-secret-from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	okta := map[string]string{"OIDC_ISSUER": "https://example.okta.com/", "OIDC_CLIENT_ID": "skillgate", "OIDC_CLIENT_SECRET_FILE": secretFile}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range okta {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name    string
		env     map[string]string
		check   func(Config) bool
		wantErr []string
	}{
		{"unset: none", nil, func(c Config) bool { return c.OIDC == nil && !c.Password.Off && c.GroupMap.Empty() }, nil},
		{"provider, secret from a file", okta, func(c Config) bool {
			return c.OIDC != nil && *c.OIDC == OIDCProvider{Issuer: "https://example.okta.com", ClientID: "skillgate",
				ClientSecret: "client-secret-from-a-file", Name: "your organization", Scopes: "openid email profile", GroupsClaim: "groups"}
		}, nil},
		{"group map", with(map[string]string{"IDP_GROUP_MAP": "Skillgate Admins=role:admin; Acme Agents=client:acme-bank; Acme Agents=client:acme-card"}),
			func(c Config) bool {
				return c.GroupMap.Roles["Skillgate Admins"] == auth.RoleAdmin && strings.Join(c.GroupMap.Clients["Acme Agents"], ",") == "acme-bank,acme-card"
			}, nil},
		{"password off with break glass", with(map[string]string{"PASSWORD_SIGN_IN": "off", "PASSWORD_BREAK_GLASS": "Root@Example.com, ops@example.com"}),
			func(c Config) bool {
				return c.Password.Off && strings.Join(c.Password.BreakGlass, ",") == "root@example.com,ops@example.com"
			}, nil},
		{"issuer without client", map[string]string{"OIDC_ISSUER": "https://example.okta.com"}, nil, []string{"OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"}},
		{"client without issuer", map[string]string{"OIDC_CLIENT_ID": "x"}, nil, []string{"need OIDC_ISSUER"}},
		{"password off without a provider", map[string]string{"PASSWORD_SIGN_IN": "off"}, nil, []string{"PASSWORD_SIGN_IN=off needs OIDC_ISSUER"}},
		{"bad values", with(map[string]string{"PASSWORD_SIGN_IN": "no", "OIDC_SCOPES": "email", "IDP_GROUP_MAP": "a=role:boss;b=team:x;=role:admin",
			"PASSWORD_BREAK_GLASS": "root", "OIDC_CREATE_USERS": "maybe"}), nil,
			[]string{"OIDC_SCOPES must include openid", "OIDC_CREATE_USERS must be true or false", `IDP_GROUP_MAP: "boss" is not a role`,
				`IDP_GROUP_MAP: "b=team:x" must be`, `IDP_GROUP_MAP: "=role:admin" must be`, "PASSWORD_SIGN_IN must be on or off", `PASSWORD_BREAK_GLASS: "root" is not an email address`}},
		{"http issuer in production", map[string]string{"SKILLGATE_ENV": "production", "PUBLIC_URL": "https://skillgate.example.com", "CREDENTIAL_SIGNING_KEY": testSigningKey,
			"DATABASE_URL": "postgres://db/skillgate", "JWT_SECRET": strings.Repeat("j", 32),
			"OIDC_ISSUER": "http://idp.example.com", "OIDC_CLIENT_ID": "x", "OIDC_CLIENT_SECRET": "y"}, nil, []string{"OIDC_ISSUER must be https in production"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(envOf(tc.env))
			if wantProblems(t, err, tc.wantErr) {
				return
			}
			if !tc.check(cfg) {
				t.Errorf("got %+v %+v %+v", cfg.OIDC, cfg.Password, cfg.GroupMap)
			}
		})
	}
	cfg, err := LoadConfig(envOf(with(map[string]string{"PASSWORD_SIGN_IN": "off"})))
	if err != nil || !strings.Contains(strings.Join(cfg.Warnings, "\n"), "PASSWORD_BREAK_GLASS is empty") {
		t.Errorf("got %q, %v; want a warning that no one could sign in with the provider down", cfg.Warnings, err)
	}
}
