package app

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/credential"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/logx"
	"github.com/skillgate/skillgate/server/internal/notify"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

// A setting is one environment variable the server reads: the one place that
// holds its name, its default (per environment when they differ), how it is
// parsed and the range it accepts, what it means, and where it lands in
// Config. LoadConfig reads the settings in order, `skillgate config` prints
// them, and docs/configuration.md's table is generated from them.
type setting struct {
	// Name is the variable's name.
	Name string
	// Default is the value used when the variable is unset, parsed like a
	// value that was set; "" means none. ProdDefault replaces it in
	// production when it is not "".
	Default, ProdDefault string
	// DefaultDoc describes the default in the docs when it is not a value
	// the parser reads (e.g. the 15m an unset ACCESS_TOKEN_TTL means).
	DefaultDoc string
	// RequiredInProduction is the problem reported when the variable is
	// unset in production ("" when it may be).
	RequiredInProduction string
	// Secret settings may be given in a file named by NAME_FILE, are never
	// trimmed, and are masked when shown.
	Secret bool
	// Verbatim settings are not trimmed of spaces before parsing.
	Verbatim bool
	// Doc is the meaning, markdown, for the docs and `skillgate config`.
	Doc string
	// Parse reads a value that is not "" into the loader's Config.
	Parse parser
	// WhenUnset, when set, runs in place of a default (JWT_SECRET's random
	// development secret).
	WhenUnset func(l *loader)
}

// parser reads one setting's value. Accepts is the range of values it
// takes, for the docs ("" when the meaning says it).
type parser struct {
	Accepts string
	set     func(l *loader, name, v string)
}

// loader is one reading of the configuration: the Config being filled,
// the values used and the problems and warnings found.
type loader struct {
	getenv   func(string) string
	cfg      Config
	problems []string
	// values are the values read (after trimming and defaults), by name;
	// sources say where each came from: "set", "file", "default" or "".
	values, sources map[string]string
	// mail and xapi collect the SMTP_* and XAPI_* settings for the rules
	// that decide, across variables, whether each channel is on.
	mail     notify.MailConfig
	oidc     OIDCProvider
	xapi     xapi.Config
	xapiHome string
}

func (l *loader) bad(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

func (l *loader) warn(format string, args ...any) {
	l.cfg.Warnings = append(l.cfg.Warnings, fmt.Sprintf(format, args...))
}

func (l *loader) production() bool { return l.cfg.Env == Production }

// settings are every environment variable the server reads, in the order
// LoadConfig reads them (SKILLGATE_ENV first: other defaults depend on it).
var settings = []setting{
	{Name: "SKILLGATE_ENV", Default: Development, Doc: "the environment; production requires the secrets and refuses the development-only settings",
		Parse: choice(func(c *Config) *string { return &c.Env }, Development, Production)},
	{Name: "HTTP_ADDR", Default: ":8080", Doc: "listen address", Parse: listenAddr},
	{Name: "DATABASE_URL", Default: DefaultDatabaseURL, RequiredInProduction: "DATABASE_URL is required in production", Secret: true,
		Doc: "PostgreSQL 13+ connection URL", Parse: postgresURL},
	{Name: "JWT_SECRET", RequiredInProduction: "JWT_SECRET (or JWT_SECRET_FILE) is required in production", Secret: true,
		DefaultDoc: "random per process in development (with a loud warning)",
		Doc:        "HMAC key for access tokens", Parse: secretBytes(32, func(c *Config) *[]byte { return &c.JWTSecret }),
		WhenUnset: randomJWTSecret},
	{Name: "LOG_FORMAT", Default: "text", ProdDefault: "json", Doc: "how log lines are written",
		Parse: choice(func(c *Config) *string { return &c.LogFormat }, "json", "text")},
	{Name: "LOG_LEVEL", Default: "info", Verbatim: true, Doc: "the least severe level logged", Parse: logLevel},
	{Name: "MAX_BODY_BYTES", Default: strconv.Itoa(1 << 20), Verbatim: true, Doc: "largest request body accepted", Parse: bodyBytes},
	{Name: "TRUSTED_PROXIES", Doc: "load balancers whose `X-Forwarded-For` is believed; otherwise the client address is the TCP peer (login throttling is per client address)",
		Parse: proxies},
	{Name: "ACCESS_TOKEN_TTL", DefaultDoc: "`" + shortDuration(auth.AccessTokenTTL) + "`",
		Doc:   "development and tests only (refused in production): a shorter access-token lifetime, so token refresh can be tested without waiting; the end-to-end tests use `20s`",
		Parse: devDuration(MinAccessTokenTTL, auth.AccessTokenTTL, "30s", func(c *Config) *time.Duration { return &c.AccessTokenTTL }, "access tokens expire sooner than the usual %s (for tests of token refresh)")},
	{Name: "REMINDER_INTERVAL", DefaultDoc: "`" + shortDuration(notify.ReminderInterval) + "`",
		Doc:   "development and tests only (refused in production): run the reminder job more often; the end-to-end tests use `2s` so a reminder they cause reaches the inbox at once",
		Parse: devDuration(MinReminderInterval, notify.ReminderInterval, "2s", func(c *Config) *time.Duration { return &c.ReminderInterval }, "the reminder job runs more often than the usual %s (for tests)")},
	{Name: "APPOINTMENT_TERMINATION_FILING_DAYS", Default: strconv.Itoa(licensing.DefaultFilingDays),
		Doc:   "days a carrier has to file an appointment's termination with the state, for the terminations-to-file report: a default, then `STATE=days` pairs (`30,FL=15`). The default is a **sample**, not legal advice: check each state's rule",
		Parse: filingDays},
	{Name: "WEBHOOK_KEY", Secret: true, DefaultDoc: "derived from `JWT_SECRET`",
		Doc:   "the key material webhook signing secrets are encrypted with at rest (AES-256-GCM, key via HKDF-SHA256); if it (or `JWT_SECRET`, when this is unset) changes, rotate every webhook's secret",
		Parse: secretBytes(32, func(c *Config) *[]byte { return &c.WebhookKey })},
	{Name: "WEBHOOK_ALLOW_PRIVATE", DefaultDoc: "`true` in development, `false` in production",
		Doc: "let webhook URLs use http and reach loopback, private and link-local addresses", Parse: allowPrivate},
	{Name: "PUBLIC_URL", RequiredInProduction: "PUBLIC_URL is required in production: certificates and credentials carry links to it",
		DefaultDoc: "`http://localhost:<port of HTTP_ADDR>` in development",
		Doc:        "the web app's address (`https://skillgate.example.com`): put before the links in notification emails, certificates' verification links and QR codes and every Open Badges credential (issuer, status lists), and the default `XAPI_ACCOUNT_HOMEPAGE`",
		Parse:      publicURL},
	{Name: "CREDENTIAL_SIGNING_KEY", Secret: true,
		RequiredInProduction: "CREDENTIAL_SIGNING_KEY (or CREDENTIAL_SIGNING_KEY_FILE) is required in production: it signs the Open Badges credentials",
		DefaultDoc:           "development: a key made on first use and kept in the database",
		Doc:                  "the Ed25519 private key that signs Open Badges credentials and status lists, PEM PKCS #8 (`openssl genpkey -algorithm ed25519`); `\\n` in a one-line value stands for a line break. To rotate, see operations",
		Parse:                signingKey},
	{Name: "CREDENTIAL_RETIRED_KEYS", Secret: true,
		Doc:   "keys that signed credentials before a rotation, still published in the issuer's key set so those credentials verify: PEM `PUBLIC KEY` blocks (`openssl pkey -pubout`) or the old `PRIVATE KEY` blocks, one after another",
		Parse: retiredKeys},
	{Name: "CREDENTIAL_ISSUER_NAME", Default: "Skillgate",
		Doc: "the issuer's name on certificates and in credentials (your contact center's name)", Parse: issuerName},
	{Name: "VERIFY_RATE_LIMIT", Default: "60",
		Doc:   "public certificate verifications (and status list fetches) a client address may make a minute, per replica; more get 429 with `Retry-After`",
		Parse: count(1, 100000, func(c *Config) *int { return &c.VerifyRateLimit })},
	{Name: "SMTP_ADDR", DefaultDoc: "none (no email)",
		Doc:   "`host:port` of the SMTP server notices are emailed through (587 with STARTTLS); unset, notices stay in-app and no email is queued",
		Parse: text("`host:port`", func(l *loader) *string { return &l.mail.Addr })},
	{Name: "SMTP_FROM", DefaultDoc: "required with `SMTP_ADDR`", Doc: "the sender, `Skillgate <noreply@example.com>`",
		Parse: text("an email address", func(l *loader) *string { return &l.mail.From })},
	{Name: "SMTP_USERNAME", Verbatim: true, Doc: "PLAIN user name, with `SMTP_PASSWORD` or not at all; sent only over TLS, or to a server on a loopback address",
		Parse: text("", func(l *loader) *string { return &l.mail.Username })},
	{Name: "SMTP_PASSWORD", Secret: true, Doc: "PLAIN password, with `SMTP_USERNAME` or not at all",
		Parse: text("", func(l *loader) *string { return &l.mail.Password })},
	{Name: "XAPI_ENDPOINT", DefaultDoc: "none (no learning records)",
		Doc:   "the Learning Record Store's xAPI endpoint (`https://lrs.example.com/xapi/`)",
		Parse: text("absolute http(s) URL; https in production", func(l *loader) *string { return &l.xapi.Endpoint })},
	{Name: "XAPI_ACTIVITY_BASE", DefaultDoc: "required with `XAPI_ENDPOINT`",
		Doc:   "the IRI every activity id starts with: `<base>/modules/<id>`, `/quizzes/<id>`, `/roleplays/<id>`, `/programs/<id>`",
		Parse: text("absolute http(s) URL", func(l *loader) *string { return &l.xapi.ActivityBase })},
	{Name: "XAPI_USERNAME", Verbatim: true, Doc: "HTTP basic user name for the LRS",
		Parse: text("", func(l *loader) *string { return &l.xapi.Username })},
	{Name: "XAPI_PASSWORD", Secret: true, Doc: "HTTP basic password for the LRS",
		Parse: text("", func(l *loader) *string { return &l.xapi.Password })},
	{Name: "XAPI_ACTOR", DefaultDoc: "`" + xapi.ActorMbox + "`",
		Doc:   "how a learner is named: `mbox` (`mailto:<email>`, with the display name) or `account` (the Skillgate user id at `XAPI_ACCOUNT_HOMEPAGE`, which keeps email addresses out of the LRS)",
		Parse: text("`mbox` or `account`", func(l *loader) *string { return &l.xapi.Actor })},
	{Name: "XAPI_ACCOUNT_HOMEPAGE", DefaultDoc: "`PUBLIC_URL`", Doc: "the home page of `account` actors",
		Parse: text("absolute http(s) URL", func(l *loader) *string { return &l.xapiHome })},
	{Name: "ADMISSION_ELIGIBILITY_LIMIT", Default: strconv.Itoa(DefaultAdmission.EligibilityLimit),
		Doc:   "eligibility reads (`GET /eligibility`, `POST /eligibility/batch`, `GET /agents/{id}/programs`) running at once; `0`: no limit",
		Parse: count(0, 10000, func(c *Config) *int { return &c.Admission.EligibilityLimit })},
	{Name: "ADMISSION_ELIGIBILITY_WAIT", Default: DefaultAdmission.EligibilityWait.String(),
		Doc:   "how long an eligibility read beyond the limit may wait for a slot, counted from its arrival, before a 503 (while the queue is not overloaded)",
		Parse: duration(0, 10*time.Second, func(c *Config) *time.Duration { return &c.Admission.EligibilityWait })},
	{Name: "ADMISSION_ELIGIBILITY_QUEUE", Default: strconv.Itoa(DefaultAdmission.EligibilityQueue),
		Doc:   "how many eligibility reads may wait for a slot at once; one more is refused at once (`0`: as many as the limit)",
		Parse: count(0, 100000, func(c *Config) *int { return &c.Admission.EligibilityQueue })},
	{Name: "ADMISSION_LIMIT", Default: strconv.Itoa(DefaultAdmission.Limit), Doc: "every other API request running at once; `0`: no limit",
		Parse: count(0, 10000, func(c *Config) *int { return &c.Admission.Limit })},
	{Name: "ADMISSION_WAIT", Default: DefaultAdmission.Wait.String(), Doc: "the same for every other API request",
		Parse: duration(0, 30*time.Second, func(c *Config) *time.Duration { return &c.Admission.Wait })},
	{Name: "ADMISSION_ELIGIBILITY_TARGET", Default: DefaultAdmission.EligibilityTarget.String(),
		Doc:   "once the eligibility queue is overloaded (see operations), how long a read may wait for a slot, counted from its arrival",
		Parse: duration(time.Millisecond, 10*time.Second, func(c *Config) *time.Duration { return &c.Admission.EligibilityTarget })},
	{Name: "ADMISSION_TARGET", Default: DefaultAdmission.Target.String(), Doc: "the same for every other API request",
		Parse: duration(time.Millisecond, 30*time.Second, func(c *Config) *time.Duration { return &c.Admission.Target })},
	{Name: "DB_MAX_CONNS", Default: "20", Doc: "size of the PostgreSQL connection pool",
		Parse: count(1, 1000, func(c *Config) *int { return &c.DBMaxConns })},
	{Name: "DB_STATEMENT_TIMEOUT", Default: (30 * time.Second).String(),
		Doc:   "PostgreSQL `statement_timeout` of every connection (`0s`: none; a `statement_timeout` in `DATABASE_URL` wins)",
		Parse: duration(0, time.Hour, func(c *Config) *time.Duration { return &c.DBStatementTimeout })},
	{Name: "DB_SLOW_STATEMENT", Default: "0s", ProdDefault: DefaultSlowStatement.String(),
		Doc:   "log a warning (`slow SQL statement`, with its duration, the threshold and the SQL with placeholders, never values) for every statement running longer; `0s`: none. Failing statements are always logged. Off in development, where a busy machine's slow moments are not news; set it (e.g. `200ms`) to look for slow statements",
		Parse: duration(0, time.Hour, func(c *Config) *time.Duration { return &c.DBSlowStatement })},
	{Name: "DB_TCP_TIMEOUT", Default: DefaultDBTCPTimeout.String(),
		Doc:   "a database connection whose peer stops acknowledging what was sent (Linux `TCP_USER_TIMEOUT`) or answering keepalive probes while idle (three probes, one every `DB_TCP_TIMEOUT/3`) is closed as dead, so a network partition does not hold the pool's connections; `0s` leaves the operating system's defaults (minutes to hours)",
		Parse: duration(0, 10*time.Minute, func(c *Config) *time.Duration { return &c.DBTCPTimeout })},
	{Name: "DEADLINE_ELIGIBILITY", Default: DefaultDeadlines.Eligibility.String(),
		Doc:   "the whole of one gate read — `GET /eligibility`, `POST /eligibility/batch`, `GET /agents/{id}/programs` — authentication, the admission queue, taking a database connection and every statement included; past it the answer is 503 `unavailable` with `Retry-After` (never an answer the gate did not decide). A batch shares this one deadline across its checks",
		Parse: duration(100*time.Millisecond, time.Minute, func(c *Config) *time.Duration { return &c.Deadlines.Eligibility })},
	{Name: "DEADLINE_BULK", Default: DefaultDeadlines.Bulk.String(),
		Doc:   "the same for rosters (`GET /programs/{id}/roster`), the TaskRouter export, reconciliation and the CSV imports (`POST /users/import`, `POST /licenses/import`)",
		Parse: duration(time.Second, 10*time.Minute, func(c *Config) *time.Duration { return &c.Deadlines.Bulk })},
	{Name: "DEADLINE_API", Default: DefaultDeadlines.API.String(), Doc: "the same for every other `/api/v1` request",
		Parse: duration(time.Second, 10*time.Minute, func(c *Config) *time.Duration { return &c.Deadlines.API })},
	{Name: "DEADLINE_AUTH", Default: DefaultDeadlines.Auth.String(),
		Doc:   "reading the request's credential (API key or session) from the database, within the request's own deadline; a longer value than a request deadline only warns (that request's deadline wins)",
		Parse: duration(100*time.Millisecond, time.Minute, func(c *Config) *time.Duration { return &c.Deadlines.Auth })},
	{Name: "OIDC_ISSUER", DefaultDoc: "none (no sign-in with an identity provider)",
		Doc:   "the OpenID Connect issuer people sign in with (`https://example.okta.com`, `https://login.microsoftonline.com/<tenant>/v2.0`); its discovery document is read at the first sign-in. Register `PUBLIC_URL` + `/api/v1/auth/oidc/callback` as the redirect URI; see [identity-provider.md](identity-provider.md)",
		Parse: text("absolute http(s) URL; https in production", func(l *loader) *string { return &l.oidc.Issuer })},
	{Name: "OIDC_CLIENT_ID", DefaultDoc: "required with `OIDC_ISSUER`", Doc: "Skillgate's client id at the provider (the ID token's audience)",
		Parse: text("", func(l *loader) *string { return &l.oidc.ClientID })},
	{Name: "OIDC_CLIENT_SECRET", Secret: true, DefaultDoc: "required with `OIDC_ISSUER`", Doc: "Skillgate's client secret at the provider",
		Parse: text("", func(l *loader) *string { return &l.oidc.ClientSecret })},
	{Name: "OIDC_NAME", Default: "your organization", Doc: "the provider as the login page names it: \"Sign in with `OIDC_NAME`\"",
		Parse: text("1 to 60 characters", func(l *loader) *string { return &l.oidc.Name })},
	{Name: "OIDC_SCOPES", Default: "openid email profile",
		Doc:   "the scopes asked for, space-separated; add the one your provider needs to put groups in the ID token (`groups` at Okta and Keycloak; Entra ID sends them without a scope when the app registration says so)",
		Parse: text("space-separated, with `openid`", func(l *loader) *string { return &l.oidc.Scopes })},
	{Name: "OIDC_GROUPS_CLAIM", Default: "groups", Doc: "the ID token claim listing the user's groups, for `IDP_GROUP_MAP`",
		Parse: text("", func(l *loader) *string { return &l.oidc.GroupsClaim })},
	{Name: "OIDC_CREATE_USERS", Default: "false",
		Doc:   "create an account at the first sign-in of a provider-verified email address that has none (an agent, unless `IDP_GROUP_MAP` gives a role); off, accounts come from an admin, a CSV import or SCIM",
		Parse: boolean(func(l *loader) *bool { return &l.oidc.CreateUsers })},
	{Name: "IDP_GROUP_MAP", DefaultDoc: "none (groups change nothing)",
		Doc:   "the identity provider's groups as roles and client memberships, for OpenID Connect sign-in and SCIM: `group=role:<role>` and `group=client:<client slug>` entries separated by `;` (`Skillgate Admins=role:admin; Acme Agents=client:acme-bank`). The role becomes the most privileged one the user's groups map to; a membership of a client the map names is kept exactly when one of the user's groups maps to it; a user who leaves (or whose group is renamed out of) the last group giving their role drops to agent, while a role an admin set by hand stays",
		Parse: groupMap},
	{Name: "PASSWORD_SIGN_IN", Default: "on",
		Doc: "`off` turns password sign-in off for everyone but the break-glass admins (`PASSWORD_BREAK_GLASS`); needs `OIDC_ISSUER`",
		Parse: parser{Accepts: "`on` or `off`", set: func(l *loader, name, v string) {
			switch v {
			case "on":
			case "off":
				l.cfg.Password.Off = true
			default:
				l.bad("%s must be on or off, not %q", name, v)
			}
		}}},
	{Name: "PASSWORD_BREAK_GLASS", DefaultDoc: "none",
		Doc:   "with `PASSWORD_SIGN_IN=off`, the email addresses (comma-separated) of the admins who may still sign in with a password, for when the identity provider is down; a listed address that is not an admin's may not",
		Parse: breakGlass},
	{Name: "METRICS_ADDR", DefaultDoc: "none (no metrics served)",
		Doc: "operator listener for Prometheus `GET /metrics`, e.g. `127.0.0.1:9090`; never the public `HTTP_ADDR`", Parse: metricsAddr},
	{Name: "METRICS_TOKEN", Secret: true,
		Doc:   "when set, `/metrics` needs `Authorization: Bearer <token>` (needed when `METRICS_ADDR` is not loopback, else a warning)",
		Parse: metricsToken},
}

// rules check what no single setting can: settings that go together, and
// warnings about combinations. Each runs right after the setting it names
// is read, so problems are reported in the order of the table.
var rules = []struct {
	after string
	check func(l *loader)
}{
	{"SMTP_PASSWORD", mailRule},
	{"XAPI_ACCOUNT_HOMEPAGE", xapiRule},
	{"DEADLINE_AUTH", deadlineRule},
	{"METRICS_TOKEN", metricsRule},
	{"PASSWORD_BREAK_GLASS", identityProviderRule},
}

// LoadConfig reads the configuration through getenv: every setting in the
// table, then the rules across settings. Secrets may come from a file named
// by the variable with a _FILE suffix (e.g. JWT_SECRET_FILE). All problems
// are reported together in a *ConfigError.
func LoadConfig(getenv func(string) string) (Config, error) {
	l := load(getenv)
	if len(l.problems) > 0 {
		return Config{}, &ConfigError{Problems: l.problems}
	}
	return l.cfg, nil
}

// load reads every setting and runs the rules.
func load(getenv func(string) string) *loader {
	l := &loader{getenv: getenv, values: map[string]string{}, sources: map[string]string{},
		cfg: Config{
			// RosterCacheTTL keeps a revocation's delay in rosters under a second.
			RosterCacheTTL: routing.RosterCacheTTL,
			// The view keeps a revocation's delay in checks under a second.
			EligibilityView: true,
		}}
	for _, s := range settings {
		l.read(s)
		for _, r := range rules {
			if r.after == s.Name {
				r.check(l)
			}
		}
	}
	return l
}

// read reads one setting: its value (from NAME_FILE for a secret), or
// its default, then its parse.
func (l *loader) read(s setting) {
	v, source := l.getenv(s.Name), "set"
	if s.Secret {
		file := l.getenv(s.Name + "_FILE")
		switch {
		case file != "" && v != "":
			l.bad("%s and %s_FILE are both set: set one", s.Name, s.Name)
			v = ""
		case file != "":
			b, err := os.ReadFile(file)
			if err != nil {
				l.bad("%s_FILE: cannot read %s: %v", s.Name, file, err)
				v = ""
			} else {
				v, source = strings.TrimRight(string(b), "\r\n"), "file"
			}
		}
	} else if !s.Verbatim {
		v = strings.TrimSpace(v)
	}
	if v == "" {
		source = ""
		switch {
		case s.RequiredInProduction != "" && l.production():
			l.bad("%s", s.RequiredInProduction)
			return
		case s.WhenUnset != nil:
			s.WhenUnset(l)
			return
		}
		v = s.defaultIn(l.cfg.Env)
		if v == "" {
			return
		}
		source = "default"
	}
	l.values[s.Name], l.sources[s.Name] = v, source
	s.Parse.set(l, s.Name, v)
}

// defaultIn is the setting's default in env.
func (s setting) defaultIn(env string) string {
	if env == Production && s.ProdDefault != "" {
		return s.ProdDefault
	}
	return s.Default
}

// The parsers. Each message names the variable and what it accepts.

// choice takes one of values.
func choice(dst func(*Config) *string, values ...string) parser {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return parser{Accepts: strings.Join(quoted, " or "), set: func(l *loader, name, v string) {
		*dst(&l.cfg) = v
		for _, ok := range values {
			if v == ok {
				return
			}
		}
		l.bad("%s must be %s, not %q", name, strings.Join(values, " or "), v)
	}}
}

// count takes a whole number from lo to hi.
func count(lo, hi int, dst func(*Config) *int) parser {
	return parser{Accepts: fmt.Sprintf("`%d` to `%d`", lo, hi), set: func(l *loader, name, v string) {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			l.bad("%s must be a whole number from %d to %d, not %q", name, lo, hi, v)
			return
		}
		*dst(&l.cfg) = n
	}}
}

// duration takes a duration from lo to hi.
func duration(lo, hi time.Duration, dst func(*Config) *time.Duration) parser {
	return parser{Accepts: durationRange(lo, hi), set: func(l *loader, name, v string) {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			l.bad("%s must be a duration from %s to %s such as 50ms, not %q", name, lo, hi, v)
			return
		}
		*dst(&l.cfg) = d
	}}
}

// devDuration takes a duration from lo to hi outside production, with a
// warning (warning's %s is hi, the usual value).
func devDuration(lo, hi time.Duration, example string, dst func(*Config) *time.Duration, warning string) parser {
	return parser{Accepts: durationRange(lo, hi) + ", not in production", set: func(l *loader, name, v string) {
		d, err := time.ParseDuration(v)
		switch {
		case l.production():
			l.bad("%s is for development and tests only: unset it in production", name)
		case err != nil || d < lo || d > hi:
			l.bad("%s must be a duration from %s to %s such as %s, not %q", name, lo, hi, example, v)
		default:
			*dst(&l.cfg) = d
			l.warn("%s is %s: "+warning, name, d, hi)
		}
	}}
}

// secretBytes takes a secret of at least minLen bytes.
func secretBytes(minLen int, dst func(*Config) *[]byte) parser {
	return parser{Accepts: fmt.Sprintf("at least %d bytes", minLen), set: func(l *loader, name, v string) {
		if len(v) < minLen {
			l.bad("%s must be at least %d bytes long, got %d", name, minLen, len(v))
			return
		}
		*dst(&l.cfg) = []byte(v)
	}}
}

// text keeps the value for a rule to check (Accepts says what the rule takes).
func text(accepts string, dst func(*loader) *string) parser {
	return parser{Accepts: accepts, set: func(l *loader, _, v string) { *dst(l) = v }}
}

var filingDays = parser{Accepts: "`days[,STATE=days...]`, each 1 to 365", set: func(l *loader, name, v string) {
	f, err := licensing.ParseFilingDeadlines(v)
	if err != nil {
		l.bad("%s: %v", name, err)
		return
	}
	l.cfg.FilingDeadlines = f
}}

var postgresURL = parser{Accepts: "a `postgres://` or `postgresql://` URL", set: func(l *loader, name, v string) {
	l.cfg.DatabaseURL = v
	if !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		l.bad("%s must be a postgres:// URL", name)
	}
}}

var listenAddr = parser{Accepts: "`host:port` or `:port`", set: func(l *loader, name, v string) {
	l.cfg.HTTPAddr = v
	if _, port, err := net.SplitHostPort(v); err != nil {
		l.bad("%s must be host:port or :port, not %q", name, v)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		l.bad("%s has an invalid port %q", name, port)
	}
}}

var logLevel = parser{Accepts: "`debug`, `info`, `warn` or `error`", set: func(l *loader, name, v string) {
	lv, err := logx.ParseLevel(v)
	if err != nil {
		l.bad("%s: %v", name, err)
	}
	l.cfg.LogLevel = lv
}}

var bodyBytes = parser{Accepts: "at least `1024`", set: func(l *loader, name, v string) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1024 {
		l.bad("%s must be a whole number of bytes, at least 1024, not %q", name, v)
	}
	l.cfg.MaxBodyBytes = n
}}

var proxies = parser{Accepts: "IP addresses or CIDRs, comma-separated", set: func(l *loader, name, v string) {
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
			l.bad("%s: %q is not an IP address or CIDR", name, p)
			continue
		}
		l.cfg.TrustedProxies = append(l.cfg.TrustedProxies, p)
	}
}}

var allowPrivate = parser{Accepts: "`true` or `false`", set: func(l *loader, name, v string) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.bad("%s must be true or false, not %q", name, v)
	}
	l.cfg.WebhookAllowPrivate = &b
	if b && l.production() {
		l.warn("%s is true: webhooks may reach loopback and private addresses and use http", name)
	}
}}

var publicURL = parser{Accepts: "absolute http(s) URL", set: func(l *loader, name, v string) {
	if l.absURL(name, v, false) {
		l.cfg.PublicURL = strings.TrimRight(v, "/")
	}
}}

// pemText reads a PEM value given on one line with "\n" for line breaks.
func pemText(v string) string {
	if !strings.Contains(v, "\n") {
		return strings.ReplaceAll(v, `\n`, "\n")
	}
	return v
}

var signingKey = parser{Accepts: "an Ed25519 private key, PEM", set: func(l *loader, name, v string) {
	k, err := credential.ParsePrivateKey(pemText(v))
	if err != nil {
		l.bad("%s: %v", name, err)
		return
	}
	l.cfg.CredentialSigningKey = k
}}

var retiredKeys = parser{Accepts: "Ed25519 keys, PEM", set: func(l *loader, name, v string) {
	ks, err := credential.ParsePublicKeys(pemText(v))
	if err != nil {
		l.bad("%s: %v", name, err)
		return
	}
	l.cfg.CredentialRetiredKeys = ks
}}

var issuerName = parser{Accepts: "1 to 200 characters", set: func(l *loader, name, v string) {
	if n := len([]rune(v)); n > 200 {
		l.bad("%s must be at most 200 characters, got %d", name, n)
		return
	}
	l.cfg.CredentialIssuerName = v
}}

// boolean takes true or false.
func boolean(dst func(*loader) *bool) parser {
	return parser{Accepts: "`true` or `false`", set: func(l *loader, name, v string) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			l.bad("%s must be true or false, not %q", name, v)
		}
		*dst(l) = b
	}}
}

var groupMap = parser{Accepts: "`group=role:<role>` or `group=client:<slug>`, `;`-separated", set: func(l *loader, name, v string) {
	m := auth.GroupMap{Roles: map[string]auth.Role{}, Clients: map[string][]string{}}
	for _, e := range strings.Split(v, ";") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		i := strings.LastIndex(e, "=")
		group, target := "", ""
		if i > 0 {
			group, target = strings.TrimSpace(e[:i]), strings.TrimSpace(e[i+1:])
		}
		kind, value, _ := strings.Cut(target, ":")
		switch {
		case group == "":
			l.bad("%s: %q must be group=role:<role> or group=client:<client slug>", name, e)
		case kind == "role" && auth.Role(value).Valid():
			if r, ok := m.Roles[group]; ok && r != auth.Role(value) {
				l.bad("%s: group %q maps to two roles", name, group)
			}
			m.Roles[group] = auth.Role(value)
		case kind == "role":
			l.bad("%s: %q is not a role (agent, trainer, supervisor, compliance or admin)", name, value)
		case kind == "client" && value != "":
			m.Clients[group] = append(m.Clients[group], value)
		default:
			l.bad("%s: %q must be group=role:<role> or group=client:<client slug>", name, e)
		}
	}
	l.cfg.GroupMap = m
}}

var breakGlass = parser{Accepts: "email addresses, comma-separated", set: func(l *loader, name, v string) {
	for _, e := range strings.Split(v, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			l.bad("%s: %q is not an email address", name, e)
			continue
		}
		l.cfg.Password.BreakGlass = append(l.cfg.Password.BreakGlass, e)
	}
}}

var metricsAddr = parser{Accepts: "`host:port`", set: func(l *loader, _, v string) { l.cfg.MetricsAddr = v }}

var metricsToken = parser{Accepts: "at least 16 bytes", set: func(l *loader, _, v string) { l.cfg.MetricsToken = v }}

// randomJWTSecret is JWT_SECRET's development default: random, for this
// process only.
func randomJWTSecret(l *loader) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	l.cfg.JWTSecret = b
	l.values["JWT_SECRET"], l.sources["JWT_SECRET"] = string(b), "random"
	l.warn("JWT_SECRET is not set: using a random secret for this process only; every session ends when it stops, and replicas will not accept each other's tokens")
}

// absURL reports whether v is an absolute http(s) URL without credentials
// (https only when httpsOnly), reporting why not.
func (l *loader) absURL(name, v string, httpsOnly bool) bool {
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
		l.bad("%s must be an absolute http(s) URL without credentials, not %q", name, v)
		return false
	case httpsOnly && u.Scheme != "https":
		l.bad("%s must be https in production", name)
		return false
	}
	return true
}

// mailRule turns email on when SMTP_ADDR is set, checking the sender and
// that the credentials go together; the other SMTP_* settings need it.
func mailRule(l *loader) {
	m := l.mail
	switch {
	case m.Addr == "" && (m.From != "" || m.Username != "" || m.Password != ""):
		l.bad("SMTP_FROM, SMTP_USERNAME and SMTP_PASSWORD need SMTP_ADDR: set it, or unset them")
	case m.Addr != "":
		if _, port, err := net.SplitHostPort(m.Addr); err != nil || port == "" {
			l.bad("SMTP_ADDR must be host:port such as smtp.example.com:587, not %q", m.Addr)
		}
		if a, err := mail.ParseAddress(m.From); err != nil || strings.ContainsAny(m.From, "\r\n") {
			l.bad("SMTP_FROM must be an email address such as \"Skillgate <noreply@example.com>\", not %q", m.From)
		} else {
			m.From = a.String()
		}
		if (m.Username == "") != (m.Password == "") {
			l.bad("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither")
		}
		l.cfg.Mail = &m
	}
}

// xapiRule turns learning records on when XAPI_ENDPOINT is set, checking
// the URLs and the actor; the other XAPI_* settings need it.
func xapiRule(l *loader) {
	x, home := l.xapi, l.xapiHome
	if x.Endpoint == "" {
		if x.ActivityBase != "" || x.Username != "" || x.Password != "" || x.Actor != "" || home != "" {
			l.bad("XAPI_ACTIVITY_BASE, XAPI_USERNAME, XAPI_PASSWORD, XAPI_ACTOR and XAPI_ACCOUNT_HOMEPAGE need XAPI_ENDPOINT: set it, or unset them")
		}
		return
	}
	l.absURL("XAPI_ENDPOINT", x.Endpoint, l.production())
	x.Endpoint = strings.TrimRight(x.Endpoint, "/") + "/"
	if x.ActivityBase == "" {
		l.bad("XAPI_ACTIVITY_BASE is required with XAPI_ENDPOINT: the IRI activity ids start with, e.g. https://skillgate.example.com/xapi/activities")
	} else {
		l.absURL("XAPI_ACTIVITY_BASE", x.ActivityBase, false)
	}
	x.ActivityBase = strings.TrimRight(x.ActivityBase, "/")
	x.AccountHomePage = home
	switch x.Actor {
	case "":
		x.Actor = xapi.ActorMbox
	case xapi.ActorMbox, xapi.ActorAccount:
	default:
		l.bad("XAPI_ACTOR must be mbox or account, not %q", x.Actor)
	}
	if x.Actor == xapi.ActorAccount {
		if home == "" {
			home = l.cfg.PublicURL
		}
		if home == "" {
			l.bad("XAPI_ACTOR=account needs XAPI_ACCOUNT_HOMEPAGE (or PUBLIC_URL): the system the account ids belong to")
		} else if l.absURL("XAPI_ACCOUNT_HOMEPAGE", home, false) {
			x.AccountHomePage = home
		}
	}
	l.cfg.XAPI = &x
}

// deadlineRule warns when the credential lookup may outlast a request.
func deadlineRule(l *loader) {
	if d := l.cfg.Deadlines; d.Auth > min(d.Eligibility, d.API, d.Bulk) {
		l.warn("DEADLINE_AUTH (%s) is longer than a request deadline: that request's own deadline bounds its credential lookup", d.Auth)
	}
}

// identityProviderRule turns OpenID Connect sign-in on when OIDC_ISSUER is
// set, checking that the client id and secret go with it, and that password
// sign-in is turned off only when there is another way in.
func identityProviderRule(l *loader) {
	o := l.oidc
	if o.Issuer == "" {
		if o.ClientID != "" || o.ClientSecret != "" {
			l.bad("OIDC_CLIENT_ID and OIDC_CLIENT_SECRET need OIDC_ISSUER")
		}
		if l.cfg.Password.Off {
			l.bad("PASSWORD_SIGN_IN=off needs OIDC_ISSUER: otherwise only the break-glass admins could sign in")
		}
	} else if l.absURL("OIDC_ISSUER", o.Issuer, l.production()) {
		if o.ClientID == "" || o.ClientSecret == "" {
			l.bad("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE)")
		}
		if !slices.Contains(strings.Fields(o.Scopes), "openid") {
			l.bad("OIDC_SCOPES must include openid, got %q", o.Scopes)
		}
		if n := len([]rune(o.Name)); n == 0 || n > 60 {
			l.bad("OIDC_NAME must be 1 to 60 characters, got %d", n)
		}
		o.Issuer = strings.TrimRight(o.Issuer, "/")
		l.cfg.OIDC = &o
	}
	if l.cfg.Password.Off && len(l.cfg.Password.BreakGlass) == 0 {
		l.warn("PASSWORD_SIGN_IN is off and PASSWORD_BREAK_GLASS is empty: if the identity provider is down, no one can sign in")
	}
	if !l.cfg.Password.Off && len(l.cfg.Password.BreakGlass) > 0 {
		l.warn("PASSWORD_BREAK_GLASS is set but PASSWORD_SIGN_IN is on: everyone may sign in with a password")
	}
}

// metricsRule checks METRICS_ADDR and METRICS_TOKEN: a host:port that is
// not the public listener, a token only with an address and long enough,
// and a warning when the address is open beyond loopback without a token.
func metricsRule(l *loader) {
	addr, token := l.cfg.MetricsAddr, l.cfg.MetricsToken
	if addr != "" {
		host, port, err := net.SplitHostPort(addr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			l.bad("METRICS_ADDR must be host:port such as 127.0.0.1:9090, not %q", addr)
		} else if addr == l.cfg.HTTPAddr {
			l.bad("METRICS_ADDR must differ from HTTP_ADDR: metrics are for operators, not the public listener")
		} else if ip := net.ParseIP(host); token == "" && (ip == nil || !ip.IsLoopback()) && host != "localhost" {
			l.warn("METRICS_ADDR %s is not a loopback address and METRICS_TOKEN is not set: anyone who can reach it reads the metrics", addr)
		}
	} else if token != "" {
		l.bad("METRICS_TOKEN is set but METRICS_ADDR is not: set the address metrics are served on")
	}
	if token != "" && len(token) < 16 {
		l.bad("METRICS_TOKEN must be at least 16 bytes long, got %d", len(token))
	}
}

// durationRange is "`lo` to `hi`" for the docs.
func durationRange(lo, hi time.Duration) string {
	return "`" + shortDuration(lo) + "` to `" + shortDuration(hi) + "`"
}

// shortDuration writes d as people do: 1h, 10m, 30s, 50ms.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Setting describes one environment variable the server reads, as
// `skillgate config` and docs/configuration.md show it.
type Setting struct {
	Name string
	// Default is the value when unset, per environment when they differ,
	// markdown.
	Default string
	// Accepts is the range of values taken, markdown ("" when Meaning says).
	Accepts string
	// Meaning is what the variable does, markdown.
	Meaning string
	// Secret settings may come from NAME_FILE and are masked when shown.
	Secret bool
}

// Settings describes every environment variable the server reads, in the
// order LoadConfig reads them.
func Settings() []Setting {
	out := make([]Setting, len(settings))
	for i, s := range settings {
		out[i] = Setting{Name: s.Name, Default: s.defaultDoc(), Accepts: s.Parse.Accepts, Meaning: s.Doc, Secret: s.Secret}
	}
	return out
}

// defaultDoc is the default column of the docs.
func (s setting) defaultDoc() string {
	var d string
	switch {
	case s.DefaultDoc != "":
		d = s.DefaultDoc
	case s.ProdDefault != "":
		d = "`" + s.Default + "` in development, `" + s.ProdDefault + "` in production"
	case s.Default != "" && s.RequiredInProduction != "":
		d = "`" + s.Default + "` in development"
	case s.Default != "":
		d = "`" + s.Default + "`"
	default:
		d = "none"
	}
	if s.RequiredInProduction != "" {
		d += "; required in production"
	}
	return d
}

// SettingValue is one variable's value in effect.
type SettingValue struct {
	Name string
	// Value is the value used, masked for secrets ("" when unset and
	// without a default).
	Value string
	// Source is where it came from: "set", "file" (NAME_FILE), "default",
	// "random" (a development JWT_SECRET) or "" (unset).
	Source string
}

// ConfigValues reads the configuration through getenv, as LoadConfig does,
// and returns every variable's value in effect with secrets masked, the
// warnings, and the same *ConfigError LoadConfig would.
func ConfigValues(getenv func(string) string) ([]SettingValue, []string, error) {
	l := load(getenv)
	out := make([]SettingValue, len(settings))
	for i, s := range settings {
		v, src := l.values[s.Name], l.sources[s.Name]
		if s.Secret && v != "" {
			v = maskSecret(v)
		}
		out[i] = SettingValue{Name: s.Name, Value: v, Source: src}
	}
	if len(l.problems) > 0 {
		return out, l.cfg.Warnings, &ConfigError{Problems: l.problems}
	}
	return out, l.cfg.Warnings, nil
}

// maskSecret hides a secret: a URL keeps everything but its password (in
// its user part or its query); anything else is stars.
func maskSecret(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "********"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// ConfigMarkdown is the table of docs/configuration.md's "The server's
// variables", written from the settings: one row a variable, then the
// secrets that may come from a file.
func ConfigMarkdown() string {
	var b strings.Builder
	b.WriteString("| variable | default | accepts | meaning |\n|---|---|---|---|\n")
	var files []string
	for _, s := range Settings() {
		cell := func(v string) string { return strings.ReplaceAll(v, "|", `\|`) }
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.Name, cell(s.Default), cell(s.Accepts), cell(s.Meaning))
		if s.Secret {
			files = append(files, "`"+s.Name+"_FILE`")
		}
	}
	b.WriteString("\nSecrets that may come from a file (`<NAME>_FILE` holding the value; setting both is an error):\n")
	b.WriteString(strings.Join(files, ", ") + ".\n")
	return b.String()
}
