package httpx

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// Default queue policy of NewLimiter: CoDel's usual target and interval.
const (
	DefaultQueueTarget   = 5 * time.Millisecond
	DefaultQueueInterval = 100 * time.Millisecond
)

// Limiter is admission control for one class of routes: at most Limit
// requests run at once, and a request beyond that waits in a queue of at
// most Queue waiters (Limit when Queue is 0) for a slot, or is refused
// (503 with Retry-After).
// Refusing fast keeps the admitted requests fast and lets the client (or
// its load balancer) go elsewhere, instead of every request slowing down
// together until all of them time out.
//
// The queue is managed as CoDel with adaptive LIFO, as large services run
// theirs. A request's wait counts from its arrival at the server (Arrival),
// so one that was slow to get here waits less. The queue is overloaded for
// an Interval when every request that left it in the Interval before had
// waited longer than Target (it never drained):
//
//   - Not overloaded, a request may wait up to Wait, and a freed slot goes
//     to the oldest waiter.
//   - Overloaded, a request may wait only Target, waiters older than that
//     are refused, and a freed slot goes to the newest waiter: the requests
//     served are the ones whose callers still wait, and the others are
//     refused at once rather than served late.
//
// A request whose wait already exceeds its bound is refused without
// queueing.
type Limiter struct {
	Class string
	Limit int
	// Queue is how many requests may wait at once (0: Limit). Size it to
	// the work, not to the limit: waiters that the replica finishes well
	// within Wait cost nothing to hold, and refusing them is a 503 below
	// capacity. Set it before the limiter's first use.
	Queue int
	// Wait, Target and Interval: see the type's comment. Set them before
	// the limiter's first use.
	Wait     time.Duration
	Target   time.Duration
	Interval time.Duration

	now func() time.Time // the clock; time.Now outside tests
	mu  sync.Mutex
	q   queue
}

// NewLimiter returns a limiter for class admitting limit requests at once
// and queuing as many more for up to wait (DefaultQueueTarget, at most
// wait, when overloaded; DefaultQueueInterval).
func NewLimiter(class string, limit int, wait time.Duration) *Limiter {
	return &Limiter{Class: class, Limit: limit, Wait: wait, Target: DefaultQueueTarget,
		Interval: DefaultQueueInterval, now: time.Now}
}

// Acquire takes a slot, waiting in the queue as the policy allows; it
// reports false when the request was refused (or ctx ended first). Call
// Release after a true.
func (l *Limiter) Acquire(ctx context.Context) bool {
	now := l.now()
	arrived := Arrival(ctx)
	if arrived.IsZero() || arrived.After(now) {
		arrived = now
	}
	l.mu.Lock()
	l.q.configure(l)
	w, ok := l.q.enter(now, arrived)
	l.mu.Unlock()
	if !ok || w == nil {
		return ok
	}
	t := time.NewTimer(w.deadline.Sub(now))
	defer t.Stop()
	select {
	case ok := <-w.ready:
		return ok
	case <-t.C:
	case <-ctx.Done():
	}
	l.mu.Lock()
	gone := l.q.remove(l.now(), w)
	l.mu.Unlock()
	if gone {
		return false
	}
	// Handed a slot (or refused) just as the wait ended.
	if ok := <-w.ready; ok && ctx.Err() == nil {
		return true
	} else if ok {
		l.Release()
	}
	return false
}

// Release gives a slot back: to a waiter, or free.
func (l *Limiter) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.q.release(l.now())
}

// InFlight is how many requests hold a slot now.
func (l *Limiter) InFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.q.running
}

// Waiting is how many requests wait for a slot now.
func (l *Limiter) Waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.q.waiting)
}

// waiter is one request in the queue.
type waiter struct {
	arrived  time.Time
	deadline time.Time // refused if still waiting then
	ready    chan bool // true: handed a slot; false: refused
}

// queue is the Limiter's policy, without goroutines or timers: every
// method is told the time, so tests drive it with an injected clock. The
// Limiter's mutex guards it.
type queue struct {
	limit, capacity        int // running at once, waiting at once
	wait, target, interval time.Duration

	running int
	waiting []*waiter // oldest first

	// CoDel's state: overloaded holds for the interval ending at
	// intervalEnd; minDelay (when seen) is the least wait of a request
	// leaving the queue in it.
	overloaded  bool
	intervalEnd time.Time
	minDelay    time.Duration
	seen        bool
}

func (q *queue) configure(l *Limiter) {
	capacity := l.Queue
	if capacity <= 0 {
		capacity = l.Limit
	}
	q.limit, q.capacity, q.wait, q.target, q.interval = l.Limit, capacity, l.Wait, min(l.Target, l.Wait), l.Interval
}

// tick starts a new interval when the current one is over: the queue is
// overloaded in it if every request that left it in the last one had
// waited longer than target.
func (q *queue) tick(now time.Time) {
	if now.Before(q.intervalEnd) {
		return
	}
	q.overloaded = q.seen && q.minDelay > q.target
	q.intervalEnd, q.seen = now.Add(q.interval), false
}

// observe records the wait of a request leaving the queue (admitted or
// refused for its age).
func (q *queue) observe(delay time.Duration) {
	if !q.seen || delay < q.minDelay {
		q.minDelay, q.seen = delay, true
	}
}

// bound is how long a request may wait, counted from its arrival.
func (q *queue) bound() time.Duration {
	if q.overloaded {
		return q.target
	}
	return q.wait
}

// enter asks for a slot for a request that arrived at arrived: admitted at
// once (nil, true), to wait as w (w, true), or refused (nil, false).
func (q *queue) enter(now, arrived time.Time) (*waiter, bool) {
	q.tick(now)
	q.expire(now)
	age := now.Sub(arrived)
	if q.running < q.limit && len(q.waiting) == 0 {
		q.running++
		q.observe(age)
		return nil, true
	}
	if age >= q.bound() {
		q.observe(age)
		return nil, false
	}
	if len(q.waiting) >= q.capacity {
		return nil, false
	}
	w := &waiter{arrived: arrived, deadline: arrived.Add(q.bound()), ready: make(chan bool, 1)}
	q.waiting = append(q.waiting, w)
	return w, true
}

// release frees a slot at now: it goes to the oldest waiter, or the
// newest while the queue is overloaded.
func (q *queue) release(now time.Time) {
	q.tick(now)
	q.expire(now)
	n := len(q.waiting)
	if n == 0 {
		q.running--
		return
	}
	i := 0
	if q.overloaded {
		i = n - 1
	}
	w := q.waiting[i]
	q.waiting = slices.Delete(q.waiting, i, i+1)
	q.observe(now.Sub(w.arrived))
	w.ready <- true // the slot passes to w: running is unchanged
}

// expire refuses every waiter that has waited past its bound.
func (q *queue) expire(now time.Time) {
	bound := q.bound()
	q.waiting = slices.DeleteFunc(q.waiting, func(w *waiter) bool {
		if age := now.Sub(w.arrived); age >= bound || !now.Before(w.deadline) {
			q.observe(age)
			w.ready <- false
			return true
		}
		return false
	})
}

// remove takes w out of the queue at now (its wait is over, or its caller
// gone), reporting whether it was still there.
func (q *queue) remove(now time.Time, w *waiter) bool {
	i := slices.Index(q.waiting, w)
	if i < 0 {
		return false
	}
	q.waiting = slices.Delete(q.waiting, i, i+1)
	q.tick(now)
	q.observe(now.Sub(w.arrived))
	return true
}

// Admission runs each request through the limiter classify picks for it
// (nil: no limit). A request that is not admitted gets 503 unavailable with
// Retry-After: 1 at once; rejected, when set, is told its class.
func Admission(classify func(*gin.Context) *Limiter, rejected func(class string)) gin.HandlerFunc {
	return func(c *gin.Context) {
		l := classify(c)
		if l == nil {
			c.Next()
			return
		}
		if !l.Acquire(c.Request.Context()) {
			if rejected != nil {
				rejected(l.Class)
			}
			// Not logged one by one: under overload that would add to the
			// load; the metrics count refusals per class.
			write(c, &apperr.Error{Code: apperr.Unavailable, RetryAfter: time.Second,
				Message: "the server is at capacity for " + l.Class + " requests: retry shortly"})
			return
		}
		defer l.Release()
		c.Next()
	}
}
