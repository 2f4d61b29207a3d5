package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/notify"
)

// inboxOf lists the user's inbox through the API.
func inboxOf(t *testing.T, env *apitest.Env, token, query string) notify.Inbox {
	t.Helper()
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/me/notifications" + query, Token: token})
	if res.Status != 200 {
		t.Fatalf("GET inbox%s: got %d %s, want 200", query, res.Status, res.Body)
	}
	var in notify.Inbox
	res.JSON(t, &in)
	return in
}

// remind creates a notice through the service, failing the test on error.
func remind(t *testing.T, env *apitest.Env, userID, key, title string) {
	t.Helper()
	err := env.App.Notify.Remind(context.Background(), nil, notify.Reminder{UserID: uuid.MustParse(userID),
		Kind: "test.notice", Key: key, Title: title, Body: "body of " + key, Link: "/training"})
	if err != nil {
		t.Fatalf("remind %s: %v", key, err)
	}
}

// keys lists the notices' keys in order.
func keys(ns []notify.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Key
	}
	return out
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
