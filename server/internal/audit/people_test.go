package audit_test

import (
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// TestAuditPageNamesItsPeople: a page of the log names, by id, the users
// among its actors and subjects, and nobody else.
func TestAuditPageNamesItsPeople(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := env.User("admin@x.test", auth.RoleAdmin)
	bystander := env.User("bystander@x.test", auth.RoleCompliance)
	token := env.Login("admin@x.test")
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/users", Token: token,
		Body: map[string]any{"email": "nia@x.test", "display_name": "Nia Okafor", "role": "agent"}})
	if res.Status != 201 {
		t.Fatalf("create user: got %d %s", res.Status, res.Body)
	}
	var nia struct{ ID string }
	res.JSON(t, &nia)

	var page struct {
		Entries []struct {
			ActorID   string `json:"actor_id"`
			SubjectID string `json:"subject_id"`
		}
		People map[string]struct {
			Email       string `json:"email"`
			DisplayName string `json:"display_name"`
		}
	}
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/audit?action=user.create&actor_id=" + admin.ID, Token: token})
	if res.Status != 200 {
		t.Fatalf("audit: got %d %s", res.Status, res.Body)
	}
	res.JSON(t, &page)
	if len(page.Entries) != 1 || page.Entries[0].SubjectID != nia.ID {
		t.Fatalf("entries: got %+v, want Nia's creation by the admin", page.Entries)
	}
	if got := page.People[nia.ID]; got.DisplayName != "Nia Okafor" || got.Email != "nia@x.test" {
		t.Errorf("subject: got %+v, want Nia Okafor <nia@x.test>", got)
	}
	if got := page.People[admin.ID]; got.Email != "admin@x.test" {
		t.Errorf("actor: got %+v, want admin@x.test", got)
	}
	if _, ok := page.People[bystander.ID]; ok || len(page.People) != 2 {
		t.Errorf("people: got %v, want only the actor and the subject", page.People)
	}

	// The system's own entries (the fixtures' users) name no actor.
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/audit?action=user.create&actor_id=test", Token: token})
	res.JSON(t, &page)
	if res.Status != 200 || len(page.Entries) == 0 {
		t.Fatalf("system entries: got %d %s", res.Status, res.Body)
	}
	if _, ok := page.People["test"]; ok {
		t.Errorf("people: got %v, want no entry for the system actor", page.People)
	}
}
