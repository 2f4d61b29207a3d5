package routing

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/skillgate/skillgate/server/internal/changefeed"
)

// The view: each replica keeps the inputs of the single answers it has
// given (one agent × program each, as Store.Inputs read them) and answers
// the same question again from memory, deciding afresh at the current
// instant. It learns what went stale from the database's change feed
// (eligibility_changes, written by triggers on every input table in the
// transaction that makes the change), which it reads every ViewPollEvery.
//
// The bound: an input is used only while the last successful read of the
// feed began less than ViewMaxLag ago, by the service's injected clock (so
// a test moves the clock rather than racing it; a clock that went back
// counts as behind, which fails closed). A change committed before that read
// began has been applied, so no answer is older than ViewMaxLag; when the
// feed cannot be read (the database is down, the replica is starved) the
// view stops answering and every check reads the database, which fails
// closed as it always did.
const (
	// ViewPollEvery is how often a replica reads the change feed.
	ViewPollEvery = 100 * time.Millisecond
	// ViewMaxLag is the oldest feed read the view may answer after.
	ViewMaxLag = 500 * time.Millisecond
)

const (
	// maxViewEntries bounds the view; an arbitrary entry makes room.
	maxViewEntries = 200_000
	// feedRetention is how long the feed keeps a finished transaction's
	// rows; a replica that has not read it for viewResync forgets all.
	feedRetention = 10 * time.Minute
	viewResync    = time.Minute
	// FeedPruneEvery is how often a replica deletes feed rows older than
	// feedRetention (PruneFeed), feedPruneBatch rows a statement.
	FeedPruneEvery = time.Minute
	feedPruneBatch = 5000
	// fillGenerations is how many feed reads a load may span and still be
	// kept (far longer than DefaultDeadline at ViewPollEvery).
	fillGenerations = 50
	// feedReadMax is the most changes one feed read takes. A bulk load
	// writes hundreds of thousands of rows at once; reading them all in one
	// poll took longer than the read's deadline (ViewMaxLag), every poll
	// again, until the replica started over after viewResync. With more
	// changes than this the view starts over at once: it forgets everything
	// (as a change naming everything would) and reads from the feed's end.
	feedReadMax = 2_000
)

// viewKey is one question's agent (as addressed) and program.
type viewKey struct {
	agent     Agent
	programID string
}

// view is one replica's inputs, by question, with what the feed has said.
type view struct {
	mu sync.RWMutex
	// t holds the entries (viewtable.go): an agent's own inputs once for
	// all its entries, a program's once for all of its, and little the
	// collector must look at.
	t viewTable
	// shared holds the short strings the kept licenses repeat, each once.
	shared sharedInputs
	// gen counts applied feed reads; the maps below hold the gen at which
	// a user, a pair or a program was last made stale, so a load that
	// began before can tell its inputs may be stale too (see put).
	gen       uint64
	staleUser map[string]uint64
	stalePair map[pairKey]uint64
	staleProg map[string]uint64
	staleAll  uint64
	readBegan time.Time // when the last applied feed read began (zero: never)
	// What the next read must cover besides the rows after maxSeq (the
	// highest seq applied): rows of the transactions the last read's
	// snapshot saw running (running, an xid8[] literal) or that began
	// after it (from xmax on).
	maxSeq        int64
	running, xmax string
	// reads serializes feed reads: each starts from where the last ended.
	reads sync.Mutex
}

func newView() *view {
	return &view{t: newViewTable(), shared: newSharedInputs(),
		staleUser: map[string]uint64{}, stalePair: map[pairKey]uint64{}, staleProg: map[string]uint64{}}
}

// get returns the inputs kept for the question, false when there are none
// or the view is behind at now: its last feed read began more than
// ViewMaxLag before now, or after it (the clock went back).
func (v *view) get(k viewKey, now time.Time) (inputs, bool) {
	if v == nil {
		return inputs{}, false
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	if age := now.Sub(v.readBegan); v.readBegan.IsZero() || age < 0 || age > ViewMaxLag {
		return inputs{}, false
	}
	ai := v.t.find(k.agent)
	if ai < 0 {
		return inputs{}, false
	}
	ei := v.t.entry(ai, strings.ToLower(k.programID)) // a uuid, as the database spells it
	if ei < 0 {
		return inputs{}, false
	}
	return v.t.inputs(ai, ei), true
}

// begin is called before a load; put takes what it returned.
func (v *view) begin() uint64 {
	if v == nil {
		return 0
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.gen
}

// put keeps in, loaded for k by a read that started after begin returned
// gen, unless the feed has since made it stale: a change committed after
// the load's snapshot is applied either before put (and put sees it) or
// after (and drops the entry).
func (v *view) put(k viewKey, in *inputs, gen uint64) {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.readBegan.IsZero() || v.gen-gen > fillGenerations || v.staleAll > gen || v.staleUser[in.UserID] > gen ||
		v.staleProg[in.ProgramID] > gen || v.stalePair[pairKey{in.UserID, in.ProgramID}] > gen ||
		strings.ToLower(k.programID) != in.ProgramID {
		return
	}
	v.t.put(k.agent, v.shared.compact(in))
}

// change is one row of the feed. A row naming a module (the readers'
// caches, package changefeed) names no input of an answer.
type change struct {
	seq                         int64
	userID, programID, moduleID string
}

// apply makes what the changes name stale, as of a feed read that began at
// began; v.mu is held.
func (v *view) apply(changes []change, began time.Time) {
	v.gen++
	for _, c := range changes {
		v.maxSeq = max(v.maxSeq, c.seq)
		switch {
		case c.moduleID != "":
		case c.userID == "" && c.programID == "":
			v.staleAll = v.gen
			v.t.clear()
		case c.programID == "":
			v.staleUser[c.userID] = v.gen
			if ai := v.t.byID(c.userID); ai >= 0 {
				v.t.dropAgent(ai)
			}
		case c.userID == "":
			v.staleProg[c.programID] = v.gen
			v.t.dropProgram(c.programID)
		default:
			v.stalePair[pairKey{c.userID, c.programID}] = v.gen
			if ai := v.t.byID(c.userID); ai >= 0 {
				v.t.dropEntries(ai, c.programID)
			}
		}
	}
	// A load older than fillGenerations is never kept, so older marks
	// can go.
	if v.gen > fillGenerations {
		horizon := v.gen - fillGenerations
		for _, m := range []map[string]uint64{v.staleUser, v.staleProg} {
			for id, g := range m {
				if g < horizon {
					delete(m, id)
				}
			}
		}
		for p, g := range v.stalePair {
			if g < horizon {
				delete(v.stalePair, p)
			}
		}
	}
	v.readBegan = began
}

// syncView reads the feed once and applies it.
func (s *Service) syncView(ctx context.Context) error {
	v := s.view
	v.reads.Lock()
	defer v.reads.Unlock()
	began := s.clock.Now()
	v.mu.RLock()
	fresh := !v.readBegan.IsZero() && began.Sub(v.readBegan) < viewResync
	after, running, xmax := v.maxSeq, v.running, v.xmax
	v.mu.RUnlock()
	conn := pool(s.db)

	// startOver forgets everything and reads from the feed's end.
	startOver := func() error {
		after, xip, xmax, err := readFeedStart(ctx, conn)
		if err != nil {
			return err
		}
		v.mu.Lock()
		v.gen++
		v.staleAll = v.gen
		v.t.clear()
		v.maxSeq, v.running, v.xmax, v.readBegan = after, "{"+xip+"}", xmax, began
		v.mu.Unlock()
		for _, l := range s.feedListeners {
			l.Apply(nil, began, true)
		}
		return nil
	}
	if !fresh {
		// The first read, or too long without one (rows may have been
		// pruned).
		return startOver()
	}

	changes, xip, xmax, err := readFeed(ctx, conn, after, running, xmax, feedReadMax)
	if err != nil {
		return err
	}
	if len(changes) >= feedReadMax {
		// A bulk load: cheaper to start over than to read it all.
		return startOver()
	}
	v.mu.Lock()
	v.apply(changes, began)
	v.running, v.xmax = "{"+xip+"}", xmax
	v.mu.Unlock()
	if len(s.feedListeners) > 0 {
		cs := make([]changefeed.Change, len(changes))
		for i, c := range changes {
			cs[i] = changefeed.Change{UserID: c.userID, ProgramID: c.programID, ModuleID: c.moduleID}
		}
		for _, l := range s.feedListeners {
			l.Apply(cs, began, false)
		}
	}
	return nil
}

// OnFeed hands every successful read of the change feed to l as well (the
// readers' caches: sessions, enrollments, modules), from the reads that
// keep the view (RunView). Call it before serving.
func (s *Service) OnFeed(l changefeed.Listener) { s.feedListeners = append(s.feedListeners, l) }

// PruneFeed deletes the change feed's rows older than its retention, in
// batches of feedPruneBatch (so it finishes after a bulk load of hundreds
// of thousands of rows, each statement short), and reports how many. It is
// a job of its own, apart from the feed reads, whose deadline is the view's
// bound: the feed is written by triggers whether or not the view is on, so
// every replica runs it (FeedPruneEvery), and replicas share the work.
func (s *Service) PruneFeed(ctx context.Context) (int, error) {
	conn := pool(s.db)
	total := 0
	for {
		n, err := pruneFeedBatch(ctx, conn, feedRetention, feedPruneBatch)
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < feedPruneBatch {
			return total, nil
		}
	}
}

// EnableView makes single checks answer from this replica's view (see
// ViewMaxLag); RunView must then run for as long as the replica serves,
// or every check reads the database. Call it before serving.
func (s *Service) EnableView() {
	s.view = newView()
	s.live = newLiveRosters()
	s.OnFeed(s.live)
}

// RunView reads the change feed every ViewPollEvery until ctx is done.
// Failures are not logged one by one (there would be ten a second while
// the database is down); the view stops answering until a read succeeds,
// and the first failure after a success is logged.
func (s *Service) RunView(ctx context.Context) {
	if s.view == nil {
		return
	}
	t := time.NewTicker(ViewPollEvery)
	defer t.Stop()
	failing := false
	for {
		rctx, cancel := context.WithTimeout(ctx, ViewMaxLag)
		err := s.syncView(rctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			s.feedFailures.Add(1)
		}
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			if s.Log != nil {
				s.Log.ErrorContext(ctx, "eligibility view: cannot read the change feed; checks read the database", "err", err)
			}
		case err == nil:
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// FeedReadFailures reports how many of RunView's feed reads have failed
// (missed their ViewMaxLag deadline, or the database was away), for the
// metrics (skillgate_eligibility_feed_read_failures_total) and benchmarks.
func (s *Service) FeedReadFailures() int64 { return s.feedFailures.Load() }

// SyncView reads the change feed once now (tests).
func (s *Service) SyncView(ctx context.Context) error {
	if s.view == nil {
		return nil
	}
	return s.syncView(ctx)
}

// size reports how many questions the view holds.
func (v *view) size() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.t.n
}

// ViewStats reports how long ago (by the injected clock) the view's last
// successful read of the change feed began (an hour when it never succeeded) and how many
// questions it holds; zeros when the view is off.
func (s *Service) ViewStats() (time.Duration, int) {
	v := s.view
	if v == nil {
		return 0, 0
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.readBegan.IsZero() {
		return time.Hour, v.t.n
	}
	return s.clock.Now().Sub(v.readBegan), v.t.n
}
