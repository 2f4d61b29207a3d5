package queue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/queue"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

// job is a row of the test kind's table, shaped as every kind's table is.
type job struct {
	ID            string     `gorm:"column:id"`
	Status        string     `gorm:"column:status"`
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt *time.Time `gorm:"column:next_attempt_at"`
	LastError     string     `gorm:"column:last_error"`
	UpdatedAt     time.Time  `gorm:"column:updated_at"`
	Payload       string     `gorm:"column:payload"`
	Result        string     `gorm:"column:result"`
}

func (job) TableName() string { return "test_jobs" }

func (j job) JobRef() queue.Ref { return queue.Ref{ID: j.ID, Attempts: j.Attempts} }

const createTable = `
CREATE TABLE test_jobs (
    id              uuid PRIMARY KEY,
    status          text NOT NULL CHECK (status IN ('pending', 'sending', 'done', 'failed', 'skipped')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL,
    payload         text NOT NULL DEFAULT '',
    result          text NOT NULL DEFAULT ''
)`

type env struct {
	db    *gorm.DB
	clock *clock.Manual
	kind  queue.Kind
}

func newEnv(t *testing.T) *env {
	t.Helper()
	g := testdb.New(t)
	if err := g.Exec(createTable).Error; err != nil {
		t.Fatal(err)
	}
	return &env{db: g, clock: clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
		kind: queue.Kind{Name: "test", Table: "test_jobs", Done: "done", Schedule: []time.Duration{10 * time.Second, time.Minute},
			Lease: 5 * time.Minute, Batch: 10, Order: "j.next_attempt_at, j.payload"}}
}

// worker is one replica's queue over the test table.
func (e *env) worker() *queue.Queue[job] {
	q := queue.New[job](e.db, e.clock, e.kind, nil)
	q.SetJitter(func(n int64) int64 { return n - 1 }) // the most jitter there can be
	return q
}

// enqueue writes a job due now in tx, as a domain does in its change's transaction.
func (e *env) enqueue(t *testing.T, tx *gorm.DB, payload string) string {
	t.Helper()
	now := e.clock.Now()
	j := job{ID: uuid.NewString(), Status: queue.Pending, NextAttemptAt: &now, UpdatedAt: now, Payload: payload}
	if err := tx.Create(&j).Error; err != nil {
		t.Fatal(err)
	}
	return j.ID
}

func (e *env) get(t *testing.T, id string) job {
	t.Helper()
	var j job
	if err := e.db.Where("id = ?", id).Take(&j).Error; err != nil {
		t.Fatal(err)
	}
	return j
}

func claim(t *testing.T, q *queue.Queue[job]) ([]job, time.Time) {
	t.Helper()
	js, lease, err := q.Claim(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return js, lease
}

func finish(t *testing.T, q *queue.Queue[job], j job, lease time.Time, o queue.Outcome) queue.Result {
	t.Helper()
	r, err := q.Finish(context.Background(), j, lease, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestALeaseThatRunsOutLetsAnotherWorkerTakeTheJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.enqueue(t, e.db, "x")
	a, b := e.worker(), e.worker()

	got, leaseA := claim(t, a)
	if len(got) != 1 || got[0].ID != id || !leaseA.Equal(e.clock.Now().Add(5*time.Minute)) {
		t.Fatalf("worker A got %d jobs leased until %s, want the job until 5 min from now", len(got), leaseA)
	}
	if j := e.get(t, id); j.Status != queue.Sending || !j.NextAttemptAt.Equal(leaseA) {
		t.Fatalf("got %s until %v, want sending until the lease's end", j.Status, j.NextAttemptAt)
	}
	e.clock.Advance(5*time.Minute - time.Second)
	if js, _ := claim(t, b); len(js) != 0 {
		t.Fatalf("worker B got %d jobs while A's lease holds, want none", len(js))
	}
	// A dies without recording; once its lease has run out, B takes the job.
	e.clock.Advance(time.Second)
	got, leaseB := claim(t, b)
	if len(got) != 1 || got[0].ID != id || got[0].Attempts != 0 {
		t.Fatalf("after the lease ran out worker B got %+v, want the job, with no attempt counted", got)
	}
	// A comes back and records late: nothing of the job changes.
	if r := finish(t, a, got[0], leaseA, queue.Outcome{Set: map[string]any{"result": "A"}}); r.Held {
		t.Error("worker A recorded after losing its lease, want its outcome refused")
	}
	if j := e.get(t, id); j.Status != queue.Sending || j.Result != "" || !j.NextAttemptAt.Equal(leaseB) {
		t.Fatalf("after A's late record got %s, result %q, lease %v; want B's lease untouched", j.Status, j.Result, j.NextAttemptAt)
	}
	if r := finish(t, b, got[0], leaseB, queue.Outcome{Set: map[string]any{"result": "B"}}); !r.Held || r.Status != "done" {
		t.Fatalf("worker B got %+v, want its outcome recorded as done", r)
	}
	if j := e.get(t, id); j.Status != "done" || j.Result != "B" || j.Attempts != 1 || j.NextAttemptAt != nil {
		t.Errorf("got %+v, want done by B after 1 attempt, nothing due", j)
	}
}

func TestRetriesFollowTheScheduleThenGiveUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.kind.Jitter = 0.1
	q := e.worker()
	id := e.enqueue(t, e.db, "x")
	boom := errors.New("the receiver answered 503")

	waits := []time.Duration{11 * time.Second, 66 * time.Second} // each plus its most jitter, 10%
	for i, wait := range waits {
		js, lease := claim(t, q)
		if len(js) != 1 {
			t.Fatalf("attempt %d: got %d jobs, want the job due", i+1, len(js))
		}
		r := finish(t, q, js[0], lease, queue.Outcome{Err: boom})
		want := e.clock.Now().Add(wait)
		if r.Status != queue.Pending || r.Attempts != i+1 || r.NextAttemptAt == nil || !r.NextAttemptAt.Equal(want) || r.LastError != boom.Error() {
			t.Fatalf("attempt %d: got %+v, want pending until %s with the error kept", i+1, r, want)
		}
		if j := e.get(t, id); j.Status != queue.Pending || !j.NextAttemptAt.Equal(want) || j.Attempts != i+1 {
			t.Fatalf("attempt %d: stored %+v, want what Finish answered", i+1, j)
		}
		e.clock.Set(want.Add(-time.Microsecond))
		if js, _ := claim(t, q); len(js) != 0 {
			t.Fatalf("attempt %d: got the job back before its wait was over", i+1)
		}
		e.clock.Set(want)
	}
	js, lease := claim(t, q)
	if len(js) != 1 {
		t.Fatal("the last retry was not due after the last wait")
	}
	r := finish(t, q, js[0], lease, queue.Outcome{Err: boom})
	if r.Status != queue.Failed || r.Attempts != 3 || r.NextAttemptAt != nil {
		t.Fatalf("got %+v, want failed after one attempt and two retries", r)
	}
	e.clock.Advance(1000 * time.Hour)
	if js, _ := claim(t, q); len(js) != 0 {
		t.Errorf("a failed job was claimed again")
	}
}

func TestJitterStaysWithinItsFraction(t *testing.T) {
	t.Parallel()
	q := queue.New[job](nil, clock.NewManual(time.Unix(0, 0)), queue.Kind{Done: "done", Schedule: []time.Duration{time.Minute}, Jitter: 0.1}, nil)
	now := time.Unix(0, 0)
	for range 200 {
		status, next := q.Next(1, queue.Outcome{Err: errors.New("x")}, now)
		if status != queue.Pending || next.Before(now.Add(time.Minute)) || next.After(now.Add(66*time.Second)) {
			t.Fatalf("got %s at %v, want pending between 60 s and 66 s", status, next)
		}
	}
	noJitter := queue.New[job](nil, clock.NewManual(now), queue.Kind{Done: "done", Schedule: []time.Duration{time.Minute}}, nil)
	if _, next := noJitter.Next(1, queue.Outcome{Err: errors.New("x")}, now); !next.Equal(now.Add(time.Minute)) {
		t.Errorf("without jitter got %v, want exactly 60 s", next)
	}
}

func TestPermanentFailuresAndFinalStatusesEndTheJobAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.worker()
	permanent := e.enqueue(t, e.db, "a")
	skipped := e.enqueue(t, e.db, "b")
	js, lease := claim(t, q)
	if len(js) != 2 {
		t.Fatalf("got %d jobs, want 2", len(js))
	}
	for _, j := range js {
		o := queue.Permanent(errors.New("the LRS answered 400"))
		if j.ID == skipped {
			o = queue.Outcome{Status: "skipped", Err: errors.New("the user is inactive")}
		}
		finish(t, q, j, lease, o)
	}
	if j := e.get(t, permanent); j.Status != queue.Failed || j.Attempts != 1 || j.NextAttemptAt != nil || j.LastError != "the LRS answered 400" {
		t.Errorf("got %+v, want failed after its first attempt", j)
	}
	if j := e.get(t, skipped); j.Status != "skipped" || j.NextAttemptAt != nil || j.LastError != "the user is inactive" {
		t.Errorf("got %+v, want skipped with the reason", j)
	}
}

func TestTwoWorkersNeverRunOneJobAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const jobs = 100
	for i := range jobs {
		e.enqueue(t, e.db, fmt.Sprintf("%03d", i))
	}
	e.kind.Batch = 7
	var (
		mu      sync.Mutex
		running = map[string]bool{}
		runs    = map[string]int{}
		overlap bool
	)
	var wg sync.WaitGroup
	totals := make([]int, 4)
	errs := make([]error, 4)
	for w := range 4 {
		q := e.worker() // each its own replica
		wg.Go(func() {
			totals[w], errs[w] = q.Drain(context.Background(), func(ctx context.Context, js []job, lease time.Time) error {
				for _, j := range js {
					mu.Lock()
					overlap = overlap || running[j.ID]
					running[j.ID] = true
					runs[j.ID]++
					mu.Unlock()
					_, err := q.Finish(ctx, j, lease, queue.Outcome{})
					mu.Lock()
					running[j.ID] = false
					mu.Unlock()
					if err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	total := 0
	for w := range 4 {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		total += totals[w]
	}
	if total != jobs || len(runs) != jobs || overlap {
		t.Errorf("got %d claims of %d distinct jobs (overlap %v), want each of %d once", total, len(runs), overlap, jobs)
	}
	for id, n := range runs {
		if n != 1 {
			t.Errorf("job %s ran %d times, want once", id, n)
		}
	}
	var left int64
	if err := e.db.Model(&job{}).Where("status <> 'done'").Count(&left).Error; err != nil || left != 0 {
		t.Errorf("got %d jobs not done (%v), want none", left, err)
	}
}

func TestAJobExistsOnlyWhenItsTransactionCommits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.worker()
	errRollback := errors.New("the change failed")
	var enqueued string
	err := e.db.Transaction(func(tx *gorm.DB) error {
		enqueued = e.enqueue(t, tx, "rolled back")
		if js, _ := claim(t, q); len(js) != 0 {
			t.Errorf("a worker claimed a job whose transaction had not committed")
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("got %v, want the rollback", err)
	}
	if js, _ := claim(t, q); len(js) != 0 {
		t.Errorf("got %d jobs after the rollback, want none", len(js))
	}
	var n int64
	if err := e.db.Model(&job{}).Where("id = ?", enqueued).Count(&n).Error; err != nil || n != 0 {
		t.Errorf("got %d rows of the rolled back job (%v), want none", n, err)
	}
	committed := ""
	if err := e.db.Transaction(func(tx *gorm.DB) error { committed = e.enqueue(t, tx, "committed"); return nil }); err != nil {
		t.Fatal(err)
	}
	if js, _ := claim(t, q); len(js) != 1 || js[0].ID != committed {
		t.Errorf("got %+v, want the committed job", js)
	}
}

func TestClaimNowRestartsTheScheduleUnlessAWorkerHoldsTheJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.worker()
	id := e.enqueue(t, e.db, "x")
	js, lease := claim(t, q)
	if _, _, err := q.ClaimNow(e.db, id); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("while leased got %v, want not_found", err)
	}
	finish(t, q, js[0], lease, queue.Permanent(errors.New("gone")))
	j, lease, err := q.ClaimNow(e.db, id)
	if err != nil || j.Attempts != 0 || j.Status != queue.Sending || !lease.Equal(e.clock.Now().Add(5*time.Minute)) {
		t.Fatalf("got %+v, %v, %v; want the failed job leased again with its attempts reset", j, lease, err)
	}
	if r := finish(t, q, j, lease, queue.Outcome{Err: errors.New("still down")}); r.Status != queue.Pending || r.Attempts != 1 {
		t.Errorf("got %+v, want the schedule started over: pending after 1 attempt", r)
	}
	if _, _, err := q.ClaimNow(e.db, uuid.NewString()); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a job that does not exist: got %v, want not_found", err)
	}
}

func TestClaimsInTheKindsOrderOnlyWhatIsReady(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.kind.Ready = "j.payload <> 'blocked'"
	e.kind.Batch = 2
	for _, p := range []string{"c", "blocked", "a", "b"} {
		e.enqueue(t, e.db, p)
	}
	q := e.worker()
	var order []string
	n, err := q.Drain(context.Background(), func(ctx context.Context, js []job, lease time.Time) error {
		for _, j := range js {
			order = append(order, j.Payload)
			if _, err := q.Finish(ctx, j, lease, queue.Outcome{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || n != 3 || len(order) != 3 || order[2] != "c" {
		t.Errorf("got %d claimed in order %v (%v), want a and b in the first batch, then c, never the blocked one", n, order, err)
	}
}

type observer struct {
	mu  sync.Mutex
	got []string
}

func (o *observer) JobAttempted(kind, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, kind+":"+outcome)
}

func TestEveryRecordedAttemptIsObservedAndRecordedAfterCancellation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.worker()
	for _, p := range []string{"a", "b", "c"} {
		e.enqueue(t, e.db, p)
	}
	obs := &observer{}
	ctx, cancel := context.WithCancel(queue.WithObserver(context.Background(), obs))
	js, lease := claim(t, q)
	cancel() // the server is stopping: what was attempted is still recorded
	outcomes := map[string]queue.Outcome{"a": {}, "b": {Err: errors.New("503")}, "c": queue.Permanent(errors.New("400"))}
	for _, j := range js {
		if _, err := q.Finish(ctx, j, lease, outcomes[j.Payload]); err != nil {
			t.Fatalf("%s: %v", j.Payload, err)
		}
	}
	stale := js[0]
	if _, err := q.Finish(ctx, stale, lease, queue.Outcome{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"test:done": true, "test:retry": true, "test:failed": true, "test:lost_lease": true}
	if len(obs.got) != 4 {
		t.Fatalf("got %v, want 4 observations", obs.got)
	}
	for _, g := range obs.got {
		if !want[g] {
			t.Errorf("got observation %q, want one of %v", g, want)
		}
		delete(want, g)
	}
}

func TestRequeueStartsTheScheduleOverButLeavesAHeldJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.worker()
	failed := e.enqueue(t, e.db, "a")
	js, lease := claim(t, q)
	finish(t, q, js[0], lease, queue.Permanent(errors.New("gone")))
	held := e.enqueue(t, e.db, "b")
	js, lease = claim(t, q)
	if len(js) != 1 || js[0].ID != held {
		t.Fatalf("got %+v, want the second job claimed", js)
	}
	e.clock.Advance(time.Minute)
	if err := e.db.Transaction(func(tx *gorm.DB) error { return q.Requeue(tx, []string{failed, held}) }); err != nil {
		t.Fatal(err)
	}
	if j := e.get(t, failed); j.Status != queue.Pending || j.Attempts != 0 || !j.NextAttemptAt.Equal(e.clock.Now()) {
		t.Errorf("the failed job: got %+v, want pending, no attempts, due now", j)
	}
	if j := e.get(t, held); j.Status != queue.Sending || !j.NextAttemptAt.Equal(lease) {
		t.Errorf("the held job: got %+v, want still its worker's until %s", j, lease)
	}
	if r := finish(t, q, js[0], lease, queue.Outcome{}); !r.Held || r.Status != "done" {
		t.Errorf("got %+v, want the holder's outcome recorded", r)
	}
}
