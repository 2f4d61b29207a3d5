package httpx

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/testwait"
)

func TestAdmissionLimitsEachClassAndRefusesFast(t *testing.T) {
	t.Parallel()
	gin.SetMode(gin.ReleaseMode)
	hot := NewLimiter("eligibility", 2, 100*time.Millisecond)
	rest := NewLimiter("api", 1, 0)
	var rejected []string
	var mu sync.Mutex
	r := gin.New()
	r.Use(Admission(func(c *gin.Context) *Limiter {
		switch c.FullPath() {
		case "/hot":
			return hot
		case "/rest":
			return rest
		}
		return nil
	}, func(class string) { mu.Lock(); rejected = append(rejected, class); mu.Unlock() }))
	block := make(chan struct{})
	entered := make(chan struct{}, 10)
	slow := func(c *gin.Context) { entered <- struct{}{}; <-block; c.Status(200) }
	r.GET("/hot", slow)
	r.GET("/rest", func(c *gin.Context) { c.Status(200) })
	r.GET("/free", func(c *gin.Context) { c.Status(200) })
	do := func(path string) (*httptest.ResponseRecorder, time.Duration) {
		rec := httptest.NewRecorder()
		t0 := time.Now()
		r.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec, time.Since(t0)
	}

	var wg sync.WaitGroup
	for range 2 { // fill both eligibility slots
		wg.Add(1)
		go func() { defer wg.Done(); do("/hot") }()
	}
	<-entered
	<-entered

	rec, took := do("/hot") // waits for a slot, gives up after 100ms
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("got %d (Retry-After %q), want 503 with Retry-After: 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	// At least the wait; at most what a busy machine adds to it (the slots
	// it waited for are never freed, so a limiter that did not give up
	// would not answer at all).
	if took < 80*time.Millisecond || took > 30*time.Second {
		t.Errorf("refused after %s, want about the 100ms queue wait", took)
	}
	// The other classes are not held up by a saturated one: answered while
	// the eligibility slots are still held.
	if rec, _ := do("/rest"); rec.Code != 200 {
		t.Errorf("another class: got %d, want 200", rec.Code)
	}
	if rec, _ := do("/free"); rec.Code != 200 {
		t.Errorf("an unlimited route: got %d, want 200", rec.Code)
	}
	// A queued request is admitted when a slot frees up. It may wait as
	// long as a busy machine takes to free one.
	hot.Wait = testwait.Deadline
	queued := make(chan int)
	go func() { rec, _ := do("/hot"); queued <- rec.Code }()
	testwait.Until(t, "the request to queue", func() bool { return hot.queue.Load() == 1 })
	block <- struct{}{} // one in-flight request finishes
	<-entered           // the queued one got its slot
	close(block)
	if code := <-queued; code != 200 {
		t.Errorf("queued request: got %d, want 200 once a slot was free", code)
	}
	wg.Wait()
	if hot.InFlight() != 0 || rest.InFlight() != 0 {
		t.Errorf("slots leaked: %d, %d in flight", hot.InFlight(), rest.InFlight())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(rejected) != 1 || rejected[0] != "eligibility" {
		t.Errorf("rejections reported: %v, want one for eligibility", rejected)
	}
}

func TestAdmissionQueueIsBounded(t *testing.T) {
	t.Parallel()
	l := NewLimiter("x", 1, time.Hour)
	ctx := t.Context()
	if !l.Acquire(ctx) {
		t.Fatal("first acquire failed")
	}
	waiting := make(chan bool)
	go func() { waiting <- l.Acquire(ctx) }() // the one queue place
	testwait.Until(t, "the first waiter to queue", func() bool { return l.queue.Load() == 1 })
	// The wait is an hour: a refusal at all means it did not wait.
	if l.Acquire(ctx) {
		t.Errorf("with the queue full, want an immediate refusal")
	}
	l.Release()
	if !<-waiting {
		t.Errorf("the queued request should get the freed slot")
	}
	l.Release()
}
