package roleplay_test

import (
	"context"
	"encoding/json"
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

type fixture struct {
	env     *apitest.Env
	acme    string
	program string
	lateFee string
	admin   string
}

func setup(t *testing.T, quizzes string) *fixture {
	t.Helper()
	env := apitest.New(t)
	env.Import(filepath.Join("testdata", "content"), quizzes)
	f := &fixture{env: env, acme: env.ClientID("acme"), program: env.ProgramID("acme", "support")}
	f.lateFee = f.roleplayID("late-fee")
	env.User("admin@x.test", auth.RoleAdmin)
	f.admin = env.Login("admin@x.test")
	return f
}

func (f *fixture) roleplayID(slug string) string {
	var id string
	if err := f.env.DB.Raw(`SELECT id FROM roleplays WHERE slug = ?`, slug).Scan(&id).Error; err != nil || id == "" {
		f.env.T.Fatalf("roleplay %s: %v", slug, err)
	}
	return id
}

// agent creates an agent enrolled in acme/support and returns their token.
func (f *fixture) agent(email string) string {
	u := f.env.User(email, auth.RoleAgent)
	res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/programs/" + f.program + "/enrollments", Token: f.admin,
		Body: map[string]string{"user_id": u.ID}})
	if res.Status != 201 {
		f.env.T.Fatalf("enroll %s: got %d %s", email, res.Status, res.Body)
	}
	return f.env.Login(email)
}

type runView struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	State   string `json:"state"`
	Seq     int    `json:"seq"`
	Current *struct {
		TurnID   string `json:"turn_id"`
		Customer string `json:"customer"`
	} `json:"current"`
}

func (f *fixture) start(token, roleplayID string) (*apitest.Response, runView) {
	res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/roleplays/" + roleplayID + "/runs", Token: token})
	var v runView
	if res.Status == 201 {
		res.JSON(f.env.T, &v)
	}
	return res, v
}

func (f *fixture) turn(token string, v runView, option, text string) (*apitest.Response, runView) {
	body := map[string]any{"seq": v.Seq, "turn_id": v.Current.TurnID}
	if option != "" {
		body["option_id"] = option
	} else {
		body["text"] = text
	}
	res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/runs/" + v.ID + "/turns", Token: token, Body: body})
	var next runView
	if res.Status == 200 {
		res.JSON(f.env.T, &next)
	}
	return res, next
}

const good = "I'm sorry. Can you confirm your date of birth? I'll remove the fee."

// pass plays the best path of late-fee and returns the run id.
func (f *fixture) pass(t *testing.T, token string) string {
	t.Helper()
	res, v := f.start(token, f.lateFee)
	if res.Status != 201 {
		t.Fatalf("start: got %d %s", res.Status, res.Body)
	}
	for _, a := range []struct{ option, text string }{{"a", ""}, {"", good}, {"a", ""}} {
		if res, v = f.turn(token, v, a.option, a.text); res.Status != 200 {
			t.Fatalf("turn: got %d %s", res.Status, res.Body)
		}
	}
	if v.State != "pending_review" {
		t.Fatalf("got state %s, want pending_review", v.State)
	}
	return v.ID
}

// peekKeys are keys that would give away the graph or the scoring.
var peekKeys = []string{"points", "next", "feedback", "blocker", "blockers", "earned", "possible", "rubric", "patterns", "score", "passed"}

func assertNoPeek(t *testing.T, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				for _, bad := range peekKeys {
					if k == bad {
						t.Errorf("an in-progress response has key %q: %s", k, body)
					}
				}
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(v)
}

func TestRunFlowAndNoPeek(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	agent := f.agent("agent@x.test")
	stranger := f.env.Login(f.env.User("stranger@x.test", auth.RoleAgent).Email)

	if res, _ := f.start(stranger, f.lateFee); res.Status != 404 {
		t.Errorf("not enrolled: got %d, want 404", res.Status)
	}
	res, v := f.start(agent, f.lateFee)
	if res.Status != 201 || v.Current == nil || v.Current.TurnID != "opening" || v.Seq != 0 {
		t.Fatalf("start: got %d %s", res.Status, res.Body)
	}
	assertNoPeek(t, res.Body)
	if res := f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/runs/" + v.ID, Token: stranger}); res.Status != 404 {
		t.Errorf("another agent's run: got %d, want 404", res.Status)
	}
	if res := f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/runs/" + v.ID + "/result", Token: agent}); res.Status != 409 {
		t.Errorf("result in progress: got %d, want 409", res.Status)
	}

	first := v
	res, v = f.turn(agent, v, "a", "")
	if res.Status != 200 || v.Seq != 1 || v.Current.TurnID != "verify" {
		t.Fatalf("turn 1: got %d %s", res.Status, res.Body)
	}
	assertNoPeek(t, res.Body)
	if res, _ := f.turn(agent, first, "a", ""); res.Status != 409 {
		t.Errorf("replayed answer: got %d %s, want 409", res.Status, res.Body)
	}
	cur := *v.Current
	stale := v
	stale.Current = &cur
	stale.Current.TurnID = "resolve"
	if res, _ := f.turn(agent, stale, "a", ""); res.Status != 409 {
		t.Errorf("not the current turn: got %d, want 409", res.Status)
	}
	if res, _ := f.turn(agent, v, "a", ""); res.Status != 400 {
		t.Errorf("option on a free-text turn: got %d, want 400", res.Status)
	}
	get := f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/runs/" + v.ID, Token: agent})
	assertNoPeek(t, get.Body)
	res, v = f.turn(agent, v, "", "My apologies. What's your zip code? I'll reverse it. Card 4417 1234 5678 9012.")
	if res.Status != 200 {
		t.Fatalf("turn 2: got %d %s", res.Status, res.Body)
	}
	res, v = f.turn(agent, v, "a", "")
	if res.Status != 200 || v.State != "finished" || v.Current != nil {
		t.Fatalf("turn 3: got %d %s, want finished", res.Status, res.Body)
	}
	var result struct {
		ProgramID string `json:"program_id"`
		Passed    bool   `json:"passed"`
		Reasons   []struct {
			Kind      string `json:"kind"`
			Message   string `json:"message"`
			TurnIndex *int   `json:"turn_index"`
		} `json:"reasons"`
		Transcript []struct {
			AgentText string `json:"agent_text"`
		} `json:"transcript"`
		Debrief string `json:"debrief"`
	}
	rr := f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/runs/" + v.ID + "/result", Token: agent})
	rr.JSON(t, &result)
	if result.Passed || len(result.Reasons) != 1 || result.Reasons[0].Message != "Read out a full card number." ||
		result.Reasons[0].TurnIndex == nil || *result.Reasons[0].TurnIndex != 1 || len(result.Transcript) != 3 || result.Debrief == "" {
		t.Errorf("got result %s, want a fail by the card-number blocker at turn 1", rr.Body)
	}
	if result.ProgramID != f.program {
		t.Errorf("got program_id %q, want the scenario's program %s", result.ProgramID, f.program)
	}
	// The run reached the resolved ending but failed: its debrief is the ending's failed one, not the praise.
	if want := "The fee came off, but the run did not pass: the reasons below say what was skipped. Verify before you discuss the account."; result.Debrief != want {
		t.Errorf("got debrief %q, want %q", result.Debrief, want)
	}
	if got := f.env.AuditCount("roleplay.run_finished"); got != 1 {
		t.Errorf("got %d run_finished audit rows, want 1", got)
	}
}

func TestAttemptLimits(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	agent := f.agent("agent@x.test")
	lose := func() {
		t.Helper()
		agent = f.env.Login("agent@x.test") // access tokens last 15 minutes
		res, v := f.start(agent, f.lateFee)
		if res.Status != 201 {
			t.Fatalf("start: got %d %s", res.Status, res.Body)
		}
		f.turn(agent, v, "b", "")
		v.Seq, v.Current.TurnID = 1, "escalating"
		if res, v = f.turn(agent, v, "b", ""); res.Status != 200 || v.State != "finished" {
			t.Fatalf("lose: got %d %s", res.Status, res.Body)
		}
	}
	lose()
	if res, _ := f.start(agent, f.lateFee); res.Status != 409 || res.Header.Get("Retry-After") != "3600" {
		t.Errorf("within the wait: got %d %s (Retry-After %q), want 409 with 3600", res.Status, res.Body, res.Header.Get("Retry-After"))
	}
	f.env.Clock.Advance(time.Hour)
	lose()
	f.env.Clock.Advance(time.Hour)
	lose()
	f.env.Clock.Advance(time.Hour)
	agent = f.env.Login("agent@x.test")
	if res, _ := f.start(agent, f.lateFee); res.Status != 409 || !strings.Contains(string(res.Body), "all 3 attempts") {
		t.Errorf("after 3 attempts: got %d %s, want 409", res.Status, res.Body)
	}
}

func TestConcurrentStarts(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	agent := f.agent("agent@x.test")
	var wg sync.WaitGroup
	statuses := make([]int, 10)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, _ := f.start(agent, f.lateFee)
			statuses[i] = res.Status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		if s == 201 {
			created++
		} else if s != 409 {
			t.Errorf("got status %d, want 201 or 409", s)
		}
	}
	var runs int
	f.env.DB.Raw(`SELECT count(*) FROM roleplay_runs`).Scan(&runs)
	if created != 1 || runs != 1 {
		t.Errorf("got %d created, %d runs, want exactly one open run", created, runs)
	}
}

func TestRunsPinnedToVersion(t *testing.T) {
	t.Parallel()
	quizzes := t.TempDir()
	if err := os.CopyFS(quizzes, os.DirFS(filepath.Join("testdata", "quizzes"))); err != nil {
		t.Fatal(err)
	}
	f := setup(t, quizzes)
	agent := f.agent("agent@x.test")
	_, v := f.start(agent, f.lateFee)
	if v.Version != 1 {
		t.Fatalf("got version %d, want 1", v.Version)
	}
	f.env.Import(filepath.Join("testdata", "content"), quizzes)
	if got := f.env.AuditCount("roleplay.publish"); got != 2 {
		t.Errorf("unchanged re-import: got %d publish audit rows, want 2", got)
	}
	file := filepath.Join(quizzes, "acme", "support", "late-fee.roleplay.yaml")
	data, _ := os.ReadFile(file)
	changed := strings.Replace(string(data), "I want it off, or I'm closing this card.", "Take it off now.", 1)
	if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := f.env.Import(filepath.Join("testdata", "content"), quizzes)
	found := false
	for _, it := range rep.Items {
		if it.Kind == "roleplay" && it.Key == "acme/support/late-fee" {
			found = it.Outcome == "changed" && it.Version == 2
		}
	}
	if !found {
		t.Errorf("got report %+v, want late-fee changed to version 2", rep.Items)
	}
	var got runView
	f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/runs/" + v.ID, Token: agent}).JSON(t, &got)
	if got.Version != 1 || !strings.Contains(got.Current.Customer, "closing this card") {
		t.Errorf("got %+v, want the run still on version 1", got)
	}
	other := f.agent("agent2@x.test")
	if _, v2 := f.start(other, f.lateFee); v2.Version != 2 || v2.Current.Customer != "I've been charged a late fee and I paid on time. Take it off now." {
		t.Errorf("got %+v, want a new run on version 2", v2)
	}
}

func TestSignoff(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	agent := f.agent("agent@x.test")
	run := f.pass(t, agent)
	globex := f.env.ClientID("globex")
	f.env.User("sup@acme.test", auth.RoleSupervisor, f.acme)
	f.env.User("sup2@acme.test", auth.RoleSupervisor, f.acme)
	f.env.User("sup@globex.test", auth.RoleSupervisor, globex)
	f.env.User("trainer@acme.test", auth.RoleTrainer, f.acme)
	f.env.User("compliance@x.test", auth.RoleCompliance)
	sup, sup2 := f.env.Login("sup@acme.test"), f.env.Login("sup2@acme.test")
	other, trainer := f.env.Login("sup@globex.test"), f.env.Login("trainer@acme.test")
	compliance := f.env.Login("compliance@x.test")

	// The acme supervisor plays too: their own passing run is not theirs to review.
	ownRun := f.pass(t, sup)

	queue := func(token string) []string {
		var q struct {
			Reviews []struct {
				RunID string `json:"run_id"`
			} `json:"reviews"`
		}
		f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reviews", Token: token}).JSON(t, &q)
		var ids []string
		for _, r := range q.Reviews {
			ids = append(ids, r.RunID)
		}
		return ids
	}
	if got := queue(sup); len(got) != 1 || got[0] != run {
		t.Errorf("supervisor's queue: got %v, want [%s] (never their own)", got, run)
	}
	if got := queue(other); len(got) != 0 {
		t.Errorf("other client's supervisor: got %v, want none", got)
	}
	if got := queue(compliance); len(got) != 2 {
		t.Errorf("compliance: got %v, want both", got)
	}
	// The queue names the role-play by its title, beside its slug.
	var named struct {
		Reviews []struct {
			Slug  string `json:"slug"`
			Title string `json:"title"`
		} `json:"reviews"`
	}
	f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reviews", Token: sup}).JSON(t, &named)
	if len(named.Reviews) != 1 {
		t.Fatalf("review items: got %+v, want one", named.Reviews)
	}
	var wantTitle string
	f.env.DB.Raw(`SELECT v.title FROM roleplays r JOIN roleplay_versions v ON v.roleplay_id = r.id AND v.number = r.current_version
		WHERE r.slug = ?`, named.Reviews[0].Slug).Scan(&wantTitle)
	if named.Reviews[0].Title == "" || named.Reviews[0].Title != wantTitle {
		t.Errorf("review item: got %+v, want the title %q", named.Reviews, wantTitle)
	}

	review := "/api/v1/runs/" + run + "/review"
	cases := []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		want   int
	}{
		{"agent may not see the queue", "GET", "/api/v1/reviews", agent, nil, 403},
		{"agent may not review their run", "POST", review, agent, map[string]any{"decision": "approve"}, 403},
		{"trainer may not review", "POST", review, trainer, map[string]any{"decision": "approve"}, 403},
		{"other client's supervisor", "POST", review, other, map[string]any{"decision": "approve"}, 404},
		{"other client's supervisor reads no result", "GET", "/api/v1/runs/" + run + "/result", other, nil, 404},
		{"trainer of the client reads the result", "GET", "/api/v1/runs/" + run + "/result", trainer, nil, 200},
		{"compliance watches but does not review", "POST", review, compliance, map[string]any{"decision": "approve"}, 403},
		{"own run", "POST", "/api/v1/runs/" + ownRun + "/review", sup, map[string]any{"decision": "approve"}, 403},
		{"send back needs a note", "POST", review, sup, map[string]any{"decision": "send_back"}, 400},
		{"override of an unknown competency", "POST", review, sup, map[string]any{"decision": "approve", "score_override": map[string]float64{"sales": 50}}, 400},
		{"comment on a turn", "POST", "/api/v1/runs/" + run + "/comments", sup, map[string]any{"turn_index": 1, "text": "Good second factor."}, 201},
		{"comment on no turn", "POST", "/api/v1/runs/" + run + "/comments", sup, map[string]any{"turn_index": 7, "text": "?"}, 400},
		{"approve with an override", "POST", review, sup, map[string]any{"decision": "approve", "note": "Solid.", "score_override": map[string]float64{"empathy": 80}}, 200},
		{"reviewed once", "POST", review, sup2, map[string]any{"decision": "send_back", "note": "late"}, 409},
		{"another supervisor sends back", "POST", "/api/v1/runs/" + ownRun + "/review", sup2, map[string]any{"decision": "send_back", "note": "Redo the verification."}, 200},
	}
	for _, tc := range cases {
		res := f.env.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token, Body: tc.body})
		if res.Status != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.name, res.Status, res.Body, tc.want)
		}
	}
	var result struct {
		State     string  `json:"state"`
		SignedOff bool    `json:"signed_off"`
		Passed    bool    `json:"passed"`
		Overall   float64 `json:"overall"`
		Comments  []struct {
			TurnIndex int `json:"turn_index"`
		} `json:"comments"`
	}
	f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/runs/" + run + "/result", Token: agent}).JSON(t, &result)
	if result.State != "approved" || !result.SignedOff || !result.Passed || result.Overall != 93.75 || len(result.Comments) != 1 {
		t.Errorf("got %+v, want approved, signed off, overall 93.75 after the override, one comment", result)
	}
	for action, want := range map[string]int{"roleplay.review": 2, "roleplay.score_override": 1, "roleplay.comment": 1} {
		if got := f.env.AuditCount(action); got != want {
			t.Errorf("got %d %s audit rows, want %d", got, action, want)
		}
	}
	agentID := userID(t, f, "agent@x.test")
	passed, err := f.env.App.Roleplay.Store().PassedScenarios(t.Context(), agentID, f.program)
	if err != nil || len(passed) != 1 || passed[0].RunID != run || !passed[0].SignedOff || passed[0].Slug != "late-fee" {
		t.Errorf("got %+v %v, want the approved run, signed off", passed, err)
	}
	supPassed, _ := f.env.App.Roleplay.Store().PassedScenarios(t.Context(), userID(t, f, "sup@acme.test"), f.program)
	if len(supPassed) != 0 {
		t.Errorf("got %+v, want a run sent back not to count", supPassed)
	}
}

func userID(t *testing.T, f *fixture, email string) string {
	var id string
	f.env.DB.Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&id)
	if id == "" {
		t.Fatalf("no user %s", email)
	}
	return id
}

// TestImportChecksRereads: a scenario's reread must name a heading of one of
// its program's modules. A reread inherited from a core scenario is
// reported at the core file, for the program it fails in; nothing is
// imported.
func TestImportChecksRereads(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	edit := func(t *testing.T, file, old, new string) {
		t.Helper()
		data, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(data), old) {
			t.Fatalf("%s: %v, or no %q in it", file, err, old)
		}
		if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		edit func(t *testing.T, content, quizzes string)
		at   string // file under the root:line
		says string // what follows it, {root} standing for the root
	}{
		{"a heading the module lacks", func(t *testing.T, _, quizzes string) {
			edit(t, filepath.Join(quizzes, "acme", "support", "late-fee.roleplay.yaml"), "identity-verification#verifying-a-caller", "identity-verification#nowhere")
		}, filepath.Join("quizzes", "acme", "support", "late-fee.roleplay.yaml") + ":127: reread compliance: identity-verification#nowhere: ",
			filepath.Join("{root}", "content", "acme", "support", "identity-verification.md") + " has no heading #nowhere; its headings are verifying-acme-callers, verifying-a-caller"},
		{"a core scenario's reread, in a program that lacks the module", func(t *testing.T, content, quizzes string) {
			edit(t, filepath.Join(quizzes, "_core", "complaint.roleplay.yaml"), "endings:\n", "reread:\n  empathy: core/empathy#naming-the-feeling\nendings:\n")
			edit(t, filepath.Join(content, "acme", "support", "program.yaml"), "  - core/empathy\n", "")
		}, filepath.Join("quizzes", "_core", "complaint.roleplay.yaml") + ":39: reread empathy: core/empathy#naming-the-feeling: for acme/support/complaint: ",
			"core/empathy is not one of the modules of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, content, quizzes := apitest.CopyLibrary(t, "testdata")
			tc.edit(t, content, quizzes)
			_, err := env.App.Import(context.Background(), content, quizzes, catalog.ImportOptions{})
			want := filepath.Join(root, tc.at) + strings.ReplaceAll(tc.says, "{root}", root)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want a problem %q", err, want)
			}
		})
	}
	if got := env.AuditCount("roleplay.publish"); got != 0 {
		t.Errorf("roleplay.publish after refused imports: got %d, want 0", got)
	}
}
