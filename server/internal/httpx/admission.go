package httpx

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// Limiter is admission control for one class of routes: at most Limit
// requests run at once; a request beyond that waits up to Wait for a slot
// in a queue of at most Limit waiters, and is refused at once when the
// queue is full. Refusing fast keeps the admitted requests fast and lets
// the client (or its load balancer) go elsewhere, instead of every request
// slowing down together until all of them time out.
type Limiter struct {
	Class string
	Limit int
	Wait  time.Duration
	slots chan struct{}
	queue atomic.Int64
}

// NewLimiter returns a limiter for class admitting limit requests at once
// and queuing as many more for up to wait.
func NewLimiter(class string, limit int, wait time.Duration) *Limiter {
	return &Limiter{Class: class, Limit: limit, Wait: wait, slots: make(chan struct{}, limit)}
}

// Acquire takes a slot, waiting up to l.Wait; it reports false when none
// came free in time (or the queue was full, or ctx ended). Call Release
// after a true.
func (l *Limiter) Acquire(ctx context.Context) bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	if l.Wait <= 0 {
		return false
	}
	if l.queue.Add(1) > int64(l.Limit) {
		l.queue.Add(-1)
		return false
	}
	defer l.queue.Add(-1)
	t := time.NewTimer(l.Wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// Release gives a slot back.
func (l *Limiter) Release() { <-l.slots }

// InFlight is how many requests hold a slot now.
func (l *Limiter) InFlight() int { return len(l.slots) }

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
