package routing_test

import (
	"context"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/routing"
)

// TestAssignmentStatusCurrentWithEligible: the assignment_status beside an
// answer on the roster and on an agent's programs is decided with the
// answer, not read from the assignment job's last record, so it never says
// active while the agent is not routable (and the other way round) before
// the job has run.
func TestAssignmentStatusCurrentWithEligible(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		name       string
		program    string
		state      string
		setup      func(id string) // the agent is certified and assigned before
		change     func(id string) // happens after the job last ran
		wantStatus string
		eligible   bool
	}{
		{"certification revoked", w.cards, "", nil, func(id string) { w.setCert(id, w.cards, "revoked", nil, nil) },
			routing.StatusSuspended, false},
		{"certification expired by the clock", w.cards, "", nil, func(string) { w.env.Clock.Advance(400 * day) },
			routing.StatusSuspended, false},
		{"agent deactivated", w.cards, "", nil, func(id string) {
			if _, err := w.env.App.Auth.SetActive(w.admin, id, false); err != nil {
				t.Fatal(err)
			}
		}, routing.StatusSuspended, false},
		{"recertified after a suspension", w.cards, "", func(id string) {
			w.setCert(id, w.cards, "revoked", nil, nil)
			w.env.Clock.Advance(day)
		}, func(id string) { w.certify(id, w.cards, 90) }, routing.StatusActive, true},
		{"only license revoked, asked for its state", w.sales, "GA", nil, func(id string) {
			if err := w.env.DB.Exec(`UPDATE licenses SET status = 'revoked' WHERE user_id = ?`, id).Error; err != nil {
				t.Fatal(err)
			}
		}, routing.StatusSuspended, false},
		{"licensed in GA, asked for FL", w.sales, "FL", nil, func(string) {}, routing.StatusActive, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.adminTok = w.env.Login("admin@x.test") // a case may have moved the clock past its expiry
			u := w.agent("a" + string(rune('a'+i)))
			w.certify(u.ID, tc.program, 365)
			w.license(u.ID, "GA", "verified", bothLines, "2025-01-01", "2030-01-01")
			w.appoint(u.ID, "GA", bothLines, "2025-01-01")
			w.mustAssign(u.ID, tc.program)
			if tc.setup != nil {
				tc.setup(u.ID)
			}
			if _, err := w.env.App.Routing.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			tc.change(u.ID)
			stored, err := w.env.App.Routing.Store().FindAssignment(context.Background(), u.ID, tc.program)
			if err != nil {
				t.Fatal(err)
			}
			query := ""
			if tc.state != "" {
				query = "?state=" + tc.state
			}
			res := w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + tc.program + "/roster" + query, Token: w.key})
			var roster routing.Roster
			res.JSON(t, &roster)
			found := false
			for _, e := range roster.Agents {
				if e.AgentID != u.ID {
					continue
				}
				found = true
				if e.AssignmentStatus != tc.wantStatus || e.Eligible != tc.eligible {
					t.Errorf("roster: got %s eligible %v, want %s eligible %v (the job's stored status: %s)",
						e.AssignmentStatus, e.Eligible, tc.wantStatus, tc.eligible, stored.Status)
				}
			}
			if res.Status != 200 || !found {
				t.Fatalf("roster: got %d %s, want the agent listed", res.Status, res.Body)
			}
			res = w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/agents/" + u.ID + "/programs" + query, Token: w.key})
			var progs struct{ Programs []routing.ProgramAnswer }
			res.JSON(t, &progs)
			if res.Status != 200 || len(progs.Programs) != 1 || progs.Programs[0].AssignmentStatus != tc.wantStatus ||
				progs.Programs[0].Eligible != tc.eligible {
				t.Errorf("agent programs: got %d %s, want %s eligible %v", res.Status, res.Body, tc.wantStatus, tc.eligible)
			}
			// The job, run now, stores the same status.
			if _, err := w.env.App.Routing.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if a, err := w.env.App.Routing.Store().FindAssignment(context.Background(), u.ID, tc.program); err != nil || a.Status != tc.wantStatus {
				t.Errorf("after the job: got stored %v %v, want %s", a, err, tc.wantStatus)
			}
		})
	}
}
