package auth_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
)

func TestAuthorization(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.user(t, "admin@example.test", auth.RoleAdmin)
	compliance := f.user(t, "comp@example.test", auth.RoleCompliance)
	trainerA := f.user(t, "trainer-a@example.test", auth.RoleTrainer, f.clientA)
	agentA := f.user(t, "agent-a@example.test", auth.RoleAgent, f.clientA)
	agentB := f.user(t, "agent-b@example.test", auth.RoleAgent, f.clientB)
	tok := map[string]string{}
	for _, u := range []*auth.User{admin, compliance, trainerA, agentA} {
		tok[u.Email] = f.login(t, u.Email).AccessToken
	}
	deniedBefore := f.auditCount(t, "auth.denied")

	cases := []struct {
		name, who, method, path string
		body                    any
		want                    int
	}{
		{"signed out reads me", "", "GET", "/api/v1/me", nil, 401},
		{"agent reads self", agentA.Email, "GET", "/api/v1/users/" + agentA.ID, nil, 200},
		{"agent reads another agent", agentA.Email, "GET", "/api/v1/users/" + agentB.ID, nil, 403},
		{"agent lists users", agentA.Email, "GET", "/api/v1/users", nil, 403},
		{"agent creates a user", agentA.Email, "POST", "/api/v1/users", map[string]any{"email": "x@example.test", "role": "admin"}, 403},
		{"agent reads the audit log", agentA.Email, "GET", "/api/v1/audit", nil, 403},
		{"trainer reads a member of their client", trainerA.Email, "GET", "/api/v1/users/" + agentA.ID, nil, 200},
		{"trainer reads a user of another client", trainerA.Email, "GET", "/api/v1/users/" + agentB.ID, nil, 403},
		{"trainer lists their client", trainerA.Email, "GET", "/api/v1/users?client_id=" + f.clientA, nil, 200},
		{"trainer lists a client they do not belong to", trainerA.Email, "GET", "/api/v1/users?client_id=" + f.clientB, nil, 403},
		{"trainer changes memberships", trainerA.Email, "PUT", "/api/v1/users/" + agentB.ID + "/memberships", map[string]any{"client_ids": []string{f.clientA}}, 403},
		{"trainer manages API keys", trainerA.Email, "GET", "/api/v1/api-keys", nil, 403},
		{"compliance reads anyone", compliance.Email, "GET", "/api/v1/users/" + agentB.ID, nil, 200},
		{"compliance reads the audit log", compliance.Email, "GET", "/api/v1/audit?action=auth.", nil, 200},
		{"compliance deactivates a user", compliance.Email, "POST", "/api/v1/users/" + agentB.ID + "/deactivate", nil, 403},
		{"admin reads the audit log", admin.Email, "GET", "/api/v1/audit", nil, 200},
		{"admin lists users", admin.Email, "GET", "/api/v1/users", nil, 200},
	}
	denials := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := f.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tok[tc.who], Body: tc.body})
			if res.Status != tc.want {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.want)
			}
		})
		if tc.want == 403 {
			denials++
		}
	}
	if got := f.auditCount(t, "auth.denied") - deniedBefore; got != denials {
		t.Errorf("got %d auth.denied audit rows, want one per denial (%d)", got, denials)
	}

	// The pages that offer agents (enroll, add to a cohort, a roster's candidates) list them unfiltered: a
	// trainer gets their clients' agents only.
	t.Run("a trainer's list of agents", func(t *testing.T) {
		var list struct{ Users []auth.User }
		res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?role=agent", Token: tok[trainerA.Email]})
		res.JSON(t, &list)
		var got []string
		for _, u := range list.Users {
			got = append(got, u.Email)
		}
		if res.Status != 200 || strings.Join(got, " ") != agentA.Email {
			t.Errorf("got %d %v, want only %s (not client B's %s)", res.Status, got, agentA.Email, agentB.Email)
		}
	})

	t.Run("audit log filters", func(t *testing.T) {
		var page struct {
			Entries []audit.Row
		}
		res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/audit?action=auth.denied&actor_id=" + agentA.ID + "&from=2026-01-01T00:00:00Z", Token: tok[admin.Email]})
		res.JSON(t, &page)
		if res.Status != 200 || len(page.Entries) != 4 {
			t.Fatalf("got %d with %d entries, want agent A's 4 denials", res.Status, len(page.Entries))
		}
		for _, e := range page.Entries {
			if e.Action != "auth.denied" || e.ActorID != agentA.ID || e.SubjectType != "route" {
				t.Errorf("got %+v, want agent A's denial of a route", e)
			}
		}
		res = f.Do(apitest.Request{Method: "GET", Path: "/api/v1/audit?to=2026-01-01T00:00:00Z", Token: tok[admin.Email]})
		res.JSON(t, &page)
		if res.Status != 200 || len(page.Entries) != 0 {
			t.Errorf("got %d with %d entries before 2026, want none", res.Status, len(page.Entries))
		}
	})

	t.Run("trainer sees only their clients' members", func(t *testing.T) {
		var list struct{ Users []auth.User }
		f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users", Token: tok[trainerA.Email]}).JSON(t, &list)
		for _, u := range list.Users {
			if u.ID == agentB.ID || u.ID == admin.ID {
				t.Errorf("got %s in the trainer's list, want only members of client A", u.Email)
			}
		}
		if len(list.Users) != 2 {
			t.Errorf("got %d users, want 2 (the trainer and agent A)", len(list.Users))
		}
	})

	t.Run("mass assignment through PATCH /me", func(t *testing.T) {
		for _, body := range []map[string]any{
			{"display_name": "Agent A", "role": "admin"},
			{"role": "admin"},
			{"active": true, "email": "admin2@example.test"},
		} {
			res := f.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/me", Token: tok[agentA.Email], Body: body})
			if res.Status != 400 {
				t.Errorf("%v: got %d %s, want 400", body, res.Status, res.Body)
			}
		}
		res := f.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/me", Token: tok[agentA.Email], Body: map[string]any{"display_name": "Agent A"}})
		var me auth.User
		res.JSON(t, &me)
		if res.Status != 200 || me.DisplayName != "Agent A" || me.Role != auth.RoleAgent || me.Email != agentA.Email {
			t.Errorf("got %d %+v, want the name changed and the role still agent", res.Status, me)
		}
	})
}

func TestLoginThrottleAndIdenticalAnswers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u := f.user(t, "target@example.test", auth.RoleAgent)
	login := func(email, password string) *apitest.Response {
		return f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password}})
	}
	unknown := login("nobody@example.test", "wrong-password-1")
	wrong := login(u.Email, "wrong-password-1")
	if unknown.Status != 401 || string(unknown.Body) != string(wrong.Body) {
		t.Errorf("got %d %s for an unknown user and %d %s for a wrong password, want identical 401s", unknown.Status, unknown.Body, wrong.Status, wrong.Body)
	}
	for i := 2; i <= 10; i++ {
		if res := login(u.Email, "wrong-password-1"); res.Status != 401 {
			t.Fatalf("failed login %d: got %d, want 401", i, res.Status)
		}
	}
	res := login(u.Email, "wrong-password-1")
	if res.Status != 429 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("11th failed login: got %d Retry-After=%q, want 429 with Retry-After", res.Status, res.Header.Get("Retry-After"))
	}
	if res := login(u.Email, testPassword); res.Status != 429 {
		t.Errorf("right password while throttled: got %d, want 429", res.Status)
	}
	if res := login("nobody@example.test", "wrong-password-1"); res.Status != 401 {
		t.Errorf("another account from the same IP: got %d, want 401 (per-IP limit not reached)", res.Status)
	}
	if n := f.auditCount(t, "auth.login_failed"); n != 12 {
		t.Errorf("got %d auth.login_failed audit rows, want 12 (every failure but the throttled ones)", n)
	}
	f.Clock.Advance(15 * time.Minute)
	if res := login(u.Email, testPassword); res.Status != 200 {
		t.Errorf("after the window: got %d, want 200", res.Status)
	}
	if n := f.auditCount(t, "auth.login"); n != 1 {
		t.Errorf("got %d auth.login audit rows, want 1", n)
	}
}

func TestLoginThrottlePerIP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	svc := auth.NewService(f.DB, f.Clock, audit.NewRecorder(f.Clock), auth.Config{JWTSecret: secret, IPAttempts: 3})
	ctx := context.Background()
	for i, email := range []string{"a@example.test", "b@example.test", "c@example.test", "d@example.test"} {
		_, err := svc.Login(ctx, auth.LoginInput{Email: email, Password: "wrong-password-1", ClientIP: "203.0.113.9"})
		var want = "unauthorized"
		if i == 3 {
			want = "too_many_requests"
		}
		if got := codeOf(err); got != want {
			t.Errorf("attempt %d: got %v, want %s", i+1, err, want)
		}
	}
	_, err := svc.Login(ctx, auth.LoginInput{Email: "d@example.test", Password: "wrong-password-1", ClientIP: "203.0.113.10"})
	if got := codeOf(err); got != "unauthorized" {
		t.Errorf("another IP: got %v, want unauthorized", err)
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	return s[:strings.Index(s, ":")]
}

func TestAPIKeysAndGuards(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.user(t, "admin@example.test", auth.RoleAdmin)
	agent := f.user(t, "agent@example.test", auth.RoleAgent)
	adminTok := f.login(t, admin.Email).AccessToken
	agentTok := f.login(t, agent.Email).AccessToken

	create := func(body map[string]any) (int, auth.NewAPIKey) {
		res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: adminTok, Body: body})
		var k auth.NewAPIKey
		if res.Status == 201 {
			res.JSON(t, &k)
		}
		return res.Status, k
	}
	if status, _ := create(map[string]any{"name": "bad", "scopes": []string{"everything"}}); status != 400 {
		t.Errorf("unknown scope: got %d, want 400", status)
	}
	status, reader := create(map[string]any{"name": "acd", "scopes": []string{auth.ScopeEligibilityRead}})
	if status != 201 || !strings.HasPrefix(reader.Key, reader.Prefix+"_") {
		t.Fatalf("create: got %d %+v, want 201 and a key starting with its prefix", status, reader)
	}
	_, hooks := create(map[string]any{"name": "hooks", "scopes": []string{auth.ScopeWebhooksManage}, "expires_at": apitest.Start.Add(time.Hour)})
	_, revoked := create(map[string]any{"name": "old", "scopes": []string{auth.ScopeEligibilityRead}})
	if got := f.status(t, "DELETE", "/api/v1/api-keys/"+revoked.ID, adminTok, nil); got != 204 {
		t.Fatalf("revoke: got %d, want 204", got)
	}
	var stored string
	f.DB.Raw(`SELECT secret_hash FROM api_keys WHERE id = ?`, reader.ID).Scan(&stored)
	if stored == "" || strings.Contains(reader.Key, stored) {
		t.Errorf("got secret_hash %q, want a hash that is not the key", stored)
	}
	res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/api-keys", Token: adminTok})
	if res.Status != 200 || strings.Contains(string(res.Body), reader.Key) || !strings.Contains(string(res.Body), reader.Prefix) {
		t.Errorf("list: got %d %s, want the prefixes and no secrets", res.Status, res.Body)
	}

	r := gin.New()
	r.Use(f.App.Auth.Middleware())
	ok := func(c *gin.Context) { c.Status(200) }
	r.GET("/scope", auth.RequireScope(auth.ScopeEligibilityRead), ok)
	r.GET("/either", auth.RequireUserOrScope(auth.ScopeEligibilityRead, auth.RoleAdmin), ok)
	r.GET("/user", auth.RequireUser(), ok)
	r.GET("/admin", auth.RequireUser(auth.RoleAdmin), ok)
	do := func(path, token string) int {
		req := httptest.NewRequest("GET", path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec.Code
	}
	cases := []struct {
		name, path, token string
		want              int
	}{
		{"scope: none", "/scope", "", 401},
		{"scope: key with it", "/scope", reader.Key, 200},
		{"scope: key without it", "/scope", hooks.Key, 403},
		{"scope: a user", "/scope", adminTok, 403},
		{"scope: revoked key", "/scope", revoked.Key, 401},
		{"scope: wrong secret", "/scope", reader.Prefix + "_" + strings.Repeat("x", 43), 401},
		{"either: key with scope", "/either", reader.Key, 200},
		{"either: key without scope", "/either", hooks.Key, 403},
		{"either: admin", "/either", adminTok, 200},
		{"either: agent", "/either", agentTok, 403},
		{"either: none", "/either", "", 401},
		{"user: key", "/user", reader.Key, 403},
		{"user: agent", "/user", agentTok, 200},
		{"admin: agent", "/admin", agentTok, 403},
		{"admin: admin", "/admin", adminTok, 200},
	}
	for _, tc := range cases {
		if got := do(tc.path, tc.token); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}

	lastUsed := func() time.Time {
		var at time.Time
		f.DB.Raw(`SELECT last_used_at FROM api_keys WHERE id = ?`, reader.ID).Scan(&at)
		return at.UTC()
	}
	first := lastUsed()
	if !first.Equal(apitest.Start) {
		t.Errorf("got last_used_at %v, want %v", first, apitest.Start)
	}
	f.Clock.Advance(30 * time.Second)
	do("/scope", reader.Key)
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("got last_used_at %v after 30s, want it unchanged (at most one write a minute)", got)
	}
	f.Clock.Advance(31 * time.Second)
	do("/scope", reader.Key)
	if got := lastUsed(); !got.Equal(apitest.Start.Add(61 * time.Second)) {
		t.Errorf("got last_used_at %v after 61s, want it moved", got)
	}
	f.Clock.Advance(time.Hour)
	if got := do("/either", hooks.Key); got != 401 {
		t.Errorf("expired key: got %d, want 401", got)
	}
	for _, action := range []string{"api_key.create", "api_key.revoke"} {
		if n := f.auditCount(t, action); n == 0 {
			t.Errorf("got no %s audit row, want one", action)
		}
	}
	var leaked int
	f.DB.Raw(`SELECT count(*) FROM audit_log WHERE after::text LIKE ?`, "%"+reader.Key[len(reader.Prefix)+1:]+"%").Scan(&leaked)
	if leaked != 0 {
		t.Errorf("got the key's secret in %d audit rows, want none", leaked)
	}
}
