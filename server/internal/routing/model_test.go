package routing_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/routing"
)

// The reference model: the rules written down as plainly as possible,
// independently of Decide.

type refCert struct {
	state        string
	expires, due *time.Time
}

type refLicense struct {
	id, state, status string
	lines             []string
	effective, expiry time.Time // midnight UTC; valid while effective <= t < expiry
}

// refAppointment is an appointment by Larkspur (the sales program's client).
type refAppointment struct {
	id, state, status string
	lines             []string
	effective, ended  *time.Time // midnight UTC; in force while effective <= t < ended
}

func (a *refAppointment) open() bool { return a.status == "requested" || a.status == "active" }

type refAgent struct {
	id           string
	active       bool
	assigned     map[string]bool
	certs        map[string]*refCert
	licenses     []*refLicense
	appointments []*refAppointment
}

// salesStates are the states direct-sales requires an insurance-producer
// license with life and accident-and-health for.
var salesStates = []string{"AZ", "FL", "GA", "NC", "TX"}

func (a *refAgent) certCurrent(program string, at time.Time) bool {
	c := a.certs[program]
	if c == nil || (c.state != "certified" && c.state != "refresher_due") {
		return false
	}
	if c.expires == nil || !at.Before(*c.expires) {
		return false
	}
	if c.state == "refresher_due" && c.due != nil && !at.Before(*c.due) {
		return false
	}
	return true
}

func (a *refAgent) licensed(state string, at time.Time) bool {
	for _, l := range a.licenses {
		if l.state == state && l.status == "verified" && !at.Before(l.effective) && at.Before(l.expiry) &&
			slices.Contains(l.lines, "life") && slices.Contains(l.lines, "accident-and-health") {
			return true
		}
	}
	return false
}

// appointed: an appointment in force in the state with both lines.
func (a *refAgent) appointed(state string, at time.Time) bool {
	for _, ap := range a.appointments {
		if ap.state == state && ap.status != "requested" && ap.effective != nil && !at.Before(*ap.effective) &&
			(ap.ended == nil || at.Before(*ap.ended)) &&
			slices.Contains(ap.lines, "life") && slices.Contains(ap.lines, "accident-and-health") {
			return true
		}
	}
	return false
}

// openAppointment is the agent's requested or active appointment in the state.
func (a *refAgent) openAppointment(state string) *refAppointment {
	for _, ap := range a.appointments {
		if ap.state == state && ap.open() {
			return ap
		}
	}
	return nil
}

func (a *refAgent) covered(at time.Time) []string {
	out := []string{}
	for _, s := range salesStates {
		if a.licensed(s, at) && a.appointed(s, at) {
			out = append(out, s)
		}
	}
	return out
}

// licensesOK says whether the license and appointment rules pass for the
// program and state. The sales program serves only its listed states.
func (a *refAgent) licensesOK(program, sales, state string, at time.Time) bool {
	if program != sales {
		return true
	}
	if state != "" {
		return slices.Contains(salesStates, state) && a.licensed(state, at) && a.appointed(state, at)
	}
	return len(a.covered(at)) == len(salesStates)
}

func (a *refAgent) eligible(program, sales, state string, at time.Time) bool {
	return a.active && a.assigned[program] && a.certCurrent(program, at) && a.licensesOK(program, sales, state, at)
}

// routable is the assignment rule: eligible apart from the assignment, and
// for the licensed program covered for at least one required state.
func (a *refAgent) routable(program, sales string, at time.Time) bool {
	if !a.active || !a.certCurrent(program, at) {
		return false
	}
	return program != sales || len(a.covered(at)) > 0
}

// TestModel applies random event sequences and compares every answer of the
// API with the reference model. SKILLGATE_MODEL_SEED replays a failure.
func TestModel(t *testing.T) {
	t.Parallel()
	testModel(t, newWorld(t), 120)
}

// TestModelThroughTheView runs the model with single checks answered from
// the replica's view: every input change must reach it through the change
// feed.
func TestModelThroughTheView(t *testing.T) {
	t.Parallel()
	testModel(t, newWorldWith(t, true), 60)
}

func testModel(t *testing.T, w *world, sequences int) {
	seed := uint64(20260601) // deterministic; SKILLGATE_MODEL_SEED tries others
	if s := os.Getenv("SKILLGATE_MODEL_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	steps := 25
	if testing.Short() {
		sequences = 20
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("SKILLGATE_MODEL_SEED=%d: "+format, append([]any{seed}, args...)...)
	}
	programs := []string{w.cards, w.sales}
	ctx := context.Background()
	events := 0
	eligibleSales, reasonsSeen := 0, map[string]int{} // how far the sequences got
	for seq := range sequences {
		u, err := w.env.App.Auth.CreateUserAs(ctx, audit.System("test"), auth.CreateUserInput{
			Email: fmt.Sprintf("m%d@x.test", seq), Role: auth.RoleAgent, ExternalID: fmt.Sprintf("m%d", seq),
		})
		if err != nil {
			t.Fatal(err)
		}
		ag := &refAgent{id: u.ID, active: true, assigned: map[string]bool{}, certs: map[string]*refCert{}}
		for step := range steps {
			events++
			now := w.env.Clock.Now()
			today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
			program := programs[rng.IntN(2)]
			what := ""
			switch r := rng.IntN(100); {
			case r < 15:
				what = "assign"
				_, err := w.env.App.Routing.Assign(w.admin, program, ag.id)
				want := !ag.assigned[program] && ag.routable(program, w.sales, now)
				if (err == nil) != want {
					fail("step %d.%d assign %s: got err %v, want success=%v", seq, step, program, err, want)
				}
				if err == nil {
					ag.assigned[program] = true
				}
			case r < 20:
				what = "unassign"
				err := w.env.App.Routing.Unassign(w.admin, program, ag.id)
				if (err == nil) != ag.assigned[program] {
					fail("step %d.%d unassign: got %v, want success=%v", seq, step, err, ag.assigned[program])
				}
				delete(ag.assigned, program)
			case r < 38:
				states := []string{"in_training", "certified", "certified", "refresher_due", "expired", "revoked"}
				st := states[rng.IntN(len(states))]
				c := &refCert{state: st}
				if st == "certified" || st == "refresher_due" {
					e := now.Add(time.Duration(rng.IntN(60*24)-24) * time.Hour)
					c.expires = &e
				}
				if st == "refresher_due" {
					d := now.Add(time.Duration(rng.IntN(20*24)-24) * time.Hour)
					c.due = &d
				}
				what = "certification " + st
				w.setCert(ag.id, program, st, c.expires, c.due)
				ag.certs[program] = c
			case r < 47:
				if !ag.active {
					continue // licensing refuses licenses for deactivated users
				}
				states := []string{"TX", "FL", "GA", "NY", "TX"}
				lines := bothLines
				if rng.IntN(5) == 0 {
					lines = []string{"life"}
				}
				eff := today.AddDate(0, 0, rng.IntN(20)-15)
				exp := eff.AddDate(0, 0, 1+rng.IntN(60))
				l := &refLicense{state: states[rng.IntN(len(states))], status: "pending", lines: lines, effective: eff, expiry: exp}
				l.id = w.license(ag.id, l.state, "pending", lines, eff.Format(time.DateOnly), exp.Format(time.DateOnly))
				ag.licenses = append(ag.licenses, l)
				what = "license submit " + l.state
			case r < 58:
				if len(ag.licenses) == 0 {
					continue
				}
				l := ag.licenses[rng.IntN(len(ag.licenses))]
				var err error
				switch rng.IntN(3) {
				case 0:
					what = "license verify"
					_, err = w.env.App.Licensing.Verify(w.compliance, l.id, "ok")
					if want := l.status == "pending" && now.Before(l.expiry); (err == nil) != want {
						fail("step %d.%d verify %s license: got %v, want success=%v", seq, step, l.status, err, want)
					}
					if err == nil {
						l.status = "verified"
					}
				case 1:
					what = "license reject"
					_, err = w.env.App.Licensing.Reject(w.compliance, l.id, "no")
					if err == nil {
						l.status = "rejected"
					}
				default:
					what = "license revoke"
					_, err = w.env.App.Licensing.Revoke(w.compliance, l.id, "board")
					if err == nil {
						l.status = "revoked"
					}
				}
				if err != nil && !apperr.Is(err, apperr.Conflict) {
					fail("step %d.%d %s: %v", seq, step, what, err)
				}
			case r < 68:
				// Larkspur requests, records, activates or terminates an appointment.
				states := []string{"TX", "FL", "GA", "NY", "TX"}
				state := states[rng.IntN(len(states))]
				lines := bothLines
				if rng.IntN(6) == 0 {
					lines = []string{"life"}
				}
				eff := today.AddDate(0, 0, rng.IntN(20)-15)
				cur := ag.openAppointment(state)
				switch op := rng.IntN(4); {
				case op <= 1 || cur == nil:
					status := []string{"requested", "active"}[rng.IntN(2)]
					what = "appointment " + status + " " + state
					in := licensing.RecordAppointmentInput{UserID: ag.id, ClientID: w.larkspur, Jurisdiction: state, Lines: lines, Status: status}
					if status == "active" {
						in.EffectiveDate = eff.Format(time.DateOnly)
					}
					a, err := w.env.App.Licensing.RecordAppointment(w.compliance, in)
					want := cur == nil && ag.active
					if (err == nil) != want {
						fail("step %d.%d %s: got err %v, want success=%v", seq, step, what, err, want)
					}
					if err == nil {
						ap := &refAppointment{id: a.ID, state: state, status: status, lines: lines}
						if status == "active" {
							ap.effective = &eff
						}
						ag.appointments = append(ag.appointments, ap)
					}
				case op == 2:
					what = "appointment activate " + state
					_, err := w.env.App.Licensing.ActivateAppointment(w.compliance, cur.id, licensing.ActivateInput{EffectiveDate: eff.Format(time.DateOnly)})
					if want := cur.status == "requested"; (err == nil) != want {
						fail("step %d.%d %s (%s): got err %v, want success=%v", seq, step, what, cur.status, err, want)
					}
					if err == nil {
						cur.status, cur.effective = "active", &eff
					}
				default:
					end := today.AddDate(0, 0, rng.IntN(10))
					what = "appointment terminate " + state + " from " + end.Format(time.DateOnly)
					_, err := w.env.App.Licensing.TerminateAppointment(w.compliance, cur.id, licensing.TerminateInput{
						TerminationDate: end.Format(time.DateOnly), Reason: "left the program"})
					want := cur.effective == nil || !end.Before(*cur.effective)
					if (err == nil) != want {
						fail("step %d.%d %s: got err %v, want success=%v", seq, step, what, err, want)
					}
					if err == nil {
						cur.status, cur.ended = "terminated", &end
					}
				}
			case r < 74:
				// Compliance onboards the agent in a state at once: a verified
				// license and an active appointment, both already in effect.
				if !ag.active {
					continue
				}
				state := salesStates[rng.IntN(len(salesStates))]
				what = "license and appointment " + state
				eff := today.AddDate(0, 0, -rng.IntN(30)-1)
				exp := today.AddDate(0, 0, 1+rng.IntN(90))
				l := &refLicense{state: state, status: "verified", lines: bothLines, effective: eff, expiry: exp}
				l.id = w.license(ag.id, state, "verified", bothLines, eff.Format(time.DateOnly), exp.Format(time.DateOnly))
				ag.licenses = append(ag.licenses, l)
				if ag.openAppointment(state) == nil {
					ap := &refAppointment{state: state, status: "active", lines: bothLines, effective: &eff}
					ap.id = w.appoint(ag.id, state, bothLines, eff.Format(time.DateOnly))
					ag.appointments = append(ag.appointments, ap)
				}
			case r < 77:
				what = "license expiry job"
				if _, err := w.env.App.Licensing.RunOnce(ctx); err != nil {
					fail("expiry job: %v", err)
				}
				for _, l := range ag.licenses {
					if l.status == "verified" && !today.Before(l.expiry) {
						l.status = "expired"
					}
				}
			case r < 80:
				ag.active = !ag.active
				what = "active " + strconv.FormatBool(ag.active)
				if _, err := w.env.App.Auth.SetActive(w.admin, ag.id, ag.active); err != nil {
					fail("set active: %v", err)
				}
			case r < 85:
				what = "re-decide job"
				if _, err := w.env.App.Routing.RunOnce(ctx); err != nil {
					fail("re-decide: %v", err)
				}
				for _, p := range programs {
					if !ag.assigned[p] {
						continue
					}
					a, err := w.env.App.Routing.Store().FindAssignment(ctx, ag.id, p)
					if err != nil {
						fail("find assignment: %v", err)
					}
					want := routing.StatusSuspended
					if ag.routable(p, w.sales, now) {
						want = routing.StatusActive
					}
					if a.Status != want {
						fail("step %d.%d after re-decide: got assignment %s, want %s", seq, step, a.Status, want)
					}
				}
			default:
				d := time.Duration(rng.IntN(20*24*60)) * time.Minute
				what = "clock +" + d.String()
				w.env.Clock.Advance(d)
			}
			// Ask the API, by id or external id, with or without a state.
			now = w.env.Clock.Now()
			state := []string{"", "", "TX", "FL", "GA", "NY", "AZ"}[rng.IntN(7)]
			agent := ag.id
			if rng.IntN(2) == 0 {
				agent = fmt.Sprintf("ext:m%d", seq)
			}
			for _, p := range programs {
				a, res := w.check(agent, p, state)
				if res.Status != 200 {
					fail("step %d.%d after %s: check got %d %s", seq, step, what, res.Status, res.Body)
				}
				want := ag.eligible(p, w.sales, state, now)
				if want && p == w.sales && state != "" {
					eligibleSales++
				}
				for _, r := range a.Reasons {
					reasonsSeen[r.Code]++
				}
				if a.Eligible != want {
					fail("step %d.%d after %s: %s state %q: got eligible=%v %v, want %v (agent %+v)", seq, step, what,
						p, state, a.Eligible, codes(a), want, *ag)
				}
				if got := slices.Contains(codes(a), routing.ReasonNotAssigned); got == ag.assigned[p] {
					fail("step %d.%d after %s: not_assigned reason %v, assigned %v", seq, step, what, got, ag.assigned[p])
				}
				if got := slices.Contains(codes(a), routing.ReasonAgentInactive); got == ag.active {
					fail("step %d.%d after %s: agent_inactive reason %v, active %v", seq, step, what, got, ag.active)
				}
				if a.ValidUntil != nil && !a.ValidUntil.After(now) {
					fail("step %d.%d: valid_until %v is not after now %v", seq, step, a.ValidUntil, now)
				}
				if p == w.sales && state == "" {
					got := []string{}
					if a.CoveredStates != nil {
						got = *a.CoveredStates
					}
					sort.Strings(got)
					if want := ag.covered(now); !slices.Equal(got, want) {
						fail("step %d.%d after %s: got covered %v, want %v", seq, step, what, got, want)
					}
				}
			}
			// The bulk paths read their inputs another way (one snapshot for
			// many agents); they must agree with the reference too.
			if step%8 == 0 {
				checkBulk(t, w, ag, fmt.Sprintf("ext:m%d", seq), state, now, func(format string, args ...any) {
					fail("step %d.%d after %s: "+format, append([]any{seq, step, what}, args...)...)
				})
			}
		}
	}
	t.Logf("seed %d: %d sequences, %d events, every answer matched the reference; %d eligible sales answers for a caller state; reasons %v",
		seed, sequences, events, eligibleSales, reasonsSeen)
	// The sequences must reach licensed and appointed agents and every
	// appointment reason, or they test little.
	if eligibleSales == 0 {
		t.Errorf("no sequence made an agent eligible for sales in a caller state")
	}
	for _, code := range []string{routing.ReasonAppointmentMissing, routing.ReasonAppointmentTerminated, routing.ReasonAppointmentLineMissing, routing.ReasonStateNotServed} {
		if reasonsSeen[code] == 0 {
			t.Errorf("no answer had the reason %s", code)
		}
	}
}

// checkBulk compares the roster, the TaskRouter export and reconciliation
// for one agent with the reference.
func checkBulk(t *testing.T, w *world, ag *refAgent, ext, state string, now time.Time, fail func(string, ...any)) {
	t.Helper()
	skillOf := map[string]string{w.cards: cardsSkill, w.sales: salesSkill}
	for _, p := range []string{w.cards, w.sales} {
		path := "/api/v1/programs/" + p + "/roster"
		if state != "" {
			path += "?state=" + state
		}
		res := w.env.Do(apitest.Request{Method: "GET", Path: path, Token: w.key})
		var r routing.Roster
		res.JSON(t, &r)
		i := slices.IndexFunc(r.Agents, func(e routing.RosterEntry) bool { return e.AgentID == ag.id })
		if (i >= 0) != ag.assigned[p] {
			fail("roster %s: listed %v, assigned %v", p, i >= 0, ag.assigned[p])
		}
		if want := ag.eligible(p, w.sales, state, now); i >= 0 && r.Agents[i].Eligible != want {
			fail("roster %s state %q: got eligible %v %v, want %v", p, state, r.Agents[i].Eligible, r.Agents[i].Reasons, want)
		}
	}
	res := w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/exports/taskrouter-workers", Token: w.key})
	var ex trExport
	res.JSON(t, &ex)
	wk := ex.worker(ag.id)
	if (wk != nil) != (ag.assigned[w.cards] || ag.assigned[w.sales]) {
		fail("export: listed %v, assigned %v", wk != nil, ag.assigned)
	}
	acd := []map[string]any{{"agent": ext, "programs": []string{w.cards}, "skills": []string{salesSkill}}}
	res = w.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/eligibility/reconcile", Token: w.key, Body: map[string]any{"agents": acd}})
	var rec reconcileAnswer
	res.JSON(t, &rec)
	for _, p := range []string{w.cards, w.sales} {
		want := ag.assigned[p] && ag.routable(p, w.sales, now)
		if wk != nil && slices.Contains(wk.Attributes.Skills, skillOf[p]) != want {
			fail("export %s: got skills %v, want routable %v", p, wk.Attributes.Skills, want)
		}
		if got := slices.ContainsFunc(rec.NotEligible, func(d routing.Drift) bool { return d.AgentID == ag.id && d.ProgramID == p }); got == want {
			fail("reconcile %s: got not eligible %v, want routable %v (%s)", p, got, want, res.Body)
		}
	}
	if wk != nil && slices.Contains(wk.Attributes.Skills, salesSkill) && !slices.Equal(wk.Attributes.States[salesSkill], ag.covered(now)) {
		fail("export: got sales states %v, want %v", wk.Attributes.States[salesSkill], ag.covered(now))
	}
}
