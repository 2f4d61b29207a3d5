// Package queue is Skillgate's one job and retry machinery. Webhook
// deliveries, notice emails and xAPI statements are queued jobs of three
// kinds; this package claims them, leases them, records each attempt's
// outcome, schedules the retry and gives up, the same way for every kind.
//
// A job is a row of its kind's table, written by its domain in the
// transaction that made the change (so a job exists exactly when its change
// committed). Every such table has the columns id, status ('pending',
// 'sending', the kind's Done status, 'failed', and any final status of the
// kind's own), attempts, next_attempt_at, last_error and updated_at, and
// whatever else the kind records; the row is also the job's log that the API
// shows. What differs between kinds is data (Kind): the table, the retry
// schedule, the lease, the batch, the claim order and a readiness condition.
//
// The life of a job:
//
//   - pending, due at next_attempt_at. A worker claims due jobs with
//     UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED), which makes
//     them sending with next_attempt_at set to the end of its lease; several
//     workers (replicas) claim at once and never take the same job.
//   - The worker attempts the job and records the outcome with Finish,
//     provided it still holds the lease (status sending and next_attempt_at
//     its lease's end). Success makes the job Done; a failure waits
//     Schedule[attempts-1] (plus jitter) as pending; a failure after the last
//     wait, or a permanent one, makes it failed.
//   - A worker that dies, or cannot record, leaves the job sending; when the
//     lease runs out it is due again and any worker claims it. So a job is
//     attempted at least once, and more than once only when a worker lost
//     its lease mid-attempt.
//
// Time comes from the injected clock, so tests move it instead of waiting.
package queue

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/clock"
)

// The statuses every kind shares.
const (
	// Pending waits for next_attempt_at.
	Pending = "pending"
	// Sending is leased by a worker until next_attempt_at.
	Sending = "sending"
	// Failed used up its attempts, or failed permanently.
	Failed = "failed"
)

// Kind is one kind of job, as data.
type Kind struct {
	// Name labels the kind in logs and metrics ("webhook-delivery").
	Name string
	// Table holds the kind's jobs (a constant of the kind's store, never input).
	Table string
	// Done is the status of a job that succeeded ("succeeded", "sent").
	Done string
	// Schedule is the wait after each failed attempt: a job is attempted
	// once and retried len(Schedule) times, then failed.
	Schedule []time.Duration
	// Jitter adds up to this fraction of each wait at random (0.1: up to
	// 10%), so receivers coming back up are not hit all at once.
	Jitter float64
	// Lease is how long a claimed job is its worker's before another may
	// take it again; it must outlast a batch of attempts.
	Lease time.Duration
	// Batch is how many jobs a worker claims at once.
	Batch int
	// Order is the SQL order in which due jobs are claimed, over the table
	// aliased j (default "j.next_attempt_at, j.id").
	Order string
	// Ready is an SQL condition over j a due job must also meet to be
	// claimed (a webhook's subscription is active); empty for none.
	Ready string
}

// Row is a job row as its kind's model reads it.
type Row interface {
	// JobRef is the job's id and the attempts made so far.
	JobRef() Ref
}

// Ref names a job and how often it was attempted.
type Ref struct {
	ID       string
	Attempts int
}

// Outcome is how one attempt went.
type Outcome struct {
	// Err is nil when the job is done; otherwise what went wrong, kept as
	// last_error.
	Err error
	// Permanent says retrying cannot fix Err: the job fails now.
	Permanent bool
	// Status, when set, ends the job with this final status of the kind's
	// own instead (an email "skipped"), with Err, if any, as the reason.
	Status string
	// Set are more columns of the job to record with the outcome.
	Set map[string]any
	// Also writes more rows in the recording transaction (the webhook
	// attempt log); it runs whether or not the lease was still held.
	Also func(tx *gorm.DB) error
	// Log are more attributes for the log line of a job given up
	// ("webhook_id", id).
	Log []any
}

// Result is what Finish recorded.
type Result struct {
	Status        string
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	// Held is false when the worker had lost its lease (another worker took
	// the job over): nothing of the job's state was recorded.
	Held bool
}

// Queue works the jobs of one kind. Rows of type T are read from the table.
type Queue[T Row] struct {
	db     *gorm.DB
	clock  clock.Clock
	kind   Kind
	log    *slog.Logger
	jitter func(n int64) int64
	claimQ string
}

// New returns the queue of kind k over g. Zero Lease, Batch and Order take
// 5 minutes, 20 and the due order.
func New[T Row](g *gorm.DB, clk clock.Clock, k Kind, log *slog.Logger) *Queue[T] {
	if k.Lease <= 0 {
		k.Lease = 5 * time.Minute
	}
	if k.Batch <= 0 {
		k.Batch = 20
	}
	if k.Order == "" {
		k.Order = "j.next_attempt_at, j.id"
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Queue[T]{db: g, clock: clk, kind: k, log: log, jitter: rand.Int64N, claimQ: claimQuery(k)}
}

// Kind returns the queue's kind, defaults applied.
func (q *Queue[T]) Kind() Kind { return q.kind }

// SetJitter replaces the random source of the jitter (tests make it fixed);
// it returns a number in [0, n).
func (q *Queue[T]) SetJitter(f func(n int64) int64) { q.jitter = f }

func (q *Queue[T]) now() time.Time { return q.clock.Now().UTC().Truncate(time.Microsecond) }

// LeaseFrom is the end of a lease taken at now.
func (q *Queue[T]) LeaseFrom(now time.Time) time.Time { return now.Add(q.kind.Lease) }

// Claim leases up to Batch due jobs (and jobs whose lease ran out) to this
// worker and returns them with the lease's end, which Finish needs.
func (q *Queue[T]) Claim(ctx context.Context) ([]T, time.Time, error) {
	now := q.now()
	lease := q.LeaseFrom(now)
	rows, err := claim[T](q.db.WithContext(ctx), q.claimQ, now, lease, q.kind.Batch)
	if err != nil {
		return nil, lease, fmt.Errorf("queue: claim %s: %w", q.kind.Name, err)
	}
	return rows, lease, nil
}

// ClaimNow leases one job at once, whatever its status and schedule, with
// its attempts reset, so the retry schedule starts over (a replay). It runs
// in tx. Not found when there is no such job or a worker holds it now.
func (q *Queue[T]) ClaimNow(tx *gorm.DB, id string) (T, time.Time, error) {
	now := q.now()
	lease := q.LeaseFrom(now)
	row, found, err := claimOne[T](tx, q.kind.Table, id, now, lease)
	if err != nil {
		return row, lease, fmt.Errorf("queue: claim %s %s: %w", q.kind.Name, id, err)
	}
	if !found {
		return row, lease, apperr.NotFoundf("claimable %s", q.kind.Name)
	}
	return row, lease, nil
}

// Requeue makes the jobs due now with their attempts reset, so their
// schedule starts over (a replay of many); a job a worker holds right now is
// left to finish. It runs in tx.
func (q *Queue[T]) Requeue(tx *gorm.DB, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := requeue(tx, q.kind.Table, ids, q.now()); err != nil {
		return fmt.Errorf("queue: requeue %s: %w", q.kind.Name, err)
	}
	return nil
}

// Drain claims due jobs a batch at a time and hands each batch, with its
// lease's end, to work, until a claim finds fewer than Batch (or work
// fails). It returns how many jobs it claimed. Bounded, so one pass cannot
// run forever while jobs keep coming.
func (q *Queue[T]) Drain(ctx context.Context, work func(ctx context.Context, jobs []T, lease time.Time) error) (int, error) {
	total := 0
	for range 1000 {
		jobs, lease, err := q.Claim(ctx)
		if err != nil || len(jobs) == 0 {
			return total, err
		}
		total += len(jobs)
		if err := work(ctx, jobs, lease); err != nil {
			return total, err
		}
		if len(jobs) < q.kind.Batch || ctx.Err() != nil {
			break
		}
	}
	return total, nil
}

// Next is the status, and the time of the next attempt, of a job after its
// attempts-th attempt ended with o: done, a retry after the schedule's wait
// (with jitter), or failed when the attempts are used up or o is permanent.
func (q *Queue[T]) Next(attempts int, o Outcome, now time.Time) (string, *time.Time) {
	switch {
	case o.Status != "":
		return o.Status, nil
	case o.Err == nil:
		return q.kind.Done, nil
	case o.Permanent || attempts > len(q.kind.Schedule):
		return Failed, nil
	}
	base := q.kind.Schedule[attempts-1]
	next := now.Add(base + time.Duration(q.jitter(int64(float64(base)*q.kind.Jitter)+1)))
	return Pending, &next
}

// Finish records the outcome of an attempt at job, claimed with the lease
// ending at lease: its status, attempts (one more), next attempt and last
// error, with o.Set, in one transaction with o.Also. The job's state is
// written only while the worker still holds the lease. It is recorded even
// when ctx has ended meanwhile: the attempt happened. An error means the
// outcome could not be recorded; the lease then runs out and the job is
// attempted again.
func (q *Queue[T]) Finish(ctx context.Context, job T, lease time.Time, o Outcome) (Result, error) {
	ref := job.JobRef()
	now := q.now()
	res := Result{Attempts: ref.Attempts + 1}
	res.Status, res.NextAttemptAt = q.Next(res.Attempts, o, now)
	if o.Err != nil {
		res.LastError = o.Err.Error()
	}
	cols := map[string]any{"status": res.Status, "attempts": res.Attempts, "next_attempt_at": res.NextAttemptAt,
		"last_error": res.LastError, "updated_at": now}
	for k, v := range o.Set {
		cols[k] = v
	}
	err := q.db.WithContext(context.WithoutCancel(ctx)).Transaction(func(tx *gorm.DB) error {
		held, err := finish(tx, q.kind.Table, ref.ID, lease, cols)
		if err != nil {
			return err
		}
		res.Held = held
		if o.Also != nil {
			return o.Also(tx)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("queue: record %s %s: %w", q.kind.Name, ref.ID, err)
	}
	outcome := res.Status
	switch {
	case !res.Held:
		outcome = "lost_lease"
		q.log.WarnContext(ctx, "a job's lease ran out before its attempt was recorded; another worker took it",
			"kind", q.kind.Name, "job_id", ref.ID)
	case res.Status == Pending:
		outcome = "retry"
	case res.Status == Failed:
		q.log.WarnContext(ctx, "job failed for good", append([]any{"kind", q.kind.Name, "job_id", ref.ID,
			"attempts", res.Attempts, "err", res.LastError}, o.Log...)...)
	}
	if obs, ok := ctx.Value(observerKey{}).(Observer); ok {
		obs.JobAttempted(q.kind.Name, outcome)
	}
	return res, nil
}

// Permanent marks err as one retrying cannot fix.
func Permanent(err error) Outcome { return Outcome{Err: err, Permanent: true} }

// Observer hears of every recorded attempt (for metrics): the kind and the
// outcome (the status recorded, "retry", or "lost_lease").
type Observer interface {
	JobAttempted(kind, outcome string)
}

type observerKey struct{}

// WithObserver returns a context whose Finish calls report to o.
func WithObserver(ctx context.Context, o Observer) context.Context {
	return context.WithValue(ctx, observerKey{}, o)
}
