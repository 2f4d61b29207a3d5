package certification_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// certify takes a new agent through every requirement: their id, token and
// certification id.
func (f *fixture) certify(email string) (string, string, string) {
	f.env.T.Helper()
	id, tok := f.agent(email)
	f.read(tok, "fees", 1)
	f.read(tok, "verify-caller", 1)
	if !f.takeQuiz(tok, "false") {
		f.env.T.Fatal("quiz failed")
	}
	run, _ := f.playRoleplay(tok)
	f.do(f.supervisor, "POST", "/api/v1/runs/"+run+"/review", map[string]string{"decision": "approve"}, 200, nil)
	v := f.mine(tok)
	if v.State != "certified" {
		f.env.T.Fatalf("%s: got %s, want certified", email, v.State)
	}
	return id, tok, v.ID
}

func TestRevokeReinstateAndAccess(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	agentID, agent, certID := f.certify("agent@x.test")
	_, other := f.agent("other@x.test")

	env.User("admin@x.test", auth.RoleAdmin)
	admin := env.Login("admin@x.test")
	var client struct {
		ID string `json:"id"`
	}
	f.do(admin, "POST", "/api/v1/clients", map[string]string{"slug": "globex", "name": "Globex"}, 201, &client)
	env.User("trainer@globex.test", auth.RoleTrainer, client.ID)
	outsider := env.Login("trainer@globex.test")

	base := "/api/v1/certifications/" + certID
	reason := map[string]string{"reason": "shared a customer's card number in chat"}
	cases := []struct {
		name       string
		token      string
		method     string
		path       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"agent sees own history", agent, "GET", base + "/history", nil, 200, ""},
		{"another agent cannot see it", other, "GET", base + "/history", nil, 404, "not_found"},
		{"trainer of another client cannot see it", outsider, "GET", base + "/history", nil, 404, "not_found"},
		{"trainer of the client sees it", f.trainer, "GET", base + "/history", nil, 200, ""},
		{"trainer of another client cannot list the program", outsider, "GET", "/api/v1/programs/" + f.program + "/certifications", nil, 403, "forbidden"},
		{"agent cannot list the program", agent, "GET", "/api/v1/programs/" + f.program + "/certifications", nil, 403, "forbidden"},
		{"unknown state filter", f.trainer, "GET", "/api/v1/programs/" + f.program + "/certifications?state=gone", nil, 400, "invalid"},
		{"agent cannot list a user's", agent, "GET", "/api/v1/users/" + agentID + "/certifications", nil, 403, "forbidden"},
		{"agent cannot revoke", agent, "POST", base + "/revoke", reason, 403, "forbidden"},
		{"trainer of the client cannot revoke", f.trainer, "POST", base + "/revoke", reason, 403, "forbidden"},
		{"trainer of another client cannot revoke", outsider, "POST", base + "/revoke", reason, 403, "forbidden"},
		{"a reason is required", f.compliance, "POST", base + "/revoke", map[string]string{"reason": "  "}, 400, "invalid"},
		{"unknown record", f.compliance, "POST", "/api/v1/certifications/00000000-0000-0000-0000-000000000000/revoke", reason, 404, "not_found"},
		{"not revoked yet", f.compliance, "POST", base + "/reinstate", reason, 409, "conflict"},
		{"compliance revokes", f.compliance, "POST", base + "/revoke", reason, 200, ""},
		{"twice is a conflict", admin, "POST", base + "/revoke", reason, 409, "conflict"},
		{"trainer cannot reinstate", f.trainer, "POST", base + "/reinstate", reason, 403, "forbidden"},
		{"reinstate needs a reason", admin, "POST", base + "/reinstate", map[string]string{}, 400, "invalid"},
	}
	for _, tc := range cases {
		res := env.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token, Body: tc.body})
		if res.Status != tc.wantStatus || res.Code() != tc.wantCode {
			t.Errorf("%s: got %d %s, want %d %q", tc.name, res.Status, res.Body, tc.wantStatus, tc.wantCode)
		}
	}

	// Revoked: the list filter finds it, with the reason; the agent's material is gone.
	var list struct {
		Certifications []struct {
			ID            string `json:"id"`
			State         string `json:"state"`
			RevokedReason string `json:"revoked_reason"`
		} `json:"certifications"`
	}
	f.do(f.trainer, "GET", "/api/v1/programs/"+f.program+"/certifications?state=revoked", nil, 200, &list)
	if len(list.Certifications) != 1 || list.Certifications[0].ID != certID || list.Certifications[0].RevokedReason != reason["reason"] {
		t.Errorf("revoked list: got %+v, want the one record with its reason", list.Certifications)
	}
	// Evidence changes do not move a revoked record.
	if c, err := env.App.Certification.Evaluate(context.Background(), agentID, f.program); err != nil || c.State != "revoked" {
		t.Errorf("evaluate a revoked record: got %v, %v; want revoked", c, err)
	}

	// Reinstated before expiry: certified again with the old dates.
	var before, after struct {
		State     string     `json:"state"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	f.do(f.trainer, "GET", base+"/history", nil, 200, &struct {
		Certification any `json:"certification"`
	}{&before})
	f.do(admin, "POST", base+"/reinstate", map[string]string{"reason": "investigated: the number was a test card"}, 200, &after)
	if after.State != "certified" || after.ExpiresAt == nil || !after.ExpiresAt.Equal(*before.ExpiresAt) {
		t.Errorf("reinstated: got %s expiring %v, want certified expiring %v", after.State, after.ExpiresAt, before.ExpiresAt)
	}
	for action, n := range map[string]int{"certification.revoked": 1, "certification.reinstated": 1} {
		if got := env.AuditCount(action); got != n {
			t.Errorf("audit %s: got %d, want %d", action, got, n)
		}
	}
	var notes []string
	env.DB.Raw(`SELECT details->>'note' FROM certification_events WHERE certification_id = ? AND reason IN ('revoked', 'reinstated') ORDER BY seq`, certID).Scan(&notes)
	if strings.Join(notes, "|") != reason["reason"]+"|investigated: the number was a test card" {
		t.Errorf("history notes: got %q, want the two reasons", notes)
	}

	// Revoked after expiry, reinstated: expired.
	f.do(f.compliance, "POST", base+"/revoke", reason, 200, nil)
	env.Clock.Set(after.ExpiresAt.Add(time.Hour))
	admin = env.Login("admin@x.test")
	f.do(admin, "POST", base+"/reinstate", map[string]string{"reason": "cleared"}, 200, &after)
	if after.State != "expired" {
		t.Errorf("reinstated after expiry: got %s, want expired", after.State)
	}

	// Staff see an agent's records only for their own clients' programs.
	for _, tc := range []struct {
		name  string
		email string
		want  int
	}{{"trainer of the client", "trainer@acme.test", 1}, {"trainer of another client", "trainer@globex.test", 0}, {"compliance", "compliance@x.test", 1}} {
		var out struct {
			Certifications []certView `json:"certifications"`
		}
		f.do(env.Login(tc.email), "GET", "/api/v1/users/"+agentID+"/certifications", nil, 200, &out)
		if len(out.Certifications) != tc.want {
			t.Errorf("%s: got %d records, want %d", tc.name, len(out.Certifications), tc.want)
		}
	}
}

// The refresher window: it opens 30 days before expiry (refresher_due, due
// at expiry); passing the quiz again renews for a full period.
func TestRefresherWindowRenewal(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	_, _, certID := f.certify("agent@x.test")
	var c struct {
		ExpiresAt time.Time `json:"expires_at"`
	}
	f.do(f.trainer, "GET", "/api/v1/certifications/"+certID+"/history", nil, 200, &struct {
		Certification any `json:"certification"`
	}{&c})

	env.Clock.Set(c.ExpiresAt.Add(-31 * 24 * time.Hour))
	if _, err := env.App.Certification.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	agent := env.Login("agent@x.test")
	if v := f.mine(agent); v.State != "certified" {
		t.Fatalf("before the window: got %s, want certified", v.State)
	}
	env.Clock.Set(c.ExpiresAt.Add(-29 * 24 * time.Hour))
	if _, err := env.App.Certification.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	agent = env.Login("agent@x.test")
	v := f.mine(agent)
	if v.State != "refresher_due" || v.RefresherDueAt == nil || !v.RefresherDueAt.Equal(c.ExpiresAt) {
		t.Fatalf("window open: got %s due %v, want refresher_due due %v", v.State, v.RefresherDueAt, c.ExpiresAt)
	}
	if !f.takeQuiz(agent, "false") {
		t.Fatal("quiz failed")
	}
	v = f.mine(agent)
	want := env.Clock.Now().UTC().Add(365 * 24 * time.Hour)
	if v.State != "certified" || !v.ExpiresAt.Equal(want) || v.RefresherDueAt != nil {
		t.Errorf("renewed: got %s expiring %v due %v, want certified expiring %v", v.State, v.ExpiresAt, v.RefresherDueAt, want)
	}
	if got := env.AuditCount("certification.certified"); got != 2 {
		t.Errorf("audit certification.certified: got %d, want 2", got)
	}
}

// A crash between the quiz's commit and its hook leaves the record marked;
// the job evaluates it.
func TestJobRepairsMarkedRecords(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	agentID, agent, _ := f.certify("agent@x.test")
	// Pretend a material change was published and its hook never ran: the
	// version exists and the record is marked, nothing more.
	env.App.Catalog.SetListener(nil)
	f.do(f.trainer, "POST", "/api/v1/modules/"+f.modules["fees"]+"/versions", map[string]string{
		"markdown": "---\nslug: fees\ntitle: Card fees\nkind: product\nsummary: The fees.\nminutes: 5\n---\n\n# Card fees\n\nThe late fee is $29.\n",
		"change":   "material"}, 201, nil)
	if err := env.DB.Exec(`UPDATE certifications SET needs_evaluation = true WHERE user_id = ?`, agentID).Error; err != nil {
		t.Fatal(err)
	}
	if v := f.mine(agent); v.State != "certified" {
		t.Fatalf("before the job: got %s, want certified", v.State)
	}
	n, err := env.App.Certification.RunOnce(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("job: got %d, %v; want 1 record", n, err)
	}
	if v := f.mine(agent); v.State != "refresher_due" || len(v.ChangedModules) != 1 {
		t.Errorf("after the job: got %s %v, want refresher_due listing fees", v.State, v.ChangedModules)
	}
	if n, err := env.App.Certification.RunOnce(context.Background()); err != nil || n != 0 {
		t.Errorf("second pass: got %d, %v; want nothing to do", n, err)
	}
}
