package httpx

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
)

type arrivalKey struct{}

// Arrival returns when the request carrying ctx entered the server (set by
// Deadline), or the zero time when nothing recorded it.
func Arrival(ctx context.Context) time.Time {
	t, _ := ctx.Value(arrivalKey{}).(time.Time)
	return t
}

// WithArrival records t as the arrival time of the request carrying ctx.
func WithArrival(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, arrivalKey{}, t)
}

// Deadline records each request's arrival and bounds all of its work by the
// deadline classify picks for its route (0: none). Everything downstream
// that honours the request's context — authentication, the admission
// queue, taking a database connection from the pool, each statement — gives
// up together when it passes, and the error becomes 503 unavailable (see
// Error): a silent database costs a request its deadline, never a hang.
// Install it before Admission and authentication.
func Deadline(classify func(*gin.Context) time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		at := time.Now()
		ctx := WithArrival(c.Request.Context(), at)
		if d := classify(c); d > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, at.Add(d))
			defer cancel()
		}
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
