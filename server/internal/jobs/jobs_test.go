package jobs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/logx"
)

func TestEveryRunsAtOnceAndStopsWithItsContext(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	ran := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		Every("test", time.Hour, logx.Discard(), func(context.Context) (int, error) {
			runs.Add(1)
			ran <- struct{}{}
			return 0, errors.New("a failure is logged, not fatal")
		})(ctx)
		close(done)
	}()
	<-ran // the first pass does not wait for the interval
	cancel()
	<-done
	if got := runs.Load(); got != 1 {
		t.Errorf("got %d passes, want 1 before the context ended", got)
	}
}

func TestBatchesDrainsTheBacklog(t *testing.T) {
	t.Parallel()
	backlog := 25
	total, err := Batches(context.Background(), 10, func(context.Context) (int, error) {
		n := min(backlog, 10)
		backlog -= n
		return n, nil
	})
	if err != nil || total != 25 || backlog != 0 {
		t.Errorf("got total %d, err %v, backlog %d; want 25 handled in three batches", total, err, backlog)
	}
	boom := errors.New("boom")
	calls := 0
	total, err = Batches(context.Background(), 10, func(context.Context) (int, error) {
		calls++
		if calls == 2 {
			return 3, boom
		}
		return 10, nil
	})
	if !errors.Is(err, boom) || total != 13 || calls != 2 {
		t.Errorf("got total %d, err %v after %d calls; want the failure to stop the run", total, err, calls)
	}
}
