package app_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

// TestDatabasePartitionAnswersWithinTheDeadline runs the real server over a
// TCP proxy that, mid-test, stops passing bytes while keeping every
// connection open (a network partition, a stuck proxy: the database neither
// answers nor hangs up). Every gate read — a single check, a batch, an
// agent's programs, a roster, the export, with an API key and with a user's
// token — must answer 503 unavailable with Retry-After within its route's
// deadline (authentication, the admission queue and taking a connection
// included), never an answer it did not decide; more requests than the pool
// has connections are sent at once, so some wait for a connection. Once the
// partition heals, each answers normally again within seconds.
func TestDatabasePartitionAnswersWithinTheDeadline(t *testing.T) {
	t.Parallel()
	direct := testdb.NewURL(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	ctx := context.Background()
	const pool = 6
	g, err := db.Open(ctx, u.String(), db.Options{MaxOpenConns: pool, StatementTimeout: 30 * time.Second, TCPTimeout: app.DefaultDBTCPTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(g)
	// The gate's deadline as served; shorter bulk and API deadlines than
	// serve's so the test is quick; the credential lookup's own bound is
	// longer than them all, so it is the request's deadline that must cover
	// authentication.
	deadlines := app.Deadlines{Eligibility: app.DefaultDeadlines.Eligibility, Bulk: 3 * time.Second, API: 3 * time.Second, Auth: time.Minute}
	a, srv, client, actx := servedApp(t, g, "admin@partition.test", func(c *app.Config) {
		c.RosterCacheTTL, c.Deadlines = routing.RosterCacheTTL, deadlines
	})
	// Two keys: one used before the partition (this replica may hold it for
	// auth.APIKeyCacheTTL, so its requests reach their handlers), one
	// first used during it (its lookup meets the silent database).
	var keys [2]string
	for i := range keys {
		k, err := a.Auth.CreateAPIKey(actx, auth.CreateAPIKeyInput{Name: fmt.Sprintf("acd%d", i), Scopes: []string{auth.ScopeEligibilityRead}})
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k.Key
	}
	var programID string
	if err := g.Raw(`SELECT id FROM programs WHERE slug = 'cards'`).Scan(&programID).Error; err != nil || programID == "" {
		t.Fatalf("program: %v", err)
	}
	// Agents enrolled in the program; each request during the partition
	// asks about its own agent, which this replica's view has never held.
	const agents = 12
	agentIDs := make([]string, agents)
	for i := range agents {
		ag, err := a.Auth.CreateUserAs(ctx, audit.System("test"), auth.CreateUserInput{Email: fmt.Sprintf("agent%d@partition.test", i), Role: auth.RoleAgent, Password: "tangerine-orbit-lantern"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Certification.Enroll(actx, programID, ag.ID); err != nil {
			t.Fatal(err)
		}
		agentIDs[i] = ag.ID
	}
	// Two agents sign in: the first's session is used before the
	// partition, the second's only during it, so that one is in no
	// replica's session cache and must be read from the database.
	userTokens := make([]string, 2)
	for i := range userTokens {
		var tk struct {
			AccessToken string `json:"access_token"`
		}
		if st, _, err := httpCall(client, "POST", srv.URL+"/api/v1/auth/login", "", nil, map[string]string{"email": fmt.Sprintf("agent%d@partition.test", i), "password": "tangerine-orbit-lantern"}, &tk); err != nil || st != 200 {
			t.Fatalf("login: %d %v", st, err)
		}
		userTokens[i] = tk.AccessToken
	}

	type call struct {
		name, method, path, token string
		body                      any
		bound                     time.Duration
	}
	check := func(agent int) string {
		return "/api/v1/eligibility?agent=" + agentIDs[agent] + "&program=" + programID
	}
	batch := func(from int) map[string]any {
		return map[string]any{"checks": []map[string]string{{"agent": agentIDs[from], "program": programID}, {"agent": agentIDs[from+1], "program": programID}}}
	}
	calls := func(keyIndex, agent, user int) []call {
		key, userToken := keys[keyIndex], userTokens[user]
		return []call{
			{"single check (API key)", "GET", check(agent), key, nil, deadlines.Eligibility},
			{"batch (API key)", "POST", "/api/v1/eligibility/batch", key, batch(agent + 1), deadlines.Eligibility},
			{"agent's programs (API key)", "GET", "/api/v1/agents/" + agentIDs[agent+3] + "/programs", key, nil, deadlines.Eligibility},
			{"roster (API key)", "GET", "/api/v1/programs/" + programID + "/roster", key, nil, deadlines.Bulk},
			{"TaskRouter export (API key)", "GET", "/api/v1/exports/taskrouter-workers", key, nil, deadlines.Bulk},
			{"own check (user token)", "GET", check(user), userToken, nil, deadlines.Eligibility},
			{"my certifications (user token)", "GET", "/api/v1/me/certifications", userToken, nil, deadlines.API},
		}
	}
	// Everything answers before the partition (the first key is now cached).
	for _, c := range calls(0, 8, 0) {
		if st, _, err := httpCall(client, c.method, srv.URL+c.path, c.token, nil, c.body, nil); err != nil || st != 200 {
			t.Fatalf("%s before the partition: got %d %v, want 200", c.name, st, err)
		}
	}

	proxy.stall()
	// More requests at once than the pool has connections: the first key
	// (maybe still cached) and the second (never read), each about agents
	// the view has never been asked about, the second user's own check (a
	// session never read) twice over.
	during := append(calls(0, 1, 1), calls(1, 5, 1)...)
	type result struct {
		call
		status int
		code   string
		retry  string
		took   time.Duration
		err    error
	}
	results := make([]result, len(during))
	var wg sync.WaitGroup
	for i, c := range during {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var e errorAnswer
			t0 := time.Now()
			st, hdr, err := httpCall(client, c.method, srv.URL+c.path, c.token, nil, c.body, &e)
			results[i] = result{call: c, status: st, code: e.Code, took: time.Since(t0), err: err}
			if hdr != nil {
				results[i].retry = hdr.Get("Retry-After")
			}
		}()
	}
	wg.Wait()
	// The bound: the route's deadline, plus what answering takes on a busy
	// test machine.
	const slack = time.Second
	for _, r := range results {
		if r.err != nil || r.status != 503 || r.code != "unavailable" || r.retry == "" || r.took > r.bound+slack {
			t.Errorf("%s during the partition: got %d %q (Retry-After %q, %v) after %s; want 503 unavailable with Retry-After within %s",
				r.name, r.status, r.code, r.retry, r.err, r.took.Round(time.Millisecond), r.bound+slack)
		}
		t.Logf("%s during the partition: %d %s after %s", r.name, r.status, r.code, r.took.Round(time.Millisecond))
	}

	proxy.heal()
	healed := time.Now()
	for _, c := range calls(1, 8, 1) {
		t0 := time.Now()
		st, _, err := httpCall(client, c.method, srv.URL+c.path, c.token, nil, c.body, nil)
		if err != nil || st != 200 || time.Since(t0) > 5*time.Second {
			t.Errorf("%s after the partition healed: got %d %v after %s; want 200 within 5 s", c.name, st, err, time.Since(t0).Round(time.Millisecond))
		}
	}
	t.Logf("every call answered normally %s after the partition healed", time.Since(healed).Round(time.Millisecond))
}
