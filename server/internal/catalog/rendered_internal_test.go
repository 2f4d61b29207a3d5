package catalog

import (
	"errors"
	"testing"
)

func TestRenderedCacheBuildsOncePerKey(t *testing.T) {
	t.Parallel()
	c := newRenderedCache(3)
	calls := 0
	build := func(body string) func() (*RenderedModule, error) {
		return func() (*RenderedModule, error) {
			calls++
			return &RenderedModule{Body: []byte(body), ETag: `"` + body + `"`}, nil
		}
	}
	k := renderedKey{moduleID: "m", number: 1, slug: "s", kind: "product"}
	for range 3 {
		r, err := c.get(k, build("v1"))
		if err != nil || string(r.Body) != "v1" {
			t.Fatalf("got %v, %v, want v1", r, err)
		}
	}
	if calls != 1 {
		t.Fatalf("got %d renderings of one key, want 1", calls)
	}
	// Another kind (changed by a later publish) is another rendering.
	kind := k
	kind.kind = "policy"
	if r, _ := c.get(kind, build("policy")); string(r.Body) != "policy" || calls != 2 {
		t.Fatalf("got %q after %d renderings, want policy after 2", r.Body, calls)
	}
	// A failed rendering is not kept.
	failed := renderedKey{moduleID: "m", number: 9}
	if _, err := c.get(failed, func() (*RenderedModule, error) { return nil, errors.New("boom") }); err == nil {
		t.Fatal("got no error from a failed rendering, want it")
	}
	if _, ok := c.entries[failed]; ok {
		t.Fatal("a failed rendering was kept")
	}
	// Bounded: more keys than max keep max entries.
	for n := 2; n < 8; n++ {
		if _, err := c.get(renderedKey{moduleID: "m", number: n}, build("x")); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.entries) != 3 {
		t.Fatalf("got %d entries, want the bound 3", len(c.entries))
	}
}
