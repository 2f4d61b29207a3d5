package routing

import (
	"sync"
	"testing"
	"time"
)

// TestRosterCacheExpiry: an entry is served until exactly the TTL after its
// read began and never at or after it, an entry that expired while it was
// being computed is not served again, the earliest valid_until ends it on the
// injected clock, and concurrent use is safe (run with -race).
func TestRosterCacheExpiry(t *testing.T) {
	t.Parallel()
	wall := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	c := newRosterCache()
	c.ttl = 500 * time.Millisecond
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return wall }
	advance := func(d time.Duration) { mu.Lock(); wall = wall.Add(d); mu.Unlock() }
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // the injected clock
	until := at.Add(time.Hour)
	k := rosterKey{programID: "p"}
	r := &Roster{ProgramID: "p", Agents: []RosterEntry{{Answer: Answer{AgentID: "a", ValidUntil: &until}}, {Answer: Answer{AgentID: "b"}}}}

	readAt := c.start()
	advance(200 * time.Millisecond) // deciding and encoding
	e, err := c.put(k, r, readAt)
	if err != nil || len(e.json) == 0 {
		t.Fatalf("put: %v, json %q", err, e.json)
	}
	advance(299 * time.Millisecond)
	if got, ok := c.get(k, at); !ok || got.roster != r {
		t.Fatal("499 ms after the read: got a miss, want the cached roster")
	}
	advance(time.Millisecond)
	if _, ok := c.get(k, at); ok {
		t.Fatal("500 ms after the read: got the cached roster, want a miss")
	}

	// Computed for longer than the TTL: served to its own request only.
	readAt = c.start()
	advance(600 * time.Millisecond)
	if _, err := c.put(k, r, readAt); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.get(k, at); ok {
		t.Fatal("an entry that expired while it was computed was served again")
	}

	// The injected clock reaching the earliest valid_until ends it.
	if _, err := c.put(k, r, c.start()); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.get(k, until.Add(-time.Second)); !ok {
		t.Fatal("before valid_until: got a miss, want the cached roster")
	}
	if _, ok := c.get(k, until); ok {
		t.Fatal("at valid_until: got the cached roster, want a miss")
	}

	// Off: nothing is kept or encoded.
	off := newRosterCache()
	if e, _ := off.put(k, r, off.start()); e.json != nil || e.roster != r {
		t.Fatal("cache off: want the roster back unencoded")
	}
	if _, ok := off.get(k, at); ok {
		t.Fatal("cache off: got a cached roster")
	}

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				key := rosterKey{programID: "p", eligibleOnly: (i+j)%2 == 0}
				if _, ok := c.get(key, at); !ok {
					_, _ = c.put(key, r, c.start())
				}
				if j%10 == 0 {
					c.drop("p")
				}
			}
		}()
	}
	wg.Wait()
}
