package routing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/routing"
)

// world is a test center: the demo library, staff, an API key.
type world struct {
	t          testing.TB
	env        *apitest.Env
	admin      context.Context // an admin principal, for services
	compliance context.Context // a compliance principal, for licenses
	key        string          // an eligibility:read API key
	adminTok   string
	cards      string // fenmore-bank/card-services: no licenses
	sales      string // larkspur-life/direct-sales: insurance-producer life+A&H in TX FL GA NC AZ
	fenmore    string
	larkspur   string
	// view: single checks answer from the replica's view, which check
	// brings up to date first (as the replica's poller would within
	// routing.ViewMaxLag).
	view bool
}

func newWorld(t testing.TB) *world {
	t.Helper()
	return newWorldWith(t, false)
}

// newWorldWith is newWorld, with the eligibility view on when view is set.
func newWorldWith(t testing.TB, view bool) *world {
	t.Helper()
	env := apitest.NewWith(t, func(c *app.Config) { c.EligibilityView = view })
	env.ImportDemo()
	w := &world{t: t, env: env, view: view}
	admin := env.User("admin@x.test", auth.RoleAdmin)
	officer := env.User("compliance@x.test", auth.RoleCompliance)
	w.admin = auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	w.compliance = auth.WithPrincipal(context.Background(), &auth.Principal{UserID: officer.ID, Role: auth.RoleCompliance})
	k, err := env.App.Auth.CreateAPIKey(w.admin, auth.CreateAPIKeyInput{Name: "acd", Scopes: []string{auth.ScopeEligibilityRead}})
	if err != nil {
		t.Fatal(err)
	}
	w.key = k.Key
	w.adminTok = env.Login("admin@x.test")
	w.fenmore, w.larkspur = env.ClientID("fenmore-bank"), env.ClientID("larkspur-life")
	w.cards, w.sales = env.ProgramID("fenmore-bank", "card-services"), env.ProgramID("larkspur-life", "direct-sales")
	return w
}

// agent creates an agent with an external id.
func (w *world) agent(name string) *auth.User {
	w.t.Helper()
	u, err := w.env.App.Auth.CreateUserAs(context.Background(), audit.System("test"), auth.CreateUserInput{
		Email: name + "@x.test", Role: auth.RoleAgent, Password: apitest.Password, ExternalID: "acd-" + name, ClientIDs: []string{w.fenmore, w.larkspur},
	})
	if err != nil {
		w.t.Fatalf("create agent %s: %v", name, err)
	}
	return u
}

// setCert writes the agent's certification row as the certification
// engine would (that engine is on another branch): state and dates.
func (w *world) setCert(userID, programID, state string, expires, due *time.Time) {
	w.t.Helper()
	now := w.env.Clock.Now()
	err := w.env.DB.Exec(`
INSERT INTO certifications (id, user_id, program_id, state, enrolled_at, enrolled_by, expires_at, refresher_due_at, updated_at)
VALUES (?, ?, ?, ?, ?, 'test', ?, ?, ?)
ON CONFLICT (user_id, program_id) DO UPDATE SET state = EXCLUDED.state, expires_at = EXCLUDED.expires_at,
  refresher_due_at = EXCLUDED.refresher_due_at, updated_at = EXCLUDED.updated_at`,
		uuid.NewString(), userID, programID, state, now, expires, due, now).Error
	if err != nil {
		w.t.Fatalf("set certification: %v", err)
	}
}

// certify makes the agent certified for the program for days days.
func (w *world) certify(userID, programID string, days int) {
	exp := w.env.Clock.Now().Add(time.Duration(days) * 24 * time.Hour)
	w.setCert(userID, programID, "certified", &exp, nil)
}

// license submits a license and, for status verified, rejected or revoked,
// moves it there through the licensing service. Dates are YYYY-MM-DD.
func (w *world) license(userID, state, status string, lines []string, effective, expiry string) string {
	w.t.Helper()
	res := true
	l, err := w.env.App.Licensing.Submit(w.compliance, licensing.SubmitInput{
		UserID: userID, NPN: "1234567", Jurisdiction: state, LicenseNumber: fmt.Sprintf("L-%s-%s", state, uuid.NewString()[:8]),
		Class: "insurance-producer", Lines: lines, Resident: &res, IssueDate: effective, EffectiveDate: effective,
		ExpiryDate: expiry, Evidence: "test",
	})
	if err != nil {
		w.t.Fatalf("submit license: %v", err)
	}
	switch status {
	case "verified":
		_, err = w.env.App.Licensing.Verify(w.compliance, l.ID, "ok")
	case "rejected":
		_, err = w.env.App.Licensing.Reject(w.compliance, l.ID, "wrong number")
	case "revoked":
		_, err = w.env.App.Licensing.Revoke(w.compliance, l.ID, "board action")
	}
	if err != nil {
		w.t.Fatalf("license to %s: %v", status, err)
	}
	return l.ID
}

var bothLines = []string{"life", "accident-and-health"}

// appoint records the agent's active appointment by Larkspur (the sales
// program's client) in the state for lines, effective on the date
// (YYYY-MM-DD), through the licensing service, and returns its id.
func (w *world) appoint(userID, state string, lines []string, effective string) string {
	w.t.Helper()
	a, err := w.env.App.Licensing.RecordAppointment(w.compliance, licensing.RecordAppointmentInput{
		UserID: userID, ClientID: w.larkspur, Jurisdiction: state, Lines: lines, Status: "active",
		EffectiveDate: effective, Reference: "test",
	})
	if err != nil {
		w.t.Fatalf("appoint %s: %v", state, err)
	}
	return a.ID
}

// licensedAndAppointed gives the agent a verified license with both lines
// and an active Larkspur appointment in each state, from 2020 to expiry.
func (w *world) licensedAndAppointed(userID, expiry string, states ...string) {
	w.t.Helper()
	for _, s := range states {
		w.license(userID, s, "verified", bothLines, "2020-01-01", expiry)
		w.appoint(userID, s, bothLines, "2020-01-01")
	}
}

// assign asks the API to assign the agent (as an admin).
func (w *world) assign(userID, programID string) *apitest.Response {
	w.t.Helper()
	return w.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/programs/" + programID + "/assignments",
		Token: w.adminTok, Body: map[string]string{"user_id": userID}})
}

// mustAssign assigns and fails unless it worked.
func (w *world) mustAssign(userID, programID string) {
	w.t.Helper()
	if res := w.assign(userID, programID); res.Status != 201 {
		w.t.Fatalf("assign: got %d %s, want 201", res.Status, res.Body)
	}
}

// check asks the API (with the API key) and decodes a 200 answer.
func (w *world) check(agent, programID, state string) (routing.Answer, *apitest.Response) {
	w.t.Helper()
	w.syncView()
	path := "/api/v1/eligibility?agent=" + agent + "&program=" + programID
	if state != "" {
		path += "&state=" + state
	}
	res := w.env.Do(apitest.Request{Method: "GET", Path: path, Token: w.key})
	var a routing.Answer
	if res.Status == 200 {
		res.JSON(w.t, &a)
	}
	return a, res
}

// syncView reads the change feed into the view, when it is on.
func (w *world) syncView() {
	w.t.Helper()
	if !w.view {
		return
	}
	if err := w.env.App.Routing.SyncView(context.Background()); err != nil {
		w.t.Fatalf("sync view: %v", err)
	}
}

func codes(a routing.Answer) []string {
	out := []string{}
	for _, r := range a.Reasons {
		out = append(out, r.Code)
	}
	return out
}
