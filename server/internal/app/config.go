// Package app holds Skillgate's configuration and wiring: it builds the
// stores, services and handlers and returns the router and the server.
package app

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/logx"
	"github.com/skillgate/skillgate/server/internal/notify"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/webhook"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// Config is everything Skillgate reads from its environment.
type Config struct {
	DatabaseURL  string
	HTTPAddr     string
	Env          string
	JWTSecret    []byte
	LogFormat    string // json or text
	LogLevel     slog.Level
	MaxBodyBytes int64
	// TrustedProxies are the CIDRs of load balancers whose X-Forwarded-For
	// is believed; empty means the client address is the TCP peer.
	TrustedProxies []string
	// AccessTokenTTL shortens access tokens for tests of token refresh
	// (ACCESS_TOKEN_TTL, development only); zero keeps the 15-minute default.
	AccessTokenTTL time.Duration
	// ReminderInterval runs the reminder job more often than every
	// notify.ReminderInterval (REMINDER_INTERVAL, development only), so
	// tests see a reminder without waiting; zero keeps the default.
	ReminderInterval time.Duration
	// PasswordHashing overrides argon2id's cost (tests only, never read from
	// the environment): a test that creates users pays a fraction of the
	// production cost. Zero takes auth.DefaultArgon2.
	PasswordHashing auth.Argon2Params
	// RosterCacheTTL is how long a replica reuses a program roster it has
	// computed (routing.RosterCacheTTL from LoadConfig); zero computes every
	// roster, as the tests' configurations do.
	RosterCacheTTL time.Duration
	// EligibilityView answers single checks from each replica's view of
	// the inputs, kept current by the database's change feed within
	// routing.ViewMaxLag (LoadConfig turns it on; off reads every answer).
	EligibilityView bool
	// WebhookKey encrypts webhook signing secrets at rest (WEBHOOK_KEY);
	// empty means a key derived from JWTSecret.
	WebhookKey []byte
	// WebhookAllowPrivate lets webhook URLs be http and reach loopback and
	// private addresses (WEBHOOK_ALLOW_PRIVATE); nil means by environment:
	// allowed in development, refused in production.
	WebhookAllowPrivate *bool
	// Mail sends every notice by email too (SMTP_*); nil means in-app only.
	Mail *notify.MailConfig
	// PublicURL is the web app's address, for links in emails (PUBLIC_URL).
	PublicURL string
	// XAPI sends learning records to a Learning Record Store (XAPI_*); nil
	// means none are recorded.
	XAPI *xapi.Config
	// Admission is admission control per route class; the zero value
	// admits everything (LoadConfig fills in the defaults).
	Admission Admission
	// MetricsAddr is the operator listener for /metrics (METRICS_ADDR);
	// empty serves no metrics.
	MetricsAddr string
	// MetricsToken, when set, is required as a bearer token on /metrics.
	MetricsToken string
	// DBMaxConns is the size of the database pool (DB_MAX_CONNS, default 20).
	DBMaxConns int
	// DBStatementTimeout ends any statement running longer
	// (DB_STATEMENT_TIMEOUT, default 30s; 0 for none).
	DBStatementTimeout time.Duration
	// DBSlowStatement logs a warning for every statement running longer
	// (DB_SLOW_STATEMENT; default 200ms in production, 0 (none) in
	// development, where a busy laptop's slow moments are not news).
	DBSlowStatement time.Duration
	// DBTCPTimeout is how long a database connection may go without the
	// server acknowledging what was sent, or answering keepalive probes
	// while idle, before it is closed as dead (DB_TCP_TIMEOUT, default 10s;
	// 0 leaves the operating system's defaults).
	DBTCPTimeout time.Duration
	// Deadlines bound each request's work by route class (DEADLINE_*);
	// a zero field takes DefaultDeadlines' value.
	Deadlines Deadlines
	// Warnings are problems that do not stop a development server, such as a
	// generated JWT secret; serve logs them loudly.
	Warnings []string
}

// Admission is how many requests of each route class run at once and how
// long one beyond that waits for a slot before a fast 503. A zero limit
// means no limit for that class.
type Admission struct {
	// EligibilityLimit and EligibilityWait are for the routing system's
	// reads (eligibility checks, batches, an agent's programs):
	// ADMISSION_ELIGIBILITY_LIMIT (default 12), ADMISSION_ELIGIBILITY_WAIT
	// (default 20ms, counted from the request's arrival).
	EligibilityLimit int
	EligibilityWait  time.Duration
	// EligibilityTarget is how long an eligibility read may wait once the
	// queue is overloaded (CoDel's target, see httpx.Limiter):
	// ADMISSION_ELIGIBILITY_TARGET (default 5ms).
	EligibilityTarget time.Duration
	// Limit and Wait are for every other API request: ADMISSION_LIMIT
	// (default 32), ADMISSION_WAIT (default 1s); Target is their wait once
	// the queue is overloaded: ADMISSION_TARGET (default 50ms).
	Limit  int
	Wait   time.Duration
	Target time.Duration
}

// Deadlines are how long a request may take in all, by route class: the
// credential lookup, the admission queue, taking a database connection and
// every statement count against it. Past it the request answers 503
// unavailable with Retry-After (never an eligibility answer it did not
// decide).
type Deadlines struct {
	// Eligibility is for the gate's reads (EligibilityRoutes):
	// DEADLINE_ELIGIBILITY (default 2s).
	Eligibility time.Duration
	// Bulk is for rosters, exports, reconciliations and CSV imports
	// (BulkRoutes): DEADLINE_BULK (default 30s).
	Bulk time.Duration
	// API is for every other API request: DEADLINE_API (default 15s).
	API time.Duration
	// Auth bounds the credential lookup (API key or session) within the
	// request's deadline: DEADLINE_AUTH (default 2s).
	Auth time.Duration
}

// DefaultDeadlines are the request deadlines unless configured.
var DefaultDeadlines = Deadlines{Eligibility: 2 * time.Second, Bulk: 30 * time.Second, API: 15 * time.Second, Auth: 2 * time.Second}

// orDefault fills d's zero fields from DefaultDeadlines.
func (d Deadlines) orDefault() Deadlines {
	def := DefaultDeadlines
	for _, f := range []struct{ v, def *time.Duration }{
		{&d.Eligibility, &def.Eligibility}, {&d.Bulk, &def.Bulk}, {&d.API, &def.API}, {&d.Auth, &def.Auth},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return d
}

// DefaultDBTCPTimeout is DB_TCP_TIMEOUT's default.
const DefaultDBTCPTimeout = 10 * time.Second

// DefaultAdmission is the admission control serve uses unless configured.
var DefaultAdmission = Admission{EligibilityLimit: 12, EligibilityWait: 20 * time.Millisecond, EligibilityTarget: 5 * time.Millisecond,
	Limit: 32, Wait: time.Second, Target: 50 * time.Millisecond}

// DefaultSlowStatement is how long a statement runs before production logs
// it as slow (DB_SLOW_STATEMENT); development logs none unless asked.
const DefaultSlowStatement = 200 * time.Millisecond

// MinAccessTokenTTL is the shortest ACCESS_TOKEN_TTL accepted.
const MinAccessTokenTTL = 5 * time.Second

// MinReminderInterval is the shortest REMINDER_INTERVAL accepted.
const MinReminderInterval = time.Second

// DefaultDatabaseURL is used in development when DATABASE_URL is unset.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/skillgate?sslmode=disable"

// ConfigError lists every configuration problem at once.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string {
	return "configuration: " + strings.Join(e.Problems, "; ")
}

// LoadConfig reads the configuration through getenv. Secrets may come from a
// file named by the variable with a _FILE suffix (e.g. JWT_SECRET_FILE). All
// problems are reported together in a *ConfigError.
func LoadConfig(getenv func(string) string) (Config, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	secret := func(name string) string {
		v, file := getenv(name), getenv(name+"_FILE")
		if file == "" {
			return v
		}
		if v != "" {
			bad("%s and %s_FILE are both set: set one", name, name)
			return ""
		}
		b, err := os.ReadFile(file)
		if err != nil {
			bad("%s_FILE: cannot read %s: %v", name, file, err)
			return ""
		}
		return strings.TrimRight(string(b), "\r\n")
	}

	cfg := Config{
		Env:          strings.TrimSpace(getenv("SKILLGATE_ENV")),
		HTTPAddr:     strings.TrimSpace(getenv("HTTP_ADDR")),
		DatabaseURL:  secret("DATABASE_URL"),
		MaxBodyBytes: 1 << 20,
		// RosterCacheTTL keeps a revocation's delay in rosters under a second.
		RosterCacheTTL: routing.RosterCacheTTL,
		// The view keeps a revocation's delay in checks under a second.
		EligibilityView: true,
	}
	if cfg.Env == "" {
		cfg.Env = Development
	}
	if cfg.Env != Development && cfg.Env != Production {
		bad("SKILLGATE_ENV must be development or production, not %q", cfg.Env)
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = ":8080"
	}
	if _, port, err := net.SplitHostPort(cfg.HTTPAddr); err != nil {
		bad("HTTP_ADDR must be host:port or :port, not %q", cfg.HTTPAddr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("HTTP_ADDR has an invalid port %q", port)
	}

	if cfg.DatabaseURL == "" {
		if cfg.Env == Production {
			bad("DATABASE_URL is required in production")
		} else {
			cfg.DatabaseURL = DefaultDatabaseURL
		}
	} else if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		bad("DATABASE_URL must be a postgres:// URL")
	}

	switch s := secret("JWT_SECRET"); {
	case s == "" && cfg.Env == Production:
		bad("JWT_SECRET (or JWT_SECRET_FILE) is required in production")
	case s == "":
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		cfg.JWTSecret = b
		cfg.Warnings = append(cfg.Warnings, "JWT_SECRET is not set: using a random secret for this process only; every session ends when it stops, and replicas will not accept each other's tokens")
	case len(s) < 32:
		bad("JWT_SECRET must be at least 32 bytes long, got %d", len(s))
	default:
		cfg.JWTSecret = []byte(s)
	}

	cfg.LogFormat = strings.TrimSpace(getenv("LOG_FORMAT"))
	switch cfg.LogFormat {
	case "":
		cfg.LogFormat = "text"
		if cfg.Env == Production {
			cfg.LogFormat = "json"
		}
	case "json", "text":
	default:
		bad("LOG_FORMAT must be json or text, not %q", cfg.LogFormat)
	}
	if lv := getenv("LOG_LEVEL"); lv != "" {
		l, err := logx.ParseLevel(lv)
		if err != nil {
			bad("LOG_LEVEL: %v", err)
		}
		cfg.LogLevel = l
	}
	if v := getenv("MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			bad("MAX_BODY_BYTES must be a whole number of bytes, at least 1024, not %q", v)
		}
		cfg.MaxBodyBytes = n
	}
	if v := strings.TrimSpace(getenv("TRUSTED_PROXIES")); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if !strings.Contains(p, "/") {
				if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
					p += "/32"
				} else if ip != nil {
					p += "/128"
				}
			}
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("TRUSTED_PROXIES: %q is not an IP address or CIDR", p)
				continue
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	if v := strings.TrimSpace(getenv("ACCESS_TOKEN_TTL")); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case cfg.Env == Production:
			bad("ACCESS_TOKEN_TTL is for development and tests only: unset it in production")
		case err != nil || d < MinAccessTokenTTL || d > auth.AccessTokenTTL:
			bad("ACCESS_TOKEN_TTL must be a duration from %s to %s such as 30s, not %q", MinAccessTokenTTL, auth.AccessTokenTTL, v)
		default:
			cfg.AccessTokenTTL = d
			cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("ACCESS_TOKEN_TTL is %s: access tokens expire sooner than the usual %s (for tests of token refresh)", d, auth.AccessTokenTTL))
		}
	}
	if v := strings.TrimSpace(getenv("REMINDER_INTERVAL")); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case cfg.Env == Production:
			bad("REMINDER_INTERVAL is for development and tests only: unset it in production")
		case err != nil || d < MinReminderInterval || d > notify.ReminderInterval:
			bad("REMINDER_INTERVAL must be a duration from %s to %s such as 2s, not %q", MinReminderInterval, notify.ReminderInterval, v)
		default:
			cfg.ReminderInterval = d
			cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("REMINDER_INTERVAL is %s: the reminder job runs more often than the usual %s (for tests)", d, notify.ReminderInterval))
		}
	}
	switch k := secret("WEBHOOK_KEY"); {
	case k != "" && len(k) < 32:
		bad("WEBHOOK_KEY must be at least 32 bytes long, got %d", len(k))
	case k != "":
		cfg.WebhookKey = []byte(k)
	}
	if v := strings.TrimSpace(getenv("WEBHOOK_ALLOW_PRIVATE")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("WEBHOOK_ALLOW_PRIVATE must be true or false, not %q", v)
		}
		cfg.WebhookAllowPrivate = &b
		if b && cfg.Env == Production {
			cfg.Warnings = append(cfg.Warnings, "WEBHOOK_ALLOW_PRIVATE is true: webhooks may reach loopback and private addresses and use http")
		}
	}
	loadOutbound(&cfg, getenv, secret, bad)
	cfg.Admission = DefaultAdmission
	count := func(name string, dst *int, lo, hi int) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				bad("%s must be a whole number from %d to %d, not %q", name, lo, hi, v)
				return
			}
			*dst = n
		}
	}
	duration := func(name string, dst *time.Duration, lo, hi time.Duration) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < lo || d > hi {
				bad("%s must be a duration from %s to %s such as 50ms, not %q", name, lo, hi, v)
				return
			}
			*dst = d
		}
	}
	count("ADMISSION_ELIGIBILITY_LIMIT", &cfg.Admission.EligibilityLimit, 0, 10000)
	duration("ADMISSION_ELIGIBILITY_WAIT", &cfg.Admission.EligibilityWait, 0, 10*time.Second)
	count("ADMISSION_LIMIT", &cfg.Admission.Limit, 0, 10000)
	duration("ADMISSION_WAIT", &cfg.Admission.Wait, 0, 30*time.Second)
	duration("ADMISSION_ELIGIBILITY_TARGET", &cfg.Admission.EligibilityTarget, time.Millisecond, 10*time.Second)
	duration("ADMISSION_TARGET", &cfg.Admission.Target, time.Millisecond, 30*time.Second)
	cfg.DBMaxConns = 20
	count("DB_MAX_CONNS", &cfg.DBMaxConns, 1, 1000)
	cfg.DBStatementTimeout = 30 * time.Second
	duration("DB_STATEMENT_TIMEOUT", &cfg.DBStatementTimeout, 0, time.Hour)
	if cfg.Env == Production {
		cfg.DBSlowStatement = DefaultSlowStatement
	}
	duration("DB_SLOW_STATEMENT", &cfg.DBSlowStatement, 0, time.Hour)
	cfg.DBTCPTimeout = DefaultDBTCPTimeout
	duration("DB_TCP_TIMEOUT", &cfg.DBTCPTimeout, 0, 10*time.Minute)
	cfg.Deadlines = DefaultDeadlines
	duration("DEADLINE_ELIGIBILITY", &cfg.Deadlines.Eligibility, 100*time.Millisecond, time.Minute)
	duration("DEADLINE_BULK", &cfg.Deadlines.Bulk, time.Second, 10*time.Minute)
	duration("DEADLINE_API", &cfg.Deadlines.API, time.Second, 10*time.Minute)
	duration("DEADLINE_AUTH", &cfg.Deadlines.Auth, 100*time.Millisecond, time.Minute)
	if d := cfg.Deadlines; d.Auth > min(d.Eligibility, d.API, d.Bulk) {
		cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("DEADLINE_AUTH (%s) is longer than a request deadline: that request's own deadline bounds its credential lookup", d.Auth))
	}

	cfg.MetricsAddr = strings.TrimSpace(getenv("METRICS_ADDR"))
	cfg.MetricsToken = secret("METRICS_TOKEN")
	if cfg.MetricsAddr != "" {
		host, port, err := net.SplitHostPort(cfg.MetricsAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			bad("METRICS_ADDR must be host:port such as 127.0.0.1:9090, not %q", cfg.MetricsAddr)
		} else if cfg.MetricsAddr == cfg.HTTPAddr {
			bad("METRICS_ADDR must differ from HTTP_ADDR: metrics are for operators, not the public listener")
		} else if ip := net.ParseIP(host); cfg.MetricsToken == "" && (ip == nil || !ip.IsLoopback()) && host != "localhost" {
			cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("METRICS_ADDR %s is not a loopback address and METRICS_TOKEN is not set: anyone who can reach it reads the metrics", cfg.MetricsAddr))
		}
	} else if cfg.MetricsToken != "" {
		bad("METRICS_TOKEN is set but METRICS_ADDR is not: set the address metrics are served on")
	}
	if cfg.MetricsToken != "" && len(cfg.MetricsToken) < 16 {
		bad("METRICS_TOKEN must be at least 16 bytes long, got %d", len(cfg.MetricsToken))
	}

	if len(problems) > 0 {
		return Config{}, &ConfigError{Problems: problems}
	}
	return cfg, nil
}

// loadOutbound reads the optional outbound channels: PUBLIC_URL, email
// through SMTP (SMTP_*) and xAPI statements to an LRS (XAPI_*).
func loadOutbound(cfg *Config, getenv, secret func(string) string, bad func(string, ...any)) {
	absURL := func(name, v string, httpsOnly bool) bool {
		u, err := url.Parse(v)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
			bad("%s must be an absolute http(s) URL without credentials, not %q", name, v)
			return false
		case httpsOnly && u.Scheme != "https":
			bad("%s must be https in production", name)
			return false
		}
		return true
	}
	if v := strings.TrimSpace(getenv("PUBLIC_URL")); v != "" && absURL("PUBLIC_URL", v, false) {
		cfg.PublicURL = strings.TrimRight(v, "/")
	}

	addr, from := strings.TrimSpace(getenv("SMTP_ADDR")), strings.TrimSpace(getenv("SMTP_FROM"))
	user, pass := getenv("SMTP_USERNAME"), secret("SMTP_PASSWORD")
	switch {
	case addr == "" && (from != "" || user != "" || pass != ""):
		bad("SMTP_FROM, SMTP_USERNAME and SMTP_PASSWORD need SMTP_ADDR: set it, or unset them")
	case addr != "":
		m := &notify.MailConfig{Addr: addr, From: from, Username: user, Password: pass}
		if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
			bad("SMTP_ADDR must be host:port such as smtp.example.com:587, not %q", addr)
		}
		if a, err := mail.ParseAddress(from); err != nil || strings.ContainsAny(from, "\r\n") {
			bad("SMTP_FROM must be an email address such as \"Skillgate <noreply@example.com>\", not %q", from)
		} else {
			m.From = a.String()
		}
		if (user == "") != (pass == "") {
			bad("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither")
		}
		cfg.Mail = m
	}

	endpoint, base := strings.TrimSpace(getenv("XAPI_ENDPOINT")), strings.TrimSpace(getenv("XAPI_ACTIVITY_BASE"))
	xuser, xpass := getenv("XAPI_USERNAME"), secret("XAPI_PASSWORD")
	actor, home := strings.TrimSpace(getenv("XAPI_ACTOR")), strings.TrimSpace(getenv("XAPI_ACCOUNT_HOMEPAGE"))
	if endpoint == "" {
		if base != "" || xuser != "" || xpass != "" || actor != "" || home != "" {
			bad("XAPI_ACTIVITY_BASE, XAPI_USERNAME, XAPI_PASSWORD, XAPI_ACTOR and XAPI_ACCOUNT_HOMEPAGE need XAPI_ENDPOINT: set it, or unset them")
		}
		return
	}
	x := &xapi.Config{Endpoint: strings.TrimRight(endpoint, "/") + "/", Username: xuser, Password: xpass,
		ActivityBase: strings.TrimRight(base, "/"), Actor: actor, AccountHomePage: home}
	absURL("XAPI_ENDPOINT", endpoint, cfg.Env == Production)
	if base == "" {
		bad("XAPI_ACTIVITY_BASE is required with XAPI_ENDPOINT: the IRI activity ids start with, e.g. https://skillgate.example.com/xapi/activities")
	} else {
		absURL("XAPI_ACTIVITY_BASE", base, false)
	}
	switch actor {
	case "":
		x.Actor = xapi.ActorMbox
	case xapi.ActorMbox, xapi.ActorAccount:
	default:
		bad("XAPI_ACTOR must be mbox or account, not %q", actor)
	}
	if x.Actor == xapi.ActorAccount {
		if home == "" {
			home = cfg.PublicURL
		}
		if home == "" {
			bad("XAPI_ACTOR=account needs XAPI_ACCOUNT_HOMEPAGE (or PUBLIC_URL): the system the account ids belong to")
		} else if absURL("XAPI_ACCOUNT_HOMEPAGE", home, false) {
			x.AccountHomePage = home
		}
	}
	cfg.XAPI = x
}

// webhookOptions are the webhook service's settings from the configuration:
// secrets encrypted with WEBHOOK_KEY (or a key derived from JWT_SECRET);
// https and public addresses only unless private addresses are allowed.
func (c Config) webhookOptions(log *slog.Logger) webhook.Options {
	key := c.WebhookKey
	if len(key) == 0 {
		key = c.JWTSecret
	}
	allow := c.Env != Production
	if c.WebhookAllowPrivate != nil {
		allow = *c.WebhookAllowPrivate
	}
	return webhook.Options{Key: key, RequireHTTPS: !allow, AllowPrivate: allow, Log: log}
}
