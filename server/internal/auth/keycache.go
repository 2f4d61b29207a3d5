package auth

import (
	"sync"
	"time"
)

// APIKeyCacheTTL is how long a replica trusts an API key it has read. A key
// revoked on this replica is dropped at once; every other replica sees the
// revocation within this time, because it reads the key again when its
// copy is older. The routing system sends thousands of checks a second, and
// without the cache each would spend a round trip on the key.
const APIKeyCacheTTL = 500 * time.Millisecond

// maxCachedKeys bounds the cache; it is emptied when full. Only keys whose
// secret matched are cached, so its size is at most the number of keys.
const maxCachedKeys = 1024

// keyCache holds recently read API keys by the SHA-256 of the whole
// credential. Expiry is checked on every request against the service's
// clock; the TTL runs on the wall clock (monotonic), not the injected one,
// because it bounds staleness between replicas, not a domain rule.
type keyCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cachedKey
}

type cachedKey struct {
	key    APIKey
	readAt time.Time
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, now: time.Now, entries: map[string]cachedKey{}}
}

// get returns a fresh copy of the key cached under hash.
func (c *keyCache) get(hash string) (APIKey, bool) {
	if c.ttl <= 0 {
		return APIKey{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || c.now().Sub(e.readAt) >= c.ttl {
		delete(c.entries, hash)
		return APIKey{}, false
	}
	return e.key, true
}

// put caches k under hash.
func (c *keyCache) put(hash string, k APIKey) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedKeys {
		clear(c.entries)
	}
	c.entries[hash] = cachedKey{key: k, readAt: c.now()}
}

// touched records that this replica stored the key's last use at.
func (c *keyCache) touched(hash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[hash]; ok {
		e.key.LastUsedAt = &at
		c.entries[hash] = e
	}
}

// drop forgets the key with id, wherever it is cached.
func (c *keyCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.key.ID == id {
			delete(c.entries, h)
		}
	}
}
