package notify_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/notify"
)

func TestInboxListsOnlyMyNoticesNewestFirstAndMarksThemRead(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	ann := env.User("ann@x.test", auth.RoleAgent)
	bob := env.User("bob@x.test", auth.RoleSupervisor)
	for _, k := range []string{"a1", "a2", "a3"} {
		remind(t, env, ann.ID, k, "notice "+k)
		env.Clock.Advance(time.Minute)
	}
	remind(t, env, bob.ID, "b1", "bob's notice")
	annTok, bobTok := env.Login(ann.Email), env.Login(bob.Email)

	in := inboxOf(t, env, annTok, "")
	if got, want := keys(in.Notifications), []string{"a3", "a2", "a1"}; !slices.Equal(got, want) {
		t.Fatalf("ann's inbox: got %v, want %v (newest first, only hers)", got, want)
	}
	if in.UnreadCount != 3 || in.Total != 3 {
		t.Errorf("ann's counts: got unread %d total %d, want 3 and 3", in.UnreadCount, in.Total)
	}
	if n := in.Notifications[0]; n.Title != "notice a3" || n.Body != "body of a3" || n.Link != "/training" || n.Kind != "test.notice" || n.ReadAt != nil {
		t.Errorf("ann's newest notice: got %+v", n)
	}
	page := inboxOf(t, env, annTok, "?limit=2&offset=2")
	if got := keys(page.Notifications); !slices.Equal(got, []string{"a1"}) || page.Total != 3 || page.UnreadCount != 3 {
		t.Errorf("second page of two: got %v (total %d, unread %d), want [a1] of 3", got, page.Total, page.UnreadCount)
	}

	bobs := inboxOf(t, env, bobTok, "")
	if got := keys(bobs.Notifications); !slices.Equal(got, []string{"b1"}) {
		t.Fatalf("bob's inbox: got %v, want [b1]", got)
	}
	bobNotice := bobs.Notifications[0].ID

	// Ann cannot read, or even learn of, Bob's notice.
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/me/notifications/" + bobNotice + "/read", Token: annTok})
	if res.Status != 404 {
		t.Errorf("ann marks bob's notice: got %d %s, want 404", res.Status, res.Body)
	}
	if got := inboxOf(t, env, bobTok, ""); got.UnreadCount != 1 {
		t.Errorf("bob's unread after ann's attempt: got %d, want 1", got.UnreadCount)
	}

	// Marking read keeps the first time.
	a2 := in.Notifications[1].ID
	readAt := env.Clock.Now()
	var first notify.Notification
	env.Do(apitest.Request{Method: "POST", Path: "/api/v1/me/notifications/" + a2 + "/read", Token: annTok}).JSON(t, &first)
	env.Clock.Advance(5 * time.Minute)
	var again notify.Notification
	res = env.Do(apitest.Request{Method: "POST", Path: "/api/v1/me/notifications/" + a2 + "/read", Token: annTok})
	res.JSON(t, &again)
	if res.Status != 200 || first.ReadAt == nil || again.ReadAt == nil || !again.ReadAt.Equal(readAt) || !first.ReadAt.Equal(readAt) {
		t.Errorf("mark read twice: got %d, read_at %v then %v, want both %v", res.Status, first.ReadAt, again.ReadAt, readAt)
	}
	unread := inboxOf(t, env, annTok, "?unread=true")
	if got := keys(unread.Notifications); !slices.Equal(got, []string{"a3", "a1"}) || unread.UnreadCount != 2 || unread.Total != 2 {
		t.Errorf("ann's unread: got %v (unread %d, total %d), want [a3 a1]", got, unread.UnreadCount, unread.Total)
	}

	var marked struct{ Marked int }
	res = env.Do(apitest.Request{Method: "POST", Path: "/api/v1/me/notifications/read-all", Token: annTok})
	res.JSON(t, &marked)
	if res.Status != 200 || marked.Marked != 2 {
		t.Errorf("read-all: got %d %s, want 200 marking 2", res.Status, res.Body)
	}
	if got := inboxOf(t, env, annTok, ""); got.UnreadCount != 0 || got.Total != 3 {
		t.Errorf("after read-all: got unread %d total %d, want 0 of 3", got.UnreadCount, got.Total)
	}
	if got := inboxOf(t, env, bobTok, ""); got.UnreadCount != 1 {
		t.Errorf("bob's unread after ann's read-all: got %d, want 1", got.UnreadCount)
	}
}

func TestInboxRefusesStrangersKeysAndBadInput(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := env.User("admin@x.test", auth.RoleAdmin)
	agent := env.User("agent@x.test", auth.RoleAgent)
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	key, err := env.App.Auth.CreateAPIKey(ctx, auth.CreateAPIKeyInput{Name: "acd", Scopes: []string{auth.ScopeEligibilityRead}})
	if err != nil {
		t.Fatal(err)
	}
	tok := env.Login(agent.Email)
	cases := []struct {
		name, method, path, token string
		status                    int
		code, field               string
	}{
		{"signed out", "GET", "/api/v1/me/notifications", "", 401, "unauthorized", ""},
		{"an API key", "GET", "/api/v1/me/notifications", key.Key, 403, "forbidden", ""},
		{"an API key marking all", "POST", "/api/v1/me/notifications/read-all", key.Key, 403, "forbidden", ""},
		{"limit too large", "GET", "/api/v1/me/notifications?limit=101", tok, 400, "invalid", "limit"},
		{"limit not a number", "GET", "/api/v1/me/notifications?limit=ten", tok, 400, "invalid", "limit"},
		{"negative offset", "GET", "/api/v1/me/notifications?offset=-1", tok, 400, "invalid", "offset"},
		{"unread not a boolean", "GET", "/api/v1/me/notifications?unread=maybe", tok, 400, "invalid", "unread"},
		{"no such notice", "POST", "/api/v1/me/notifications/" + uuid.NewString() + "/read", tok, 404, "not_found", ""},
		{"not an id", "POST", "/api/v1/me/notifications/xyz/read", tok, 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token, NoValidate: tc.status == 400})
			if res.Status != tc.status || res.Code() != tc.code {
				t.Fatalf("got %d %s, want %d %s", res.Status, res.Body, tc.status, tc.code)
			}
			if tc.field != "" {
				var body struct{ Fields map[string]string }
				res.JSON(t, &body)
				if body.Fields[tc.field] == "" {
					t.Errorf("got fields %v, want one naming %s", body.Fields, tc.field)
				}
			}
		})
	}
}

func TestRemindChecksItsInput(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	agent := env.User("agent@x.test", auth.RoleAgent)
	id := uuid.MustParse(agent.ID)
	cases := []struct {
		name  string
		r     notify.Reminder
		code  apperr.Code
		field string
	}{
		{"no user", notify.Reminder{Kind: "x", Key: "k", Title: "t"}, apperr.Invalid, "user_id"},
		{"bad kind", notify.Reminder{UserID: id, Kind: "Task Due", Key: "k", Title: "t"}, apperr.Invalid, "kind"},
		{"no key", notify.Reminder{UserID: id, Kind: "x", Title: "t"}, apperr.Invalid, "key"},
		{"blank title", notify.Reminder{UserID: id, Kind: "x", Key: "k", Title: "  "}, apperr.Invalid, "title"},
		{"unknown user", notify.Reminder{UserID: uuid.New(), Kind: "x", Key: "k", Title: "t"}, apperr.NotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := env.App.Notify.Remind(context.Background(), nil, tc.r)
			if apperr.CodeOf(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			var ae *apperr.Error
			if tc.field != "" && (!errors.As(err, &ae) || ae.Fields[tc.field] == "") {
				t.Errorf("got %v, want a problem with %s", err, tc.field)
			}
		})
	}
	var n int64
	env.DB.Model(&notify.Notification{}).Count(&n)
	if n != 0 {
		t.Errorf("notices after refused reminders: got %d, want 0", n)
	}
}
