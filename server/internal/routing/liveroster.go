package routing

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/skillgate/skillgate/server/internal/changefeed"
)

// Live rosters: with the view on, each replica keeps the snapshot a
// program's roster is computed from (its requirements, assigned agents,
// their certifications in it and the licenses it could use) and keeps it
// current from the change feed instead of reading 5,000 agents' rows again
// for every roster. A feed row naming a user (any program, or this one)
// marks that agent dirty; one naming the program, or everything, marks the
// whole snapshot. A roster request first re-reads what is marked (the dirty
// agents in one small snapshot, or the whole program), then decides every
// agent at the request's instant, as before.
//
// The bound is the view's: the snapshot is used only while the last feed
// read began less than ViewMaxLag ago by the injected clock, and every
// change committed before that read began has been marked, so after the
// refresh the snapshot is no older than that read. The roster cache counts
// its TTL from then (not from the request), so a revocation still shows in
// every replica's rosters within ViewMaxLag plus RosterCacheTTL. When the
// feed is behind, the roster reads its snapshot whole, as without the view.
const (
	// maxLivePrograms bounds how many programs' snapshots a replica keeps
	// (an arbitrary one makes room): the largest is a few megabytes.
	maxLivePrograms = 32
	// maxDirtyAgents is how many marked agents a snapshot keeps track of;
	// past it (a bulk load) the whole program is read again.
	maxDirtyAgents = 2000
)

// liveRosters holds the live snapshots by program.
type liveRosters struct {
	mu        sync.Mutex
	progs     map[string]*liveRoster
	readBegan time.Time // when the last feed read applied began (zero: none yet)
}

// liveRoster is one program's snapshot and what the feed has marked in it.
type liveRoster struct {
	// refresh is held while the snapshot is brought up to date and read.
	refresh sync.Mutex
	sn      *snapshot // nil until read whole; guarded by refresh

	// Guarded by liveRosters.mu.
	whole bool
	dirty map[string]struct{}
}

func newLiveRosters() *liveRosters { return &liveRosters{progs: map[string]*liveRoster{}} }

// Apply marks what a feed read found (changefeed.Listener).
func (l *liveRosters) Apply(changes []changefeed.Change, began time.Time, reset bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.readBegan = began
	if reset {
		for _, lr := range l.progs {
			lr.markWhole()
		}
		return
	}
	for _, c := range changes {
		switch {
		case c.ModuleID != "":
		case c.UserID != "" && c.ProgramID != "":
			if lr := l.progs[c.ProgramID]; lr != nil {
				lr.markAgent(c.UserID)
			}
		case c.UserID != "":
			for _, lr := range l.progs {
				lr.markAgent(c.UserID)
			}
		case c.ProgramID != "":
			if lr := l.progs[c.ProgramID]; lr != nil {
				lr.markWhole()
			}
		default:
			for _, lr := range l.progs {
				lr.markWhole()
			}
		}
	}
}

// markWhole and markAgent mark; liveRosters.mu is held.
func (lr *liveRoster) markWhole() {
	lr.whole = true
	clear(lr.dirty)
}

func (lr *liveRoster) markAgent(userID string) {
	if lr.whole {
		return
	}
	if len(lr.dirty) >= maxDirtyAgents {
		lr.markWhole()
		return
	}
	lr.dirty[userID] = struct{}{}
}

// markCommitted marks an agent of a program whose rows this replica has just
// changed and committed (an assignment made or taken out), so this
// replica's next roster of the program reads them again rather than wait up
// to ViewMaxLag for the feed: whoever assigned sees the assignment at once.
// A nil l (the view is off) has nothing to mark.
func (l *liveRosters) markCommitted(programID, userID string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if lr := l.progs[programID]; lr != nil {
		lr.markAgent(userID)
	}
}

// rosterSnapshot returns the program's snapshot, current as of dataAt
// (by the injected clock), and a func to call once done reading it. With
// the view on and its feed read recently, it is the live snapshot brought
// up to date; otherwise a snapshot read whole now.
func (s *Service) rosterSnapshot(ctx context.Context, programID string) (sn *snapshot, dataAt time.Time, done func(), err error) {
	now := s.clock.Now()
	l := s.live
	if l == nil {
		sn, err = s.store.Snapshot(ctx, snapshotScope{ProgramID: programID})
		return sn, now, func() {}, err
	}
	l.mu.Lock()
	if age := now.Sub(l.readBegan); l.readBegan.IsZero() || age < 0 || age > ViewMaxLag {
		l.mu.Unlock()
		sn, err = s.store.Snapshot(ctx, snapshotScope{ProgramID: programID})
		return sn, now, func() {}, err
	}
	lr := l.progs[programID]
	if lr == nil {
		if len(l.progs) >= maxLivePrograms {
			for id := range l.progs {
				delete(l.progs, id)
				break
			}
		}
		lr = &liveRoster{whole: true, dirty: map[string]struct{}{}}
		l.progs[programID] = lr
	}
	l.mu.Unlock()

	lr.refresh.Lock()
	// Take the marks: any change applied from now on marks again, and one
	// applied before is read below (it committed before this read begins).
	l.mu.Lock()
	whole, dirty := lr.whole || lr.sn == nil, lr.dirty
	lr.whole, lr.dirty = false, map[string]struct{}{}
	dataAt = l.readBegan
	l.mu.Unlock()
	restore := func() {
		l.mu.Lock()
		if whole {
			lr.markWhole()
		} else {
			for u := range dirty {
				lr.markAgent(u)
			}
		}
		l.mu.Unlock()
	}
	switch {
	case whole:
		full, err := s.store.Snapshot(ctx, snapshotScope{ProgramID: programID})
		if err != nil {
			restore()
			lr.refresh.Unlock()
			return nil, now, nil, err
		}
		lr.sn = full
	case len(dirty) > 0:
		ids := make([]string, 0, len(dirty))
		for u := range dirty {
			ids = append(ids, u)
		}
		patch, err := s.store.Snapshot(ctx, snapshotScope{ProgramID: programID, NamedIDs: ids, OnlyNamed: true})
		if err != nil {
			restore()
			lr.refresh.Unlock()
			return nil, now, nil, err
		}
		lr.sn.replaceAgents(patch, ids)
	}
	return lr.sn, dataAt, lr.refresh.Unlock, nil
}

// replaceAgents replaces, in a one-program snapshot, what it holds of the
// agents ids by what patch (a snapshot of the same program and only those
// agents) holds: an agent no longer assigned leaves it, one newly
// assigned joins it. The agents stay by email, then id.
func (sn *snapshot) replaceAgents(patch *snapshot, ids []string) {
	p := sn.Programs[0]
	for _, u := range ids {
		k := pairKey{u, p.ID}
		if old := sn.agents[u]; old != nil {
			delete(sn.agents, u)
			if old.ExternalID != nil && sn.byExternal[*old.ExternalID] == old {
				delete(sn.byExternal, *old.ExternalID)
			}
			delete(sn.byAgent, u)
			delete(sn.Assigned, k)
			delete(sn.certs, k)
		}
		ag := patch.agents[u]
		status, assigned := patch.Assigned[k]
		if ag == nil || !assigned {
			continue
		}
		sn.agents[u] = ag
		if ag.ExternalID != nil {
			sn.byExternal[*ag.ExternalID] = ag
		}
		sn.Assigned[k] = status
		sn.byAgent[u] = []*snapProgram{p}
		if c := patch.certs[k]; c != nil {
			sn.certs[k] = c
		}
	}
	agents := sn.Agents[:0]
	for _, a := range sn.Agents {
		if sn.agents[a.UserID] == a {
			agents = append(agents, a)
		}
	}
	for _, u := range ids {
		if ag := sn.agents[u]; ag != nil && patch.agents[u] == ag {
			agents = append(agents, ag)
		}
	}
	slices.SortFunc(agents, func(a, b *snapAgent) int {
		if c := strings.Compare(a.Email, b.Email); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	sn.Agents = agents
}
