package routing

import (
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
