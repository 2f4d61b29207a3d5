package routing_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/routing"
)

// rosterNow reads the program's roster (TX callers) without reading the
// change feed first.
func (w *world) rosterNow(programID string) routing.Roster {
	w.t.Helper()
	res := w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + programID + "/roster?state=TX", Token: w.key})
	if res.Status != 200 {
		w.t.Fatalf("roster: got %d %s", res.Status, res.Body)
	}
	var r routing.Roster
	res.JSON(w.t, &r)
	return r
}

func entry(r routing.Roster, id string) *routing.RosterEntry {
	i := slices.IndexFunc(r.Agents, func(e routing.RosterEntry) bool { return e.AgentID == id })
	if i < 0 {
		return nil
	}
	return &r.Agents[i]
}

// With the view on, a roster is computed from the program's live snapshot,
// which learns every input change from the change feed. Each case changes
// one input with plain SQL: until the feed is read the roster still shows
// what the snapshot keeps (it is really used), once read the new answer;
// the other agents' answers stay as they were.
func TestLiveRosterLearnsEveryInputChangeFromTheFeed(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	bystander := w.licensedSalesAgent("bystander")
	cases := []struct {
		name, change string // change is SQL with ? for the agent's id
		check        func(e *routing.RosterEntry) bool
	}{
		{"certification revoked", `UPDATE certifications SET state = 'revoked' WHERE user_id = ?`, notEligible},
		{"certification expiry moved back", `UPDATE certifications SET expires_at = '2026-01-01' WHERE user_id = ?`, notEligible},
		{"agent deactivated", `UPDATE users SET active = false WHERE id = ?`, notEligible},
		{"license back to pending", `UPDATE licenses SET status = 'pending' WHERE user_id = ?`, notEligible},
		{"license expiry moved back", `UPDATE licenses SET expiry_date = '2026-02-01' WHERE user_id = ?`, notEligible},
		{"license moved to another state", `UPDATE licenses SET jurisdiction = 'NY' WHERE user_id = ?`, notEligible},
		{"assignment deleted", `DELETE FROM assignments WHERE user_id = ?`, func(e *routing.RosterEntry) bool { return e == nil }},
		{"display name changed", `UPDATE users SET display_name = 'Renamed' WHERE id = ?`,
			func(e *routing.RosterEntry) bool { return e != nil && e.DisplayName == "Renamed" && e.Eligible }},
		{"email changed", `UPDATE users SET email = 'aaa-first@x.test' WHERE id = ?`,
			func(e *routing.RosterEntry) bool { return e != nil && e.Email == "aaa-first@x.test" && e.Eligible }},
	}
	for i, c := range cases {
		id := w.licensedSalesAgent(fmt.Sprintf("live%d", i))
		w.syncView()
		if e := entry(w.rosterNow(w.sales), id); e == nil || !e.Eligible {
			t.Fatalf("%s: not listed eligible before the change: %+v", c.name, e)
		}
		if err := w.env.DB.Exec(c.change, id).Error; err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if e := entry(w.rosterNow(w.sales), id); e == nil || !e.Eligible || c.check(e) {
			t.Fatalf("%s: the roster was read afresh, not from the live snapshot: %+v", c.name, e)
		}
		w.syncView()
		r := w.rosterNow(w.sales)
		if e := entry(r, id); !c.check(e) {
			t.Errorf("%s: after the feed got %+v", c.name, e)
		}
		if e := entry(r, bystander); e == nil || !e.Eligible {
			t.Errorf("%s: the bystander changed: %+v", c.name, e)
		}
		if !slices.IsSortedFunc(r.Agents, func(a, b routing.RosterEntry) int {
			if a.Email < b.Email {
				return -1
			}
			if a.Email > b.Email {
				return 1
			}
			return 0
		}) {
			t.Errorf("%s: the roster is not by email", c.name)
		}
	}
}

func notEligible(e *routing.RosterEntry) bool { return e != nil && !e.Eligible }

// A new assignment, a program's requirements and the bound: an agent
// assigned by hand joins the live roster once the feed is read; a change of
// the program's license requirements re-reads it whole; and without feed
// reads the roster stops using the snapshot once the injected clock passes
// ViewMaxLag.
func TestLiveRosterFollowsAssignmentsRequirementsAndTheBound(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	// The demo's sales program serves only its listed states; this test
	// reads a state it stops listing as one that needs no license.
	if err := w.env.DB.Exec(`UPDATE programs SET serves_only_listed_states = false WHERE id = ?`, w.sales).Error; err != nil {
		t.Fatal(err)
	}
	w.licensedSalesAgent("first")
	w.syncView()
	w.rosterNow(w.sales)

	// Assigned by hand.
	u := w.agent("joiner")
	w.certify(u.ID, w.sales, 300)
	w.license(u.ID, "FL", "verified", bothLines, "2026-01-01", "2027-12-31")
	if err := w.env.DB.Exec(`INSERT INTO assignments (id, user_id, program_id, status, assigned_by, assigned_at, checked_at)
		SELECT gen_random_uuid(), ?, ?, 'active', 'test', now(), now()`, u.ID, w.sales).Error; err != nil {
		t.Fatal(err)
	}
	if e := entry(w.rosterNow(w.sales), u.ID); e != nil {
		t.Fatal("the new assignment was read afresh, not from the live snapshot")
	}
	w.syncView()
	e := entry(w.rosterNow(w.sales), u.ID)
	if e == nil || e.Eligible {
		t.Fatalf("after the feed: got %+v, want listed and not eligible in TX (licensed in FL only)", e)
	}

	// The program stops requiring a license in TX: the whole snapshot.
	if err := w.env.DB.Exec(`UPDATE program_licenses SET states = array_remove(states, 'TX') WHERE program_id = ?`, w.sales).Error; err != nil {
		t.Fatal(err)
	}
	if e := entry(w.rosterNow(w.sales), u.ID); e == nil || e.Eligible {
		t.Fatal("the requirement change was read afresh, not from the live snapshot")
	}
	w.syncView()
	if e := entry(w.rosterNow(w.sales), u.ID); e == nil || !e.Eligible {
		t.Fatalf("after the requirement changed: got %+v, want eligible", e)
	}

	// The bound: no feed read, the clock passes ViewMaxLag.
	if err := w.env.DB.Exec(`UPDATE certifications SET state = 'revoked' WHERE user_id = ?`, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	w.env.Clock.Advance(routing.ViewMaxLag)
	if e := entry(w.rosterNow(w.sales), u.ID); e == nil || !e.Eligible {
		t.Fatal("at the bound the roster did not answer from the live snapshot")
	}
	w.env.Clock.Advance(time.Millisecond)
	if e := entry(w.rosterNow(w.sales), u.ID); e == nil || e.Eligible {
		t.Fatalf("past the bound: got %+v, want the revocation read from the database", e)
	}
}

// Whoever assigns or unassigns through the API sees it in the next roster
// this replica answers, without waiting for the change feed: the replica
// marks the agent it just changed (the feed still brings it to the others).
func TestLiveRosterShowsThisReplicasAssignmentsAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	w.licensedSalesAgent("first")
	w.syncView()
	w.rosterNow(w.sales)

	u := w.agent("assigned-here")
	w.certify(u.ID, w.sales, 300)
	w.license(u.ID, "TX", "verified", bothLines, "2026-01-01", "2027-12-31")
	w.appoint(u.ID, "TX", bothLines, "2026-01-01")
	w.syncView() // the certification and license reach the snapshot; the assignment below does not
	w.mustAssign(u.ID, w.sales)
	if e := entry(w.rosterNow(w.sales), u.ID); e == nil || !e.Eligible {
		t.Fatalf("right after assigning, before the feed: got %+v, want listed and eligible", e)
	}
	res := w.env.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/programs/" + w.sales + "/assignments/" + u.ID, Token: w.adminTok})
	if res.Status != 204 {
		t.Fatalf("unassign: got %d %s", res.Status, res.Body)
	}
	if e := entry(w.rosterNow(w.sales), u.ID); e != nil {
		t.Fatalf("right after unassigning, before the feed: got %+v, want not listed", e)
	}
}
