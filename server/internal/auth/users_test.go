package auth_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

func TestUserAdministration(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.user(t, "admin@example.test", auth.RoleAdmin)
	tok := f.login(t, admin.Email).AccessToken

	res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/users", Token: tok, Body: map[string]any{
		"email": "New.Agent@Example.test", "role": "agent", "display_name": "New Agent", "external_id": "ACD-7",
		"password": "saffron-harbor-kettle", "client_ids": []string{f.clientA},
	}})
	var u auth.User
	res.JSON(t, &u)
	if res.Status != 201 || u.Email != "new.agent@example.test" || *u.ExternalID != "ACD-7" || len(u.ClientIDs) != 1 {
		t.Fatalf("create: got %d %s, want 201 with a lower-cased email, external id and membership", res.Status, res.Body)
	}
	if strings.Contains(string(res.Body), "argon2") {
		t.Errorf("got the password hash in %s, want it never sent", res.Body)
	}

	bad := []struct {
		name string
		body map[string]any
		want int
	}{
		{"taken email", map[string]any{"email": "new.agent@example.test", "role": "agent"}, 409},
		{"taken external id", map[string]any{"email": "other@example.test", "role": "agent", "external_id": "ACD-7"}, 409},
		{"unknown role", map[string]any{"email": "x@example.test", "role": "king"}, 400},
		{"bad email", map[string]any{"email": "not an email", "role": "agent"}, 400},
		{"short password", map[string]any{"email": "y@example.test", "role": "agent", "password": "short"}, 400},
		{"unknown client", map[string]any{"email": "z@example.test", "role": "agent", "client_ids": []string{"00000000-0000-0000-0000-00000000000a"}}, 400},
	}
	for _, tc := range bad {
		if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/users", Token: tok, Body: tc.body}); res.Status != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.name, res.Status, res.Body, tc.want)
		}
	}

	res = f.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + u.ID, Token: tok, Body: map[string]any{"role": "trainer", "display_name": "Trainer Now"}})
	res.JSON(t, &u)
	if res.Status != 200 || u.Role != auth.RoleTrainer || u.DisplayName != "Trainer Now" {
		t.Fatalf("update: got %d %s, want the new role and name", res.Status, res.Body)
	}
	if n := f.auditCount(t, "user.role_change"); n != 1 {
		t.Errorf("got %d user.role_change audit rows, want 1", n)
	}
	if res := f.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + admin.ID, Token: tok, Body: map[string]any{"role": "agent"}}); res.Status != 409 {
		t.Errorf("admin demotes self: got %d, want 409", res.Status)
	}
	if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/users/" + admin.ID + "/deactivate", Token: tok}); res.Status != 409 {
		t.Errorf("admin deactivates self: got %d, want 409", res.Status)
	}
	if res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/00000000-0000-0000-0000-00000000000b", Token: tok}); res.Status != 404 {
		t.Errorf("unknown user: got %d, want 404", res.Status)
	}

	res = f.Do(apitest.Request{Method: "PUT", Path: "/api/v1/users/" + u.ID + "/memberships", Token: tok, Body: map[string]any{"client_ids": []string{f.clientB, f.clientA, f.clientB}}})
	res.JSON(t, &u)
	if res.Status != 200 || len(u.ClientIDs) != 2 {
		t.Fatalf("memberships: got %d %s, want both clients once", res.Status, res.Body)
	}
	if n := f.auditCount(t, "user.memberships"); n != 1 {
		t.Errorf("got %d user.memberships audit rows, want 1", n)
	}

	var list struct {
		Users []auth.User
		Next  string
	}
	f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?role=trainer&client_id=" + f.clientB, Token: tok}).JSON(t, &list)
	if len(list.Users) != 1 || list.Users[0].ID != u.ID {
		t.Errorf("filtered list: got %+v, want the one trainer of client B", list.Users)
	}
	f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?limit=1", Token: tok}).JSON(t, &list)
	if len(list.Users) != 1 || list.Next == "" {
		t.Fatalf("first page: got %d users next=%q, want 1 and a next cursor", len(list.Users), list.Next)
	}
	first := list.Users[0].Email
	f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?limit=1&after=" + list.Next, Token: tok}).JSON(t, &list)
	if len(list.Users) != 1 || list.Users[0].Email <= first {
		t.Errorf("second page: got %+v, want the next user by email", list.Users)
	}

	// A bad password in an update changes nothing at all.
	if res := f.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + u.ID, Token: tok, Body: map[string]any{"display_name": "Half Written", "password": "short"}}); res.Status != 400 {
		t.Fatalf("bad password: got %d %s, want 400", res.Status, res.Body)
	}
	f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/" + u.ID, Token: tok}).JSON(t, &u)
	if u.DisplayName != "Trainer Now" {
		t.Errorf("got display name %q after a refused update, want it unchanged", u.DisplayName)
	}

	// An admin's password reset ends the user's sessions.
	session := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": "saffron-harbor-kettle"}})
	var tk tokens
	session.JSON(t, &tk)
	if res := f.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + u.ID, Token: tok, Body: map[string]any{"password": "juniper-comet-sparrow"}}); res.Status != 200 {
		t.Fatalf("password reset: got %d %s", res.Status, res.Body)
	}
	if got := f.status(t, "GET", "/api/v1/me", tk.AccessToken, nil); got != 401 {
		t.Errorf("session after an admin password reset: got %d, want 401", got)
	}
}

func TestImportUsersCSV(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.user(t, "admin@example.test", auth.RoleAdmin)
	f.user(t, "taken@example.test", auth.RoleAgent)
	tok := f.login(t, admin.Email).AccessToken
	count := func() int {
		var n int
		f.DB.Raw(`SELECT count(*) FROM users`).Scan(&n)
		return n
	}
	before := count()

	csvBody := func(s string) apitest.Request {
		return apitest.Request{Method: "POST", Path: "/api/v1/users/import", Token: tok, Body: s, Header: map[string]string{"Content-Type": "text/csv"}}
	}
	bad := "email,display_name,role,external_id,clients\n" +
		"ok1@example.test,One,agent,E1,acme-bank\n" +
		"not-an-email,Two,agent,,\n" +
		"taken@example.test,Three,agent,,\n" +
		"ok4@example.test,Four,wizard,,\n" +
		"ok5@example.test,Five,agent,E1,nowhere-inc\n" +
		"OK1@example.test,Six,agent,,\n"
	res := f.Do(csvBody(bad))
	var e struct{ Fields map[string]string }
	res.JSON(t, &e)
	if res.Status != 400 {
		t.Fatalf("got %d %s, want 400", res.Status, res.Body)
	}
	for _, field := range []string{"row 3.email", "row 4.email", "row 5.role", "row 6.external_id", "row 6.clients", "row 7.email"} {
		if e.Fields[field] == "" {
			t.Errorf("got fields %v, want a problem named %q", e.Fields, field)
		}
	}
	if _, ok := e.Fields["row 2.email"]; ok {
		t.Errorf("got a problem with row 2 (%v), want none", e.Fields)
	}
	if got := count(); got != before {
		t.Errorf("got %d users after a failed import, want %d (all or nothing)", got, before)
	}

	good := "email,role,clients,external_id\n" +
		"ok1@example.test,agent,acme-bank;bolt-insurance,E1\n" +
		"ok2@example.test,supervisor," + f.clientB + ",\n"
	res = f.Do(csvBody(good))
	var out struct {
		Created int
		Users   []auth.User
	}
	res.JSON(t, &out)
	if res.Status != 201 || out.Created != 2 || len(out.Users[0].ClientIDs) != 2 || len(out.Users[1].ClientIDs) != 1 {
		t.Fatalf("got %d %s, want 2 users with their memberships", res.Status, res.Body)
	}
	if got := count(); got != before+2 {
		t.Errorf("got %d users, want %d", got, before+2)
	}

	for name, body := range map[string]string{"no header": "", "no role column": "email\nx@example.test\n", "unknown column": "email,role,salary\n",
		"malformed quoting": "email,role\nok@example.test,agent\n\"broken@example.test,agent\n"} {
		if res := f.Do(csvBody(body)); res.Status != 400 {
			t.Errorf("%s: got %d %s, want 400", name, res.Status, res.Body)
		}
	}
}

// TestMembershipsByName: a user's memberships come with the clients' names,
// on /me and on the user an admin creates or changes.
func TestMembershipsByName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.user(t, "admin@example.test", auth.RoleAdmin)
	tok := f.login(t, admin.Email).AccessToken
	var names struct{ A, B string }
	f.DB.Raw(`SELECT (SELECT name FROM clients WHERE id = ?) AS a, (SELECT name FROM clients WHERE id = ?) AS b`, f.clientA, f.clientB).Scan(&names)
	names2 := func(u auth.User) string {
		var out []string
		for _, c := range u.Clients {
			out = append(out, c.Name)
		}
		return strings.Join(out, ", ")
	}
	byName := []string{names.A, names.B}
	slices.Sort(byName)
	var created auth.User
	f.Do(apitest.Request{Method: "POST", Path: "/api/v1/users", Token: tok, Body: map[string]any{
		"email": "new@example.test", "role": "agent", "client_ids": []string{f.clientB, f.clientA},
	}}).JSON(t, &created)
	agent := f.user(t, "agent@example.test", auth.RoleAgent)
	var changed auth.User
	f.Do(apitest.Request{Method: "PUT", Path: "/api/v1/users/" + agent.ID + "/memberships", Token: tok,
		Body: map[string]any{"client_ids": []string{f.clientA}}}).JSON(t, &changed)
	var me auth.User
	f.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: f.login(t, "agent@example.test").AccessToken}).JSON(t, &me)
	tests := []struct {
		name string
		user auth.User
		want string
	}{
		{"created", created, strings.Join(byName, ", ")},
		{"memberships changed", changed, names.A},
		{"me", me, names.A},
	}
	for _, tc := range tests {
		if got := names2(tc.user); got != tc.want || tc.want == "" {
			t.Errorf("%s: got clients %q, want %q", tc.name, got, tc.want)
		}
	}
}
