package scim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
)

const password = "tangerine-orbit-lantern"

type fixture struct {
	*apitest.Env
	token   string // the provisioning API key
	clientA string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := apitest.NewWith(t, func(c *app.Config) {
		c.GroupMap = auth.GroupMap{
			Roles:   map[string]auth.Role{"Skillgate Trainers": auth.RoleTrainer},
			Clients: map[string][]string{"Acme Agents": {"acme-bank"}},
		}
	})
	f := &fixture{Env: env, clientA: "5a1f6d8e-2b7c-4e0a-9f3d-6c8b1a2e4d07"}
	if err := f.DB.Exec(`INSERT INTO clients (id, slug, name) VALUES (?, 'acme-bank', 'Acme Bank')`, f.clientA).Error; err != nil {
		t.Fatal(err)
	}
	f.createUser(t, "admin@example.com", auth.RoleAdmin)
	admin := f.login(t, "admin@example.com")
	res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: admin,
		Body: map[string]any{"name": "Okta provisioning", "scopes": []string{"scim:provision"}}})
	if res.Status != http.StatusCreated {
		t.Fatalf("create key: got %d %s", res.Status, res.Body)
	}
	var k struct{ Key string }
	res.JSON(t, &k)
	f.token = k.Key
	return f
}

func (f *fixture) createUser(t *testing.T, email string, role auth.Role) *auth.User {
	t.Helper()
	u, err := f.App.Auth.CreateUserAs(context.Background(), audit.System("test"), auth.CreateUserInput{Email: email, Role: role, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) login(t *testing.T, email string) string {
	t.Helper()
	res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password}})
	if res.Status != http.StatusOK {
		t.Fatalf("login %s: got %d %s", email, res.Status, res.Body)
	}
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	res.JSON(t, &tk)
	return tk.AccessToken
}

// step is one request an identity provider sends, and what must come back.
type step struct {
	name, method, path string
	body               string // JSON, with {id} and {gid} standing for the user's and the group's ids
	status             int
	check              func(t *testing.T, body map[string]any)
}

// play sends the steps in order with the provisioning token, keeping the
// ids the answers give.
func (f *fixture) play(t *testing.T, steps []step) (userID, groupID string) {
	t.Helper()
	for _, s := range steps {
		sub := func(v string) string {
			return strings.NewReplacer("{id}", userID, "{gid}", groupID).Replace(v)
		}
		req := apitest.Request{Method: s.method, Path: sub(s.path), Token: f.token,
			Header: map[string]string{"Content-Type": "application/scim+json"}}
		if s.body != "" {
			req.Body = []byte(sub(s.body))
		}
		res := f.Do(req)
		if res.Status != s.status {
			t.Fatalf("%s: %s %s: got %d %s, want %d", s.name, s.method, req.Path, res.Status, res.Body, s.status)
		}
		if res.Status == http.StatusNoContent {
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
			t.Fatalf("%s: Content-Type %q, want application/scim+json", s.name, ct)
		}
		var body map[string]any
		if err := json.Unmarshal(res.Body, &body); err != nil {
			t.Fatalf("%s: %v in %s", s.name, err, res.Body)
		}
		if id, ok := body["id"].(string); ok && s.method == "POST" {
			if strings.HasSuffix(s.path, "/Users") {
				userID = id
			} else {
				groupID = id
			}
		}
		if s.check != nil {
			s.check(t, body)
		}
	}
	return userID, groupID
}

func total(n float64) func(*testing.T, map[string]any) {
	return func(t *testing.T, b map[string]any) {
		t.Helper()
		if b["totalResults"] != n {
			t.Fatalf("totalResults %v, want %v", b["totalResults"], n)
		}
	}
}

func field(name string, want any) func(*testing.T, map[string]any) {
	return func(t *testing.T, b map[string]any) {
		t.Helper()
		if b[name] != want {
			t.Fatalf("%s = %v, want %v in %v", name, b[name], want, b)
		}
	}
}

func scimError(status, scimType string) func(*testing.T, map[string]any) {
	return func(t *testing.T, b map[string]any) {
		t.Helper()
		schemas, _ := b["schemas"].([]any)
		if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" || b["status"] != status || (scimType != "" && b["scimType"] != scimType) {
			t.Fatalf("got %v, want a SCIM error %s %s", b, status, scimType)
		}
	}
}

func q(filter string) string { return url.QueryEscape(filter) }

// The requests Okta's SCIM 2.0 integration sends, in its documented order:
// look the user up by userName, create, read, replace the profile, and
// deactivate with a PATCH replacing active in an object value; push a
// group, add and remove a member.
func TestOktaSequence(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var access string
	userID, groupID := f.play(t, []step{
		{"lookup", "GET", "/scim/v2/Users?filter=" + q(`userName eq "dana@example.com"`) + "&startIndex=1&count=100", "", 200, total(0)},
		{"create", "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dana@example.com",
			"name":{"givenName":"Dana","familyName":"Reyes"},"emails":[{"primary":true,"value":"dana@example.com","type":"work"}],
			"displayName":"Dana Reyes","locale":"en-US","externalId":"00u1ab2cd3EF4gh5i6j7","groups":[],"password":"Okta-sends-one-1!","active":true}`,
			201, field("userName", "dana@example.com")},
		{"read", "GET", "/scim/v2/Users/{id}", "", 200, field("externalId", "00u1ab2cd3EF4gh5i6j7")},
		{"lookup again", "GET", "/scim/v2/Users?filter=" + q(`userName eq "DANA@example.com"`), "", 200, total(1)},
		{"replace profile", "PUT", "/scim/v2/Users/{id}", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"{id}",
			"userName":"dana@example.com","name":{"givenName":"Dana","familyName":"Reyes-Ortiz"},"emails":[{"primary":true,"value":"dana@example.com","type":"work"}],
			"active":true,"externalId":"00u1ab2cd3EF4gh5i6j7"}`, 200, field("displayName", "Dana Reyes-Ortiz")},
		{"push group", "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Acme Agents","members":[]}`,
			201, field("displayName", "Acme Agents")},
		{"add member", "PATCH", "/scim/v2/Groups/{gid}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"add","path":"members","value":[{"value":"{id}","display":"dana@example.com"}]}]}`, 200, nil},
	})
	u, err := f.App.Auth.LookupUser(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Source != auth.SourceSCIM || len(u.ClientIDs) != 1 || u.ClientIDs[0] != f.clientA || u.ExternalID != nil {
		t.Fatalf("after the group push: %+v, want a scim user in acme-bank, the routing id untouched", u)
	}

	// The agent signs in (an admin sets a password); deprovisioning ends it at once.
	if err := f.DB.Exec(`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'admin@example.com') WHERE id = ?`, userID).Error; err != nil {
		t.Fatal(err)
	}
	access = f.login(t, "dana@example.com")
	if res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: access}); res.Status != 200 {
		t.Fatalf("me before deactivation: %d", res.Status)
	}
	deactivate := step{"deactivate", "PATCH", "/scim/v2/Users/{id}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","value":{"active":false}}]}`, 200, field("active", false)}
	f.play(t, []step{
		{"read", "GET", "/scim/v2/Users/" + userID, "", 200, nil},
		withIDs(deactivate, userID, groupID),
		withIDs(deactivate, userID, groupID), // re-sent: the same answer, nothing more recorded
		{"remove member", "PATCH", "/scim/v2/Groups/" + groupID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"remove","path":"members[value eq \"` + userID + `\"]"}]}`, 200, func(t *testing.T, b map[string]any) {
			if m, _ := b["members"].([]any); len(m) != 0 {
				t.Fatalf("members %v, want none", m)
			}
		}},
	})
	if res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: access}); res.Status != http.StatusUnauthorized {
		t.Fatalf("me after deactivation: got %d, want 401 at once", res.Status)
	}
	if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "dana@example.com", "password": password}}); res.Status != http.StatusUnauthorized {
		t.Fatalf("login after deactivation: got %d, want 401", res.Status)
	}
	var n int
	f.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = 'user.deactivate' AND subject_id = ?`, userID).Scan(&n)
	if n != 1 {
		t.Fatalf("deactivation audits: got %d, want 1 for two identical requests", n)
	}
	f.DB.Raw(`SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL`, userID).Scan(&n)
	if n != 0 {
		t.Fatalf("live sessions: got %d, want 0", n)
	}
	u, _ = f.App.Auth.LookupUser(context.Background(), userID)
	if len(u.ClientIDs) != 0 {
		t.Fatalf("memberships after leaving the group: %v, want none", u.ClientIDs)
	}
}

func withIDs(s step, userID, groupID string) step {
	s.path = strings.NewReplacer("{id}", userID, "{gid}", groupID).Replace(s.path)
	s.body = strings.NewReplacer("{id}", userID, "{gid}", groupID).Replace(s.body)
	return s
}

// The requests Microsoft Entra ID's provisioning service sends, as its
// documentation lays them out: a lookup by userName, a create with the
// enterprise extension, a lookup by externalId, PATCHes with a path and
// capitalized ops (and "False" as a string), groups added and removed by
// member lists.
func TestEntraSequence(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	existing := f.createUser(t, "lee@example.com", auth.RoleAgent) // made by an admin before provisioning
	userID, groupID := f.play(t, []step{
		{"lookup", "GET", "/scim/v2/Users?filter=" + q(`userName eq "ed@example.com"`), "", 200, total(0)},
		{"create", "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId":"6f2a1b0c-8d4e-4f5a-9b3c-2e1d0a9f8b7c","userName":"Ed@example.com","active":true,
			"emails":[{"primary":true,"type":"work","value":"Ed@example.com"}],"meta":{"resourceType":"User"},
			"name":{"formatted":"Ed Okafor","familyName":"Okafor","givenName":"Ed"},"roles":[]}`, 201, field("userName", "ed@example.com")},
		{"lookup by externalId", "GET", "/scim/v2/Users?filter=" + q(`externalId eq "6f2a1b0c-8d4e-4f5a-9b3c-2e1d0a9f8b7c"`), "", 200, total(1)},
		{"update", "PATCH", "/scim/v2/Users/{id}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Replace","path":"displayName","value":"Ed Okafor-Lane"},
			{"op":"Replace","path":"emails[type eq \"work\"].value","value":"ed@example.com"},
			{"op":"Replace","path":"name.familyName","value":"Okafor-Lane"}]}`, 200, field("displayName", "Ed Okafor-Lane")},
		{"adopt an existing account", "GET", "/scim/v2/Users?filter=" + q(`userName eq "lee@example.com"`), "", 200, total(1)},
		{"claim it", "PATCH", "/scim/v2/Users/" + existing.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Add","path":"externalId","value":"0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e"}]}`, 200, field("externalId", "0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e")},
		{"group", "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"a1b2c3d4","displayName":"Skillgate Trainers","members":[]}`, 201, nil},
		{"group lookup", "GET", "/scim/v2/Groups?filter=" + q(`displayName eq "Skillgate Trainers"`) + "&excludedAttributes=members", "", 200, total(1)},
		{"add members", "PATCH", "/scim/v2/Groups/{gid}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Add","path":"members","value":[{"value":"{id}"},{"value":"` + existing.ID + `"}]}]}`, 200, nil},
		{"remove member", "PATCH", "/scim/v2/Groups/{gid}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Remove","path":"members","value":[{"value":"` + existing.ID + `"}]}]}`, 200, nil},
		{"disable", "PATCH", "/scim/v2/Users/{id}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Replace","path":"active","value":"False"}]}`, 200, field("active", false)},
		{"delete", "DELETE", "/scim/v2/Users/{id}", "", 204, nil},
		{"gone from SCIM (RFC 7644 3.6)", "GET", "/scim/v2/Users/{id}", "", 404, scimError("404", "")},
	})
	ed, _ := f.App.Auth.LookupUser(context.Background(), userID)
	lee, _ := f.App.Auth.LookupUser(context.Background(), existing.ID)
	if ed.Role != auth.RoleAgent || ed.DisplayName != "Ed Okafor-Lane" || ed.Active {
		t.Fatalf("ed: %+v, want an inactive agent named Ed Okafor-Lane (deleted, so out of the group that made them a trainer)", ed)
	}
	if lee.Source != auth.SourceSCIM || lee.Role != auth.RoleAgent {
		t.Fatalf("lee: source %s role %s, want scim, agent (left the group that made them a trainer)", lee.Source, lee.Role)
	}
	if groupID == "" {
		t.Fatal("no group id")
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.play(t, []step{
		{"create", "POST", "/scim/v2/Users", `{"userName":"kim@example.com","externalId":"k1"}`, 201, nil},
		{"re-sent create", "POST", "/scim/v2/Users", `{"userName":"kim@example.com","externalId":"k1"}`, 409, scimError("409", "uniqueness")},
		{"bad userName", "POST", "/scim/v2/Users", `{"userName":"not an address"}`, 400, scimError("400", "invalidValue")},
		{"unknown user", "GET", "/scim/v2/Users/6d0b1c2a-0000-4000-8000-000000000000", "", 404, scimError("404", "")},
		{"bad patch path", "PATCH", "/scim/v2/Users/{id}", `{"Operations":[{"op":"replace","path":"role","value":"admin"}]}`, 400, scimError("400", "invalidPath")},
		{"bad JSON", "POST", "/scim/v2/Users", `{"userName":`, 400, scimError("400", "invalidSyntax")},
	})
	// Filter injection: only `attr eq "value"` is read, and a value is only a value.
	for _, filter := range []string{
		`userName eq "kim@example.com" or userName pr`,
		`userName pr`,
		`userName sw "k"`,
		`userName eq kim@example.com`,
		`(userName eq "kim@example.com")`,
		`userName eq "kim@example.com"; DROP TABLE users`,
		`emails.value eq "kim@example.com"`,
		`password eq "x"`,
		`userName eq "kim@example.com" and active eq true`,
		`userName eq 'kim@example.com'`,
	} {
		t.Run(filter, func(t *testing.T) {
			f.play(t, []step{{"filter", "GET", "/scim/v2/Users?filter=" + q(filter), "", 400, scimError("400", "invalidFilter")}})
		})
	}
	f.play(t, []step{
		{"quote inside a value", "GET", "/scim/v2/Users?filter=" + q(`userName eq "x\" or \"1\"=\"1"`), "", 200, total(0)},
		{"case-insensitive names", "GET", "/scim/v2/Users?filter=" + q(`USERNAME EQ "kim@example.com"`), "", 200, total(1)},
		{"group filter", "GET", "/scim/v2/Groups?filter=" + q(`members eq "x"`), "", 400, scimError("400", "invalidFilter")},
	})

	// Only a key with the scope provisions.
	other := f.Do(apitest.Request{Method: "GET", Path: "/scim/v2/Users"})
	if other.Status != 401 || !strings.Contains(string(other.Body), "urn:ietf:params:scim:api:messages:2.0:Error") {
		t.Fatalf("without a token: got %d %s, want a SCIM 401", other.Status, other.Body)
	}
	agent := f.createUser(t, "agent@example.com", auth.RoleAgent)
	_ = agent
	res := f.Do(apitest.Request{Method: "GET", Path: "/scim/v2/Users", Token: f.login(t, "agent@example.com")})
	if res.Status != 403 {
		t.Fatalf("with a user's token: got %d, want 403", res.Status)
	}
	// The provisioning key reaches nothing else.
	if res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users", Token: f.token}); res.Status != 403 {
		t.Fatalf("the provisioning key on /api/v1/users: got %d, want 403", res.Status)
	}
}

// The way in when the identity provider is down is not the provider's to close.
func TestBreakGlassAdminIsNotProvisioned(t *testing.T) {
	t.Parallel()
	env := apitest.NewWith(t, func(c *app.Config) {
		c.Password = auth.PasswordPolicy{Off: true, BreakGlass: []string{"root@example.com"}}
	})
	root := env.User("root@example.com", auth.RoleAdmin)
	tok := env.Login("root@example.com")
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: tok, Body: map[string]any{"name": "idp", "scopes": []string{"scim:provision"}}})
	var k struct{ Key string }
	res.JSON(t, &k)
	res = env.Do(apitest.Request{Method: "PATCH", Path: "/scim/v2/Users/" + root.ID, Token: k.Key,
		Body: []byte(`{"Operations":[{"op":"replace","value":{"active":false}}]}`)})
	if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "break-glass") {
		t.Fatalf("deprovisioning the break-glass admin: got %d %s, want 403", res.Status, res.Body)
	}
	if u, _ := env.App.Auth.LookupUser(context.Background(), root.ID); !u.Active {
		t.Fatal("the break-glass admin was deactivated")
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, path := range []string{"/scim/v2/ServiceProviderConfig", "/scim/v2/ResourceTypes", "/scim/v2/Schemas"} {
		res := f.Do(apitest.Request{Method: "GET", Path: path})
		var b map[string]any
		if res.Status != 200 || json.Unmarshal(res.Body, &b) != nil || b["schemas"] == nil {
			t.Fatalf("%s: got %d %s", path, res.Status, res.Body)
		}
	}
	res := f.Do(apitest.Request{Method: "GET", Path: "/scim/v2/ServiceProviderConfig"})
	if !strings.Contains(string(res.Body), `"patch":{"supported":true}`) || !strings.Contains(string(res.Body), `"bulk":{"maxOperations":0`) {
		t.Fatalf("service provider config: %s", res.Body)
	}
}
