// Package changefeed keeps small per-replica read caches current from the
// database's change feed (the eligibility_changes table, written by
// triggers in the transaction of every change; see migrations 00019 and
// 00028). The routing service reads the feed every 100 ms for its
// eligibility view and hands every read to the caches registered with it
// (routing.Service.OnFeed), so sessions, an agent's enrollments and a
// module's listing are read from memory with the eligibility view's bound.
//
// The bound: an entry is used only while the last feed read handed to the
// cache began less than MaxLag ago by the injected clock (a clock that went
// back counts as behind, which fails closed: the caller reads the
// database). A change committed before that read began has been applied,
// so no answer is older than MaxLag. When the feed is not read at all (the
// view off, the database down) the cache answers nothing.
package changefeed

import (
	"sync"
	"time"
)

// MaxLag is the oldest feed read a cache may answer after (the eligibility
// view's bound, routing.ViewMaxLag).
const MaxLag = 500 * time.Millisecond

// fillGenerations is how many feed reads a load may span and still be kept.
const fillGenerations = 50

// Change is one row of the feed: a user (all of theirs), a program, a user
// and a program, a module, or nothing (everything, after a TRUNCATE).
type Change struct {
	UserID, ProgramID, ModuleID string
}

// Listener takes every successful feed read: the changes it found, when it
// began, and reset when the reader started over (everything may be stale).
type Listener interface {
	Apply(changes []Change, began time.Time, reset bool)
}

// Tag names what an entry was read from: the user or the module whose
// changes make it stale. A change naming the user (with or without a
// program) or the module drops it.
type Tag struct {
	module bool
	id     string
}

// User tags an entry read from the user's rows.
func User(id string) Tag { return Tag{id: id} }

// Module tags an entry read from the module's rows.
func Module(id string) Tag { return Tag{module: true, id: id} }

// Cache holds values by key, each tagged with what it was read from. Load
// with gen := c.Begin(), read the database, then c.Put(k, v, tag, gen):
// a change committed after the read's snapshot is applied either before
// Put (which then refuses the value) or after (which drops it).
type Cache[K comparable, V any] struct {
	max int

	mu        sync.RWMutex
	entries   map[K]entry[V]
	byTag     map[Tag]map[K]struct{}
	gen       uint64
	stale     map[Tag]uint64 // the gen at which a tag was last made stale
	staleAll  uint64
	readBegan time.Time
}

type entry[V any] struct {
	v   V
	tag Tag
}

// New returns an empty cache of at most max entries (an arbitrary one makes
// room).
func New[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: max, entries: map[K]entry[V]{}, byTag: map[Tag]map[K]struct{}{}, stale: map[Tag]uint64{}}
}

// Get returns the value kept under k, unless there is none or the cache is
// behind at now.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if age := now.Sub(c.readBegan); c.readBegan.IsZero() || age < 0 || age > MaxLag {
		var zero V
		return zero, false
	}
	e, ok := c.entries[k]
	return e.v, ok
}

// Begin is called before a load; Put takes what it returned.
func (c *Cache[K, V]) Begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// Put keeps v under k, read from tag by a load that began after Begin
// returned gen, unless a feed read applied since made tag stale.
func (c *Cache[K, V]) Put(k K, v V, tag Tag, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.readBegan.IsZero() || c.gen-gen > fillGenerations || c.staleAll > gen || c.stale[tag] > gen {
		return
	}
	if _, ok := c.entries[k]; ok {
		c.drop(k)
	}
	if len(c.entries) >= c.max {
		for old := range c.entries {
			c.drop(old)
			break
		}
	}
	c.entries[k] = entry[V]{v: v, tag: tag}
	keys := c.byTag[tag]
	if keys == nil {
		keys = map[K]struct{}{}
		c.byTag[tag] = keys
	}
	keys[k] = struct{}{}
}

// Drop forgets k (a change this replica made and will not wait for).
func (c *Cache[K, V]) Drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drop(k)
}

// Forget drops what was read from tag, and any load of it under way (a
// change this replica committed: it need not wait for the feed).
func (c *Cache[K, V]) Forget(t Tag) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.dropTag(t)
}

// drop removes one entry; c.mu is held.
func (c *Cache[K, V]) drop(k K) {
	e, ok := c.entries[k]
	if !ok {
		return
	}
	delete(c.entries, k)
	if keys := c.byTag[e.tag]; keys != nil {
		delete(keys, k)
		if len(keys) == 0 {
			delete(c.byTag, e.tag)
		}
	}
}

// dropTag marks tag stale and drops its entries; c.mu is held.
func (c *Cache[K, V]) dropTag(t Tag) {
	c.stale[t] = c.gen
	for k := range c.byTag[t] {
		c.drop(k)
	}
}

// Apply makes what the changes name stale, as of a feed read that began at
// began (see Listener).
func (c *Cache[K, V]) Apply(changes []Change, began time.Time, reset bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if reset {
		c.staleAll = c.gen
		clear(c.entries)
		clear(c.byTag)
	}
	for _, ch := range changes {
		switch {
		case ch.ModuleID != "":
			c.dropTag(Module(ch.ModuleID))
		case ch.UserID != "":
			c.dropTag(User(ch.UserID))
		case ch.ProgramID == "":
			c.staleAll = c.gen
			clear(c.entries)
			clear(c.byTag)
		}
		// A program's own rows (its name, its license requirements) are
		// in no entry here: who is enrolled comes with a user, what a
		// program lists with a module.
	}
	if c.gen > fillGenerations {
		horizon := c.gen - fillGenerations
		for t, g := range c.stale {
			if g < horizon {
				delete(c.stale, t)
			}
		}
	}
	c.readBegan = began
}

// Len reports how many entries the cache holds.
func (c *Cache[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
