package routing_test

import (
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/routing"
)

// TestRosterCache: with the roster cache on, a revocation shows in the
// roster once the TTL has passed and never later; an answer whose
// valid_until the clock passes is not served again; this replica's own
// assignments show at once; and the caller's access is checked on every
// request, cached or not.
func TestRosterCache(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const ttl = time.Second
	w.env.App.Routing.SetRosterCacheTTL(ttl)
	wall := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) // the cache's TTL clock
	routing.SetRosterCacheClock(w.env.App.Routing, wall.Now)
	amy, bob := w.agent("amy"), w.agent("bob")
	w.certify(amy.ID, w.cards, 90)
	w.certify(bob.ID, w.cards, 90)
	w.mustAssign(amy.ID, w.cards)
	roster := func() map[string]routing.RosterEntry {
		t.Helper()
		res := w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + w.cards + "/roster", Token: w.key})
		var r routing.Roster
		res.JSON(t, &r)
		if res.Status != 200 {
			t.Fatalf("roster: got %d %s", res.Status, res.Body)
		}
		out := map[string]routing.RosterEntry{}
		for _, e := range r.Agents {
			out[e.AgentID] = e
		}
		return out
	}
	if r := roster(); !r[amy.ID].Eligible {
		t.Fatalf("amy: got %+v, want eligible", r[amy.ID])
	}

	// Assigning on this replica drops its cached rosters of the program.
	w.mustAssign(bob.ID, w.cards)
	if r := roster(); !r[bob.ID].Eligible {
		t.Fatalf("bob just assigned: got %+v, want listed and eligible", r[bob.ID])
	}

	// A revocation written elsewhere (another replica, the certification
	// engine) may be up to the TTL old in this replica's roster, no older.
	w.setCert(amy.ID, w.cards, "revoked", nil, nil)
	wall.Advance(ttl - time.Millisecond)
	if r := roster(); !r[amy.ID].Eligible {
		t.Fatalf("within the TTL: got %+v, want the cached roster (is the cache on?)", r[amy.ID])
	}
	wall.Advance(time.Millisecond)
	if r := roster(); r[amy.ID].Eligible || !slices.Contains(codes(r[amy.ID].Answer), routing.ReasonCertificationRevoked) {
		t.Fatalf("after the TTL: got %+v, want certification_revoked", r[amy.ID])
	}

	// The injected clock passing an answer's valid_until ends the cached
	// roster at once: bob's certification lapses after 90 days.
	if r := roster(); !r[bob.ID].Eligible {
		t.Fatalf("bob: got %+v, want eligible", r[bob.ID])
	}
	w.env.Clock.Advance(91 * 24 * time.Hour)
	if r := roster(); r[bob.ID].Eligible || !slices.Contains(codes(r[bob.ID].Answer), routing.ReasonCertificationExpired) {
		t.Fatalf("after bob's valid_until: got %+v, want certification_expired", r[bob.ID])
	}

	// A caller who may not see the roster is refused while it is cached.
	w.env.User("trainer@x.test", auth.RoleTrainer)
	res := w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + w.cards + "/roster", Token: w.env.Login("trainer@x.test")})
	if res.Status != 403 {
		t.Errorf("trainer of no client, cached roster: got %d %s, want 403", res.Status, res.Body)
	}
}
