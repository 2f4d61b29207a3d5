package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/frontend"
	"github.com/skillgate/skillgate/server/internal/apidoc"
	"github.com/skillgate/skillgate/server/internal/attention"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/credential"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/httpx"
	"github.com/skillgate/skillgate/server/internal/idempotency"
	"github.com/skillgate/skillgate/server/internal/jobs"
	"github.com/skillgate/skillgate/server/internal/library"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/metrics"
	"github.com/skillgate/skillgate/server/internal/notify"
	"github.com/skillgate/skillgate/server/internal/oidc"
	"github.com/skillgate/skillgate/server/internal/onboarding"
	"github.com/skillgate/skillgate/server/internal/quiz"
	"github.com/skillgate/skillgate/server/internal/roleplay"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/scim"
	"github.com/skillgate/skillgate/server/internal/webhook"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

// App is a wired Skillgate: its router and the parts tests reach for.
type App struct {
	Config Config
	Log    *slog.Logger
	DB     *gorm.DB
	Clock  clock.Clock
	Doc    *apidoc.Doc
	Router *gin.Engine
	// Auth is the identity service (sign-in, users, API keys).
	Auth *auth.Service
	// OIDC is sign-in with the identity provider (nil when none is configured).
	OIDC *oidc.Service
	// Catalog is the content service (clients, programs, modules).
	Catalog *catalog.Service
	// Certification is the agent × program record (enrollment, certification).
	Certification *certification.Service
	// Credentials are the certificates (PDF, public verification) and
	// Open Badges credentials issued for certifications.
	Credentials *credential.Service
	// Quiz runs quiz attempts and grading.
	Quiz *quiz.Service
	// Roleplay runs role-play scenarios and their reviews.
	Roleplay *roleplay.Service
	// Licensing is agents' state licenses, their verification and expiry.
	Licensing *licensing.Service
	// Webhooks manages webhook subscriptions and delivers outbox events.
	Webhooks *webhook.Service
	// Routing is the gate: eligibility answers and queue assignments.
	Routing *routing.Service
	// Notify is the inbox, its reminders and their emails.
	Notify *notify.Service
	// XAPI queues and sends learning records to the LRS (when configured).
	XAPI *xapi.Service
	// Onboarding is cohorts, their dated tasks, reports and refreshers.
	Onboarding *onboarding.Service
	// Attention is each staff member's "what needs my attention" list.
	Attention *attention.Service
	// Metrics is the Prometheus registry served on the operator listener.
	Metrics *metrics.Metrics
	// Idempotency keeps Idempotency-Key answers (see IdempotentRoutes).
	Idempotency *idempotency.Service
	// eligibilityLimiter and apiLimiter are admission control (nil: none).
	eligibilityLimiter *httpx.Limiter
	apiLimiter         *httpx.Limiter
	migrator           *db.Migrator
	// apiMiddleware runs on every /api/v1 request before its handler.
	apiMiddleware []gin.HandlerFunc
	workers       []func(context.Context)
	webFS         fs.FS
	// importParts import quizzes and role-plays in the content import's transaction.
	importParts []catalog.Part
}

// registrar is what every domain handler offers the router.
type registrar interface {
	Register(rg *gin.RouterGroup)
}

// New wires every domain over g and returns the app. It does not migrate.
func New(cfg Config, log *slog.Logger, g *gorm.DB, clk clock.Clock) (*App, error) {
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	mig, err := db.NewMigrator(sqlDB, nil)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: g, Clock: clk, migrator: mig, webFS: frontend.Dist()}

	recorder := audit.NewRecorder(clk)
	a.workers = append(a.workers, jobs.EveryQuietly("audit-seal", audit.SealInterval, log,
		func(ctx context.Context) (int, error) { return audit.Seal(ctx, g) }))
	provider := ""
	if cfg.OIDC != nil {
		provider = cfg.OIDC.Name
	}
	a.Auth = auth.NewService(g, clk, recorder, auth.Config{Argon2: cfg.PasswordHashing,
		JWTSecret: cfg.JWTSecret, SecureCookies: cfg.Env != Development, Log: log,
		AccessTokenTTL: cfg.AccessTokenTTL, LookupTimeout: cfg.Deadlines.orDefault().Auth,
		Clients: catalog.NewStore(g), Password: cfg.Password, ProviderName: provider, Groups: cfg.GroupMap,
	})
	if cfg.OIDC != nil {
		a.OIDC = oidc.NewService(g, clk, a.Auth, oidc.Config{
			Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID, ClientSecret: cfg.OIDC.ClientSecret, Name: cfg.OIDC.Name,
			RedirectURL: cfg.publicURL() + "/api/v1" + oidc.CallbackPath, GroupsClaim: cfg.OIDC.GroupsClaim, Scopes: strings.Fields(cfg.OIDC.Scopes),
			CreateUsers: cfg.OIDC.CreateUsers, Groups: cfg.GroupMap, SecureCookies: cfg.Env != Development, Log: log,
		})
	}
	// Text PostgreSQL cannot store is refused in query and path parameters
	// here, in JSON bodies by httpx.BindJSON.
	a.apiMiddleware = append(a.apiMiddleware, httpx.ValidText(), a.Auth.Middleware())

	// Learning records are queued in the transaction of the event that
	// makes them (grading, a run's result, a completion, a certification).
	a.XAPI = xapi.NewService(g, a.Auth, clk, cfg.XAPI, log)
	learning := a.XAPI.Enabled()
	// Certificates are issued in the transaction of the certification's
	// transition, and named in its learning record and webhook event.
	a.Credentials = credential.NewService(g, a.Auth, catalog.NewStore(g), clk, credential.Options{
		BaseURL: cfg.publicURL(), IssuerName: cfg.CredentialIssuerName, SigningKey: cfg.CredentialSigningKey,
		RetiredKeys: cfg.CredentialRetiredKeys, Log: log})
	a.Certification = certification.NewService(g, catalog.NewStore(g), a.Auth,
		evidence{quizzes: quiz.NewStore(g), roleplays: roleplay.NewStore(g)},
		learningRecorder[certification.LearningRecorder](learning, a.XAPI), a.Credentials, recorder, clk)
	a.Catalog = catalog.NewService(g, clk, recorder, a.Certification, a.Certification,
		learningRecorder[catalog.LearningRecorder](learning, a.XAPI))
	a.Quiz = quiz.NewService(g, catalog.NewStore(g), a.Certification, a.Certification,
		learningRecorder[quiz.LearningRecorder](learning, a.XAPI), recorder, clk)
	a.importParts = append(a.importParts, quiz.NewImporter(recorder, clk))
	a.workers = append(a.workers, jobs.Every("quiz-auto-submit", 5*time.Second, log, a.Quiz.RunOnce))
	a.Roleplay = roleplay.NewService(g, a.Certification.Store(), a.Certification,
		learningRecorder[roleplay.LearningRecorder](learning, a.XAPI), recorder, clk)
	a.importParts = append(a.importParts, a.Roleplay.Importer())
	a.Certification.Log = log
	a.workers = append(a.workers, jobs.Every("certification-evaluate", time.Minute, log, a.Certification.RunOnce))
	a.Webhooks, err = webhook.NewService(g, recorder, clk, cfg.webhookOptions(log))
	if err != nil {
		return nil, err
	}
	a.workers = append(a.workers, jobs.Every("webhook-delivery", 5*time.Second, log, a.Webhooks.RunJob))
	a.Routing = routing.NewService(g, recorder, clk)
	a.Routing.SetRosterCacheTTL(cfg.RosterCacheTTL)
	a.Routing.Deadline, a.Routing.BulkDeadline = cfg.Deadlines.orDefault().Eligibility, cfg.Deadlines.orDefault().Bulk
	a.Routing.Log = log
	a.Licensing = licensing.NewService(g, a.Auth, a.Certification.Store(), catalog.NewStore(g), a.Routing.Store(), recorder, clk)
	if cfg.FilingDeadlines.Default > 0 {
		a.Licensing.FilingDeadlines = cfg.FilingDeadlines
	}
	a.workers = append(a.workers, jobs.Every("license-expiry", time.Minute, log, a.Licensing.RunOnce))
	a.workers = append(a.workers, jobs.Every("ce-course-credits", time.Minute, log, a.Licensing.RunCECourseCredits))
	a.importParts = append(a.importParts, a.Licensing.CEImporter())
	if cfg.EligibilityView {
		a.Routing.EnableView()
		a.workers = append(a.workers, a.Routing.RunView)
		// The view's feed reads keep the readers' caches current too.
		a.Routing.OnFeed(a.Auth.SessionCache())
		for _, c := range a.Catalog.ReaderCaches() {
			a.Routing.OnFeed(c)
		}
	}
	a.workers = append(a.workers, jobs.Every("eligibility-redecide", 30*time.Second, log, a.Routing.RunOnce))
	a.workers = append(a.workers, jobs.Every("eligibility-feed-prune", routing.FeedPruneEvery, log, a.Routing.PruneFeed))
	a.Notify = notify.NewService(g, a.Auth, clk, notify.Options{Mail: cfg.Mail, PublicURL: cfg.PublicURL, Log: log,
		Sources: a.NotifySources()})
	reminderEvery := notify.ReminderInterval
	if cfg.ReminderInterval > 0 {
		reminderEvery = cfg.ReminderInterval
	}
	a.workers = append(a.workers, jobs.Every("notify-reminders", reminderEvery, log, a.Notify.RunRemindersOnce))
	if cfg.Mail != nil {
		a.workers = append(a.workers, jobs.Every("notify-email", 15*time.Second, log, a.Notify.RunEmailOnce))
	}
	if learning {
		a.workers = append(a.workers, jobs.Every("xapi-statements", 15*time.Second, log, a.XAPI.RunOnce))
	}
	// Task reminders go to the notify inbox (and its emails).
	a.Onboarding = onboarding.NewService(g, catalog.NewStore(g), a.Certification, a.Auth,
		competencies{a.Roleplay.Store()}, titles{a.Quiz.Store(), a.Roleplay.Store()}, reminders{a.Notify}, recorder, clk)
	a.Onboarding.Log = log
	// The one setter in the wiring for a cycle: onboarding enrolls agents
	// through certification, which tells onboarding of every transition.
	a.Certification.SetTransitionListener(a.Onboarding)
	a.workers = append(a.workers, jobs.Every("onboarding-reminders", min(reminderEvery, 10*time.Minute), log, a.Onboarding.RunReminders))
	a.Attention = attention.NewService(attention.Sources{Cohorts: a.Onboarding, Reviews: a.Roleplay, Programs: a.Catalog,
		Rosters: a.Routing, Certifications: a.Certification, Licenses: a.Licensing, Identity: a.Auth, Webhooks: a.Webhooks}, clk)
	a.resilience()

	var handlers []registrar
	for _, d := range domains {
		handlers = append(handlers, d.handler(a))
	}
	a.Doc, err = APIDoc()
	if err != nil {
		return nil, err
	}
	a.Router = a.router(handlers)
	return a, nil
}

// domains lists each domain: its part of the OpenAPI document and its handler.
var domains = []struct {
	name    string
	openapi []byte
	handler func(a *App) registrar
}{
	{"auth", auth.OpenAPI, func(a *App) registrar { return auth.NewHandler(a.Auth) }},
	{"oidc", oidc.OpenAPI, func(a *App) registrar {
		if a.OIDC == nil {
			return noRoutes{}
		}
		return oidc.NewHandler(a.OIDC, auth.NewHandler(a.Auth))
	}},
	{"audit", audit.OpenAPI, func(a *App) registrar {
		return audit.NewHandler(a.DB, auth.RequireUser(auth.RoleCompliance, auth.RoleAdmin), a.auditPeople)
	}},
	{"catalog", catalog.OpenAPI, func(a *App) registrar { return catalog.NewHandler(a.Catalog) }},
	{"certification", certification.OpenAPI, func(a *App) registrar { return certification.NewHandler(a.Certification) }},
	{"credential", credential.OpenAPI, func(a *App) registrar {
		limit := a.Config.VerifyRateLimit
		if limit <= 0 {
			limit = 60
		}
		return credential.NewHandler(a.Credentials, httpx.NewRateLimiter(limit, time.Minute, a.Clock.Now))
	}},
	{"quiz", quiz.OpenAPI, func(a *App) registrar { return quiz.NewHandler(a.Quiz) }},
	{"roleplay", roleplay.OpenAPI, func(a *App) registrar { return roleplay.NewHandler(a.Roleplay) }},
	{"licensing", licensing.OpenAPI, func(a *App) registrar { return licensing.NewHandler(a.Licensing) }},
	{"webhook", webhook.OpenAPI, func(a *App) registrar { return webhook.NewHandler(a.Webhooks) }},
	{"routing", routing.OpenAPI, func(a *App) registrar { return routing.NewHandler(a.Routing) }},
	{"notify", notify.OpenAPI, func(a *App) registrar { return notify.NewHandler(a.Notify) }},
	{"onboarding", onboarding.OpenAPI, func(a *App) registrar { return onboarding.NewHandler(a.Onboarding) }},
	{"attention", attention.OpenAPI, func(a *App) registrar { return attention.NewHandler(a.Attention) }},
	{"library", library.OpenAPI, func(a *App) registrar {
		drafts := library.NewDrafts(library.NewStore(a.DB), a.Catalog, a.ExportLibrary, a.Import, a.Clock, a.peopleNames)
		return library.NewHandler(a.Catalog, a.ExportLibrary, a.Import, a.Clock, drafts)
	}},
}

// noRoutes registers nothing: the routes of a feature that is not configured.
type noRoutes struct{}

func (noRoutes) Register(*gin.RouterGroup) {}

// APIDoc assembles the OpenAPI document served at /api/openapi.json from
// every domain's openapi.yaml. It needs no database: `skillgate openapi`
// prints it, and the web app's TypeScript types are generated from it.
func APIDoc() (*apidoc.Doc, error) {
	fragments := make([]apidoc.Fragment, 0, len(domains))
	for _, d := range domains {
		fragments = append(fragments, apidoc.Fragment{Name: d.name + "/openapi.yaml", YAML: d.openapi})
	}
	return apidoc.Build(fragments...)
}

// peopleNames names users (display name, else email) through identity.
func (a *App) peopleNames(ctx context.Context, ids []string) (map[string]string, error) {
	ps, err := a.Auth.PeopleByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		out[p.ID] = p.DisplayName
		if p.DisplayName == "" {
			out[p.ID] = p.Email
		}
	}
	return out, nil
}

// auditPeople names the users of an audit page through identity.
func (a *App) auditPeople(ctx context.Context, ids []string) (map[string]audit.Person, error) {
	ps, err := a.Auth.PeopleByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]audit.Person, len(ps))
	for _, p := range ps {
		out[p.ID] = audit.Person{Email: p.Email, DisplayName: p.DisplayName}
	}
	return out, nil
}

func (a *App) router(handlers []registrar) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	r.HandleMethodNotAllowed = false
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	// Believe X-Forwarded-For only from configured load balancers, so a
	// client cannot pick its own address (login throttling is per IP).
	if err := r.SetTrustedProxies(a.Config.TrustedProxies); err != nil {
		panic(err) // validated by LoadConfig
	}
	r.Use(httpx.RequestID(), httpx.Recover(a.Log), httpx.AccessLog(a.Log, isHotRead, QuietSlowRequest), a.Metrics.HTTP(), a.deadline(), a.admission(),
		httpx.SecurityHeaders(), httpx.BodyLimit(a.Config.MaxBodyBytes))

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", a.readyz)
	r.GET("/api/openapi.json", func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "application/json", a.Doc.JSON)
	})
	page, pageErr := a.Doc.HTML()
	r.GET("/api/docs", func(c *gin.Context) {
		if pageErr != nil {
			httpx.Error(c, pageErr)
			return
		}
		c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		c.Data(http.StatusOK, "text/html; charset=utf-8", page)
	})

	api := r.Group("/api/v1", a.apiMiddleware...)
	for _, h := range handlers {
		h.Register(api)
	}
	// SCIM provisioning speaks its own JSON and errors, and authenticates
	// its own token (an API key with the scim:provision scope).
	scim.NewHandler(a.Auth, a.Config.publicURL()+"/scim/v2", a.Log).Register(r.Group("/scim/v2", httpx.ValidText()))
	r.NoRoute(webApp(a.webFS))
	return r
}

// readyz answers 200 when the database answers and the schema is the one
// this binary expects.
func (a *App) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	ready := true
	cur, err := a.migrator.Current(ctx)
	switch {
	case err != nil:
		ready = false
		checks["database"] = "unreachable"
		checks["schema"] = "unknown"
		a.Log.WarnContext(ctx, "readiness: database check failed", "err", err)
	case cur != a.migrator.Latest():
		ready = false
		checks["database"] = "ok"
		checks["schema"] = "at version " + strconv.FormatInt(cur, 10) + ", expected " + strconv.FormatInt(a.migrator.Latest(), 10)
	default:
		checks["database"] = "ok"
		checks["schema"] = "ok"
	}
	if !ready {
		c.Header("Retry-After", "2")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not_ready", "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": checks})
}

// Routes lists the router's API operations in OpenAPI form.
func (a *App) Routes() []apidoc.Operation {
	var ops []apidoc.Operation
	for _, rt := range a.Router.Routes() {
		if strings.HasPrefix(rt.Path, "/api/") || rt.Path == "/healthz" || rt.Path == "/readyz" {
			ops = append(ops, apidoc.Operation{Method: rt.Method, Path: apidoc.GinPath(rt.Path)})
		}
	}
	return ops
}

// NotifySources are the domains the reminder job reads.
func (a *App) NotifySources() notify.Sources {
	return notify.Sources{Certifications: a.Certification.Store(), Programs: catalog.NewStore(a.DB),
		Licenses: a.Licensing.Store(), Roleplays: a.Roleplay.Store(), CE: a.Licensing}
}

// Start launches the background workers; they stop when ctx is done.
func (a *App) Start(ctx context.Context) {
	ctx = a.jobContext(ctx)
	for _, w := range a.workers {
		go w(ctx)
	}
}

// ExportLibrary writes the library (or one client's) in the layout Import
// reads, with the CE library as maintained in the app.
func (a *App) ExportLibrary(ctx context.Context, clientSlug string) ([]catalog.LibraryFile, error) {
	return a.Catalog.ExportLibrary(ctx, clientSlug, a.Licensing)
}

// Import loads a library tree (content and quizzes) in one transaction,
// with every domain's importer part (quizzes, role-plays) in the same run.
func (a *App) Import(ctx context.Context, contentDir, quizDir string, opts catalog.ImportOptions) (*catalog.Report, error) {
	opts.Parts = append(opts.Parts, a.importParts...)
	return a.Catalog.Import(ctx, contentDir, quizDir, opts)
}

// SchemaCurrent fails unless the database schema is the one this binary
// expects, naming the command that fixes it.
func (a *App) SchemaCurrent(ctx context.Context) error {
	cur, err := a.migrator.Current(ctx)
	if err != nil {
		return err
	}
	if cur != a.migrator.Latest() {
		return fmt.Errorf("the database schema is at version %d, this binary needs %d: run `skillgate migrate up` first", cur, a.migrator.Latest())
	}
	return nil
}

// learningRecorder is x as a domain's learning recorder when learning
// records are on, and a nil interface (no recorder) when they are off.
func learningRecorder[T any](on bool, x T) T {
	if on {
		return x
	}
	var none T
	return none
}
