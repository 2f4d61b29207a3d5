package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/changefeed"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// RenderedModule is a module read as it goes on the wire: the JSON of a
// ModuleRead and its strong ETag (a hash of those bytes).
type RenderedModule struct {
	Body []byte
	ETag string
}

// renderedKey names one rendering: a version is immutable, but the
// module's kind may change with a later publish, and its slug and client
// are in the body too, so they are part of the key.
type renderedKey struct {
	moduleID string
	number   int
	clientID string
	slug     string
	kind     string
}

// renderedCache keeps the rendered JSON and ETag of module versions, each
// computed once. Its entries never go stale (a version never changes; a
// changed module attribute is a different key); it is bounded by dropping
// arbitrary entries when full. Visibility is never cached: it is decided
// per request before an entry is looked up.
type renderedCache struct {
	mu      sync.RWMutex
	max     int
	entries map[renderedKey]*RenderedModule
	builds  int // renderings computed, for tests
}

// renderedCacheSize bounds the cache: a center's library is hundreds of
// modules of about 20 KB each.
const renderedCacheSize = 2048

func newRenderedCache(max int) *renderedCache {
	return &renderedCache{max: max, entries: map[renderedKey]*RenderedModule{}}
}

// get returns the rendering of k, calling build on a miss.
func (c *renderedCache) get(k renderedKey, build func() (*RenderedModule, error)) (*RenderedModule, error) {
	c.mu.RLock()
	r := c.entries[k]
	c.mu.RUnlock()
	if r != nil {
		return r, nil
	}
	r, err := build()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.builds++
	if len(c.entries) >= c.max {
		for old := range c.entries { // map order: an arbitrary victim
			delete(c.entries, old)
			break
		}
	}
	c.entries[k] = r
	return r, nil
}

// renderModule is the JSON and ETag of a module read.
func renderModule(m *ModuleRead) (*RenderedModule, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("catalog: render module: %w", err)
	}
	return &RenderedModule{Body: body, ETag: httpx.ETag(body)}, nil
}

// RenderedModuleRead is ReadModule (number 0) or ReadModuleVersion as
// JSON with its ETag. Visibility is decided on every call (one statement
// after the enrollments); the version's JSON is rendered once per immutable
// version. Errors: unauthorized, forbidden, not_found.
func (s *Service) RenderedModuleRead(ctx context.Context, id string, number int) (*RenderedModule, error) {
	if number < 0 {
		return nil, apperr.NotFoundf("version %d of the module", number)
	}
	m, err := s.readableModule(ctx, id)
	if err != nil {
		return nil, err
	}
	if number == 0 {
		number = m.CurrentVersion
	}
	k := renderedKey{moduleID: m.ID, number: number, slug: m.Slug, kind: m.Kind}
	if m.ClientID != nil {
		k.clientID = *m.ClientID
	}
	return s.rendered.get(k, func() (*RenderedModule, error) {
		ver, err := s.Version(ctx, m.ID, number)
		if err != nil {
			return nil, err
		}
		return renderModule(moduleRead(m, ver))
	})
}

// readableModule returns the module when the request's principal may read
// it, else not_found: the same decision as viewerOf and seesModule, from
// the readers' caches (the agent's enrollments and the module with the
// programs that list it, each at most changefeed.MaxLag old) or, when they
// miss, one statement each.
func (s *Service) readableModule(ctx context.Context, id string) (*Module, error) {
	programIDs, err := s.agentPrograms(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.viewerBase(ctx, programIDs)
	if err != nil {
		return nil, err
	}
	l, err := s.moduleListing(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.agent {
		v.moduleIDs = nil
		for _, p := range l.programIDs {
			if slices.Contains(programIDs, p) {
				v.moduleIDs = []string{l.module.ID}
				break
			}
		}
	}
	if !v.seesModule(&l.module) {
		return nil, apperr.NotFoundf("module")
	}
	m := l.module
	return &m, nil
}

// listing is a module with the programs that list it, as the readers'
// cache keeps it (never changed once kept).
type listing struct {
	module     Module
	programIDs []string
}

// moduleListing reads the module's listing through the readers' cache.
func (s *Service) moduleListing(ctx context.Context, id string) (*listing, error) {
	if l, ok := s.listings.Get(id, s.clock.Now()); ok {
		return l, nil
	}
	gen := s.listings.Begin()
	m, programIDs, err := s.ModuleListing(ctx, id)
	if err != nil {
		return nil, err
	}
	l := &listing{module: *m, programIDs: programIDs}
	s.listings.Put(id, l, changefeed.Module(id), gen)
	return l, nil
}
