package routing_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/outbox"
	"github.com/skillgate/skillgate/server/internal/routing"
)

const day = 24 * time.Hour

// TestReasonCodes sets up one agent per reason and asks the API.
func TestReasonCodes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	now := w.env.Clock.Now()
	soon, past := now.Add(3*day), now.Add(-day)
	cases := []struct {
		name    string
		program string
		state   string
		setup   func(id string)
		want    []string
	}{
		{"eligible", w.cards, "", func(id string) { w.certify(id, w.cards, 90); w.mustAssign(id, w.cards) }, []string{}},
		{"not assigned", w.cards, "", func(id string) { w.certify(id, w.cards, 90) }, []string{routing.ReasonNotAssigned}},
		{"not certified (in training)", w.cards, "", func(id string) { w.setCert(id, w.cards, "in_training", nil, nil) },
			[]string{routing.ReasonNotAssigned, routing.ReasonNotCertified}},
		{"never enrolled", w.cards, "", func(string) {}, []string{routing.ReasonNotAssigned, routing.ReasonNotCertified}},
		{"refresher overdue", w.cards, "", func(id string) {
			w.certify(id, w.cards, 90)
			w.mustAssign(id, w.cards)
			exp := now.Add(30 * day)
			w.setCert(id, w.cards, "refresher_due", &exp, &past)
		}, []string{routing.ReasonRefresherOverdue}},
		{"certification expired", w.cards, "", func(id string) { w.setCert(id, w.cards, "expired", &past, nil) },
			[]string{routing.ReasonNotAssigned, routing.ReasonCertificationExpired}},
		{"certification revoked", w.cards, "", func(id string) {
			w.certify(id, w.cards, 90)
			w.mustAssign(id, w.cards)
			w.setCert(id, w.cards, "revoked", nil, nil)
		}, []string{routing.ReasonCertificationRevoked}},
		{"agent inactive", w.cards, "", func(id string) {
			w.certify(id, w.cards, 90)
			w.mustAssign(id, w.cards)
			if _, err := w.env.App.Auth.SetActive(w.admin, id, false); err != nil {
				t.Fatal(err)
			}
		}, []string{routing.ReasonAgentInactive}},
		{"license missing for TX", w.sales, "TX", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.appoint(id, "TX", bothLines, "2025-01-01")
			w.mustAssign(id, w.sales)
		}, []string{routing.ReasonLicenseMissing}},
		{"license unverified", w.sales, "TX", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.license(id, "TX", "pending", bothLines, "2025-01-01", "2027-01-01")
			w.appoint(id, "TX", bothLines, "2025-01-01")
			w.mustAssign(id, w.sales)
		}, []string{routing.ReasonLicenseUnverified}},
		{"license expired", w.sales, "TX", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.license(id, "TX", "verified", bothLines, "2025-01-01", soon.Format(time.DateOnly))
			w.appoint(id, "TX", bothLines, "2025-01-01")
			w.mustAssign(id, w.sales)
		}, nil}, // expired after the clock moves, below
		{"license line missing", w.sales, "TX", func(id string) {
			w.certify(id, w.sales, 90)
			w.license(id, "TX", "verified", []string{"life"}, "2025-01-01", "2027-01-01")
			w.appoint(id, "TX", bothLines, "2025-01-01")
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.mustAssign(id, w.sales)
		}, []string{routing.ReasonLicenseLineMissing}},
		{"appointment missing", w.sales, "TX", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.license(id, "TX", "verified", bothLines, "2025-01-01", "2027-01-01")
			w.mustAssign(id, w.sales)
		}, []string{routing.ReasonAppointmentMissing}},
		{"appointment only requested", w.sales, "TX", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.license(id, "TX", "verified", bothLines, "2025-01-01", "2027-01-01")
			if _, err := w.env.App.Licensing.RecordAppointment(w.compliance, licensing.RecordAppointmentInput{
				UserID: id, ClientID: w.larkspur, Jurisdiction: "TX", Lines: bothLines}); err != nil {
				t.Fatal(err)
			}
			w.mustAssign(id, w.sales)
		}, []string{routing.ReasonAppointmentMissing}},
		{"appointment terminated", w.sales, "TX", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL", "TX")
			w.mustAssign(id, w.sales)
			as, err := w.env.App.Licensing.ListAppointments(w.compliance, licensing.AppointmentFilter{UserID: id, Jurisdiction: "TX"})
			if err != nil || len(as) != 1 {
				t.Fatalf("list appointments: %v %v", as, err)
			}
			if _, err := w.env.App.Licensing.TerminateAppointment(w.compliance, as[0].ID, licensing.TerminateInput{Reason: "left Larkspur's programs"}); err != nil {
				t.Fatal(err)
			}
		}, []string{routing.ReasonAppointmentTerminated}},
		{"appointment line missing", w.sales, "TX", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.license(id, "TX", "verified", bothLines, "2025-01-01", "2027-01-01")
			w.appoint(id, "TX", []string{"life"}, "2025-01-01")
			w.mustAssign(id, w.sales)
		}, []string{routing.ReasonAppointmentLineMissing}},
		{"license and appointment missing", w.sales, "GA", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.mustAssign(id, w.sales)
		}, []string{routing.ReasonLicenseMissing, routing.ReasonAppointmentMissing}},
		{"state not served", w.sales, "NY", func(id string) {
			w.certify(id, w.sales, 90)
			w.licensedAndAppointed(id, "2027-01-01", "FL")
			w.mustAssign(id, w.sales)
		}, []string{routing.ReasonStateNotServed}},
	}
	ids := make([]string, len(cases))
	for i, tc := range cases {
		u := w.agent("agent" + string(rune('a'+i)))
		ids[i] = u.ID
		tc.setup(u.ID)
	}
	w.env.Clock.Advance(5 * day) // the TX license of "license expired" lapses
	cases[10].want = []string{routing.ReasonLicenseExpired}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, res := w.check(ids[i], tc.program, tc.state)
			if res.Status != 200 {
				t.Fatalf("got %d %s, want 200", res.Status, res.Body)
			}
			if got := codes(a); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got reasons %v, want %v", got, tc.want)
			}
			if a.Eligible != (len(tc.want) == 0) {
				t.Errorf("got eligible %v, want %v", a.Eligible, len(tc.want) == 0)
			}
			for _, r := range a.Reasons {
				if (strings.HasPrefix(r.Code, "license_") || strings.HasPrefix(r.Code, "appointment_")) &&
					(r.State != tc.state || r.Class != "insurance-producer") {
					t.Errorf("got license reason %+v, want state %s and class insurance-producer", r, tc.state)
				}
				if r.Code == routing.ReasonStateNotServed && r.State != tc.state {
					t.Errorf("got %+v, want state %s", r, tc.state)
				}
			}
		})
	}
}

// TestStateLicensing checks per-state answers, covered states and the
// external id addressing.
func TestStateLicensing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.agent("tina")
	w.certify(u.ID, w.sales, 120)
	w.license(u.ID, "TX", "verified", bothLines, "2025-01-01", "2026-06-01")
	w.appoint(u.ID, "TX", bothLines, "2025-01-01")
	w.licensedAndAppointed(u.ID, "2027-01-01", "FL")
	w.mustAssign(u.ID, w.sales)
	cases := []struct {
		state    string
		eligible bool
		covered  []string
	}{
		{"TX", true, nil}, {"tx", true, nil}, {"FL", true, nil}, {"GA", false, nil},
		{"NY", false, nil}, // a state the program does not list: it serves only its listed states
		{"", false, []string{"FL", "TX"}},
	}
	for _, tc := range cases {
		t.Run("state "+tc.state, func(t *testing.T) {
			a, res := w.check("ext:acd-tina", w.sales, tc.state)
			if res.Status != 200 {
				t.Fatalf("got %d %s, want 200", res.Status, res.Body)
			}
			if a.Eligible != tc.eligible || a.AgentID != u.ID {
				t.Errorf("got eligible %v for %s, want %v for %s (%v)", a.Eligible, a.AgentID, tc.eligible, u.ID, a.Reasons)
			}
			if tc.state == "" && (a.CoveredStates == nil || !reflect.DeepEqual(*a.CoveredStates, tc.covered)) {
				t.Errorf("got covered states %v, want %v", a.CoveredStates, tc.covered)
			}
			if tc.state == "TX" && (a.ValidUntil == nil || !a.ValidUntil.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))) {
				t.Errorf("got valid_until %v, want the TX license's expiry 2026-06-01", a.ValidUntil)
			}
		})
	}
	if _, res := w.check("ext:nobody", w.sales, ""); res.Status != 404 {
		t.Errorf("unknown external id: got %d, want 404", res.Status)
	}
	if _, res := w.check("not-an-id", w.sales, ""); res.Status != 400 {
		t.Errorf("bad agent: got %d, want 400", res.Status)
	}
	if _, res := w.check(u.ID, w.sales, "Texas"); res.Status != 400 {
		t.Errorf("bad state: got %d, want 400", res.Status)
	}
}

// TestFailClosedOffline: with the database unreachable the gate errors as
// unavailable, never answers.
func TestFailClosedOffline(t *testing.T) {
	t.Parallel()
	sqlDB, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	g, err := db.FromSQL(sqlDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := routing.NewService(g, audit.NewRecorder(clock.System{}), clock.System{})
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{APIKeyID: "k", Scopes: []string{auth.ScopeEligibilityRead}})
	a, err := svc.Check(ctx, routing.Check{Agent: routing.Agent{ExternalID: "x"}, ProgramID: "6f1b8f7e-8d6a-4c1e-9d61-0d8f7c1c2a10"})
	if a != nil || !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("got %v, %v; want no answer and unavailable", a, err)
	}
	if _, err := svc.Roster(ctx, "6f1b8f7e-8d6a-4c1e-9d61-0d8f7c1c2a10", "", false); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("roster: got %v, want unavailable", err)
	}
}

// TestFailClosedTimeout: a load that does not finish in the deadline
// answers 503 with Retry-After, never 200.
func TestFailClosedTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.agent("tom")
	w.certify(u.ID, w.cards, 90)
	w.mustAssign(u.ID, w.cards)
	w.env.App.Routing.Deadline = 300 * time.Millisecond
	tx := w.env.DB.Begin()
	defer tx.Rollback()
	if err := tx.Exec("LOCK TABLE assignments IN ACCESS EXCLUSIVE MODE").Error; err != nil {
		t.Fatal(err)
	}
	_, res := w.check(u.ID, w.cards, "")
	if res.Status != 503 || res.Code() != "unavailable" || res.Header.Get("Retry-After") == "" {
		t.Errorf("got %d %s (Retry-After %q), want 503 unavailable with Retry-After", res.Status, res.Body, res.Header.Get("Retry-After"))
	}
	// The bulk reads have their own, longer deadline, and fail closed the same way.
	w.env.App.Routing.BulkDeadline = 300 * time.Millisecond
	for _, r := range []apitest.Request{
		{Method: "GET", Path: "/api/v1/programs/" + w.cards + "/roster"},
		{Method: "GET", Path: "/api/v1/exports/taskrouter-workers"},
		{Method: "POST", Path: "/api/v1/eligibility/reconcile", Body: map[string]any{"agents": []any{}}},
	} {
		r.Token = w.key
		if res := w.env.Do(r); res.Status != 503 || res.Code() != "unavailable" {
			t.Errorf("%s %s under the lock: got %d %s, want 503 unavailable", r.Method, r.Path, res.Status, res.Body)
		}
	}
	tx.Rollback()
	if a, res := w.check(u.ID, w.cards, ""); res.Status != 200 || !a.Eligible {
		t.Errorf("after the lock: got %d %s, want 200 eligible", res.Status, res.Body)
	}
}

// TestAssignRefusedAndAutoSuspended covers refusal with reasons, the
// re-decide job's suspension and restoration, their audit and events.
func TestAssignRefusedAndAutoSuspended(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.agent("sam")
	res := w.assign(u.ID, w.cards)
	var body struct {
		Code    string
		Details routing.RefusedDetails
	}
	res.JSON(t, &body)
	if res.Status != 409 || len(body.Details.Reasons) != 1 || body.Details.Reasons[0].Code != routing.ReasonNotCertified {
		t.Fatalf("assign uncertified: got %d %s, want 409 with not_certified", res.Status, res.Body)
	}
	// A program that needs licenses: one covered state is enough.
	w.certify(u.ID, w.sales, 30)
	if res := w.assign(u.ID, w.sales); res.Status != 409 {
		t.Errorf("assign unlicensed: got %d %s, want 409", res.Status, res.Body)
	}
	lic := w.license(u.ID, "GA", "verified", bothLines, "2025-01-01", "2027-01-01")
	if res := w.assign(u.ID, w.sales); res.Status != 409 || !strings.Contains(string(res.Body), routing.ReasonAppointmentMissing) {
		t.Errorf("assign licensed, not appointed: got %d %s, want 409 appointment_missing", res.Status, res.Body)
	}
	w.appoint(u.ID, "GA", bothLines, "2025-01-01")
	w.mustAssign(u.ID, w.sales)
	if res := w.assign(u.ID, w.sales); res.Status != 409 {
		t.Errorf("assign twice: got %d, want 409", res.Status)
	}
	w.certify(u.ID, w.cards, 10)
	w.mustAssign(u.ID, w.cards)

	status := func(program string) string {
		a, err := w.env.App.Routing.Store().FindAssignment(context.Background(), u.ID, program)
		if err != nil {
			t.Fatal(err)
		}
		return a.Status
	}
	run := func(want int) {
		t.Helper()
		n, err := w.env.App.Routing.RunOnce(context.Background())
		if err != nil || n != want {
			t.Fatalf("RunOnce: got %d, %v; want %d flips", n, err, want)
		}
	}
	run(0)
	// The cards certification expires by the clock: suspended, audited, announced.
	w.env.Clock.Advance(11 * day)
	run(1)
	if got := status(w.cards); got != routing.StatusSuspended {
		t.Errorf("after expiry: got %s, want suspended", got)
	}
	if got := w.env.AuditCount("assignment.suspend"); got != 1 {
		t.Errorf("got %d assignment.suspend entries, want 1", got)
	}
	// Revoking the only license suspends the sales assignment (outbox-driven).
	if _, err := w.env.App.Licensing.Revoke(w.compliance, lic, "board action"); err != nil {
		t.Fatal(err)
	}
	run(1)
	if got := status(w.sales); got != routing.StatusSuspended {
		t.Errorf("after revocation: got %s, want suspended", got)
	}
	// Recertified: restored.
	w.env.Clock.Advance(time.Minute)
	w.certify(u.ID, w.cards, 90)
	w.env.Clock.Advance(time.Minute)
	run(1)
	if got := status(w.cards); got != routing.StatusActive {
		t.Errorf("after recertification: got %s, want active", got)
	}
	if got := w.env.AuditCount("assignment.restore"); got != 1 {
		t.Errorf("got %d assignment.restore entries, want 1", got)
	}
	es, err := outbox.After(context.Background(), w.env.DB, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var flips []bool
	for _, e := range es {
		if e.Type == outbox.EligibilityChanged {
			var p struct {
				AgentID  string `json:"agent_id"`
				Eligible bool   `json:"eligible"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil || p.AgentID != u.ID {
				t.Errorf("event payload %s: %v", e.Payload, err)
			}
			flips = append(flips, p.Eligible)
		}
	}
	// assign sales (eligible only in GA: false without state), assign cards, suspend cards, suspend sales, restore cards
	if want := []bool{false, true, false, false, true}; !reflect.DeepEqual(flips, want) {
		t.Errorf("got eligibility.changed eligible=%v, want %v", flips, want)
	}
	// Unassign: audited, announced.
	w.adminTok = w.env.Login("admin@x.test")
	res = w.env.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/programs/" + w.cards + "/assignments/" + u.ID, Token: w.adminTok})
	if res.Status != 204 || w.env.AuditCount("assignment.delete") != 1 {
		t.Errorf("unassign: got %d, %d audit entries; want 204, 1", res.Status, w.env.AuditCount("assignment.delete"))
	}
	if a, _ := w.check(u.ID, w.cards, ""); a.Eligible || codes(a)[0] != routing.ReasonNotAssigned {
		t.Errorf("after unassign: got %+v, want not_assigned", a)
	}
}

// TestBatchRosterAgentPrograms covers the other read endpoints and who may call them.
func TestBatchRosterAgentPrograms(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := w.agent("amy"), w.agent("bob")
	w.certify(a.ID, w.cards, 90)
	w.certify(b.ID, w.cards, 90)
	w.mustAssign(a.ID, w.cards)
	w.mustAssign(b.ID, w.cards)
	w.setCert(b.ID, w.cards, "revoked", nil, nil)

	res := w.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/eligibility/batch", Token: w.key, Body: map[string]any{
		"checks": []map[string]string{{"agent": a.ID, "program": w.cards}, {"agent": "bad", "program": w.cards},
			{"agent": "ext:acd-bob", "program": w.cards}, {"agent": a.ID, "program": w.sales, "state": "TX"}}}})
	var batch struct{ Results []routing.BatchItem }
	res.JSON(t, &batch)
	if res.Status != 200 || len(batch.Results) != 4 {
		t.Fatalf("batch: got %d %s", res.Status, res.Body)
	}
	if r := batch.Results; r[0].Answer == nil || !r[0].Answer.Eligible || r[1].Error == nil || r[1].Error.Code != "invalid" ||
		r[2].Answer == nil || r[2].Answer.Eligible || r[3].Answer == nil || r[3].Answer.Eligible {
		t.Errorf("batch: got %s, want eligible, invalid, not eligible, not eligible", res.Body)
	}

	res = w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + w.cards + "/roster?eligible=true", Token: w.key})
	var roster routing.Roster
	res.JSON(t, &roster)
	if res.Status != 200 || len(roster.Agents) != 1 || roster.Agents[0].AgentID != a.ID {
		t.Errorf("eligible roster: got %d %s, want amy only", res.Status, res.Body)
	}
	res = w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + w.cards + "/roster?format=csv", Token: w.key})
	if lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n"); res.Status != 200 || len(lines) != 3 || !strings.Contains(lines[2], "certification_revoked") {
		t.Errorf("csv roster: got %d %s, want a header and 2 rows", res.Status, res.Body)
	}

	w.env.User("agentx@x.test", auth.RoleAgent)
	w.env.User("trainer@x.test", auth.RoleTrainer, w.larkspur)
	w.env.User("super@x.test", auth.RoleSupervisor, w.fenmore)
	cases := []struct {
		who, path string
		want      int
	}{
		{"agentx@x.test", "/api/v1/eligibility?agent=" + a.ID + "&program=" + w.cards, 403},
		{"trainer@x.test", "/api/v1/eligibility?agent=" + a.ID + "&program=" + w.cards, 403},
		{"super@x.test", "/api/v1/eligibility?agent=" + a.ID + "&program=" + w.cards, 200},
		{"trainer@x.test", "/api/v1/programs/" + w.cards + "/roster", 403},
		{"super@x.test", "/api/v1/programs/" + w.cards + "/roster", 200},
		{"agentx@x.test", "/api/v1/agents/" + a.ID + "/programs", 403},
		{"super@x.test", "/api/v1/programs/" + w.cards + "/assignments", 200},
	}
	for _, tc := range cases {
		res := w.env.Do(apitest.Request{Method: "GET", Path: tc.path, Token: w.env.Login(tc.who)})
		if res.Status != tc.want {
			t.Errorf("%s GET %s: got %d %s, want %d", tc.who, tc.path, res.Status, res.Body, tc.want)
		}
	}
	// Amy checks herself; her programs list routable first.
	amyTok := w.env.Login("amy@x.test")
	w.certify(a.ID, w.sales, 90)
	w.licensedAndAppointed(a.ID, "2027-01-01", "TX")
	w.mustAssign(a.ID, w.sales)
	res = w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/agents/" + a.ID + "/programs?state=FL", Token: amyTok})
	var progs struct{ Programs []routing.ProgramAnswer }
	res.JSON(t, &progs)
	if res.Status != 200 || len(progs.Programs) != 2 || !progs.Programs[0].Eligible || progs.Programs[0].ProgramID != w.cards || progs.Programs[1].Eligible {
		t.Errorf("agent programs: got %d %s, want cards (eligible) then sales (no FL license)", res.Status, res.Body)
	}
}

// Terminating the appointment an assignment rests on suspends it (the
// appointment.changed event marks it for the job), with the reason; a new
// appointment restores it.
func TestAppointmentTerminationSuspendsTheAssignment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.agent("apt")
	w.certify(u.ID, w.sales, 90)
	w.license(u.ID, "GA", "verified", bothLines, "2025-01-01", "2027-01-01")
	ap := w.appoint(u.ID, "GA", bothLines, "2025-01-01")
	w.mustAssign(u.ID, w.sales)
	run := func() *routing.Assignment {
		t.Helper()
		if _, err := w.env.App.Routing.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		a, err := w.env.App.Routing.Store().FindAssignment(context.Background(), u.ID, w.sales)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := run(); a.Status != routing.StatusActive {
		t.Fatalf("before: got %s, want active", a.Status)
	}
	// Terminated from next week: still active, valid until then.
	next := w.env.Clock.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly)
	if _, err := w.env.App.Licensing.TerminateAppointment(w.compliance, ap, licensing.TerminateInput{Reason: "left", TerminationDate: next}); err != nil {
		t.Fatal(err)
	}
	a := run()
	if a.Status != routing.StatusActive || a.ValidUntil == nil || a.ValidUntil.Format(time.DateOnly) != next {
		t.Fatalf("terminated from %s: got %s until %v, want active until then", next, a.Status, a.ValidUntil)
	}
	w.env.Clock.Advance(8 * 24 * time.Hour)
	w.certify(u.ID, w.sales, 90) // the certification must outlive the wait
	a = run()
	if a.Status != routing.StatusSuspended || !strings.Contains(string(a.SuspendedReasons), routing.ReasonAppointmentTerminated) {
		t.Fatalf("after the termination date: got %s %s, want suspended with appointment_terminated", a.Status, a.SuspendedReasons)
	}
	w.appoint(u.ID, "GA", bothLines, w.env.Clock.Now().UTC().Format(time.DateOnly))
	if a := run(); a.Status != routing.StatusActive {
		t.Errorf("after a new appointment: got %s %s, want active", a.Status, a.SuspendedReasons)
	}
}

// TestCheckQuery: a single check's query is read by hand (no form
// binding); a missing agent or program is refused naming each field, as
// binding did, a repeated parameter counts its first value, and the answer
// is JSON decoded like any other.
func TestCheckQuery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, c := range []struct {
		query string
		want  map[string]string
	}{
		{"", map[string]string{"agent": "is required", "program": "is required"}},
		{"?program=" + w.sales, map[string]string{"agent": "is required"}},
		{"?agent=x&program=", map[string]string{"program": "is required"}},
	} {
		res := w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/eligibility" + c.query, Token: w.key})
		var body struct {
			Code   string
			Fields map[string]string
		}
		if res.Status != 400 {
			t.Fatalf("%q: got %d %s, want 400", c.query, res.Status, res.Body)
		}
		res.JSON(t, &body)
		if body.Code != "invalid" || !reflect.DeepEqual(body.Fields, c.want) {
			t.Errorf("%q: got %s %v, want invalid %v", c.query, body.Code, body.Fields, c.want)
		}
	}
	u := w.agent("first")
	res := w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/eligibility?agent=" + u.ID + "&agent=other&program=" + w.cards, Token: w.key})
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/json; charset=utf-8" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("got %d %s %q %q", res.Status, res.Body, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	var a routing.Answer
	res.JSON(t, &a)
	if a.AgentID != u.ID || a.ProgramID != w.cards {
		t.Errorf("got the answer for %s in %s, want %s in %s", a.AgentID, a.ProgramID, u.ID, w.cards)
	}
}
