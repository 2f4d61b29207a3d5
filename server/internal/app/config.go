// Package app holds Skillgate's configuration and wiring: it builds the
// stores, services and handlers and returns the router and the server.
package app

import (
	"crypto/ed25519"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/notify"
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
	// FilingDeadlines are the days a carrier has to file an appointment's
	// termination, per state (APPOINTMENT_TERMINATION_FILING_DAYS); zero
	// keeps licensing's sample default.
	FilingDeadlines licensing.FilingDeadlines
	// WebhookKey encrypts webhook signing secrets at rest (WEBHOOK_KEY);
	// empty means a key derived from JWTSecret.
	WebhookKey []byte
	// WebhookAllowPrivate lets webhook URLs be http and reach loopback and
	// private addresses (WEBHOOK_ALLOW_PRIVATE); nil means by environment:
	// allowed in development, refused in production.
	WebhookAllowPrivate *bool
	// Mail sends every notice by email too (SMTP_*); nil means in-app only.
	Mail *notify.MailConfig
	// PublicURL is the web app's address, for links in emails and in
	// certificates and credentials (PUBLIC_URL); empty in development means
	// http://localhost:<HTTP_ADDR's port>.
	PublicURL string
	// CredentialSigningKey signs Open Badges credentials
	// (CREDENTIAL_SIGNING_KEY); nil in development means the development
	// key kept in the database.
	CredentialSigningKey ed25519.PrivateKey
	// CredentialRetiredKeys stay published in the issuer's key set
	// (CREDENTIAL_RETIRED_KEYS), so credentials they signed still verify.
	CredentialRetiredKeys []ed25519.PublicKey
	// CredentialIssuerName names the issuer on certificates and credentials.
	CredentialIssuerName string
	// VerifyRateLimit is how many public verification requests a client
	// address may make a minute, per replica (0: the default, 60).
	VerifyRateLimit int
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
	// OIDC is sign-in with the center's identity provider (OIDC_*); nil
	// means none.
	OIDC *OIDCProvider
	// GroupMap maps the identity provider's groups to roles and
	// memberships (IDP_GROUP_MAP), for OpenID Connect sign-in and SCIM.
	GroupMap auth.GroupMap
	// Password says who may sign in with a password (PASSWORD_SIGN_IN,
	// PASSWORD_BREAK_GLASS).
	Password auth.PasswordPolicy
	// Warnings are problems that do not stop a development server, such as a
	// generated JWT secret; serve logs them loudly.
	Warnings []string
}

// OIDCProvider is the OpenID Connect provider people sign in with.
type OIDCProvider struct {
	Issuer, ClientID, ClientSecret string
	// Name is the provider as the login page names it.
	Name string
	// Scopes are the scopes asked for, space-separated.
	Scopes string
	// GroupsClaim names the ID token claim with the user's groups.
	GroupsClaim string
	// CreateUsers creates accounts at first sign-in.
	CreateUsers bool
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
	// EligibilityQueue is how many eligibility reads may wait for a slot
	// at once: ADMISSION_ELIGIBILITY_QUEUE (default 256). It is sized to
	// the work: a check costs about 50 µs of CPU, so two cores finish
	// about 800 in the 20 ms wait; a queue the size of the limit (12)
	// refused checks at 32 connections with the replica far below
	// capacity. Overload is still refused fast: by the wait, not the
	// queue's length (see httpx.Limiter).
	EligibilityQueue int
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
	EligibilityQueue: 256, Limit: 32, Wait: time.Second, Target: 50 * time.Millisecond}

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

// publicURL is PUBLIC_URL, or in development without it the address this
// server listens on as seen from the same machine.
func (c Config) publicURL() string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	_, port, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil || port == "" || port == "0" {
		port = "8080"
	}
	return "http://localhost:" + port
}
