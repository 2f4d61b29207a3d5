package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
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

// levels records the level of every "job ran" line.
type levels struct {
	mu  sync.Mutex
	got []slog.Level
}

func (l *levels) Enabled(context.Context, slog.Level) bool { return true }
func (l *levels) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.Message == "job ran" {
		l.got = append(l.got, r.Level)
	}
	return nil
}
func (l *levels) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *levels) WithGroup(string) slog.Handler      { return l }

func TestAFrequentJobLogsItsPassesQuietly(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		every func(string, time.Duration, *slog.Logger, Func) func(context.Context)
		want  slog.Level
	}{
		"Every":        {Every, slog.LevelInfo},
		"EveryQuietly": {EveryQuietly, slog.LevelDebug},
	} {
		h := &levels{}
		ctx, cancel := context.WithCancel(context.Background())
		tc.every("test", time.Hour, slog.New(h), func(context.Context) (int, error) {
			cancel() // one pass, then the loop ends
			return 3, nil
		})(ctx)
		if len(h.got) != 1 || h.got[0] != tc.want {
			t.Errorf("%s: got levels %v, want one line at %s", name, h.got, tc.want)
		}
	}
}
