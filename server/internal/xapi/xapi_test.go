package xapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

const base = "https://skillgate.example.com/xapi/activities"

// lrs is a Learning Record Store stand-in: it keeps every request and
// answers the queued status codes first, then 204.
type lrs struct {
	srv     *httptest.Server
	mu      sync.Mutex
	answers []int
	reqs    []lrsRequest
}

type lrsRequest struct {
	method, path, statementID, version, user, pass string
	body                                           []byte
}

func newLRS(t *testing.T) *lrs {
	l := &lrs{}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		l.mu.Lock()
		l.reqs = append(l.reqs, lrsRequest{method: r.Method, path: r.URL.Path, statementID: r.URL.Query().Get("statementId"),
			version: r.Header.Get("X-Experience-API-Version"), user: user, pass: pass, body: b})
		code := http.StatusNoContent
		if len(l.answers) > 0 {
			code, l.answers = l.answers[0], l.answers[1:]
		}
		l.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(l.srv.Close)
	return l
}

func (l *lrs) answer(codes ...int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.answers = append(l.answers, codes...)
}

func (l *lrs) requests() []lrsRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reqs)
}

func lrsEnv(t *testing.T, l *lrs, actor string) *apitest.Env {
	return apitest.NewWith(t, func(c *app.Config) {
		c.XAPI = &xapi.Config{Endpoint: l.srv.URL + "/xapi/", Username: "lrs-key", Password: "lrs-secret",
			ActivityBase: base, Actor: actor, AccountHomePage: "https://skillgate.example.com"}
	})
}

// queued lists the outbox by source.
func queued(t *testing.T, env *apitest.Env) map[string]xapi.Queued {
	t.Helper()
	var qs []xapi.Queued
	if err := env.DB.Order("created_at, source").Find(&qs).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]xapi.Queued{}
	for _, q := range qs {
		out[q.Source] = q
	}
	return out
}

func do(t *testing.T, env *apitest.Env, method, path, token string, body any, want int) *apitest.Response {
	t.Helper()
	res := env.Do(apitest.Request{Method: method, Path: path, Token: token, Body: body})
	if res.Status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, res.Status, res.Body, want)
	}
	return res
}

func decode(t *testing.T, raw []byte) xapi.Statement {
	t.Helper()
	var st xapi.Statement
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("statement %s: %v", raw, err)
	}
	return st
}

func TestStatementsOfAModuleACertificationAndARolePlaySentBack(t *testing.T) {
	t.Parallel()
	l := newLRS(t)
	env := lrsEnv(t, l, xapi.ActorMbox)
	lib := filepath.Join(apitest.RepoRoot(), "server", "internal", "roleplay", "testdata")
	env.Import(filepath.Join(lib, "content"), filepath.Join(lib, "quizzes"))
	acme := env.ClientID("acme")
	support, sales := env.ProgramID("acme", "support"), env.ProgramID("globex", "sales")
	env.User("admin@x.test", auth.RoleAdmin)
	env.User("sup@acme.test", auth.RoleSupervisor, acme)
	agent := env.User("agent@x.test", auth.RoleAgent)
	admin, sup := env.Login("admin@x.test"), env.Login("sup@acme.test")
	for _, p := range []string{support, sales} {
		do(t, env, "POST", "/api/v1/programs/"+p+"/enrollments", admin, map[string]string{"user_id": agent.ID}, 201)
	}
	tok := env.Login(agent.Email)

	// Reading the one module globex/sales requires certifies the agent there.
	var mod struct {
		ID      string
		Version int
	}
	env.DB.Raw(`SELECT id, current_version AS version FROM modules WHERE slug = 'staying-calm'`).Scan(&mod)
	do(t, env, "POST", "/api/v1/modules/"+mod.ID+"/complete", tok, map[string]int{"version": mod.Version}, 200)
	do(t, env, "POST", "/api/v1/modules/"+mod.ID+"/complete", tok, map[string]int{"version": mod.Version}, 200) // again: no second statement

	// A passing late-fee run awaits sign-off (nothing recorded yet); the
	// supervisor sends it back: failed.
	var run struct {
		ID      string `json:"id"`
		Seq     int    `json:"seq"`
		State   string `json:"state"`
		Current *struct {
			TurnID string `json:"turn_id"`
		} `json:"current"`
	}
	var lateFee string
	env.DB.Raw(`SELECT id FROM roleplays WHERE slug = 'late-fee'`).Scan(&lateFee)
	do(t, env, "POST", "/api/v1/roleplays/"+lateFee+"/runs", tok, nil, 201).JSON(t, &run)
	for _, a := range []map[string]any{{"option_id": "a"}, {"text": "I'm sorry. Can you confirm your date of birth? I'll remove the fee."}, {"option_id": "a"}} {
		a["seq"], a["turn_id"] = run.Seq, run.Current.TurnID
		do(t, env, "POST", "/api/v1/runs/"+run.ID+"/turns", tok, a, 200).JSON(t, &run)
	}
	if run.State != "pending_review" {
		t.Fatalf("run state: got %s, want pending_review", run.State)
	}
	if _, ok := queued(t, env)["roleplay-run:"+run.ID]; ok {
		t.Fatalf("a run awaiting review was recorded already")
	}
	do(t, env, "POST", "/api/v1/runs/"+run.ID+"/review", sup, map[string]string{"decision": "send_back", "note": "verify first"}, 200)

	// A run without sign-off is recorded when it finishes: abandoned, failed.
	var complaint string
	env.DB.Raw(`SELECT id FROM roleplays WHERE slug = 'complaint' AND program_id = ?`, support).Scan(&complaint)
	var abandoned struct {
		ID string `json:"id"`
	}
	do(t, env, "POST", "/api/v1/roleplays/"+complaint+"/runs", tok, nil, 201).JSON(t, &abandoned)
	do(t, env, "POST", "/api/v1/runs/"+abandoned.ID+"/abandon", tok, nil, 200)

	qs := queued(t, env)
	var certSource string
	for s := range qs {
		if strings.HasPrefix(s, "certification-event:") {
			certSource = s
		}
	}
	moduleSource := "module-completed:" + agent.ID + ":" + mod.ID + ":" + itoa(mod.Version)
	want := []string{moduleSource, "roleplay-run:" + run.ID, "roleplay-run:" + abandoned.ID, certSource}
	if len(qs) != 4 || certSource == "" || qs[moduleSource].ID == "" || qs["roleplay-run:"+run.ID].ID == "" || qs["roleplay-run:"+abandoned.ID].ID == "" {
		t.Fatalf("queued: got %v, want %v", keysOf(qs), want)
	}

	if n, err := env.App.XAPI.RunOnce(context.Background()); err != nil || n != 4 {
		t.Fatalf("send: got %d, %v; want 4 attempts", n, err)
	}
	reqs := l.requests()
	if len(reqs) != 4 {
		t.Fatalf("LRS got %d requests, want 4", len(reqs))
	}
	byID := map[string]xapi.Statement{}
	for _, r := range reqs {
		if r.method != "PUT" || r.path != "/xapi/statements" || r.version != "1.0.3" || r.user != "lrs-key" || r.pass != "lrs-secret" {
			t.Errorf("request: got %s %s version %q auth %q/%q, want PUT /xapi/statements, 1.0.3, basic auth", r.method, r.path, r.version, r.user, r.pass)
		}
		st := decode(t, r.body)
		if st.ID != r.statementID || uuid.Validate(st.ID) != nil {
			t.Errorf("statement id %q, statementId %q: want the same UUID", st.ID, r.statementID)
		}
		if st.Actor.ObjectType != "Agent" || st.Actor.Mbox != "mailto:agent@x.test" || st.Actor.Account != nil {
			t.Errorf("actor: got %+v, want mailto:agent@x.test", st.Actor)
		}
		byID[st.ID] = st
	}
	for _, q := range queued(t, env) {
		if q.Status != xapi.Sent || q.Attempts != 1 || q.SentAt == nil {
			t.Errorf("%s: got %s after %d attempts, want sent at once", q.Source, q.Status, q.Attempts)
		}
	}

	m := byID[qs[moduleSource].ID]
	if m.Verb.ID != xapi.VerbCompleted || m.Verb.Display["en-US"] != "completed" || m.Object.ID != base+"/modules/"+mod.ID ||
		m.Object.Definition.Type != "http://adlnet.gov/expapi/activities/lesson" || m.Object.Definition.Name["en-US"] == "" ||
		m.Result == nil || m.Result.Completion == nil || !*m.Result.Completion || m.Result.Score != nil || m.Result.Success != nil {
		t.Errorf("module statement: got %+v", m)
	}
	if ts, err := time.Parse(time.RFC3339Nano, m.Timestamp); err != nil || !ts.Equal(apitest.Start) {
		t.Errorf("module timestamp: got %q, want %s", m.Timestamp, apitest.Start)
	}

	c := byID[qs[certSource].ID]
	if c.Verb.ID != xapi.VerbPassed || c.Object.ID != base+"/programs/"+sales || c.Object.Definition.Name["en-US"] != "Sales" ||
		c.Object.Definition.Type != "http://adlnet.gov/expapi/activities/course" ||
		c.Result == nil || c.Result.Success == nil || !*c.Result.Success || !*c.Result.Completion {
		t.Errorf("certification statement: got %+v", c)
	}
	// The certification's statement names the certificate it earned.
	if c.Result == nil {
		t.Fatal("certification statement without a result")
	}
	credExt, _ := c.Result.Extensions[base+"/extensions/credential"].(map[string]any)
	if num, _ := credExt["number"].(string); !strings.HasPrefix(num, "SG-") {
		t.Errorf("certification statement's credential extension: got %v, want the certificate number", c.Result.Extensions)
	}
	if u, _ := credExt["verification_url"].(string); !strings.Contains(u, "/verify/") || credExt["id"] != u {
		t.Errorf("certification statement's credential extension: got %v, want the verification link as id and url", credExt)
	}

	r := byID[qs["roleplay-run:"+run.ID].ID]
	if r.Verb.ID != xapi.VerbFailed || r.Object.ID != base+"/roleplays/"+lateFee ||
		r.Object.Definition.Type != "http://adlnet.gov/expapi/activities/simulation" || r.Result == nil ||
		r.Result.Success == nil || *r.Result.Success || r.Result.Score == nil || r.Result.Score.Max != 100 || r.Result.Score.Min != 0 ||
		r.Result.Score.Raw <= 0 || r.Result.Score.Scaled != r.Result.Score.Raw/100 {
		t.Errorf("role-play statement: got %+v (score %+v)", r, r.Result.Score)
	}
	if a := byID[qs["roleplay-run:"+abandoned.ID].ID]; a.Verb.ID != xapi.VerbFailed || a.Object.ID != base+"/roleplays/"+complaint ||
		a.Result == nil || a.Result.Success == nil || *a.Result.Success {
		t.Errorf("abandoned run statement: got %+v", a)
	}
	if r.Context == nil || r.Context.ContextActivities == nil || len(r.Context.ContextActivities.Parent) != 1 ||
		r.Context.ContextActivities.Parent[0].ID != base+"/programs/"+support {
		t.Errorf("role-play context: got %+v, want the program as parent", r.Context)
	}
}

func TestQuizStatementIsRetriedUnchangedAndFailsOnConflict(t *testing.T) {
	t.Parallel()
	l := newLRS(t)
	env := lrsEnv(t, l, xapi.ActorAccount)
	env.ImportDemo()
	fenmore := env.ClientID("fenmore-bank")
	cards := env.ProgramID("fenmore-bank", "card-services")
	env.User("trainer@x.test", auth.RoleTrainer, fenmore)
	agent := env.User("agent@x.test", auth.RoleAgent, fenmore)
	do(t, env, "POST", "/api/v1/programs/"+cards+"/enrollments", env.Login("trainer@x.test"), map[string]string{"user_id": agent.ID}, 201)
	tok := env.Login(agent.Email)
	var list struct {
		Quizzes []struct {
			ID string `json:"id"`
		} `json:"quizzes"`
	}
	do(t, env, "GET", "/api/v1/programs/"+cards+"/quizzes", tok, nil, 200).JSON(t, &list)
	if len(list.Quizzes) == 0 {
		t.Fatal("the demo program has no quiz")
	}
	quizID := list.Quizzes[0].ID
	var attempt struct {
		ID string `json:"id"`
	}
	do(t, env, "POST", "/api/v1/quizzes/"+quizID+"/attempts", tok, nil, 201).JSON(t, &attempt)
	do(t, env, "POST", "/api/v1/attempts/"+attempt.ID+"/submit", tok, nil, 200) // nothing answered: 0 points, failed

	l.answer(http.StatusServiceUnavailable)
	ctx := context.Background()
	if n, err := env.App.XAPI.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("first send: got %d, %v", n, err)
	}
	q := queued(t, env)["quiz-attempt:"+attempt.ID]
	wantNext := env.Clock.Now().Add(xapi.RetryDelays[0])
	if q.Status != xapi.Pending || q.Attempts != 1 || q.LastStatus == nil || *q.LastStatus != 503 || !q.NextAttemptAt.Equal(wantNext) {
		t.Fatalf("after a 503: got %+v, want pending, retry at %s", q, wantNext)
	}
	if n, _ := env.App.XAPI.RunOnce(ctx); n != 0 {
		t.Fatalf("before the retry is due: got %d attempts, want none", n)
	}
	env.Clock.Advance(xapi.RetryDelays[0])
	if n, err := env.App.XAPI.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("retry: got %d, %v", n, err)
	}
	reqs := l.requests()
	if len(reqs) != 2 || string(reqs[0].body) != string(reqs[1].body) || reqs[0].statementID != reqs[1].statementID || reqs[0].statementID != q.ID {
		t.Fatalf("the retry must send the same statement under the same id: got %d requests", len(reqs))
	}
	if q = queued(t, env)["quiz-attempt:"+attempt.ID]; q.Status != xapi.Sent || q.Attempts != 2 {
		t.Errorf("after the retry: got %s after %d attempts, want sent after 2", q.Status, q.Attempts)
	}

	st := decode(t, reqs[1].body)
	if st.Verb.ID != xapi.VerbFailed || st.Verb.Display["en-US"] != "failed" || st.Object.ID != base+"/quizzes/"+quizID ||
		st.Object.Definition.Type != "http://adlnet.gov/expapi/activities/assessment" {
		t.Errorf("quiz statement: got %+v", st)
	}
	if st.Actor.Mbox != "" || st.Actor.Account == nil || st.Actor.Account.HomePage != "https://skillgate.example.com" || st.Actor.Account.Name != agent.ID {
		t.Errorf("account actor: got %+v", st.Actor)
	}
	res := st.Result
	if res == nil || res.Score == nil || res.Success == nil || res.Completion == nil {
		t.Fatalf("quiz result: got %+v, want score, success and completion", res)
	}
	if res.Score.Scaled != 0 || res.Score.Raw != 0 || res.Score.Min != 0 || res.Score.Max <= 0 || *res.Success || !*res.Completion {
		t.Errorf("quiz result: got score %+v success %v completion %v, want 0 of the points possible, failed, completed",
			*res.Score, *res.Success, *res.Completion)
	}
	var raw map[string]any
	_ = json.Unmarshal(reqs[1].body, &raw)
	score := raw["result"].(map[string]any)["score"].(map[string]any)
	for _, k := range []string{"scaled", "raw", "min", "max"} {
		if _, ok := score[k]; !ok {
			t.Errorf("result.score lacks %q: %v", k, score)
		}
	}
	if parent := st.Context.ContextActivities.Parent; len(parent) != 1 || parent[0].ID != base+"/programs/"+cards {
		t.Errorf("quiz context parent: got %+v, want the program", parent)
	}

	// A conflict (the LRS has another statement under the id) fails at once.
	var attempt2 struct {
		ID string `json:"id"`
	}
	env.Clock.Advance(24 * time.Hour) // past any wait between attempts
	tok = env.Login(agent.Email)
	do(t, env, "POST", "/api/v1/quizzes/"+quizID+"/attempts", tok, nil, 201).JSON(t, &attempt2)
	do(t, env, "POST", "/api/v1/attempts/"+attempt2.ID+"/submit", tok, nil, 200)
	l.answer(http.StatusConflict)
	if _, err := env.App.XAPI.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if q := queued(t, env)["quiz-attempt:"+attempt2.ID]; q.Status != xapi.Failed || q.Attempts != 1 || q.NextAttemptAt != nil {
		t.Errorf("after a 409: got %+v, want failed for good", q)
	}
}

func TestNothingIsRecordedWithoutAnLRS(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	lib := filepath.Join(apitest.RepoRoot(), "server", "internal", "roleplay", "testdata")
	env.Import(filepath.Join(lib, "content"), filepath.Join(lib, "quizzes"))
	env.User("admin@x.test", auth.RoleAdmin)
	agent := env.User("agent@x.test", auth.RoleAgent)
	do(t, env, "POST", "/api/v1/programs/"+env.ProgramID("globex", "sales")+"/enrollments", env.Login("admin@x.test"),
		map[string]string{"user_id": agent.ID}, 201)
	var mod struct {
		ID      string
		Version int
	}
	env.DB.Raw(`SELECT id, current_version AS version FROM modules WHERE slug = 'staying-calm'`).Scan(&mod)
	do(t, env, "POST", "/api/v1/modules/"+mod.ID+"/complete", env.Login(agent.Email), map[string]int{"version": mod.Version}, 200)
	var certified string
	env.DB.Raw(`SELECT state FROM certifications WHERE user_id = ?`, agent.ID).Scan(&certified)
	if certified != "certified" {
		t.Fatalf("the agent: got %q, want certified (so there was something to record)", certified)
	}
	if qs := queued(t, env); len(qs) != 0 {
		t.Errorf("queued without XAPI_ENDPOINT: got %v, want none", keysOf(qs))
	}
	if n, err := env.App.XAPI.RunOnce(context.Background()); n != 0 || err != nil {
		t.Errorf("RunOnce without an LRS: got %d, %v", n, err)
	}
}

func keysOf(m map[string]xapi.Queued) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func itoa(n int) string { return strconv.Itoa(n) }
