package scim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/routing"
)

// A deprovisioned agent is not eligible: the gate's view learns the
// deactivation from the change feed (within routing.ViewMaxLag on a
// running replica; here the test reads the feed at once).
func TestDeprovisionedAgentIsNotEligible(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, method, body string }{
		{"PATCH active false", "PATCH", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`},
		{"DELETE", "DELETE", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			deprovisionedAgentIsNotEligible(t, tc.method, tc.body)
		})
	}
}

func deprovisionedAgentIsNotEligible(t *testing.T, method, body string) {
	env := apitest.NewWith(t, func(c *app.Config) { c.EligibilityView = true })
	env.ImportDemo()
	env.User("admin@x.test", auth.RoleAdmin)
	admin := env.Login("admin@x.test")
	key := func(scope string) string {
		res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: admin, Body: map[string]any{"name": scope, "scopes": []string{scope}}})
		var k struct{ Key string }
		res.JSON(t, &k)
		return k.Key
	}
	acd, provisioning := key(auth.ScopeEligibilityRead), key(auth.ScopeSCIMProvision)
	fenmore, cards := env.ClientID("fenmore-bank"), env.ProgramID("fenmore-bank", "card-services")
	agent := env.User("pat@x.test", auth.RoleAgent, fenmore)
	exp := env.Clock.Now().Add(90 * 24 * time.Hour)
	if err := env.DB.Exec(`INSERT INTO certifications (id, user_id, program_id, state, enrolled_at, enrolled_by, expires_at, updated_at)
VALUES (?, ?, ?, 'certified', ?, 'test', ?, ?)`, uuid.NewString(), agent.ID, cards, env.Clock.Now(), exp, env.Clock.Now()).Error; err != nil {
		t.Fatal(err)
	}
	if res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/programs/" + cards + "/assignments", Token: admin,
		Body: map[string]string{"user_id": agent.ID}}); res.Status != http.StatusCreated {
		t.Fatalf("assign: got %d %s", res.Status, res.Body)
	}
	ask := func() routing.Answer {
		t.Helper()
		if err := env.App.Routing.SyncView(context.Background()); err != nil {
			t.Fatal(err)
		}
		res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/eligibility?agent=" + agent.ID + "&program=" + cards, Token: acd})
		var a routing.Answer
		if res.Status != 200 || json.Unmarshal(res.Body, &a) != nil {
			t.Fatalf("eligibility: got %d %s", res.Status, res.Body)
		}
		return a
	}
	if a := ask(); !a.Eligible {
		t.Fatalf("before: %+v, want eligible", a)
	}
	req := apitest.Request{Method: method, Path: "/scim/v2/Users/" + agent.ID, Token: provisioning}
	if body != "" {
		req.Body = []byte(body)
	}
	res := env.Do(req)
	if res.Status != http.StatusOK && res.Status != http.StatusNoContent {
		t.Fatalf("deprovision: got %d %s", res.Status, res.Body)
	}
	a := ask()
	if a.Eligible || len(a.Reasons) == 0 || a.Reasons[0].Code != routing.ReasonAgentInactive {
		t.Fatalf("after: %+v, want not eligible, agent_inactive", a)
	}
	var certs int
	env.DB.Raw(`SELECT count(*) FROM certifications WHERE user_id = ?`, agent.ID).Scan(&certs)
	if certs != 1 {
		t.Fatalf("certifications after deprovisioning: %d, want the history kept", certs)
	}
}
