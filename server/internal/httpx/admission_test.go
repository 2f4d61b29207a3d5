package httpx

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/clock"
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
	testwait.Until(t, "the request to queue", func() bool { return hot.Waiting() == 1 })
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
	testwait.Until(t, "the first waiter to queue", func() bool { return l.Waiting() == 1 })
	// The wait is an hour: a refusal at all means it did not wait.
	if l.Acquire(ctx) {
		t.Errorf("with the queue full, want an immediate refusal")
	}
	l.Release()
	if !<-waiting {
		t.Errorf("the queued request should get the freed slot")
	}
	l.Release()
	if l.InFlight() != 0 || l.Waiting() != 0 {
		t.Errorf("got %d in flight and %d waiting, want none", l.InFlight(), l.Waiting())
	}
}

// TestAdmissionRefusesARequestThatWaitedTooLongToArrive: the wait counts
// from the request's arrival, so one that took longer than the bound to
// reach admission is refused without queueing.
func TestAdmissionRefusesARequestThatWaitedTooLongToArrive(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	l := NewLimiter("x", 1, 20*time.Millisecond)
	l.now = clk.Now
	if !l.Acquire(WithArrival(t.Context(), clk.Now().Add(-30*time.Millisecond))) {
		t.Fatal("with a free slot, want even a late request admitted")
	}
	t0 := time.Now()
	if l.Acquire(WithArrival(t.Context(), clk.Now().Add(-25*time.Millisecond))) || time.Since(t0) > 50*time.Millisecond {
		t.Errorf("a request 25ms old against a 20ms bound, the slot taken: want refused at once")
	}
	if l.Waiting() != 0 {
		t.Errorf("got %d waiting, want the late request never queued", l.Waiting())
	}
}

// TestAdmissionQueuePolicy drives the queue's policy with an injected clock:
// FIFO with the long bound while it drains; overloaded after an interval in
// which no request left it within the target: LIFO, the short bound, old
// waiters refused; back to normal once requests leave it quickly again.
func TestAdmissionQueuePolicy(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clk := clock.NewManual(t0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	q := &queue{limit: 1, capacity: 4, wait: time.Second, target: 5 * time.Millisecond, interval: 100 * time.Millisecond}
	waiters := map[string]*waiter{}
	// outcome is what happened to a waiter so far: "waiting", "admitted" or "refused".
	outcome := func(name string) string {
		select {
		case ok := <-waiters[name].ready:
			waiters[name].ready <- ok // keep it for the next look
			if ok {
				return "admitted"
			}
			return "refused"
		default:
			return "waiting"
		}
	}
	steps := []struct {
		ms     int
		action string // "enter NAME [arrivedMs]" or "release"
		want   string // enter: "admitted", "queued", "refused"
		after  map[string]string
	}{
		{0, "enter A", "admitted", nil},
		{1, "enter W1", "queued", nil},
		{2, "enter W2", "queued", nil},
		{50, "release", "", map[string]string{"W1": "admitted", "W2": "waiting"}}, // FIFO
		{100, "release", "", map[string]string{"W2": "admitted"}},
		// From here every request waits well past the target for a whole
		// interval.
		{110, "enter W3", "queued", nil},
		{120, "enter W4", "queued", nil},
		{130, "enter W5", "queued", nil},
		{150, "release", "", map[string]string{"W3": "admitted", "W4": "waiting"}}, // still FIFO
		// 215: the interval [100, 200] saw no wait under 5ms: overloaded.
		// W4 and W5 (95ms, 85ms) are past the short bound: refused.
		{215, "release", "", map[string]string{"W4": "refused", "W5": "refused"}},
		{215, "enter X", "admitted", nil},
		{300, "enter W6", "queued", nil},
		{301, "enter W7", "queued", nil},
		{302, "enter W8", "queued", nil},
		{303, "release", "", map[string]string{"W8": "admitted", "W6": "waiting", "W7": "waiting"}}, // LIFO
		{304, "enter LATE 298", "refused", nil},                                                     // arrived 6ms ago: past the 5ms bound
		{304, "enter W9", "queued", nil},
		{305, "release", "", map[string]string{"W6": "refused", "W9": "admitted", "W7": "waiting"}},
		// 420: X left the queue at once in the interval since 215: not
		// overloaded any more; W7 entered with the short bound, refused.
		{420, "release", "", map[string]string{"W7": "refused"}},
		{421, "enter Y", "admitted", nil},
		{422, "enter W10", "queued", nil},
		{480, "release", "", map[string]string{"W10": "admitted"}}, // the long bound again
		{481, "release", "", nil},
	}
	for _, st := range steps {
		clk.Set(at(st.ms))
		now := clk.Now()
		var name string
		var arrived int
		switch n, _ := fmt.Sscan(st.action, new(string), &name, &arrived); {
		case st.action == "release":
			q.release(now)
		default:
			a := now
			if n == 3 {
				a = at(arrived)
			}
			w, ok := q.enter(now, a)
			got := "refused"
			if ok && w == nil {
				got = "admitted"
			} else if ok {
				got = "queued"
				waiters[name] = w
			}
			if got != st.want {
				t.Errorf("at %dms %s: got %s, want %s", st.ms, st.action, got, st.want)
			}
		}
		for w, want := range st.after {
			if got := outcome(w); got != want {
				t.Errorf("at %dms after %s: %s got %s, want %s", st.ms, st.action, w, got, want)
			}
		}
	}
	if q.running != 0 || len(q.waiting) != 0 {
		t.Errorf("at the end: got %d running and %d waiting, want none", q.running, len(q.waiting))
	}
}

// admissionRun is what simulateAdmission saw.
type admissionRun struct {
	admitted, refused, refusedFull int
	maxAdmittedWait                time.Duration // from arrival to a slot
	maxRefusedWait                 time.Duration // from arrival to the 503
	overloadedAt                   time.Time     // when the queue was first overloaded
	refusedAfterOverload           time.Duration // the longest wait of a refusal that arrived after that
}

// simulateAdmission drives the queue's policy (no goroutines, no timers:
// the time is told) through a replica that finishes one check every tick
// while any runs (two cores at twice the tick per check). Each tick,
// arrive(inSystem) requests arrive, given how many are admitted or waiting.
func simulateAdmission(limit, capacity, ticks int, tick time.Duration, arrive func(inSystem int) int) admissionRun {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	q := &queue{limit: limit, capacity: capacity, wait: 20 * time.Millisecond, target: 5 * time.Millisecond,
		interval: 100 * time.Millisecond}
	var run admissionRun
	var pending []*waiter
	settle := func(now time.Time) { // look at every waiter's outcome
		pending = slices.DeleteFunc(pending, func(w *waiter) bool {
			if len(w.ready) == 0 {
				return false
			}
			select {
			case ok := <-w.ready:
				if waited := now.Sub(w.arrived); ok {
					run.admitted++
					run.maxAdmittedWait = max(run.maxAdmittedWait, waited)
				} else {
					run.refused++
					run.maxRefusedWait = max(run.maxRefusedWait, waited)
					if !run.overloadedAt.IsZero() && !w.arrived.Before(run.overloadedAt) {
						run.refusedAfterOverload = max(run.refusedAfterOverload, waited)
					}
				}
				return true
			default:
				return false
			}
		})
	}
	for i := range ticks {
		now := t0.Add(time.Duration(i) * tick)
		if q.running > 0 {
			q.release(now)
		}
		if q.overloaded && run.overloadedAt.IsZero() {
			run.overloadedAt = now
		}
		for range arrive(q.running + len(q.waiting)) {
			switch w, ok := q.enter(now, now); {
			case !ok:
				run.refused++
				run.refusedFull++
			case w == nil:
				run.admitted++
			default:
				pending = append(pending, w)
			}
		}
		settle(now) // every outcome of this tick happened at now
	}
	return run
}

// TestAdmissionIsSizedToTheWork: 32 connections asking back to back, each
// check costing 50 µs of CPU on two cores (one finished every 25 µs), never
// meet a 503: with the queue sized to the work (256) every request waits
// well under the 5 ms target. A queue only as long as the limit (12, as it
// was) refused checks at that load. Offered three times what the replica
// finishes, the queue is overloaded and refuses fast: no refused request
// waits past the 20 ms bound, none that arrived after overload was
// detected waits past the 5 ms target, and admitted ones never wait past the bound either.
func TestAdmissionIsSizedToTheWork(t *testing.T) {
	t.Parallel()
	const tick = 25 * time.Microsecond
	const ticks = 10000 // 250 ms: more than two of CoDel's intervals
	closed := func(inSystem int) int { return max(32-inSystem, 0) }

	sized := simulateAdmission(12, 256, ticks, tick, closed)
	if sized.refused != 0 || sized.admitted < ticks-32 {
		t.Errorf("32 connections, queue 256: got %d admitted and %d refused, want every one admitted", sized.admitted, sized.refused)
	}
	if sized.maxAdmittedWait >= 5*time.Millisecond {
		t.Errorf("32 connections, queue 256: the longest wait was %s, want under the 5ms target", sized.maxAdmittedWait)
	}
	old := simulateAdmission(12, 12, ticks, tick, closed)
	if old.refusedFull == 0 {
		t.Errorf("32 connections, queue 12: got no refusal, want the short queue's 503s this test guards against")
	}

	three := func(int) int { return 3 } // three arrivals each tick: 3× what is finished
	over := simulateAdmission(12, 256, ticks, tick, three)
	if over.refused < ticks { // about two of every three
		t.Errorf("3× overload: got %d refused of %d, want most refused", over.refused, 3*ticks)
	}
	if over.admitted < ticks-100 {
		t.Errorf("3× overload: got %d admitted, want the replica kept busy (about %d)", over.admitted, ticks)
	}
	if over.maxRefusedWait > 20*time.Millisecond || over.maxAdmittedWait > 20*time.Millisecond {
		t.Errorf("3× overload: waited up to %s before a 503 and %s before a slot, want at most the 20ms bound",
			over.maxRefusedWait, over.maxAdmittedWait)
	}
	if over.overloadedAt.IsZero() || over.refusedAfterOverload > 5*time.Millisecond {
		t.Errorf("3× overload: overloaded at %s; refusals arriving after it waited up to %s, want at most the 5ms target",
			over.overloadedAt, over.refusedAfterOverload)
	}
}
