package httpx

import (
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// RateLimiter allows each key (a client address) Limit requests per
// Window, in fixed windows, counted in this process. It guards public
// routes that need no sign-in (the certificate verification page), where a
// guess costs the guesser a request and the server a bounded amount of
// work. It keeps at most MaxKeys addresses; past that, windows that are
// over are forgotten, and when none is, the oldest is.
type RateLimiter struct {
	Limit  int
	Window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	seen   map[string]*rateWindow
}

type rateWindow struct {
	start time.Time
	n     int
}

// MaxKeys bounds the addresses a RateLimiter remembers.
const MaxKeys = 100_000

// NewRateLimiter allows limit requests per window per key; now is the clock.
func NewRateLimiter(limit int, window time.Duration, now func() time.Time) *RateLimiter {
	return &RateLimiter{Limit: limit, Window: window, now: now, seen: map[string]*rateWindow{}}
}

// Allow counts a request of key and reports whether it is within the
// limit, and otherwise how long until the key's window ends.
func (r *RateLimiter) Allow(key string) (bool, time.Duration) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.seen[key]
	if w == nil || now.Sub(w.start) >= r.Window || now.Before(w.start) {
		if w == nil && len(r.seen) >= MaxKeys {
			r.forget(now)
		}
		w = &rateWindow{start: now}
		r.seen[key] = w
	}
	if w.n >= r.Limit {
		return false, w.start.Add(r.Window).Sub(now)
	}
	w.n++
	return true, 0
}

// forget drops the windows that are over, or the oldest when none is.
func (r *RateLimiter) forget(now time.Time) {
	var oldest string
	for k, w := range r.seen {
		if now.Sub(w.start) >= r.Window {
			delete(r.seen, k)
		} else if oldest == "" || w.start.Before(r.seen[oldest].start) {
			oldest = k
		}
	}
	if len(r.seen) >= MaxKeys {
		delete(r.seen, oldest)
	}
}

// Middleware refuses a client address over the limit with 429
// too_many_requests and Retry-After, before the handler runs.
func (r *RateLimiter) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if ok, wait := r.Allow(c.ClientIP()); !ok {
			Error(c, &apperr.Error{Code: apperr.TooManyRequests, Message: "too many requests from your address; try again later", RetryAfter: wait})
			return
		}
		c.Next()
	}
}
