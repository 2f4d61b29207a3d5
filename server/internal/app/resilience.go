package app

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/httpx"
	"github.com/skillgate/skillgate/server/internal/idempotency"
	"github.com/skillgate/skillgate/server/internal/jobs"
	"github.com/skillgate/skillgate/server/internal/metrics"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// IdempotentRoutes are the writes a client may retry with an
// Idempotency-Key header (method and route template). Each documents the
// header in its OpenAPI fragment (a test checks).
var IdempotentRoutes = map[string]bool{
	"POST /api/v1/attempts/:id/submit":      true,
	"POST /api/v1/runs/:id/turns":           true,
	"POST /api/v1/licenses":                 true,
	"POST /api/v1/appointments":             true,
	"POST /api/v1/programs/:id/assignments": true,
}

// EligibilityRoutes are the routing system's reads, admitted in their own
// class so that a flood of anything else cannot starve them (nor they it).
var EligibilityRoutes = map[string]bool{
	"GET /api/v1/eligibility":         true,
	"POST /api/v1/eligibility/batch":  true,
	"GET /api/v1/agents/:id/programs": true,
}

// QuietSlowRequest is how long a hot read may take before the access log
// writes it (faster ones that succeed are counted by the metrics only).
const QuietSlowRequest = 250 * time.Millisecond

// QuietRoutes are the hot reads besides EligibilityRoutes that the access
// log writes only when they fail with a 5xx or are slow: module reads,
// answered from memory in tens of microseconds (a line each would be a
// large share of that).
var QuietRoutes = map[string]bool{
	"GET /api/v1/modules/:id":                  true,
	"GET /api/v1/modules/:id/versions/:number": true,
}

// isHotRead reports whether the request is one of EligibilityRoutes or
// QuietRoutes.
func isHotRead(c *gin.Context) bool {
	k := c.Request.Method + " " + c.FullPath()
	return EligibilityRoutes[k] || QuietRoutes[k]
}

// BulkRoutes are the reads and writes that handle thousands of rows in one
// request (rosters, exports, reconciliations, CSV imports): they run under
// Deadlines.Bulk instead of Deadlines.API.
var BulkRoutes = map[string]bool{
	"GET /api/v1/programs/:id/roster":        true,
	"GET /api/v1/exports/taskrouter-workers": true,
	"POST /api/v1/eligibility/reconcile":     true,
	"POST /api/v1/users/import":              true,
	"POST /api/v1/licenses/import":           true,
}

// deadline bounds each API request by its class's deadline (see Deadlines);
// health, readiness, the API document and the web app have none (readyz
// bounds its own check).
func (a *App) deadline() gin.HandlerFunc {
	d := a.Config.Deadlines.orDefault()
	return httpx.Deadline(func(c *gin.Context) time.Duration {
		route := c.FullPath()
		switch key := c.Request.Method + " " + route; {
		case EligibilityRoutes[key]:
			return d.Eligibility
		case BulkRoutes[key]:
			return d.Bulk
		case strings.HasPrefix(route, "/api/v1/"):
			return d.API
		}
		return 0
	})
}

// resilience wires what keeps the server well-behaved under failure and
// load: metrics, idempotency keys (and their cleanup job), and the
// admission limiters.
func (a *App) resilience() {
	sqlDB, _ := a.DB.DB()
	a.Metrics = metrics.New(sqlDB, a.Webhooks.OutboxLag)
	if a.Config.EligibilityView {
		a.Metrics.Gauge("skillgate_eligibility_view_age_seconds",
			"Time since this replica's last successful read of the eligibility change feed began (the view answers only under 0.5 s).",
			func() float64 { age, _ := a.Routing.ViewStats(); return age.Seconds() })
		a.Metrics.Gauge("skillgate_eligibility_view_entries", "Questions this replica's eligibility view holds.",
			func() float64 { _, n := a.Routing.ViewStats(); return float64(n) })
		a.Metrics.Counter("skillgate_eligibility_feed_read_failures_total",
			"Reads of the eligibility change feed that failed (missed their deadline or found the database away); the view answers from the database meanwhile.",
			func() float64 { return float64(a.Routing.FeedReadFailures()) })
	}
	a.Idempotency = idempotency.NewService(idempotency.NewStore(a.DB), a.Clock, idempotency.Options{}, a.Log)
	a.workers = append(a.workers, jobs.Every("idempotency-cleanup", 10*time.Minute, a.Log, a.Idempotency.RunOnce))
	keys := a.Idempotency.Middleware()
	a.apiMiddleware = append(a.apiMiddleware, func(c *gin.Context) {
		if IdempotentRoutes[c.Request.Method+" "+c.FullPath()] {
			keys(c)
			return
		}
		c.Next()
	})
	if l := a.Config.Admission; l.EligibilityLimit > 0 {
		a.eligibilityLimiter = httpx.NewLimiter("eligibility", l.EligibilityLimit, l.EligibilityWait)
		if l.EligibilityTarget > 0 {
			a.eligibilityLimiter.Target = l.EligibilityTarget
		}
		a.eligibilityLimiter.Queue = l.EligibilityQueue
	}
	if l := a.Config.Admission; l.Limit > 0 {
		a.apiLimiter = httpx.NewLimiter("api", l.Limit, l.Wait)
		if l.Target > 0 {
			a.apiLimiter.Target = l.Target
		}
	}
	for _, l := range []*httpx.Limiter{a.eligibilityLimiter, a.apiLimiter} {
		if l == nil {
			continue
		}
		a.Metrics.Gauge("skillgate_admission_"+l.Class+"_in_flight", "Requests of the "+l.Class+" class holding an admission slot.",
			func() float64 { return float64(l.InFlight()) })
		a.Metrics.Gauge("skillgate_admission_"+l.Class+"_waiting", "Requests of the "+l.Class+" class waiting for an admission slot.",
			func() float64 { return float64(l.Waiting()) })
	}
}

// admission is the admission-control middleware: eligibility reads in one
// class, every other API route in another; health, readiness, the API
// document and the web app are never limited.
func (a *App) admission() gin.HandlerFunc {
	return httpx.Admission(func(c *gin.Context) *httpx.Limiter {
		route := c.FullPath()
		switch {
		case EligibilityRoutes[c.Request.Method+" "+route]:
			return a.eligibilityLimiter
		case strings.HasPrefix(route, "/api/v1/"):
			return a.apiLimiter
		}
		return nil
	}, a.Metrics.Rejected)
}

// MetricsHandler serves /metrics for the operator listener, behind the
// bearer token when one is configured.
func (a *App) MetricsHandler() http.Handler { return a.Metrics.Handler(a.Config.MetricsToken) }

// jobContext is ctx with the metrics observing every job pass and every
// attempt at a queued job.
func (a *App) jobContext(ctx context.Context) context.Context {
	return queue.WithObserver(jobs.WithObserver(ctx, a.Metrics), a.Metrics)
}
