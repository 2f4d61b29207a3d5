package routing

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestCompactKeepsEveryAnswer: an entry as the view keeps it (licenses no
// requirement could use dropped, strings shared, the agent's and the
// program's inputs kept once for all their entries) gets the same decision
// as the inputs as read, for random agents and programs, at every caller
// state and none.
func TestCompactKeepsEveryAnswer(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(28, 1))
	states := []string{"TX", "FL", "GA", "NY", "AZ"}
	classes := []string{"insurance-producer", "securities"}
	lines := [][]string{{"life"}, {"accident-and-health"}, {"life", "accident-and-health"}, {"series-6"}}
	statuses := []string{"verified", "pending", "rejected", "expired", "revoked"}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	some := func(xs []string) []string {
		var out []string
		for _, x := range xs {
			if rng.IntN(2) == 0 {
				out = append(out, x)
			}
		}
		return out
	}
	v := newView()
	v.apply(nil, at)
	for i := range 2000 {
		var reqs []LicenseRequirement
		for range rng.IntN(3) {
			reqs = append(reqs, LicenseRequirement{Class: pick(classes), Lines: lines[rng.IntN(len(lines))], States: some(states)})
		}
		in := &inputs{At: t0, UserID: "u", Role: "agent", Active: rng.IntN(8) > 0, ProgramID: []string{"p1", "p2", "p3"}[rng.IntN(3)],
			Assigned: rng.IntN(8) > 0, Cert: certified(days(rng.IntN(200) - 20)), Requirements: reqs}
		for range rng.IntN(8) {
			in.Licenses = append(in.Licenses, LicenseInput{Jurisdiction: pick(states), Class: pick(classes), Lines: lines[rng.IntN(len(lines))],
				Status: pick(statuses), EffectiveDate: t0.Add(days(rng.IntN(60) - 30)), ExpiryDate: t0.Add(days(rng.IntN(400) - 30))})
		}
		read := *in
		read.Licenses = append([]LicenseInput(nil), in.Licenses...)
		k := viewKey{agent: Agent{ID: in.UserID}, programID: in.ProgramID}
		v.put(k, in, v.begin())
		kept, ok := v.get(k, at)
		if !ok {
			t.Fatalf("case %d: not kept", i)
		}
		for _, state := range append([]string{""}, states...) {
			for _, at := range []time.Time{t0, t0.Add(days(45)), t0.Add(days(390))} {
				a, b := read, kept
				a.At, b.At = at, at
				if want, got := a.decide(state), b.decide(state); !reflect.DeepEqual(got, want) {
					t.Fatalf("case %d state %q at %v: compacted %+v, as read %+v", i, state, at, got, want)
				}
			}
		}
		for _, l := range kept.Licenses {
			if !usable(l, kept.Requirements) {
				t.Fatalf("case %d: kept a license no requirement could use: %+v", i, l)
			}
		}
	}
}
