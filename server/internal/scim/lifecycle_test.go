package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// countAudit counts the audit entries of action about the user.
func (f *fixture) countAudit(t *testing.T, action, subjectID string) int {
	t.Helper()
	var n int
	if err := f.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = ? AND subject_id = ?`, action, subjectID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) user(t *testing.T, id string) *auth.User {
	t.Helper()
	u, err := f.App.Auth.LookupUser(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// IDP_GROUP_MAP goes by the group's name. Renaming a group, as Okta does
// with a PUT of the whole group or a PATCH replacing displayName in an
// object value, changes its members at once: to a name the map does not
// know takes back the memberships the old name gave, audited, and back to
// a mapped name gives them again.
func TestOktaGroupRename(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	userID, groupID := f.play(t, []step{
		{"create", "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dana@example.com",
			"name":{"givenName":"Dana","familyName":"Reyes"},"externalId":"00u1ab2cd3EF4gh5i6j7","active":true}`, 201, nil},
		{"push group with its member", "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
			"displayName":"Acme Agents","members":[{"value":"{id}","display":"dana@example.com"}]}`, 201, nil},
	})
	if got := f.user(t, userID).ClientIDs; !slices.Equal(got, []string{f.clientA}) {
		t.Fatalf("after the push: memberships %v, want acme-bank", got)
	}
	f.play(t, []step{withIDs(step{"rename (PUT)", "PUT", "/scim/v2/Groups/{gid}", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"id":"{gid}","displayName":"Acme Agents (archived)","members":[{"value":"{id}","display":"dana@example.com"}]}`,
		200, field("displayName", "Acme Agents (archived)")}, userID, groupID)})
	if got := f.user(t, userID).ClientIDs; len(got) != 0 {
		t.Fatalf("after renaming to an unmapped name: memberships %v, want none", got)
	}
	if n := f.countAudit(t, "user.memberships", userID); n != 2 {
		t.Fatalf("user.memberships entries: got %d, want 2 (given, taken back)", n)
	}
	f.play(t, []step{withIDs(step{"rename back (PATCH, object value)", "PATCH", "/scim/v2/Groups/{gid}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","value":{"id":"{gid}","displayName":"Acme Agents"}}]}`, 200, field("displayName", "Acme Agents")}, userID, groupID)})
	if got := f.user(t, userID).ClientIDs; !slices.Equal(got, []string{f.clientA}) {
		t.Fatalf("after renaming back: memberships %v, want acme-bank", got)
	}
	// A re-sent rename changes and records nothing more.
	before := f.countAudit(t, "user.memberships", userID)
	f.play(t, []step{withIDs(step{"re-sent rename", "PATCH", "/scim/v2/Groups/{gid}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","value":{"id":"{gid}","displayName":"Acme Agents"}}]}`, 200, nil}, userID, groupID)})
	if n := f.countAudit(t, "user.memberships", userID); n != before {
		t.Fatalf("user.memberships entries after a re-sent rename: got %d, want %d", n, before)
	}
}

// Entra ID renames with a PATCH whose path is displayName. A rename into
// a mapped name gives the role at once; out of it, the role the name gave
// goes back to agent (with no other group giving one), audited, and the
// member's next request already has the new role.
func TestEntraGroupRename(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ed := f.createUser(t, "ed@example.com", auth.RoleAgent)
	access := f.login(t, "ed@example.com")
	_, groupID := f.play(t, []step{
		{"group", "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"a1b2c3d4",
			"displayName":"Trainers (pilot)","members":[{"value":"` + ed.ID + `"}]}`, 201, nil},
	})
	if got := f.user(t, ed.ID).Role; got != auth.RoleAgent {
		t.Fatalf("in an unmapped group: role %s, want agent", got)
	}
	rename := func(name string) step {
		return step{"rename to " + name, "PATCH", "/scim/v2/Groups/" + groupID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Replace","path":"displayName","value":"` + name + `"}]}`, 200, field("displayName", name)}
	}
	role := func() auth.Role {
		t.Helper()
		res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: access})
		var me struct{ Role auth.Role }
		if res.Status != http.StatusOK {
			t.Fatalf("me: got %d %s", res.Status, res.Body)
		}
		res.JSON(t, &me)
		return me.Role
	}
	f.play(t, []step{rename("Skillgate Trainers")})
	if got := role(); got != auth.RoleTrainer {
		t.Fatalf("after renaming into the mapped name: role %s, want trainer", got)
	}
	f.play(t, []step{rename("Former Trainers")})
	if got := role(); got != auth.RoleAgent {
		t.Fatalf("after renaming out of it: role %s, want agent", got)
	}
	if n := f.countAudit(t, "user.role_change", ed.ID); n != 2 {
		t.Fatalf("user.role_change entries: got %d, want 2", n)
	}

	// A role an admin gave is not the group's to take back.
	f.play(t, []step{rename("Skillgate Trainers")})
	if err := f.DB.Exec(`UPDATE users SET role = 'supervisor' WHERE id = ?`, ed.ID).Error; err != nil {
		t.Fatal(err)
	}
	f.play(t, []step{rename("Former Trainers")})
	if got := f.user(t, ed.ID).Role; got != auth.RoleSupervisor {
		t.Fatalf("a supervisor whose group stops mapping to trainer: role %s, want supervisor", got)
	}
}

// DELETE /Users/{id} deletes nothing: the account is deactivated (sessions
// end at once, API access stops) and, as RFC 7644 section 3.6 asks, SCIM
// answers 404 for it from then on, a re-sent DELETE included, and leaves it
// out of queries. Its history stays. A later POST of the same userName
// brings the same account back.
func TestDeleteUserDeactivates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	userID, groupID := f.play(t, []step{
		{"create", "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kai@example.com",
			"displayName":"Kai Moreno","externalId":"k-1","active":true}`, 201, nil},
		{"group", "POST", "/scim/v2/Groups", `{"displayName":"Acme Agents","members":[{"value":"{id}"}]}`, 201, nil},
	})
	if err := f.DB.Exec(`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'admin@example.com') WHERE id = ?`, userID).Error; err != nil {
		t.Fatal(err)
	}
	access := f.login(t, "kai@example.com")
	refresh := func() string {
		res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]any{"email": "kai@example.com", "password": password, "refresh_token_delivery": "body"}})
		var tk struct {
			RefreshToken string `json:"refresh_token"`
		}
		res.JSON(t, &tk)
		return tk.RefreshToken
	}()

	f.play(t, []step{
		withIDs(step{"delete", "DELETE", "/scim/v2/Users/{id}", "", 204, nil}, userID, groupID),
		withIDs(step{"read", "GET", "/scim/v2/Users/{id}", "", 404, scimError("404", "")}, userID, groupID),
		withIDs(step{"re-sent delete", "DELETE", "/scim/v2/Users/{id}", "", 404, scimError("404", "")}, userID, groupID),
		withIDs(step{"patch", "PATCH", "/scim/v2/Users/{id}", `{"Operations":[{"op":"replace","value":{"active":true}}]}`, 404, scimError("404", "")}, userID, groupID),
		withIDs(step{"put", "PUT", "/scim/v2/Users/{id}", `{"userName":"kai@example.com","active":true}`, 404, scimError("404", "")}, userID, groupID),
		{"filter", "GET", "/scim/v2/Users?filter=" + q(`userName eq "kai@example.com"`), "", 200, total(0)},
		{"filter by externalId", "GET", "/scim/v2/Users?filter=" + q(`externalId eq "k-1"`), "", 200, total(0)},
		{"list", "GET", "/scim/v2/Users", "", 200, total(1)}, // the admin only
		withIDs(step{"add to a group", "PATCH", "/scim/v2/Groups/{gid}", `{"Operations":[{"op":"add","path":"members","value":[{"value":"{id}"}]}]}`, 400, scimError("400", "")}, userID, groupID),
	})
	if res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: access}); res.Status != http.StatusUnauthorized {
		t.Fatalf("me after delete: got %d, want 401 at once", res.Status)
	}
	if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Body: map[string]string{"refresh_token": refresh}}); res.Status != http.StatusUnauthorized {
		t.Fatalf("refresh after delete: got %d, want 401", res.Status)
	}
	if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "kai@example.com", "password": password}}); res.Status != http.StatusUnauthorized {
		t.Fatalf("login after delete: got %d, want 401", res.Status)
	}
	u := f.user(t, userID) // still there for Skillgate: the admin pages, the audit trail, the history
	if u.Active || u.DisplayName != "Kai Moreno" {
		t.Fatalf("after delete: %+v, want the same account, inactive", u)
	}
	// The deleted user left their groups, as the provider sees it: what the
	// group gave (acme-bank) is taken back, audited.
	if len(u.ClientIDs) != 0 {
		t.Fatalf("after delete: memberships %v, want none (Acme Agents gave acme-bank)", u.ClientIDs)
	}
	if d, s, g := f.countAudit(t, "user.deactivate", userID), f.countAudit(t, "user.scim_delete", userID), f.countAudit(t, "group.update", groupID); d != 1 || s != 1 || g != 1 {
		t.Fatalf("audit: %d user.deactivate, %d user.scim_delete, %d group.update, want 1, 1 and 1 for a delete and its re-send", d, s, g)
	}
	f.play(t, []step{
		withIDs(step{"group", "GET", "/scim/v2/Groups/{gid}", "", 200, members()}, userID, groupID),
		{"groups", "GET", "/scim/v2/Groups", "", 200, func(t *testing.T, b map[string]any) { members()(t, resource(t, b)) }},
		{"group by name", "GET", "/scim/v2/Groups?filter=" + q(`displayName eq "Acme Agents"`), "", 200, func(t *testing.T, b map[string]any) { members()(t, resource(t, b)) }},
	})

	// The person comes back: the provider creates them again, and gets the same account.
	f.play(t, []step{
		{"create again", "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Kai@example.com",
			"displayName":"Kai Moreno","externalId":"k-2","active":true}`, 201, func(t *testing.T, b map[string]any) {
			if b["id"] != userID || b["active"] != true || b["externalId"] != "k-2" {
				t.Fatalf("re-created: %v, want the same id %s, active, externalId k-2", b, userID)
			}
		}},
		withIDs(step{"read", "GET", "/scim/v2/Users/{id}", "", 200, field("active", true)}, userID, groupID),
	})
	if n := f.countAudit(t, "user.scim_restore", userID); n != 1 {
		t.Fatalf("user.scim_restore entries: got %d, want 1", n)
	}
	// Back in no group, as the provider sees them, until it pushes the
	// groups again: then what they give comes back.
	f.play(t, []step{
		withIDs(step{"group after re-creation", "GET", "/scim/v2/Groups/{gid}", "", 200, members()}, userID, groupID),
		withIDs(step{"add to the group again", "PATCH", "/scim/v2/Groups/{gid}", `{"Operations":[{"op":"add","path":"members","value":[{"value":"{id}"}]}]}`,
			200, members(userID)}, userID, groupID),
	})
	if got := f.user(t, userID).ClientIDs; !slices.Equal(got, []string{f.clientA}) {
		t.Fatalf("back in Acme Agents: memberships %v, want acme-bank", got)
	}
	f.login(t, "kai@example.com")
}

// members checks a group's members are exactly ids.
func members(ids ...string) func(*testing.T, map[string]any) {
	return func(t *testing.T, b map[string]any) {
		t.Helper()
		list, _ := b["members"].([]any)
		got := []string{}
		for _, m := range list {
			got = append(got, m.(map[string]any)["value"].(string))
		}
		if !slices.Equal(got, ids) {
			t.Fatalf("members %v, want %v in %v", got, ids, b)
		}
	}
}

// resource returns the one resource of a list response.
func resource(t *testing.T, b map[string]any) map[string]any {
	t.Helper()
	list, _ := b["Resources"].([]any)
	if len(list) != 1 {
		t.Fatalf("got %d resources, want 1 in %v", len(list), b)
	}
	return list[0].(map[string]any)
}

// A group never lists a user the provider deleted, even one whose
// membership row was left behind (deleted before DELETE took users out of
// their groups), and such a row does not stop the group from changing.
func TestGroupHidesDeletedMember(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	userID, groupID := f.play(t, []step{
		{"create", "POST", "/scim/v2/Users", `{"userName":"lee@example.com","active":true}`, 201, nil},
		{"group", "POST", "/scim/v2/Groups", `{"displayName":"Night Shift","members":[{"value":"{id}"}]}`, 201, nil},
	})
	if err := f.DB.Exec(`UPDATE users SET active = false, scim_deleted_at = now() WHERE id = ?`, userID).Error; err != nil {
		t.Fatal(err)
	}
	f.play(t, []step{
		withIDs(step{"group", "GET", "/scim/v2/Groups/{gid}", "", 200, members()}, userID, groupID),
		{"groups", "GET", "/scim/v2/Groups", "", 200, func(t *testing.T, b map[string]any) { members()(t, resource(t, b)) }},
		withIDs(step{"rename", "PATCH", "/scim/v2/Groups/{gid}", `{"Operations":[{"op":"replace","path":"displayName","value":"Late Shift"}]}`,
			200, members()}, userID, groupID),
		withIDs(step{"add the deleted user", "PATCH", "/scim/v2/Groups/{gid}", `{"Operations":[{"op":"add","path":"members","value":[{"value":"{id}"}]}]}`,
			400, scimError("400", "invalidValue")}, userID, groupID),
		withIDs(step{"put with the deleted user", "PUT", "/scim/v2/Groups/{gid}", `{"displayName":"Late Shift","members":[{"value":"{id}"}]}`,
			400, scimError("400", "invalidValue")}, userID, groupID),
	})
}

// The identity provider is the source of truth for the accounts it
// provisions: an admin may not reactivate an account it deleted (409,
// saying why, nothing changed), which stays out of SCIM's view until the
// provider creates it again. An account deactivated by active:false (not
// deleted) is the admin's to reactivate, as before, and SCIM sees it.
func TestAdminReactivationOfDeletedAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.login(t, "admin@example.com")
	userID, _ := f.play(t, []step{
		{"create", "POST", "/scim/v2/Users", `{"userName":"mo@example.com","active":true}`, 201, nil},
		{"delete", "DELETE", "/scim/v2/Users/{id}", "", 204, nil},
	})
	res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/users/" + userID + "/reactivate", Token: admin})
	var e struct{ Code, Message string }
	res.JSON(t, &e)
	if res.Status != http.StatusConflict || e.Code != "conflict" || !strings.Contains(e.Message, "identity provider") {
		t.Fatalf("reactivate a SCIM-deleted account: got %d %s, want 409 conflict naming the identity provider", res.Status, res.Body)
	}
	if f.user(t, userID).Active || f.countAudit(t, "user.reactivate", userID) != 0 {
		t.Fatal("a refused reactivation changed the account")
	}
	f.play(t, []step{withIDs(step{"still gone from SCIM", "GET", "/scim/v2/Users/{id}", "", 404, scimError("404", "")}, userID, "")})
	// Deactivating it again is no change, and allowed.
	if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/users/" + userID + "/deactivate", Token: admin}); res.Status != http.StatusOK {
		t.Fatalf("deactivate a SCIM-deleted account: got %d %s, want 200", res.Status, res.Body)
	}

	// Deactivated by the provider without a delete: the admin may reactivate.
	otherID, _ := f.play(t, []step{
		{"create", "POST", "/scim/v2/Users", `{"userName":"ny@example.com","active":true}`, 201, nil},
		{"disable", "PATCH", "/scim/v2/Users/{id}", `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 200, field("active", false)},
	})
	if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/users/" + otherID + "/reactivate", Token: admin}); res.Status != http.StatusOK {
		t.Fatalf("reactivate a deactivated (not deleted) account: got %d %s, want 200", res.Status, res.Body)
	}
	f.play(t, []step{withIDs(step{"SCIM sees it active", "GET", "/scim/v2/Users/{id}", "", 200, field("active", true)}, otherID, "")})
}

// A break-glass admin's account is Skillgate's while password sign-in is
// off: another break-glass admin may reactivate it even if the provider
// deleted it before password sign-in was turned off, which brings it back
// into SCIM's view (still out of the provider's reach), audited.
func TestBreakGlassReactivationClearsSCIMDelete(t *testing.T) {
	t.Parallel()
	env := apitest.NewWith(t, func(c *app.Config) {
		c.Password = auth.PasswordPolicy{Off: true, BreakGlass: []string{"root@example.com", "root2@example.com"}}
	})
	root := env.User("root@example.com", auth.RoleAdmin)
	env.User("root2@example.com", auth.RoleAdmin)
	if err := env.DB.Exec(`UPDATE users SET active = false, scim_deleted_at = now() WHERE id = ?`, root.ID).Error; err != nil {
		t.Fatal(err)
	}
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/users/" + root.ID + "/reactivate", Token: env.Login("root2@example.com")})
	if res.Status != http.StatusOK {
		t.Fatalf("reactivate a break-glass admin the provider deleted: got %d %s, want 200", res.Status, res.Body)
	}
	u, err := env.App.Auth.LookupProvisioned(context.Background(), root.ID)
	if err != nil || !u.Active {
		t.Fatalf("after reactivation: %+v %v, want active and seen by SCIM", u, err)
	}
	var n int
	if err := env.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = 'user.scim_restore' AND subject_id = ?`, root.ID).Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("user.scim_restore entries: %d %v, want 1", n, err)
	}
	env.Login("root@example.com")
}

// A DELETE of a user racing a group change that adds them (or removes
// them from another group) never leaves the deleted user in a group, and
// never fails with a deadlock: the group change either lands first (and
// the delete takes the user out again) or is refused with 400.
func TestDeleteRacesGroupChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 8 {
		name := fmt.Sprintf("race%d@example.com", i)
		userID, inGroup := f.play(t, []step{
			{"create", "POST", "/scim/v2/Users", `{"userName":"` + name + `","active":true}`, 201, nil},
			{"in a group", "POST", "/scim/v2/Groups", fmt.Sprintf(`{"displayName":"Acme Agents %d","members":[{"value":"{id}"}]}`, i), 201, nil},
		})
		_, other := f.play(t, []step{{"another group", "POST", "/scim/v2/Groups", fmt.Sprintf(`{"displayName":"Skillgate Trainers %d"}`, i), 201, nil}})
		var wg sync.WaitGroup
		statuses := make([]int, 3)
		send := func(k int, method, path, body string) {
			defer wg.Done()
			req := apitest.Request{Method: method, Path: path, Token: f.token, Header: map[string]string{"Content-Type": "application/scim+json"}}
			if body != "" {
				req.Body = []byte(body)
			}
			statuses[k] = f.Do(req).Status
		}
		wg.Add(3)
		go send(0, "DELETE", "/scim/v2/Users/"+userID, "")
		go send(1, "PATCH", "/scim/v2/Groups/"+other, `{"Operations":[{"op":"add","path":"members","value":[{"value":"`+userID+`"}]}]}`)
		go send(2, "PATCH", "/scim/v2/Groups/"+inGroup, `{"Operations":[{"op":"replace","path":"displayName","value":"Acme Agents `+fmt.Sprint(i)+`b"}]}`)
		wg.Wait()
		if statuses[0] != 204 || (statuses[1] != 200 && statuses[1] != 400) || statuses[2] != 200 {
			t.Fatalf("round %d: delete %d, add %d, rename %d; want 204, 200 or 400, 200", i, statuses[0], statuses[1], statuses[2])
		}
		var n int
		if err := f.DB.Raw(`SELECT count(*) FROM scim_group_members WHERE user_id = ?`, userID).Scan(&n).Error; err != nil || n != 0 {
			t.Fatalf("round %d: the deleted user is in %d groups (%v), want none", i, n, err)
		}
	}
}

// The user record admins read says when the identity provider deleted the
// account (scim_deleted_at), so the admin pages can say why it may not be
// reactivated; it is absent before the delete, and again once the provider
// creates the account again.
func TestUserRecordShowsSCIMDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.login(t, "admin@example.com")
	userID, _ := f.play(t, []step{
		{"create", "POST", "/scim/v2/Users", `{"userName":"oz@example.com","active":true}`, 201, nil},
		{"disable", "PATCH", "/scim/v2/Users/{id}", `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 200, field("active", false)},
	})
	deletedAt := func(step string) (string, bool) {
		t.Helper()
		res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users/" + userID, Token: admin})
		var one map[string]any
		res.JSON(t, &one)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: GET the user: got %d %s, want 200", step, res.Status, res.Body)
		}
		res = f.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?q=oz@example.com", Token: admin})
		var list struct{ Users []map[string]any }
		res.JSON(t, &list)
		if res.Status != http.StatusOK || len(list.Users) != 1 {
			t.Fatalf("%s: list the user: got %d %s, want 200 and one user", step, res.Status, res.Body)
		}
		v, ok := one["scim_deleted_at"]
		lv, lok := list.Users[0]["scim_deleted_at"]
		if ok != lok || v != lv {
			t.Fatalf("%s: scim_deleted_at: got %v (%v) from GET and %v (%v) from the list, want the same", step, v, ok, lv, lok)
		}
		s, _ := v.(string)
		return s, ok
	}
	if v, ok := deletedAt("deactivated, not deleted"); ok {
		t.Fatalf("deactivated by active:false: got scim_deleted_at %q, want absent", v)
	}
	f.play(t, []step{withIDs(step{"delete", "DELETE", "/scim/v2/Users/{id}", "", 204, nil}, userID, "")})
	v, ok := deletedAt("deleted")
	if !ok {
		t.Fatal("after a SCIM DELETE: scim_deleted_at absent, want when it was deleted")
	}
	if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
		t.Fatalf("after a SCIM DELETE: scim_deleted_at %q: %v", v, err)
	}
	f.play(t, []step{{"created again", "POST", "/scim/v2/Users", `{"userName":"oz@example.com","active":true}`, 201, nil}})
	if v, ok := deletedAt("created again"); ok {
		t.Fatalf("created again by the provider: got scim_deleted_at %q, want absent", v)
	}
}
