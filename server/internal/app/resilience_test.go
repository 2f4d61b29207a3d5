package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apidoc"
	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/idempotency"
	"github.com/skillgate/skillgate/server/internal/testdb"
	"github.com/skillgate/skillgate/server/internal/testwait"
)

func TestIdempotentRoutesExistAndDocumentTheHeader(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	routes := map[string]bool{}
	for _, r := range env.App.Router.Routes() {
		routes[r.Method+" "+r.Path] = true
	}
	for _, set := range []map[string]bool{app.IdempotentRoutes, app.EligibilityRoutes, app.BulkRoutes} {
		for rt := range set {
			if !routes[rt] {
				t.Errorf("%s is listed but the router has no such route", rt)
			}
		}
	}
	for rt := range app.IdempotentRoutes {
		method, path, _ := strings.Cut(rt, " ")
		item := env.App.Doc.T.Paths.Find(apidoc.GinPath(path))
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("%s is not in the OpenAPI document", rt)
			continue
		}
		if item.GetOperation(method).Parameters.GetByInAndName("header", idempotency.Header) == nil {
			t.Errorf("%s does not document the %s header", rt, idempotency.Header)
		}
	}
}

func TestMetricsAreServedToOperatorsOnly(t *testing.T) {
	t.Parallel()
	const token = "metrics-token-for-the-test"
	env := apitest.NewWith(t, func(c *app.Config) {
		c.MetricsToken, c.EligibilityView, c.Admission = token, true, app.DefaultAdmission
	})
	env.Do(apitest.Request{Method: "GET", Path: "/healthz"})
	env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + "00000000-0000-0000-0000-000000000000"})
	ctx, cancel := context.WithCancel(context.Background())
	env.App.Start(ctx) // every job runs once at once
	defer cancel()

	// Not on the public router.
	if res := env.Do(apitest.Request{Method: "GET", Path: "/metrics", NoValidate: true}); strings.Contains(string(res.Body), "skillgate_http_requests_total") {
		t.Fatalf("the public router serves metrics: %d", res.Status)
	}
	srv := httptest.NewServer(env.App.MetricsHandler())
	defer srv.Close()
	get := func(auth string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, bad := range []string{"", "Bearer wrong", token} {
		if code, _ := get(bad); code != 401 {
			t.Errorf("Authorization %q: got %d, want 401", bad, code)
		}
	}
	want := []string{
		`skillgate_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`skillgate_http_requests_total{method="GET",route="/api/v1/programs/:id",status="401"} 1`,
		`skillgate_http_request_duration_seconds_bucket{method="GET",route="/healthz"`,
		`go_sql_max_open_connections{db_name="skillgate"} 10`,
		`skillgate_outbox_lag_seconds 0`,
		`skillgate_job_runs_total{job="idempotency-cleanup"}`,
		`skillgate_job_runs_total{job="webhook-delivery"}`,
		`skillgate_eligibility_view_entries 0`,
		`skillgate_eligibility_feed_read_failures_total 0`,
		"skillgate_eligibility_view_age_seconds 0\n", // read, at the injected clock's instant
		`skillgate_admission_eligibility_in_flight 0`,
		`skillgate_admission_eligibility_waiting 0`,
		`skillgate_admission_api_in_flight 0`,
		`skillgate_admission_api_waiting 0`,
		`go_goroutines`,
	}
	// The jobs' first passes run in their own goroutines: wait for them.
	var code int
	var missing []string
	if _, ok := testwait.Within(testwait.Deadline, func() bool {
		var body string
		code, body = get("Bearer " + token)
		missing = missing[:0]
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = append(missing, w)
			}
		}
		return code == 200 && len(missing) == 0
	}); !ok {
		t.Fatalf("got %d, missing %q", code, missing)
	}
}

func TestAdmissionRefusalIsDocumentedError(t *testing.T) {
	t.Parallel()
	// With a zero-wait limit of one held by nobody, requests pass; the
	// limiter itself is tested in httpx. Here: the configured app answers
	// through admission control and stays within the document.
	env := apitest.NewWith(t, func(c *app.Config) { c.Admission = app.DefaultAdmission })
	if res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/eligibility?agent=x&program=y"}); res.Status != 401 {
		t.Errorf("got %d %s, want 401 (admitted, then refused by auth)", res.Status, res.Body)
	}
}

func TestDurabilityCheckWarnsWhenCommitsAreNotDurable(t *testing.T) {
	t.Parallel()
	url := testdb.NewURL(t)
	for _, tc := range []struct {
		url  string
		want int
	}{{url, 0}, {url + "&synchronous_commit=off", 1}} {
		g, err := db.Open(context.Background(), tc.url, db.Options{MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		w, err := db.CheckDurability(context.Background(), g)
		db.Close(g)
		if err != nil || len(w) != tc.want {
			t.Errorf("%s: got %q, %v; want %d warnings", tc.url, w, err, tc.want)
		}
		if tc.want == 1 && !strings.Contains(w[0], "synchronous_commit") {
			t.Errorf("got %q, want it to name synchronous_commit", w[0])
		}
	}
}

func TestStatementTimeoutIsSet(t *testing.T) {
	t.Parallel()
	g, err := db.Open(context.Background(), testdb.NewURL(t), db.Options{MaxOpenConns: 1, StatementTimeout: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(g)
	// Without the timeout the statement would run for a minute; with it,
	// it is cancelled after 250ms (well under 30 s, however busy the machine).
	t0 := time.Now()
	err = g.Exec("SELECT pg_sleep(60)").Error
	if err == nil || time.Since(t0) > 30*time.Second {
		t.Errorf("got %v after %s, want the statement cancelled after 250ms", err, time.Since(t0))
	}
}
