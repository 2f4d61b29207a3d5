package idempotency

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/httpx"
	"github.com/skillgate/skillgate/server/internal/testdb"
	"github.com/skillgate/skillgate/server/internal/testwait"
)

// fixture is a router with one idempotent route whose handler the test
// steers: it counts runs and answers what next returns.
type fixture struct {
	svc   *Service
	clock *clock.Manual
	store *Store
	r     *gin.Engine
	runs  atomic.Int32
	next  func() (int, string)
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	g := testdb.New(t)
	f := &fixture{clock: clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), store: NewStore(g)}
	f.svc = NewService(f.store, f.clock, opts, nil)
	f.next = func() (int, string) { return 200, `{"ok":true}` }
	gin.SetMode(gin.ReleaseMode)
	f.r = gin.New()
	f.r.Use(httpx.Recover(slogDiscard()))
	f.r.POST("/things/:id", func(c *gin.Context) {
		c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), &auth.Principal{UserID: "u1", Role: auth.RoleAgent}))
	}, f.svc.Middleware(), func(c *gin.Context) {
		f.runs.Add(1)
		status, body := f.next()
		c.Data(status, "application/json", []byte(body))
	})
	return f
}

func (f *fixture) post(key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/things/1", strings.NewReader(body))
	req.Header.Set(Header, key)
	rec := httptest.NewRecorder()
	f.r.ServeHTTP(rec, req)
	return rec
}

func TestInProgressDuplicateWaitsForTheAnswer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Wait: 5 * time.Second})
	release := make(chan struct{})
	entered := make(chan struct{})
	f.next = func() (int, string) {
		close(entered)
		<-release
		return 201, `{"id":"first"}`
	}
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- f.post("k", "{}") }()
	<-entered
	second := make(chan *httptest.ResponseRecorder)
	go func() { second <- f.post("k", "{}") }()
	waitForADuplicateToWait(t)
	close(release)
	a, b := <-first, <-second
	if a.Code != 201 || b.Code != 201 || b.Body.String() != `{"id":"first"}` || b.Header().Get(ReplayedHeader) != "true" {
		t.Errorf("got %d %s and %d %s, want the duplicate to wait and get the first answer", a.Code, a.Body, b.Code, b.Body)
	}
	if n := f.runs.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
}

// waitForADuplicateToWait returns once a request is waiting in serve for
// the answer of the request that holds its key: a goroutine blocked in
// serve's select, the only place serve blocks (the request holding a key is
// blocked further down, in its handler).
func waitForADuplicateToWait(t *testing.T) {
	t.Helper()
	testwait.Until(t, "the duplicate to wait for the first answer", func() bool {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			header, rest, _ := strings.Cut(g, "\n")
			first, _, _ := strings.Cut(rest, "\n")
			if strings.Contains(header, "[select") && strings.Contains(first, "idempotency.(*Service).serve(") {
				return true
			}
		}
		return false
	})
}

func TestInProgressDuplicateGivesUpWith409(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Wait: 200 * time.Millisecond})
	release := make(chan struct{})
	entered := make(chan struct{})
	f.next = func() (int, string) {
		close(entered)
		<-release
		return 200, `{}`
	}
	done := make(chan struct{})
	go func() { f.post("k", "{}"); close(done) }()
	<-entered
	t0 := time.Now()
	r := f.post("k", "{}")
	took := time.Since(t0)
	close(release)
	<-done
	if r.Code != 409 || !strings.Contains(r.Body.String(), ReasonInProgress) || r.Header().Get("Retry-After") == "" {
		t.Errorf("got %d %s, want 409 %s with Retry-After", r.Code, r.Body, ReasonInProgress)
	}
	// At least the wait; at most what a busy machine adds to it, far less
	// than the request holding the key would take (it never finishes).
	if took < 150*time.Millisecond || took > 30*time.Second {
		t.Errorf("gave up after %s, want about the 200ms wait", took)
	}
}

func TestFailedAnswersAreNotKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	answers := []int{503, 500, 429}
	f.next = func() (int, string) {
		if len(answers) > 0 {
			s := answers[0]
			answers = answers[1:]
			return s, `{"code":"unavailable"}`
		}
		return 200, `{"done":true}`
	}
	for _, want := range []int{503, 500, 429, 200, 200} {
		if r := f.post("k", "{}"); r.Code != want {
			t.Fatalf("got %d, want %d", r.Code, want)
		}
	}
	if n := f.runs.Load(); n != 4 {
		t.Errorf("handler ran %d times, want 4 (three refused answers released the key, then one success replayed)", n)
	}
}

func TestPanicReleasesTheKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	first := true
	f.next = func() (int, string) {
		if first {
			first = false
			panic("boom")
		}
		return 200, `{}`
	}
	if r := f.post("k", "{}"); r.Code != 500 {
		t.Fatalf("got %d, want 500 from the panic", r.Code)
	}
	if r := f.post("k", "{}"); r.Code != 200 || r.Header().Get(ReplayedHeader) != "" {
		t.Fatalf("got %d, want the retry to run", r.Code)
	}
}

func TestLapsedLeaseIsTakenOverBySameRequestOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Lease: time.Minute})
	now := f.clock.Now()
	// The first request's server died after claiming the key.
	dead := &Record{Principal: "user:u1", Key: "k", Method: "POST", Route: "/things/:id",
		RequestHash: requestHash("POST", "/things/:id", "/things/1", "", []byte("{}")),
		Owner:       "00000000-0000-0000-0000-000000000001", LockedUntil: now.Add(time.Minute), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if ok, err := f.store.Claim(context.Background(), dead); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	f.svc.opts.Wait = 100 * time.Millisecond
	if r := f.post("k", "{}"); r.Code != 409 || !strings.Contains(r.Body.String(), ReasonInProgress) {
		t.Fatalf("within the lease: got %d %s, want 409 in progress", r.Code, r.Body)
	}
	f.clock.Advance(time.Minute + time.Second)
	if r := f.post("k", `{"other":1}`); r.Code != 409 || !strings.Contains(r.Body.String(), ReasonMismatch) {
		t.Fatalf("another body after the lease: got %d %s, want 409 mismatch", r.Code, r.Body)
	}
	if r := f.post("k", "{}"); r.Code != 200 || f.runs.Load() != 1 {
		t.Fatalf("the same request after the lease: got %d (runs %d), want it to take over and run", r.Code, f.runs.Load())
	}
	if r := f.post("k", "{}"); r.Code != 200 || r.Header().Get(ReplayedHeader) != "true" || f.runs.Load() != 1 {
		t.Fatalf("then: got %d, want the kept answer", r.Code)
	}
}

func TestOnlyWithKeyAndPrincipal(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	req := httptest.NewRequest("POST", "/things/1", strings.NewReader("{}"))
	for range 2 {
		rec := httptest.NewRecorder()
		f.r.ServeHTTP(rec, req.Clone(context.Background()))
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d", rec.Code)
		}
	}
	if n := f.runs.Load(); n != 2 {
		t.Errorf("without a key the handler ran %d times, want 2", n)
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
