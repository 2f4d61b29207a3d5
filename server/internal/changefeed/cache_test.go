package changefeed

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// TestCacheAnswersOnlyWithinTheBound: nothing before the first feed read,
// nothing once the last read began more than MaxLag ago or when the clock
// went back before it.
func TestCacheAnswersOnlyWithinTheBound(t *testing.T) {
	c := New[string, int](10)
	gen := c.Begin()
	c.Put("a", 1, User("u"), gen)
	if _, ok := c.Get("a", t0); ok {
		t.Fatal("kept a value before any feed read, want none kept")
	}
	c.Apply(nil, t0, true)
	c.Put("a", 1, User("u"), c.Begin())
	for _, tc := range []struct {
		name string
		at   time.Time
		want bool
	}{
		{"at the read", t0, true},
		{"at the bound", t0.Add(MaxLag), true},
		{"past the bound", t0.Add(MaxLag + time.Nanosecond), false},
		{"clock went back", t0.Add(-time.Millisecond), false},
	} {
		if _, ok := c.Get("a", tc.at); ok != tc.want {
			t.Errorf("%s: got found %v, want %v", tc.name, ok, tc.want)
		}
	}
}

// TestCacheDropsWhatAChangeNames: a change naming the user (with or
// without a program) or the module drops its entries and no others; a
// program alone drops nothing; an empty change or a reset drops all.
func TestCacheDropsWhatAChangeNames(t *testing.T) {
	fill := func() *Cache[string, int] {
		c := New[string, int](10)
		c.Apply(nil, t0, true)
		g := c.Begin()
		c.Put("s1", 1, User("u1"), g)
		c.Put("s2", 2, User("u1"), g)
		c.Put("s3", 3, User("u2"), g)
		c.Put("m1", 4, Module("m1"), g)
		return c
	}
	for _, tc := range []struct {
		name  string
		ch    []Change
		reset bool
		left  []string
	}{
		{"user", []Change{{UserID: "u1"}}, false, []string{"s3", "m1"}},
		{"user and program", []Change{{UserID: "u2", ProgramID: "p"}}, false, []string{"s1", "s2", "m1"}},
		{"module", []Change{{ModuleID: "m1"}}, false, []string{"s1", "s2", "s3"}},
		{"program alone", []Change{{ProgramID: "p"}}, false, []string{"s1", "s2", "s3", "m1"}},
		{"everything", []Change{{}}, false, nil},
		{"reset", nil, true, nil},
	} {
		c := fill()
		c.Apply(tc.ch, t0, tc.reset)
		if c.Len() != len(tc.left) {
			t.Errorf("%s: %d entries left, want %d", tc.name, c.Len(), len(tc.left))
		}
		for _, k := range tc.left {
			if _, ok := c.Get(k, t0); !ok {
				t.Errorf("%s: %s dropped, want it kept", tc.name, k)
			}
		}
	}
}

// TestCacheRefusesALoadAChangeOvertook: a value loaded before a change
// that a feed read applied before the value was put is never kept; one
// loaded after is.
func TestCacheRefusesALoadAChangeOvertook(t *testing.T) {
	c := New[string, int](10)
	c.Apply(nil, t0, true)
	gen := c.Begin()
	c.Apply([]Change{{UserID: "u"}}, t0, false)
	c.Put("s", 1, User("u"), gen)
	if _, ok := c.Get("s", t0); ok {
		t.Error("kept a load the change overtook, want it refused")
	}
	c.Put("other", 2, User("v"), gen)
	if _, ok := c.Get("other", t0); !ok {
		t.Error("refused a load of another user, want it kept")
	}
	gen = c.Begin()
	c.Apply([]Change{{}}, t0, false)
	c.Put("other", 3, User("v"), gen)
	if v, ok := c.Get("other", t0); ok {
		t.Errorf("kept %d loaded before everything went stale, want nothing", v)
	}
	gen = c.Begin()
	for range fillGenerations + 1 {
		c.Apply(nil, t0, false)
	}
	c.Put("slow", 4, User("w"), gen)
	if _, ok := c.Get("slow", t0); ok {
		t.Error("kept a load that spanned too many feed reads, want it refused")
	}
}

// TestCacheIsBounded: a full cache makes room; Drop forgets one key.
func TestCacheIsBounded(t *testing.T) {
	c := New[int, int](3)
	c.Apply(nil, t0, true)
	for i := range 10 {
		c.Put(i, i, User("u"), c.Begin())
	}
	if c.Len() != 3 {
		t.Fatalf("got %d entries, want 3", c.Len())
	}
	c.Drop(9)
	if _, ok := c.Get(9, t0); ok || c.Len() != 2 {
		t.Errorf("after Drop: found %v with %d entries, want gone with 2", ok, c.Len())
	}
}

// TestCacheForget: Forget drops the tag's entries and refuses a load of it
// that began before, without a feed read; other tags stay.
func TestCacheForget(t *testing.T) {
	c := New[string, int](10)
	c.Apply(nil, t0, true)
	g := c.Begin()
	c.Put("s1", 1, User("u1"), g)
	c.Put("s2", 2, User("u2"), g)
	inFlight := c.Begin()
	c.Forget(User("u1"))
	if _, ok := c.Get("s1", t0); ok {
		t.Error("kept an entry of a forgotten tag")
	}
	c.Put("s1", 1, User("u1"), inFlight)
	if _, ok := c.Get("s1", t0); ok {
		t.Error("kept a load that began before Forget")
	}
	if _, ok := c.Get("s2", t0); !ok {
		t.Error("forgot another tag's entry")
	}
	c.Put("s1", 3, User("u1"), c.Begin())
	if v, ok := c.Get("s1", t0); !ok || v != 3 {
		t.Errorf("got %d %v after a fresh load, want 3 kept", v, ok)
	}
}
