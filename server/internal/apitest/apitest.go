// Package apitest drives the real Skillgate router over a fresh migrated
// database and checks every response against the OpenAPI document, so the
// document cannot drift from what the server sends.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/logx"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

// Start is the manual clock's starting time in every test environment.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func init() {
	for _, ct := range []string{"text/csv", "text/html", "text/plain", "text/markdown", "application/xml", "application/vc+jwt", "application/pdf"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

// TestArgon2 is the password hashing the test servers of tests (not
// benchmarks) use: argon2id, as in production, at a small fraction of its
// cost. The production parameters are tested in package auth.
var TestArgon2 = auth.Argon2Params{MemoryKiB: 512, Time: 1, Threads: 1}

// Env is one test's server: a fresh database, a manual clock and the app.
type Env struct {
	T     testing.TB
	App   *app.App
	DB    *gorm.DB
	Clock *clock.Manual
	// URL is the database's, for a child process (a benchmark's server)
	// to open the same one.
	URL    string
	router routers.Router
}

// New builds an app over a fresh migrated database with a manual clock.
func New(t testing.TB) *Env {
	t.Helper()
	return NewWith(t, nil)
}

// NewWith is New with the configuration changed by edit (when not nil)
// before the app is built, e.g. to configure SMTP or an LRS.
func NewWith(t testing.TB, edit func(*app.Config)) *Env {
	t.Helper()
	url := testdb.NewURL(t)
	g := testdb.Open(t, url)
	clk := clock.NewManual(Start)
	cfg := app.Config{
		Env:          app.Development,
		HTTPAddr:     ":0",
		JWTSecret:    []byte("test-secret-test-secret-test-secret!"),
		LogFormat:    "text",
		MaxBodyBytes: 1 << 20,
	}
	// Every user a test creates, and every login, hashes a password: at the
	// production cost (19 MiB, two passes) under the race detector that was
	// the largest fixed cost of a test. Benchmarks keep the production cost,
	// which is what they measure (BenchmarkLoginTiming).
	if _, bench := t.(*testing.B); !bench {
		cfg.PasswordHashing = TestArgon2
	}
	// Requests get a minute rather than the production deadlines (a gate read
	// has 2 s in all): on a busy machine a test's request can wait that long
	// for a CPU, and a 503 there says nothing about the code. The deadlines
	// themselves are tested where they are the subject (app's partition and
	// outage tests, httpx's deadline tests), with their own configuration.
	cfg.Deadlines = app.Deadlines{Eligibility: time.Minute, Bulk: time.Minute, API: time.Minute, Auth: time.Minute}
	if edit != nil {
		edit(&cfg)
	}
	a, err := app.New(cfg, logx.Discard(), g, clk)
	if err != nil {
		t.Fatalf("apitest: app: %v", err)
	}
	r, err := gorillamux.NewRouter(a.Doc.T)
	if err != nil {
		t.Fatalf("apitest: openapi router: %v", err)
	}
	return &Env{T: t, App: a, DB: g, Clock: clk, URL: url, router: r}
}

// Request describes one call. Body is marshalled to JSON unless it is a
// string or []byte, which are sent as they are.
type Request struct {
	Method  string
	Path    string
	Body    any
	Token   string
	Header  map[string]string
	Cookies []*http.Cookie
	// NoValidate skips the OpenAPI check (for deliberately odd requests).
	NoValidate bool
}

// Response is what came back.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Cookies []*http.Cookie
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode response %d %s: %v", r.Status, r.Body, err)
	}
}

// Code returns the error code of an error body, or "".
func (r *Response) Code() string {
	var b struct{ Code string }
	_ = json.Unmarshal(r.Body, &b)
	return b.Code
}

// Do sends req through the real router and validates the response against
// the OpenAPI document.
func (e *Env) Do(req Request) *Response {
	e.T.Helper()
	var body io.Reader
	ctype := ""
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
		ctype = "text/plain"
	case []byte:
		body = bytes.NewReader(b)
		ctype = "application/octet-stream"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("apitest: marshal body: %v", err)
		}
		body = bytes.NewReader(raw)
		ctype = "application/json"
	}
	hr := httptest.NewRequest(req.Method, req.Path, body)
	hr.RemoteAddr = "192.0.2.10:1234"
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	for _, c := range req.Cookies {
		hr.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.App.Router.ServeHTTP(rec, hr)
	res := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes(), Cookies: rec.Result().Cookies()}
	if !req.NoValidate {
		e.validate(hr, res)
	}
	return res
}

func (e *Env) validate(hr *http.Request, res *Response) {
	e.T.Helper()
	if !strings.HasPrefix(hr.URL.Path, "/api/") && hr.URL.Path != "/healthz" && hr.URL.Path != "/readyz" {
		return
	}
	route, params, err := e.router.FindRoute(hr)
	if err != nil {
		// An unknown route must answer the error JSON: 404, or 413 when the
		// body limit refused it first.
		if (res.Status != http.StatusNotFound && res.Status != http.StatusRequestEntityTooLarge) || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			e.T.Errorf("%s %s is not in the OpenAPI document and answered %d %s", hr.Method, hr.URL.Path, res.Status, res.Body)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request: hr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.Status,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(res.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		e.T.Errorf("%s %s answered %d, which the OpenAPI document does not describe: %v\nbody: %.500s", hr.Method, hr.URL.Path, res.Status, err, res.Body)
	}
}
