package routing

import (
	"sync"
	"time"
)

// RosterCacheTTL is how long a replica reuses a roster it has computed
// (LoadConfig sets it; zero turns the cache off, as in tests). Each
// replica's copy expires by itself after this long, so a revocation made
// anywhere shows in every replica's rosters within it, which keeps the gate's
// bound of one second; a roster of 5,000 agents takes a few hundred
// milliseconds to read and encode, and the routing system may ask for it
// from many places at once.
const RosterCacheTTL = 500 * time.Millisecond

// maxCachedRosters bounds the cache; it is emptied when full.
const maxCachedRosters = 256

// rosterKey is one roster question: a program, a caller state ("" when
// none) and whether only the eligible agents are wanted.
type rosterKey struct {
	programID, state string
	eligibleOnly     bool
}

// cachedRoster is a computed roster and its JSON, valid until expires on
// the wall clock (monotonic) and until the injected clock reaches
// changesAt, the earliest moment one of its answers changes by itself.
type cachedRoster struct {
	roster    *Roster
	json      []byte
	expires   time.Time
	changesAt *time.Time
}

// rosterCache holds recently computed rosters by question. Only answers
// are cached, never errors; the caller's right to see the roster is checked
// on every request, before the cache is read.
type rosterCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[rosterKey]cachedRoster
}

func newRosterCache() *rosterCache {
	return &rosterCache{now: time.Now, entries: map[rosterKey]cachedRoster{}}
}

// get returns the roster cached for k while it is fresh: younger than the
// TTL and with no answer past its valid_until at at (the injected clock).
func (c *rosterCache) get(k rosterKey, at time.Time) (cachedRoster, bool) {
	if c.ttl <= 0 {
		return cachedRoster{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return cachedRoster{}, false
	}
	if !c.now().Before(e.expires) || (e.changesAt != nil && !at.Before(*e.changesAt)) {
		delete(c.entries, k)
		return cachedRoster{}, false
	}
	return e, true
}

// start is the wall-clock moment before a roster's inputs are read: an entry
// expires the TTL after it, so no answer served from the cache rests on a
// read older than the TTL, however long deciding and encoding took.
func (c *rosterCache) start() time.Time { return c.now() }

// put caches r and its JSON under k until the TTL after readAt (from
// start). With the cache off it returns r alone, without encoding it.
func (c *rosterCache) put(k rosterKey, r *Roster, readAt time.Time) (cachedRoster, error) {
	if c.ttl <= 0 {
		return cachedRoster{roster: r}, nil
	}
	e := cachedRoster{roster: r, json: appendRosterJSON(nil, r)}
	for _, a := range r.Agents {
		if a.ValidUntil != nil && (e.changesAt == nil || a.ValidUntil.Before(*e.changesAt)) {
			e.changesAt = a.ValidUntil
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedRosters {
		clear(c.entries)
	}
	e.expires = readAt.Add(c.ttl)
	if c.now().Before(e.expires) {
		c.entries[k] = e
	}
	return e, nil
}

// drop forgets every cached roster of the program, after this replica
// changed its assignments.
func (c *rosterCache) drop(programID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.programID == programID {
			delete(c.entries, k)
		}
	}
}
