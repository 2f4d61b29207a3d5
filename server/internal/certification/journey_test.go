package certification_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// fixture is the small acme/support library of testdata: two modules, a
// two-question quiz (pass mark 100, an hour between attempts) and a
// two-turn role-play the program wants signed off.
type fixture struct {
	env        *apitest.Env
	program    string
	acme       string
	modules    map[string]string // slug → id
	quiz       string
	roleplay   string
	trainer    string // token
	supervisor string
	compliance string
}

func setup(t *testing.T) *fixture {
	t.Helper()
	env := apitest.New(t)
	env.Import(filepath.Join("testdata", "content"), filepath.Join("testdata", "quizzes"))
	f := &fixture{env: env, program: env.ProgramID("acme", "support"), acme: env.ClientID("acme"), modules: map[string]string{}}
	for _, slug := range []string{"fees", "verify-caller"} {
		m, err := catalog.NewStore(env.DB).ModuleBySlug(context.Background(), f.acme, slug)
		if err != nil {
			t.Fatal(err)
		}
		f.modules[slug] = m.ID
	}
	f.quiz = f.id(`SELECT id FROM quizzes WHERE slug = 'basics'`)
	f.roleplay = f.id(`SELECT id FROM roleplays WHERE slug = 'fee-call'`)
	env.User("trainer@acme.test", auth.RoleTrainer, f.acme)
	env.User("supervisor@acme.test", auth.RoleSupervisor, f.acme)
	env.User("compliance@x.test", auth.RoleCompliance)
	f.login()
	return f
}

// login signs the staff in again (access tokens last 15 minutes of the
// manual clock).
func (f *fixture) login() {
	f.trainer = f.env.Login("trainer@acme.test")
	f.supervisor = f.env.Login("supervisor@acme.test")
	f.compliance = f.env.Login("compliance@x.test")
}

func (f *fixture) id(q string) string {
	f.env.T.Helper()
	var id string
	if err := f.env.DB.Raw(q).Scan(&id).Error; err != nil || id == "" {
		f.env.T.Fatalf("%s: got %q, %v", q, id, err)
	}
	return id
}

// do sends a request and fails the test unless the status is want.
func (f *fixture) do(token, method, path string, body any, want int, out any) *apitest.Response {
	f.env.T.Helper()
	res := f.env.Do(apitest.Request{Method: method, Path: path, Token: token, Body: body})
	if res.Status != want {
		f.env.T.Fatalf("%s %s: got %d %s, want %d", method, path, res.Status, res.Body, want)
	}
	if out != nil {
		res.JSON(f.env.T, out)
	}
	return res
}

// agent creates an agent enrolled in acme/support: their id and token.
func (f *fixture) agent(email string) (string, string) {
	f.env.T.Helper()
	u := f.env.User(email, auth.RoleAgent, f.acme)
	f.do(f.trainer, "POST", "/api/v1/programs/"+f.program+"/enrollments", map[string]string{"user_id": u.ID}, 201, nil)
	return u.ID, f.env.Login(email)
}

func (f *fixture) read(token, slug string, version int) {
	f.env.T.Helper()
	f.do(token, "POST", "/api/v1/modules/"+f.modules[slug]+"/open", nil, 200, nil)
	f.do(token, "POST", "/api/v1/modules/"+f.modules[slug]+"/complete", map[string]int{"version": version}, 200, nil)
}

// takeQuiz starts an attempt, answers the late-fee question lateFee and
// submits: whether it passed.
func (f *fixture) takeQuiz(token string, lateFee string) bool {
	f.env.T.Helper()
	var a struct {
		ID string `json:"id"`
	}
	f.do(token, "POST", "/api/v1/quizzes/"+f.quiz+"/attempts", nil, 201, &a)
	f.do(token, "PUT", "/api/v1/attempts/"+a.ID+"/answers", map[string]any{"seq": 1, "answers": map[string]any{
		"verify-first": map[string]any{"choices": []string{"true"}},
		"late-fee":     map[string]any{"choices": []string{lateFee}},
	}}, 200, nil)
	var sub struct {
		Result struct {
			Passed bool `json:"passed"`
		} `json:"result"`
	}
	f.do(token, "POST", "/api/v1/attempts/"+a.ID+"/submit", nil, 200, &sub)
	return sub.Result.Passed
}

// playRoleplay plays the passing path: the run's id and state.
func (f *fixture) playRoleplay(token string) (string, string) {
	f.env.T.Helper()
	type view struct {
		ID      string `json:"id"`
		State   string `json:"state"`
		Seq     int    `json:"seq"`
		Current *struct {
			TurnID string `json:"turn_id"`
		} `json:"current"`
	}
	var v view
	f.do(token, "POST", "/api/v1/roleplays/"+f.roleplay+"/runs", nil, 201, &v)
	for v.Current != nil {
		var next view
		f.do(token, "POST", "/api/v1/runs/"+v.ID+"/turns", map[string]any{"seq": v.Seq, "turn_id": v.Current.TurnID, "option_id": "a"}, 200, &next)
		v = next
	}
	return v.ID, v.State
}

type changedModule struct {
	ModuleID    string `json:"module_id"`
	Slug        string `json:"slug"`
	FromVersion int    `json:"from_version"`
	ToVersion   int    `json:"to_version"`
	Diff        string `json:"diff"`
}

type certView struct {
	ID             string          `json:"id"`
	ProgramID      string          `json:"program_id"`
	State          string          `json:"state"`
	CertifiedAt    *time.Time      `json:"certified_at"`
	ExpiresAt      *time.Time      `json:"expires_at"`
	RefresherDueAt *time.Time      `json:"refresher_due_at"`
	ChangedModules []changedModule `json:"changed_modules"`
	Progress       struct {
		Complete bool `json:"complete"`
		Modules  []struct {
			Slug   string `json:"slug"`
			Status string `json:"status"`
		} `json:"modules"`
		Quizzes []struct {
			Slug        string   `json:"slug"`
			Passed      bool     `json:"passed"`
			BestPercent *float64 `json:"best_percent"`
			Attempts    int      `json:"attempts"`
		} `json:"quizzes"`
		Roleplays []struct {
			Slug            string `json:"slug"`
			Passed          bool   `json:"passed"`
			AwaitingSignoff bool   `json:"awaiting_signoff"`
		} `json:"roleplays"`
		Left []struct {
			Kind   string `json:"kind"`
			Slug   string `json:"slug"`
			Action string `json:"action"`
		} `json:"left"`
	} `json:"progress"`
}

func (f *fixture) mine(token string) certView {
	f.env.T.Helper()
	var out struct {
		Certifications []certView `json:"certifications"`
	}
	f.do(token, "GET", "/api/v1/me/certifications", nil, 200, &out)
	if len(out.Certifications) != 1 {
		f.env.T.Fatalf("got %d certifications, want 1", len(out.Certifications))
	}
	return out.Certifications[0]
}

func left(v certView) string {
	var out []string
	for _, l := range v.Progress.Left {
		out = append(out, l.Action+" "+l.Kind+" "+l.Slug)
	}
	return strings.Join(out, ", ")
}

func (f *fixture) outboxCount(certID string) int {
	f.env.T.Helper()
	var n int
	if err := f.env.DB.Raw(`SELECT count(*) FROM outbox_events WHERE type = 'certification.changed' AND subject = ?`,
		"certification:"+certID).Scan(&n).Error; err != nil {
		f.env.T.Fatal(err)
	}
	return n
}

func TestJourney(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	agentID, agent := f.agent("new-hire@x.test")

	v := f.mine(agent)
	if v.State != "in_training" || v.Progress.Complete {
		t.Fatalf("after enrollment: got %s complete=%v, want in_training, not complete", v.State, v.Progress.Complete)
	}
	if got, want := left(v), "read module fees, read module verify-caller, pass quiz basics, pass roleplay fee-call"; got != want {
		t.Errorf("left after enrollment: got %q, want %q", got, want)
	}

	// Reads every module.
	f.read(agent, "fees", 1)
	f.read(agent, "verify-caller", 1)

	// Fails the quiz, waits the hour the quiz asks for, passes. A failed
	// attempt is no evidence: the record is neither marked nor touched.
	revision := func() (rev int, marked bool) {
		row := env.DB.Raw(`SELECT revision, needs_evaluation FROM certifications WHERE user_id = ?`, agentID).Row()
		if err := row.Scan(&rev, &marked); err != nil {
			t.Fatal(err)
		}
		return rev, marked
	}
	before, _ := revision()
	if f.takeQuiz(agent, "true") {
		t.Fatal("a wrong answer passed")
	}
	if after, marked := revision(); after != before || marked {
		t.Errorf("after a failed attempt: revision %d → %d, marked %v; want it untouched", before, after, marked)
	}
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/quizzes/" + f.quiz + "/attempts", Token: agent})
	if res.Status != 409 {
		t.Fatalf("a second attempt within the wait: got %d %s, want 409", res.Status, res.Body)
	}
	v = f.mine(agent)
	if q := v.Progress.Quizzes[0]; q.Passed || q.Attempts != 1 || q.BestPercent == nil || *q.BestPercent != 50 {
		t.Errorf("quiz after a fail: got %+v, want not passed, 1 attempt, best 50", q)
	}
	env.Clock.Advance(time.Hour)
	agent = env.Login("new-hire@x.test")
	if !f.takeQuiz(agent, "false") {
		t.Fatal("the right answers failed")
	}

	// Plays the role-play to a passing ending: it waits for a sign-off.
	runID, state := f.playRoleplay(agent)
	if state != "pending_review" {
		t.Fatalf("run: got state %s, want pending_review", state)
	}
	v = f.mine(agent)
	if v.State != "in_training" || left(v) != "signoff roleplay fee-call" || !v.Progress.Roleplays[0].AwaitingSignoff {
		t.Fatalf("before the sign-off: got %s, left %q, roleplay %+v; want in_training waiting for the sign-off", v.State, left(v), v.Progress.Roleplays)
	}

	// The supervisor signs off: certified.
	f.login()
	f.do(f.supervisor, "POST", "/api/v1/runs/"+runID+"/review", map[string]string{"decision": "approve"}, 200, nil)
	v = f.mine(agent)
	certifiedAt := env.Clock.Now().UTC()
	wantExpiry := certifiedAt.Add(365 * 24 * time.Hour)
	if v.State != "certified" || v.ExpiresAt == nil || !v.ExpiresAt.Equal(wantExpiry) || !v.Progress.Complete {
		t.Fatalf("after the sign-off: got %s expires %v complete=%v, want certified expiring %v", v.State, v.ExpiresAt, v.Progress.Complete, wantExpiry)
	}
	certID := v.ID

	// A material change to a required module: refresher due, the module listed.
	env.Clock.Advance(24 * time.Hour)
	f.login()
	agent = env.Login("new-hire@x.test")
	src, err := os.ReadFile(filepath.Join("testdata", "content", "acme", "support", "fees.md"))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(strings.Replace(string(src), "$39", "$29", 1), "change: minor", "change: material", 1)
	f.do(f.trainer, "POST", "/api/v1/modules/"+f.modules["fees"]+"/versions", map[string]string{"markdown": changed, "change": "material"}, 201, nil)
	v = f.mine(agent)
	wantDue := env.Clock.Now().UTC().Add(14 * 24 * time.Hour)
	if v.State != "refresher_due" || v.RefresherDueAt == nil || !v.RefresherDueAt.Equal(wantDue) {
		t.Fatalf("after the material change: got %s due %v, want refresher_due due %v", v.State, v.RefresherDueAt, wantDue)
	}
	wantChanged := changedModule{ModuleID: f.modules["fees"], Slug: "fees", FromVersion: 1, ToVersion: 2,
		Diff: "/api/v1/modules/" + f.modules["fees"] + "/diff?from=1&to=2"}
	if len(v.ChangedModules) != 1 || v.ChangedModules[0] != wantChanged {
		t.Fatalf("changed modules: got %+v, want [%+v]", v.ChangedModules, wantChanged)
	}
	f.do(agent, "GET", v.ChangedModules[0].Diff, nil, 200, nil)
	if got := left(v); got != "reread module fees" {
		t.Errorf("left in the refresher: got %q, want reread module fees", got)
	}

	// Reading the new version clears the refresher; the dates stay.
	f.read(agent, "fees", 2)
	v = f.mine(agent)
	if v.State != "certified" || !v.ExpiresAt.Equal(wantExpiry) || v.RefresherDueAt != nil || len(v.ChangedModules) != 0 {
		t.Fatalf("after the reread: got %s expires %v due %v changed %v, want certified expiring %v", v.State, v.ExpiresAt, v.RefresherDueAt, v.ChangedModules, wantExpiry)
	}

	// Past expiry the job moves the record to expired.
	env.Clock.Set(wantExpiry.Add(time.Second))
	if _, err := env.App.Certification.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	agent = env.Login("new-hire@x.test")
	if v = f.mine(agent); v.State != "expired" {
		t.Fatalf("after expiry: got %s, want expired", v.State)
	}

	// Each transition: a history row, an audit row and an outbox event.
	var hist struct {
		Events []struct {
			From   string `json:"from"`
			To     string `json:"to"`
			Reason string `json:"reason"`
		} `json:"events"`
	}
	f.do(agent, "GET", "/api/v1/certifications/"+certID+"/history", nil, 200, &hist)
	var got []string
	for _, e := range hist.Events {
		got = append(got, e.From+">"+e.To+":"+e.Reason)
	}
	want := []string{"in_training>certified:requirements_met", "certified>refresher_due:material_change",
		"refresher_due>certified:refresher_completed", "certified>expired:expired"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("history: got %v, want %v", got, want)
	}
	for action, n := range map[string]int{"certification.certified": 2, "certification.refresher_due": 1, "certification.expired": 1} {
		if got := env.AuditCount(action); got != n {
			t.Errorf("audit %s: got %d, want %d", action, got, n)
		}
	}
	if got := f.outboxCount(certID); got != 4 {
		t.Errorf("outbox events: got %d, want 4", got)
	}

	// Evaluating again changes nothing.
	if _, err := env.App.Certification.Evaluate(context.Background(), agentID, f.program); err != nil {
		t.Fatal(err)
	}
	if got := f.outboxCount(certID); got != 4 {
		t.Errorf("outbox events after evaluating again: got %d, want 4", got)
	}
}

// concurrency: two job passes at once make each transition once.
func TestJobConcurrent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	const agents = 3
	for i := range agents {
		_, tok := f.agent("agent" + string(rune('a'+i)) + "@x.test")
		f.read(tok, "fees", 1)
		f.read(tok, "verify-caller", 1)
		if !f.takeQuiz(tok, "false") {
			t.Fatal("quiz failed")
		}
		run, _ := f.playRoleplay(tok)
		f.do(f.supervisor, "POST", "/api/v1/runs/"+run+"/review", map[string]string{"decision": "approve"}, 200, nil)
	}
	var certified int
	env.DB.Raw(`SELECT count(*) FROM certifications WHERE state = 'certified'`).Scan(&certified)
	if certified != agents {
		t.Fatalf("got %d certified, want %d", certified, agents)
	}
	env.Clock.Advance(366 * 24 * time.Hour)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := env.App.Certification.RunOnce(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var expired, events int
	env.DB.Raw(`SELECT count(*) FROM certification_events WHERE to_state = 'expired'`).Scan(&expired)
	env.DB.Raw(`SELECT count(*) FROM outbox_events WHERE type = 'certification.changed' AND payload->>'to' = 'expired'`).Scan(&events)
	if expired != agents || events != agents {
		t.Errorf("got %d expiry transitions and %d events, want %d of each", expired, events, agents)
	}
}

// TestConcurrentSubmitsAreEvaluatedTogether submits passing quizzes of
// several agents at once, so their evaluations share batches: those whose
// quiz was the last requirement are certified once each, the others stay
// in training, and no record is left marked.
func TestConcurrentSubmitsAreEvaluatedTogether(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	const ready, unready = 6, 3
	type sitting struct{ token, attempt string }
	var sittings []sitting
	for i := range ready + unready {
		_, tok := f.agent(fmt.Sprintf("agent%d@x.test", i))
		if i < ready {
			f.read(tok, "fees", 1)
			f.read(tok, "verify-caller", 1)
			run, _ := f.playRoleplay(tok)
			f.do(f.supervisor, "POST", "/api/v1/runs/"+run+"/review", map[string]string{"decision": "approve"}, 200, nil)
		}
		var a struct {
			ID string `json:"id"`
		}
		f.do(tok, "POST", "/api/v1/quizzes/"+f.quiz+"/attempts", nil, 201, &a)
		f.do(tok, "PUT", "/api/v1/attempts/"+a.ID+"/answers", map[string]any{"seq": 1, "answers": map[string]any{
			"verify-first": map[string]any{"choices": []string{"true"}},
			"late-fee":     map[string]any{"choices": []string{"false"}},
		}}, 200, nil)
		sittings = append(sittings, sitting{tok, a.ID})
	}
	var certified int
	env.DB.Raw(`SELECT count(*) FROM certifications WHERE state = 'certified'`).Scan(&certified)
	if certified != 0 {
		t.Fatalf("got %d certified before the quiz, want 0", certified)
	}
	release := make(chan struct{})
	var wg sync.WaitGroup
	for _, s := range sittings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/attempts/" + s.attempt + "/submit", Token: s.token})
			if res.Status != 200 {
				t.Errorf("submit: got %d %s", res.Status, res.Body)
			}
		}()
	}
	close(release)
	wg.Wait()
	var states []struct {
		State  string
		Marked bool
		N      int
	}
	env.DB.Raw(`SELECT state, needs_evaluation AS marked, count(*) AS n FROM certifications GROUP BY 1, 2 ORDER BY 1, 2`).Scan(&states)
	if len(states) != 2 || states[0].State != "certified" || states[0].N != ready || states[0].Marked ||
		states[1].State != "in_training" || states[1].N != unready || states[1].Marked {
		t.Errorf("records after the submits: got %+v, want %d certified and %d in training, none marked", states, ready, unready)
	}
	var transitions, events int
	env.DB.Raw(`SELECT count(*) FROM certification_events WHERE to_state = 'certified'`).Scan(&transitions)
	env.DB.Raw(`SELECT count(*) FROM outbox_events WHERE type = 'certification.changed' AND payload->>'to' = 'certified'`).Scan(&events)
	if transitions != ready || events != ready {
		t.Errorf("got %d certified transitions and %d events, want %d of each", transitions, events, ready)
	}
}
