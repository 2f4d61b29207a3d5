package roleplay_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

type listed struct {
	Roleplays []struct {
		ID              string     `json:"id"`
		Slug            string     `json:"slug"`
		Title           string     `json:"title"`
		Signoff         bool       `json:"signoff"`
		AttemptsAllowed int        `json:"attempts_allowed"`
		AttemptsUsed    int        `json:"attempts_used"`
		OpenRunID       *string    `json:"open_run_id"`
		NextStartAt     *time.Time `json:"next_start_at"`
		CanStart        bool       `json:"can_start"`
		Passed          bool       `json:"passed"`
	} `json:"roleplays"`
}

func (f *fixture) list(t *testing.T, token string) listed {
	t.Helper()
	res := f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + f.program + "/roleplays", Token: token})
	if res.Status != 200 {
		t.Fatalf("list: got %d %s, want 200", res.Status, res.Body)
	}
	var l listed
	res.JSON(t, &l)
	return l
}

func TestListAndAbandon(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	agent := f.agent("agent@x.test")
	lateFee := func(l listed) int {
		for i, rp := range l.Roleplays {
			if rp.ID == f.lateFee {
				return i
			}
		}
		t.Fatalf("late-fee is not listed: %+v", l)
		return -1
	}

	l := f.list(t, agent)
	rp := l.Roleplays[lateFee(l)]
	if rp.Title == "" || !rp.Signoff || rp.AttemptsAllowed != 3 || rp.AttemptsUsed != 0 || !rp.CanStart || rp.OpenRunID != nil || rp.Passed {
		t.Errorf("before any run: got %+v, want a startable scenario with sign-off and 3 attempts", rp)
	}

	_, v := f.start(agent, f.lateFee)
	l = f.list(t, agent)
	rp = l.Roleplays[lateFee(l)]
	if rp.OpenRunID == nil || *rp.OpenRunID != v.ID || rp.CanStart {
		t.Errorf("with a run open: got %+v, want the open run to resume and no new start", rp)
	}

	other := f.agent("other@x.test")
	if res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/runs/" + v.ID + "/abandon", Token: other}); res.Status != 404 {
		t.Errorf("abandoning another agent's run: got %d, want 404", res.Status)
	}
	res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/runs/" + v.ID + "/abandon", Token: agent})
	var result struct {
		State   string `json:"state"`
		Outcome string `json:"outcome"`
		Passed  bool   `json:"passed"`
	}
	res.JSON(t, &result)
	if res.Status != 200 || result.Outcome != "lost" || result.Passed || result.State != "finished" {
		t.Errorf("abandon: got %d %s, want a finished, lost, failed run", res.Status, res.Body)
	}
	if res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/runs/" + v.ID + "/abandon", Token: agent}); res.Status != 409 {
		t.Errorf("abandoning twice: got %d, want 409", res.Status)
	}

	l = f.list(t, agent)
	rp = l.Roleplays[lateFee(l)]
	if rp.AttemptsUsed != 1 || rp.OpenRunID != nil || rp.CanStart || rp.NextStartAt == nil || !rp.NextStartAt.Equal(apitest.Start.Add(time.Hour)) {
		t.Errorf("after abandoning: got %+v, want 1 attempt used and the next start in an hour", rp)
	}
	f.env.Clock.Advance(time.Hour)
	agent = f.env.Login("agent@x.test") // access tokens last 15 minutes
	if l = f.list(t, agent); !l.Roleplays[lateFee(l)].CanStart {
		t.Errorf("after the wait: got %+v, want a start allowed", l.Roleplays[lateFee(l)])
	}

	// Someone not enrolled, and another client's trainer, see no such program.
	f.env.User("idle@x.test", auth.RoleAgent)
	if res := f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + f.program + "/roleplays", Token: f.env.Login("idle@x.test")}); res.Status != 404 {
		t.Errorf("agent not enrolled: got %d, want 404", res.Status)
	}
}
