package onboarding_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/auth"
)

type certState struct {
	ID        string     `json:"id"`
	State     string     `json:"state"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func (f *fixture) cert(token string) certState {
	f.env.T.Helper()
	var out struct {
		Certifications []certState `json:"certifications"`
	}
	f.do(token, "GET", "/api/v1/me/certifications", nil, 200, &out)
	if len(out.Certifications) != 1 {
		f.env.T.Fatalf("got %d certifications, want 1", len(out.Certifications))
	}
	return out.Certifications[0]
}

type refresherView struct {
	Reason  string     `json:"reason"`
	Outcome string     `json:"outcome"`
	Closed  *string    `json:"closed_at"`
	DueAt   *time.Time `json:"due_at"`
	Items   []struct {
		Kind   string `json:"kind"`
		Slug   string `json:"slug"`
		Diff   string `json:"diff"`
		To     int    `json:"to_version"`
		Status string `json:"status"`
	} `json:"items"`
}

func (f *fixture) refreshers(token string) []refresherView {
	f.env.T.Helper()
	var out struct {
		Refreshers []refresherView `json:"refreshers"`
	}
	f.do(token, "GET", "/api/v1/me/onboarding", nil, 200, &out)
	return out.Refreshers
}

func items(r refresherView) string {
	var out []string
	for _, it := range r.Items {
		out = append(out, it.Kind+" "+it.Slug+" "+it.Status)
	}
	return strings.Join(out, ", ")
}

func TestRefresherNarrowedToTheChangeAndRenewing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	u := env.User("ada@x.test", auth.RoleAgent, f.acme)
	f.do(f.trainer, "POST", "/api/v1/programs/"+f.program+"/enrollments", map[string]string{"user_id": u.ID}, 201, nil)
	ada := env.Login("ada@x.test")
	f.read(ada, "fees", 1)
	f.read(ada, "verify-caller", 1)
	if !f.takeQuiz(ada, "basics", map[string]string{"verify-first": "true", "late-fee": "false"}) {
		t.Fatal("the right answers failed")
	}
	run := f.playRoleplay(ada)
	f.do(f.supervisor, "POST", "/api/v1/runs/"+run+"/review", map[string]string{"decision": "approve"}, 200, nil)
	c := f.cert(ada)
	if c.State != "certified" {
		t.Fatalf("after the requirements: got %s, want certified", c.State)
	}
	expiry := *c.ExpiresAt
	if rs := f.refreshers(ada); len(rs) != 0 {
		t.Fatalf("refreshers while certified: got %+v, want none", rs)
	}

	// A material change to fees: a refresher of that module (with its diff) and the refresher quiz only.
	env.Clock.Advance(24 * time.Hour)
	f.login()
	ada = env.Login("ada@x.test")
	src, err := os.ReadFile(filepath.Join("testdata", "content", "acme", "support", "fees.md"))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(strings.Replace(string(src), "$39", "$29", 1), "change: minor", "change: material", 1)
	f.do(f.trainer, "POST", "/api/v1/modules/"+f.modules["fees"]+"/versions", map[string]string{"markdown": changed, "change": "material"}, 201, nil)
	rs := f.refreshers(ada)
	if len(rs) != 1 || rs[0].Reason != "material_change" || rs[0].Closed != nil {
		t.Fatalf("after the material change: got %+v, want one open material_change refresher", rs)
	}
	if got, want := items(rs[0]), "module fees not_started, quiz refresh not_started"; got != want {
		t.Errorf("refresher items: got %s, want %s", got, want)
	}
	if rs[0].Items[0].Diff != "/api/v1/modules/"+f.modules["fees"]+"/diff?from=1&to=2" || rs[0].Items[0].To != 2 {
		t.Errorf("changed module: got %+v", rs[0].Items[0])
	}

	// Reading the new version is not enough: the program declares a refresher quiz.
	f.read(ada, "fees", 2)
	if c := f.cert(ada); c.State != "refresher_due" {
		t.Fatalf("after the reread: got %s, want refresher_due until the refresher quiz", c.State)
	}
	after := f.refreshers(ada)[0]
	if got, want := items(after), "module fees done, quiz refresh not_started"; got != want {
		t.Errorf("refresher items after the reread: got %s, want %s", got, want)
	}
	if after.Reason != "material_change" || after.DueAt == nil || rs[0].DueAt == nil || !after.DueAt.Equal(*rs[0].DueAt) {
		t.Errorf("refresher after the reread: got %s due %v, want material_change due %v", after.Reason, after.DueAt, rs[0].DueAt)
	}
	if !f.takeQuiz(ada, "refresh", map[string]string{"late-fee-now": "true"}) {
		t.Fatal("the refresher quiz failed")
	}
	c = f.cert(ada)
	if c.State != "certified" || !c.ExpiresAt.Equal(expiry) {
		t.Fatalf("after the refresher: got %s expiring %v, want certified expiring %v", c.State, c.ExpiresAt, expiry)
	}
	rs = f.refreshers(ada)
	if len(rs) != 1 || rs[0].Closed == nil || rs[0].Outcome != "certified:refresher_completed" {
		t.Fatalf("the refresher after completion: got %+v, want closed certified:refresher_completed", rs)
	}

	// The renewal window opens: the refresher set and quiz, not the whole program again.
	env.Clock.Set(expiry.Add(-29 * 24 * time.Hour))
	if _, err := env.App.Certification.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.login()
	ada = env.Login("ada@x.test")
	rs = f.refreshers(ada)
	if len(rs) == 0 || rs[0].Reason != "refresher_window" || rs[0].Closed != nil {
		t.Fatalf("in the window: got %+v, want an open refresher_window refresher first", rs)
	}
	if got, want := items(rs[0]), "module fees done, quiz refresh not_started"; got != want {
		t.Errorf("window refresher items: got %s, want %s", got, want)
	}
	var staff struct {
		Refreshers []refresherView `json:"refreshers"`
	}
	f.do(f.trainer, "GET", "/api/v1/programs/"+f.program+"/refreshers", nil, 200, &staff)
	if len(staff.Refreshers) != 1 {
		t.Errorf("program refreshers: got %d, want 1", len(staff.Refreshers))
	}
	// Passing the refresher quiz renews: a new full period, basics and the role-play not redone.
	if !f.takeQuiz(ada, "refresh", map[string]string{"late-fee-now": "true"}) {
		t.Fatal("the refresher quiz failed")
	}
	c = f.cert(ada)
	wantExpiry := env.Clock.Now().UTC().Add(365 * 24 * time.Hour)
	if c.State != "certified" || !c.ExpiresAt.Equal(wantExpiry) {
		t.Fatalf("after the window refresher: got %s expiring %v, want certified expiring %v", c.State, c.ExpiresAt, wantExpiry)
	}
	if rs := f.refreshers(ada); rs[0].Outcome != "certified:renewed" {
		t.Errorf("window refresher outcome: got %q, want certified:renewed", rs[0].Outcome)
	}
	var basics int
	env.DB.Raw(`SELECT count(*) FROM quiz_attempts WHERE quiz_id = ?`, f.quizzes["basics"]).Scan(&basics)
	if basics != 1 {
		t.Errorf("basics attempts: got %d, want 1 (not redone)", basics)
	}
}
