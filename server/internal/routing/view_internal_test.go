package routing

import (
	"fmt"
	"math/rand/v2"
	"reflect"
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
		checkTable(t, i, &v.t)
	}
}

// checkTable checks the table's own bookkeeping: every used agent is found
// by its id and external id, its entries are its own, one per program, and
// counted; every index points at a used agent; programs count their entries.
func checkTable(t *testing.T, step int, tb *viewTable) {
	t.Helper()
	n, refs := 0, map[int32]int{}
	for ai := range tb.agents {
		a := &tb.agents[ai]
		if !a.used {
			continue
		}
		id := tb.str(a.id)
		if tb.byID(id) != int32(ai) {
			t.Fatalf("step %d: %s is not found by its id", step, id)
		}
		if a.hasExt && tb.find(Agent{ExternalID: tb.str(a.ext)}) != int32(ai) {
			t.Fatalf("step %d: %s is not found by its external id", step, id)
		}
		seen := map[string]bool{}
		for ei := a.head; ei >= 0; ei = tb.entries[ei].next {
			e := &tb.entries[ei]
			p := tb.programs[e.program].id
			if e.flags&entryUsed == 0 || e.agent != int32(ai) || seen[p] {
				t.Fatalf("step %d: %s's entry %d: %+v (program %s seen before: %v)", step, id, ei, *e, p, seen[p])
			}
			seen[p] = true
			refs[e.program]++
			n++
		}
		if a.head < 0 {
			t.Fatalf("step %d: %s is kept with no entry", step, id)
		}
	}
	for _, m := range []map[uint64]int32{tb.byHash, tb.byExt} {
		for _, ai := range m {
			if !tb.agents[ai].used {
				t.Fatalf("step %d: the index points at a free agent", step)
			}
		}
	}
	for pi := range tb.programs {
		if tb.programs[pi].refs != refs[int32(pi)] {
			t.Fatalf("step %d: program %d counts %d entries, %d use it", step, pi, tb.programs[pi].refs, refs[int32(pi)])
		}
	}
	if n != tb.n {
		t.Fatalf("step %d: the agents hold %d entries, the table counts %d", step, n, tb.n)
	}
}

// has reports whether the view answers k at now.
func (v *view) has(k viewKey, now time.Time) bool {
	_, ok := v.get(k, now)
	return ok
}

// The table gives back exactly the inputs it was given (as compact leaves
// them): the agent's strings, the external id or none, the certification's
// state and times in their own locations, the licenses and appointments,
// through many agents dropped and the arena rewritten.
func TestViewTableKeepsInputsAsLoaded(t *testing.T) {
	rng := rand.New(rand.NewPCG(28, 4))
	locs := []*time.Location{time.UTC, time.Local, time.FixedZone("EST", -5*3600)}
	when := func() *time.Time {
		x := t0.Add(time.Duration(rng.IntN(1_000_000)) * time.Minute).In(locs[rng.IntN(len(locs))])
		return &x
	}
	v := newView()
	v.apply(nil, at)
	kept := map[viewKey]inputs{}
	for i := range 6000 {
		u := fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.IntN(1500), i%7)
		p := []string{"p1", "p2", "p3"}[rng.IntN(3)]
		if rng.IntN(3) == 0 {
			user := kept
			kept = map[viewKey]inputs{}
			for k, in := range user {
				if in.UserID != u {
					kept[k] = in
				}
			}
			v.apply([]change{{userID: u}}, at)
			continue
		}
		in := &inputs{UserID: u, Email: strings.Repeat("x", 200+rng.IntN(800)) + "@x.test", Role: "agent",
			Active: rng.IntN(9) > 0, ProgramID: p, ProgramName: "Program " + p, ClientID: "c1", Assigned: rng.IntN(5) > 0}
		if rng.IntN(2) == 0 {
			ext := "acd-" + u
			in.ExternalID = &ext
		}
		if rng.IntN(4) > 0 {
			in.Cert = &CertificationInput{State: []string{certCertified, certRefresherDue, "lapsed"}[rng.IntN(3)], ExpiresAt: when()}
			if rng.IntN(3) == 0 {
				in.Cert.RefresherDueAt = when()
			}
		}
		if p == "p1" {
			in.Requirements = []LicenseRequirement{{Class: "insurance-producer", Lines: []string{"life"}, States: []string{"TX", "FL"}}}
			in.Licenses = []LicenseInput{{Jurisdiction: "TX", Class: "insurance-producer", Lines: []string{"life"}, Status: "verified",
				EffectiveDate: *when(), ExpiryDate: *when()}}
		}
		// Another load of the same agent otherwise (a new e-mail) replaces
		// its other entries.
		for k, old := range kept {
			if old.UserID == u && (old.Email != in.Email || old.Active != in.Active || (old.ExternalID == nil) != (in.ExternalID == nil)) {
				delete(kept, k)
			}
		}
		k := viewKey{agent: Agent{ID: u}, programID: p}
		v.put(k, in, v.begin())
		want := *in
		want.states = requiredStates(Input{Requirements: in.Requirements})
		kept[k] = want
		if i%500 == 0 {
			checkTable(t, i, &v.t)
		}
	}
	// Most agents leave at once: the arena is mostly garbage and rewritten.
	for _, in := range kept {
		if rng.IntN(5) > 0 {
			v.apply([]change{{userID: in.UserID}}, at)
			for k2, in2 := range kept {
				if in2.UserID == in.UserID {
					delete(kept, k2)
				}
			}
		}
	}
	if v.t.rewrites == 0 {
		t.Fatalf("the arena was never rewritten (%d bytes, %d garbage): the test does not reach compactArena", len(v.t.arena), v.t.garbage)
	}
	checkTable(t, -1, &v.t)
	if v.size() != len(kept) {
		t.Fatalf("the view holds %d entries, want %d", v.size(), len(kept))
	}
	for k, want := range kept {
		got, ok := v.get(k, at)
		if !ok {
			t.Fatalf("%+v: not kept", k)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v:\n got %+v\nwant %+v", k, got, want)
		}
	}
}
