// Package jobs is Skillgate's one scheduler of periodic jobs. Every job is a
// RunOnce that is safe to run on several replicas at once (its own SQL takes
// row locks with SKIP LOCKED, or an advisory lock; queued work goes through
// server/internal/queue); this package only repeats it on an interval, logs
// and reports what it did, and stops with its context.
package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Func is one pass of a job: it does what is due and says how many things
// it handled.
type Func func(ctx context.Context) (int, error)

// Every returns a worker that runs fn at once and then every interval until
// ctx is done. Failures are logged and retried at the next tick: a job must
// leave nothing half-done when it fails.
func Every(name string, interval time.Duration, log *slog.Logger, fn Func) func(context.Context) {
	return every(name, interval, log, slog.LevelInfo, fn)
}

// EveryQuietly is Every for a job that runs several times a second (the
// audit sealer): its passes are logged at debug level, its failures as
// errors like any job's.
func EveryQuietly(name string, interval time.Duration, log *slog.Logger, fn Func) func(context.Context) {
	return every(name, interval, log, slog.LevelDebug, fn)
}

func every(name string, interval time.Duration, log *slog.Logger, ran slog.Level, fn Func) func(context.Context) {
	return func(ctx context.Context) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			start := time.Now()
			n, err := fn(ctx)
			if o, ok := ctx.Value(observerKey{}).(Observer); ok && ctx.Err() == nil {
				o.JobRan(name, time.Since(start), n, err)
			}
			switch {
			case err != nil && ctx.Err() == nil:
				log.ErrorContext(ctx, "job failed", "job", name, "err", err)
			case n > 0:
				log.Log(ctx, ran, "job ran", "job", name, "handled", n, "duration_ms", time.Since(start).Milliseconds())
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
}

// Observer hears of every pass of every job (for metrics).
type Observer interface {
	JobRan(name string, took time.Duration, handled int, err error)
}

type observerKey struct{}

// WithObserver returns a context whose jobs (Every) report each pass to o.
func WithObserver(ctx context.Context, o Observer) context.Context {
	return context.WithValue(ctx, observerKey{}, o)
}

// Batches runs batch until it handles fewer than size things (or fails),
// and returns the total. A job processes its backlog in bounded
// transactions this way, each batch committing on its own.
func Batches(ctx context.Context, size int, batch Func) (int, error) {
	total := 0
	for {
		n, err := batch(ctx)
		total += n
		if err != nil || n < size || ctx.Err() != nil {
			return total, err
		}
	}
}
