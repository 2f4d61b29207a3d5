// Package metrics is Skillgate's Prometheus instrumentation for operators:
// requests by route template and status, latency histograms, admission
// rejections, the database pool, the outbox's lag, background job runs,
// queued jobs' attempts by outcome, and gauges other packages report (the
// eligibility view).
// It is served on its own listener (METRICS_ADDR), never on the public one.
package metrics

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// LagFunc reports the age of the oldest undelivered outbox event, false
// when nothing waits.
type LagFunc func(ctx context.Context) (time.Duration, bool, error)

// Metrics is one server's registry and instruments. Each App has its own,
// so tests with many servers in one process do not collide.
type Metrics struct {
	Registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	rejected    *prometheus.CounterVec
	jobRuns     *prometheus.CounterVec
	jobFailures *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	queued      *prometheus.CounterVec
	byRoute     sync.Map // httpKey → *httpInstruments
}

// New registers the instruments, the Go and process collectors, the pool
// statistics of sqlDB and the outbox lag gauge.
func New(sqlDB *sql.DB, lag LagFunc) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skillgate_http_requests_total", Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "skillgate_http_request_duration_seconds", Help: "HTTP request latency by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skillgate_admission_rejected_total", Help: "Requests refused by admission control (503), by route class.",
		}, []string{"class"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skillgate_job_runs_total", Help: "Background job passes, by job.",
		}, []string{"job"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skillgate_job_failures_total", Help: "Background job passes that failed, by job.",
		}, []string{"job"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "skillgate_job_duration_seconds", Help: "Background job pass duration, by job.",
			Buckets: prometheus.ExponentialBuckets(.001, 4, 9),
		}, []string{"job"}),
		queued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skillgate_queue_attempts_total",
			Help: "Attempts at queued jobs, by kind and outcome (the status recorded, retry, or lost_lease).",
		}, []string{"kind", "outcome"}),
	}
	m.Registry.MustRegister(m.requests, m.duration, m.rejected, m.jobRuns, m.jobFailures, m.jobDuration, m.queued,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if sqlDB != nil {
		m.Registry.MustRegister(collectors.NewDBStatsCollector(sqlDB, "skillgate"))
	}
	if lag != nil {
		m.Registry.MustRegister(&lagCollector{lag: lag, desc: prometheus.NewDesc("skillgate_outbox_lag_seconds",
			"Age of the oldest outbox event not yet delivered to every webhook (0 when none waits).", nil, nil)})
	}
	return m
}

// HTTP counts and times every request by its route template (never the
// concrete path, so ids do not explode the label space).
func (m *Metrics) HTTP() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.instruments(c.Request.Method, route, c.Writer.Status()).observe(time.Since(start))
	}
}

// httpKey names one route's instruments; httpInstruments are its counter
// and histogram, resolved once (WithLabelValues hashes and looks up its
// labels each time: a visible share of a request answered from memory).
// The set is bounded like the labels themselves: route templates, not
// paths.
type httpKey struct {
	method, route string
	status        int
}

type httpInstruments struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func (h *httpInstruments) observe(took time.Duration) {
	h.requests.Inc()
	h.duration.Observe(took.Seconds())
}

func (m *Metrics) instruments(method, route string, status int) *httpInstruments {
	k := httpKey{method, route, status}
	if h, ok := m.byRoute.Load(k); ok {
		return h.(*httpInstruments)
	}
	h := &httpInstruments{requests: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
		duration: m.duration.WithLabelValues(method, route)}
	got, _ := m.byRoute.LoadOrStore(k, h)
	return got.(*httpInstruments)
}

// Rejected counts a request refused by admission control.
func (m *Metrics) Rejected(class string) { m.rejected.WithLabelValues(class).Inc() }

// JobRan implements jobs.Observer.
func (m *Metrics) JobRan(name string, took time.Duration, _ int, err error) {
	m.jobRuns.WithLabelValues(name).Inc()
	if err != nil {
		m.jobFailures.WithLabelValues(name).Inc()
	}
	m.jobDuration.WithLabelValues(name).Observe(took.Seconds())
}

// JobAttempted implements queue.Observer.
func (m *Metrics) JobAttempted(kind, outcome string) { m.queued.WithLabelValues(kind, outcome).Inc() }

// Handler serves the registry in the Prometheus text format. With a token,
// only requests with Authorization: Bearer <token> are answered (401 else).
func (m *Metrics) Handler(token string) http.Handler {
	// A failing collector (the outbox lag while the database is down) must
	// not hide the others: an outage is when operators need them most.
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
	return mux
}

// Gauge registers a gauge read from f at each scrape.
func (m *Metrics) Gauge(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// Counter registers a counter read from f at each scrape (f only grows).
func (m *Metrics) Counter(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
}

// lagCollector asks for the outbox lag at each scrape.
type lagCollector struct {
	lag  LagFunc
	desc *prometheus.Desc
}

func (l *lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- l.desc }

func (l *lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	d, _, err := l.lag(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(l.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(l.desc, prometheus.GaugeValue, d.Seconds())
}
