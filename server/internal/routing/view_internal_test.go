package routing

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// at is the instant the view tests read the feed and ask at.
var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// The view answers only while its last feed read began at most ViewMaxLag
// before the instant asked about, and not after it (a clock that went back).
func TestViewAnswersOnlyWithinTheLag(t *testing.T) {
	k := viewKey{agent: Agent{ID: "u1"}, programID: "p1"}
	v := newView()
	if v.has(k, at) {
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
		if got := v.has(k, c.now); got != c.answer {
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
		if v.has(k, at) {
			t.Errorf("change %+v: a load overtaken by it was kept", c)
		}
		gen = v.begin() // a load that began after the change was read
		v.put(k, in, gen)
		if !v.has(k, at) {
			t.Errorf("change %+v: a load that began after it was not kept", c)
		}
	}
	// Another pair's change does not matter.
	v := newView()
	v.apply(nil, at)
	gen := v.begin()
	v.apply([]change{{userID: "u2"}, {userID: "u1", programID: "p2"}, {programID: "p2"}}, at)
	v.put(k, in, gen)
	if !v.has(k, at) {
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
			if (!v.has(k, at)) != gone {
				t.Errorf("change %+v: %+v dropped=%v, want %v", c.c, k, !v.has(k, at), gone)
			}
		}
	}
	if n := v.size(); n != 0 {
		t.Errorf("%d entries after dropping everything", n)
	}
}

// The view's index holds exactly its entries, under every way their agent
// was asked about (an id, an external id, an id spelled in capitals),
// through replacements and every kind of change: each agent is found by its
// id and by each alias, has an entry per program at most, and the count of
// entries is theirs.
func TestViewIndexHoldsItsEntries(t *testing.T) {
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
			if in, ok := v.get(k, at); !ok || in.UserID != u || in.ProgramID != p || in.Email != u+"@x.test" {
				t.Fatalf("step %d: %+v not kept as put: %+v", i, k, in)
			}
		}
		n := 0
		for key, a := range v.agents {
			if v.agents[Agent{ID: a.id}] != a {
				t.Fatalf("step %d: %s is not found by its id", i, a.id)
			}
			if key != (Agent{ID: a.id}) {
				if !slices.Contains(a.aliases, key) {
					t.Fatalf("step %d: %+v finds %s, which does not list it", i, key, a.id)
				}
				continue
			}
			for _, alias := range a.aliases {
				if v.agents[alias] != a {
					t.Fatalf("step %d: %s lists %+v, which finds another", i, a.id, alias)
				}
			}
			seen := map[string]bool{}
			for _, e := range a.entries {
				if seen[e.program.id] {
					t.Fatalf("step %d: %s has two entries for %s", i, a.id, e.program.id)
				}
				seen[e.program.id] = true
			}
			if len(a.entries) == 0 {
				t.Fatalf("step %d: %s is kept with no entry", i, a.id)
			}
			n += len(a.entries)
		}
		if n != v.size() {
			t.Fatalf("step %d: the agents hold %d entries, the view counts %d", i, n, v.size())
		}
	}
}

// has reports whether the view answers k at now.
func (v *view) has(k viewKey, now time.Time) bool {
	_, ok := v.get(k, now)
	return ok
}
