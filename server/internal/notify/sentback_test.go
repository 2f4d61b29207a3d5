package notify_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/notify"
)

// The sent-back reminder from a real review, through the role-play API.
func TestARunSentBackThroughTheAPIRemindsTheAgent(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	lib := filepath.Join(apitest.RepoRoot(), "server", "internal", "roleplay", "testdata")
	env.Import(filepath.Join(lib, "content"), filepath.Join(lib, "quizzes"))
	support := env.ProgramID("acme", "support")
	env.User("admin@x.test", auth.RoleAdmin)
	env.User("sup@acme.test", auth.RoleSupervisor, env.ClientID("acme"))
	agent := env.User("agent@x.test", auth.RoleAgent)
	must := func(method, path, token string, body any, want int) *apitest.Response {
		t.Helper()
		res := env.Do(apitest.Request{Method: method, Path: path, Token: token, Body: body})
		if res.Status != want {
			t.Fatalf("%s %s: got %d %s, want %d", method, path, res.Status, res.Body, want)
		}
		return res
	}
	must("POST", "/api/v1/programs/"+support+"/enrollments", env.Login("admin@x.test"), map[string]string{"user_id": agent.ID}, 201)
	tok := env.Login(agent.Email)
	var lateFee string
	env.DB.Raw(`SELECT id FROM roleplays WHERE slug = 'late-fee'`).Scan(&lateFee)
	var run struct {
		ID      string `json:"id"`
		Seq     int    `json:"seq"`
		Current *struct {
			TurnID string `json:"turn_id"`
		} `json:"current"`
	}
	must("POST", "/api/v1/roleplays/"+lateFee+"/runs", tok, nil, 201).JSON(t, &run)
	for _, a := range []map[string]any{{"option_id": "a"}, {"text": "I'm sorry. Can you confirm your date of birth? I'll remove the fee."}, {"option_id": "a"}} {
		a["seq"], a["turn_id"] = run.Seq, run.Current.TurnID
		must("POST", "/api/v1/runs/"+run.ID+"/turns", tok, a, 200).JSON(t, &run)
	}
	if n, err := env.App.Notify.RunRemindersOnce(context.Background()); err != nil || n != 0 {
		t.Fatalf("awaiting review: got %d reminders, %v; want none", n, err)
	}
	must("POST", "/api/v1/runs/"+run.ID+"/review", env.Login("sup@acme.test"),
		map[string]string{"decision": "send_back", "note": "Verify the caller before you waive anything."}, 200)
	if n, err := env.App.Notify.RunRemindersOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("after the send-back: got %d reminders, %v; want 1", n, err)
	}
	in := inboxOf(t, env, tok, "")
	if len(in.Notifications) != 1 {
		t.Fatalf("inbox: got %+v, want one notice", in.Notifications)
	}
	n := in.Notifications[0]
	if n.Kind != notify.KindRoleplaySentBack || n.Key != "roleplay-sent-back:"+run.ID || n.Link != "/training/"+support+"/roleplay/"+run.ID ||
		n.Body != "A supervisor sent your run back: Verify the caller before you waive anything. Play it again when you are ready." {
		t.Errorf("notice: got %+v", n)
	}
}
