package routing_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/testwait"
)

// askNow asks over the API with the API key without reading the change
// feed first, and fails unless the answer is 200.
func (w *world) askNow(agent, programID, state string) routing.Answer {
	w.t.Helper()
	view := w.view
	w.view = false
	defer func() { w.view = view }()
	a, res := w.check(agent, programID, state)
	if res.Status != 200 {
		w.t.Fatalf("check: got %d %s", res.Status, res.Body)
	}
	return a
}

// licensedSalesAgent makes an agent eligible for direct sales in TX:
// certified, licensed (verified, both lines) and assigned.
func (w *world) licensedSalesAgent(name string) string {
	w.t.Helper()
	u := w.agent(name)
	w.certify(u.ID, w.sales, 300)
	w.license(u.ID, "TX", "verified", bothLines, "2026-01-01", "2027-12-31")
	w.appoint(u.ID, "TX", bothLines, "2026-01-01")
	w.mustAssign(u.ID, w.sales)
	return u.ID
}

// Every input an answer reads reaches the view through the change feed,
// however it is written: each case changes one with plain SQL (as a
// hand-made correction would, bypassing every service), sees the view
// still give the answer it keeps until the feed is read, and then the new
// one.
func TestViewLearnsEveryInputChangeFromTheFeed(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	cases := []struct {
		name, change, reason string // change is SQL with ? for the agent's id
	}{
		{"certification revoked", `UPDATE certifications SET state = 'revoked' WHERE user_id = ?`, routing.ReasonCertificationRevoked},
		{"certification deleted", `DELETE FROM certifications WHERE user_id = ?`, routing.ReasonNotCertified},
		{"certification expiry moved back", `UPDATE certifications SET expires_at = '2026-01-01' WHERE user_id = ?`, routing.ReasonCertificationExpired},
		{"refresher due and overdue", `UPDATE certifications SET state = 'refresher_due', refresher_due_at = '2026-03-01' WHERE user_id = ?`, routing.ReasonRefresherOverdue},
		{"assignment deleted", `DELETE FROM assignments WHERE user_id = ?`, routing.ReasonNotAssigned},
		{"agent deactivated", `UPDATE users SET active = false WHERE id = ?`, routing.ReasonAgentInactive},
		{"license back to pending", `UPDATE licenses SET status = 'pending' WHERE user_id = ?`, routing.ReasonLicenseUnverified},
		{"license line removed", `UPDATE licenses SET lines_of_authority = '{life}' WHERE user_id = ?`, routing.ReasonLicenseLineMissing},
		{"license expiry moved back", `UPDATE licenses SET expiry_date = '2026-02-01' WHERE user_id = ?`, routing.ReasonLicenseExpired},
		{"appointment terminated", `UPDATE appointments SET status = 'terminated', termination_date = '2026-02-01' WHERE user_id = ?`, routing.ReasonAppointmentTerminated},
		{"appointment deleted", `WITH u AS (SELECT ?::uuid AS id),
  e AS (DELETE FROM appointment_events WHERE appointment_id IN (SELECT a.id FROM appointments a JOIN u ON a.user_id = u.id))
DELETE FROM appointments WHERE user_id = (SELECT id FROM u)`, routing.ReasonAppointmentMissing},
		{"appointment line removed", `UPDATE appointments SET lines_of_authority = '{life}' WHERE user_id = ?`, routing.ReasonAppointmentLineMissing},
	}
	for i, c := range cases {
		id := w.licensedSalesAgent(fmt.Sprintf("view%d", i))
		for _, agent := range []string{id, "ext:acd-view" + fmt.Sprint(i)} {
			w.syncView()
			if a := w.askNow(agent, w.sales, "TX"); !a.Eligible {
				t.Fatalf("%s: not eligible before the change: %v", c.name, codes(a))
			}
		}
		if err := w.env.DB.Exec(c.change, id).Error; err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if a := w.askNow(id, w.sales, "TX"); !a.Eligible {
			t.Fatalf("%s: the view answered from the database, not from what it keeps", c.name)
		}
		for _, agent := range []string{id, "ext:acd-view" + fmt.Sprint(i)} {
			a, res := w.check(agent, w.sales, "TX") // reads the feed first
			if res.Status != 200 || a.Eligible || !slices.Contains(codes(a), c.reason) {
				t.Errorf("%s: after the feed, %s got %d eligible=%v %v, want not eligible with %s", c.name, agent, res.Status,
					a.Eligible, codes(a), c.reason)
			}
		}
	}
}

// A program's requirements and an agent's external id reach the view too.
func TestViewLearnsProgramAndIdentityChanges(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	u := w.agent("unlicensed")
	w.certify(u.ID, w.sales, 300)
	w.license(u.ID, "FL", "verified", bothLines, "2026-01-01", "2027-12-31")
	w.appoint(u.ID, "FL", bothLines, "2026-01-01")
	w.mustAssign(u.ID, w.sales)
	if a, _ := w.check(u.ID, w.sales, "TX"); a.Eligible {
		t.Fatal("eligible in TX without a TX license")
	}
	// The program stops requiring a license in TX: it no longer serves TX.
	if err := w.env.DB.Exec(`UPDATE program_licenses SET states = array_remove(states, 'TX') WHERE program_id = ?`, w.sales).Error; err != nil {
		t.Fatal(err)
	}
	if a := w.askNow(u.ID, w.sales, "TX"); a.Eligible || slices.Contains(codes(a), routing.ReasonStateNotServed) {
		t.Fatal("the view answered from the database, not from what it keeps")
	}
	if a, _ := w.check(u.ID, w.sales, "TX"); a.Eligible || !slices.Equal(codes(a), []string{routing.ReasonStateNotServed}) {
		t.Errorf("after the requirement changed: got %v, want state_not_served", codes(a))
	}
	// It serves every state again: TX needs no license now.
	if err := w.env.DB.Exec(`UPDATE programs SET serves_only_listed_states = false WHERE id = ?`, w.sales).Error; err != nil {
		t.Fatal(err)
	}
	if a, _ := w.check(u.ID, w.sales, "TX"); !a.Eligible {
		t.Errorf("after the program serves every state: not eligible %v", codes(a))
	}

	// The routing system's id moves to another agent.
	if a, _ := w.check("ext:acd-unlicensed", w.sales, "FL"); !a.Eligible {
		t.Fatalf("not eligible by external id: %v", codes(a))
	}
	if err := w.env.DB.Exec(`UPDATE users SET external_id = 'acd-moved' WHERE id = ?`, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, res := w.check("ext:acd-unlicensed", w.sales, "FL"); res.Status != 404 {
		t.Errorf("after the external id moved: got %d %s, want 404", res.Status, res.Body)
	}
}

// A change whose transaction commits after a later one has been read is
// still seen: the feed's order is not commit order.
func TestViewSeesAChangeCommittedAfterALaterOne(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	first, second := w.licensedSalesAgent("first"), w.licensedSalesAgent("second")
	for _, id := range []string{first, second} {
		if a, _ := w.check(id, w.sales, "TX"); !a.Eligible {
			t.Fatalf("not eligible before: %v", codes(a))
		}
	}
	tx := w.env.DB.Begin()
	defer tx.Rollback()
	if err := tx.Exec(`UPDATE certifications SET state = 'revoked' WHERE user_id = ?`, first).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.env.DB.Exec(`UPDATE certifications SET state = 'revoked' WHERE user_id = ?`, second).Error; err != nil {
		t.Fatal(err)
	}
	if a, _ := w.check(second, w.sales, "TX"); a.Eligible {
		t.Fatal("the committed revocation did not reach the view")
	}
	if a, _ := w.check(first, w.sales, "TX"); !a.Eligible {
		t.Fatal("an uncommitted revocation showed")
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if a, _ := w.check(first, w.sales, "TX"); a.Eligible {
		t.Error("the revocation committed after a later change never reached the view")
	}
}

// The view answers only while its last read of the feed is recent: a
// replica that cannot read the feed (here: nobody runs it) reads every
// answer from the database, which fails closed when it is down.
func TestViewStopsAnsweringWhenTheFeedIsNotRead(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	id := w.licensedSalesAgent("stale")
	if a, _ := w.check(id, w.sales, "TX"); !a.Eligible {
		t.Fatalf("not eligible: %v", codes(a))
	}
	if err := w.env.DB.Exec(`UPDATE certifications SET state = 'revoked' WHERE user_id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	w.env.Clock.Advance(routing.ViewMaxLag + time.Millisecond)
	if a := w.askNow(id, w.sales, "TX"); a.Eligible {
		t.Error("a view behind by more than ViewMaxLag answered")
	}
}

// With the poller running, a revocation made elsewhere (another replica,
// a job, by hand) reaches the view without anyone asking it to read the
// feed. How old an answer may be is TestViewStopsAnsweringWhenTheFeedIsNotRead
// (the view's bound, by the injected clock) and the benchmark (the time it
// takes on a real replica).
func TestRunViewShowsARevocationMadeElsewhere(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.env.App.Routing.RunView(ctx)
	id := w.licensedSalesAgent("replica")
	testwait.Until(t, "the agent to be eligible", func() bool { return w.askNow(id, w.sales, "TX").Eligible })
	// The view must hold the answer, or the check below would read the
	// database and prove nothing about the runner.
	testwait.Until(t, "the view to read the feed and keep the answer", func() bool {
		age, n := w.env.App.Routing.ViewStats()
		w.askNow(id, w.sales, "TX")
		return age < time.Hour && n > 0
	})
	if err := w.env.DB.Exec(`UPDATE certifications SET state = 'revoked' WHERE user_id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "the revocation to reach the view", func() bool { return !w.askNow(id, w.sales, "TX").Eligible })
}

// TestViewStartsOverAfterABulkLoad: a bulk load writes far more feed rows
// than one poll should read (here 30,000, by plain SQL, with a real change
// among them). The next read does not try to read them all (that took
// longer than its deadline, every poll, until the replica gave up after a
// minute): it forgets everything and starts from the feed's end, within
// the read's deadline, and the change shows.
func TestViewStartsOverAfterABulkLoad(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	id := w.licensedSalesAgent("bulk")
	w.syncView()
	if a := w.askNow(id, w.sales, "TX"); !a.Eligible {
		t.Fatalf("not eligible before the load: %v", codes(a))
	}
	if _, n := w.env.App.Routing.ViewStats(); n == 0 {
		t.Fatal("the view keeps nothing: the test would prove nothing")
	}
	if err := w.env.DB.Exec(`INSERT INTO eligibility_changes (user_id) SELECT gen_random_uuid() FROM generate_series(1, 30000)`).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.env.DB.Exec(`UPDATE certifications SET state = 'revoked' WHERE user_id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), routing.ViewMaxLag)
	defer cancel()
	began := time.Now()
	if err := w.env.App.Routing.SyncView(ctx); err != nil {
		t.Fatalf("the read after the load: %v, want it within the view's bound", err)
	}
	t.Logf("the read after the load took %s", time.Since(began))
	if _, n := w.env.App.Routing.ViewStats(); n != 0 {
		t.Errorf("after the load the view holds %d questions, want it started over", n)
	}
	if a := w.askNow(id, w.sales, "TX"); a.Eligible || !slices.Contains(codes(a), routing.ReasonCertificationRevoked) {
		t.Errorf("after the load: eligible=%v %v, want revoked", a.Eligible, codes(a))
	}
	w.syncView() // and the reads after it go on from the end
	if a := w.askNow(id, w.sales, "TX"); a.Eligible {
		t.Errorf("the next read: eligible, want revoked")
	}
}

// The re-decide job recording an assignment's status (or its check) names
// nothing in the change feed: the stored status is no input of any answer,
// so replicas keep what they hold. Moving an assignment still does.
func TestAssignmentStatusIsNoInput(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, true)
	id := w.licensedSalesAgent("flip")
	rows := func() int {
		t.Helper()
		var n int
		if err := w.env.DB.Raw(`SELECT count(*) FROM eligibility_changes`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := rows()
	if err := w.env.DB.Exec(`UPDATE assignments SET status = 'suspended', suspended_reasons = '[]', checked_at = now() WHERE user_id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != before {
		t.Errorf("a status recorded by the job wrote %d feed rows, want none", n-before)
	}
	if err := w.env.DB.Exec(`UPDATE assignments SET program_id = ? WHERE user_id = ?`, w.cards, id).Error; err != nil {
		t.Fatal(err)
	}
	if n := rows(); n <= before {
		t.Error("an assignment moved to another program wrote no feed row")
	}
}
