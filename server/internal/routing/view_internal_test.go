package routing

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// at is the instant the view tests read the feed and ask at.
var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// The view answers only while its last feed read began at most ViewMaxLag
// before the instant asked about, and not after it (a clock that went back).
func TestViewAnswersOnlyWithinTheLag(t *testing.T) {
	k := viewKey{agent: Agent{ID: "u1"}, programID: "p1"}
	v := newView()
	if v.get(k, at) != nil {
		t.Fatal("an empty view answered")
	}
	v.apply(nil, at)
	v.put(k, &inputs{UserID: "u1", ProgramID: "p1"}, v.begin())
	for _, c := range []struct {
		name   string
		now    time.Time
		answer bool
	}{
		{"at the read", at, true},
		{"ViewMaxLag after", at.Add(ViewMaxLag), true},
		{"just past ViewMaxLag", at.Add(ViewMaxLag + time.Microsecond), false},
		{"before the read (clock went back)", at.Add(-time.Microsecond), false},
	} {
		if got := v.get(k, c.now) != nil; got != c.answer {
			t.Errorf("%s: answered %v, want %v", c.name, got, c.answer)
		}
	}
}

// A load that began before the feed made its agent, pair or program stale
// is not kept: its snapshot may predate the change.
func TestViewDropsALoadThatAChangeOvertook(t *testing.T) {
	k := viewKey{agent: Agent{ID: "u1"}, programID: "p1"}
	in := &inputs{UserID: "u1", ProgramID: "p1"}
	for _, c := range []change{{userID: "u1"}, {programID: "p1"}, {userID: "u1", programID: "p1"}, {}} {
		v := newView()
		v.apply(nil, at)
		gen := v.begin()
		v.apply([]change{c}, at) // the change is read while the load runs
		v.put(k, in, gen)
		if v.get(k, at) != nil {
			t.Errorf("change %+v: a load overtaken by it was kept", c)
		}
		gen = v.begin() // a load that began after the change was read
		v.put(k, in, gen)
		if v.get(k, at) == nil {
			t.Errorf("change %+v: a load that began after it was not kept", c)
		}
	}
	// Another pair's change does not matter.
	v := newView()
	v.apply(nil, at)
	gen := v.begin()
	v.apply([]change{{userID: "u2"}, {userID: "u1", programID: "p2"}, {programID: "p2"}}, at)
	v.put(k, in, gen)
	if v.get(k, at) == nil {
		t.Error("a load was dropped for another agent's or program's change")
	}
}

// A change drops exactly what it names, however the agent was addressed.
func TestViewChangeDropsWhatItNames(t *testing.T) {
	v := newView()
	v.apply(nil, at)
	byID := viewKey{agent: Agent{ID: "u1"}, programID: "p1"}
	byExt := viewKey{agent: Agent{ExternalID: "acd-1"}, programID: "p1"}
	other := viewKey{agent: Agent{ID: "u1"}, programID: "p2"}
	else_ := viewKey{agent: Agent{ID: "u2"}, programID: "p1"}
	fill := func() {
		for _, k := range []viewKey{byID, byExt, other, else_} {
			user := k.agent.ID
			if user == "" {
				user = "u1"
			}
			v.put(k, &inputs{UserID: user, ProgramID: k.programID}, v.begin())
		}
	}
	cases := []struct {
		c    change
		gone []viewKey
	}{
		{change{userID: "u1", programID: "p1"}, []viewKey{byID, byExt}},
		{change{userID: "u1"}, []viewKey{byID, byExt, other}},
		{change{programID: "p1"}, []viewKey{byID, byExt, else_}},
		{change{}, []viewKey{byID, byExt, other, else_}},
	}
	for _, c := range cases {
		fill()
		v.apply([]change{c.c}, at)
		for _, k := range []viewKey{byID, byExt, other, else_} {
			gone := false
			for _, g := range c.gone {
				gone = gone || g == k
			}
			if (v.get(k, at) == nil) != gone {
				t.Errorf("change %+v: %+v dropped=%v, want %v", c.c, k, v.get(k, at) == nil, gone)
			}
		}
	}
	if n := v.size(); n != 0 {
		t.Errorf("%d entries after dropping everything", n)
	}
}

// The per-agent index lists exactly the view's entries, under the keys they
// were asked by (an id, an external id, an id spelled in capitals), through
// replacements and every kind of change; an agent's entries share its strings.
func TestViewIndexMatchesEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(28, 3))
	v := newView()
	v.apply(nil, at)
	ext := func(u string) *string { s := "acd-" + u; return &s }
	users, programs := []string{"u1", "u2", "u3"}, []string{"p1", "p2", "p3"}
	for i := range 2000 {
		u, p := users[rng.IntN(3)], programs[rng.IntN(3)]
		if rng.IntN(4) == 0 {
			var c change
			switch rng.IntN(4) {
			case 0:
				c = change{userID: u}
			case 1:
				c = change{programID: p}
			case 2:
				c = change{userID: u, programID: p}
			}
			v.apply([]change{c}, at)
		} else {
			k := viewKey{agent: Agent{ID: u}, programID: p}
			switch rng.IntN(3) {
			case 0:
				k.agent = Agent{ExternalID: *ext(u)}
			case 1:
				k.agent.ID = strings.ToUpper(u)
			}
			v.put(k, &inputs{UserID: strings.Clone(u), ExternalID: ext(u), Email: u + "@x.test", ProgramID: p}, v.begin())
			if v.get(k, at) == nil {
				t.Fatalf("step %d: %+v not kept", i, k)
			}
		}
		n := 0
		for user, es := range v.byUser {
			for _, e := range es {
				n++
				if v.entries[e.key()] != e.in || e.in.UserID != user {
					t.Fatalf("step %d: the index lists %+v under %s, the view holds %p", i, e.key(), user, v.entries[e.key()])
				}
				if first := es[0].in; unsafe.StringData(first.Email) != unsafe.StringData(e.in.Email) || first.ExternalID != e.in.ExternalID {
					t.Fatalf("step %d: %s's entries do not share its strings", i, user)
				}
			}
		}
		if n != len(v.entries) {
			t.Fatalf("step %d: the index lists %d entries, the view holds %d", i, n, len(v.entries))
		}
	}
}
