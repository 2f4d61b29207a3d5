package roleplay_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

type competencyResult struct {
	Competency string  `json:"competency"`
	Score      float64 `json:"score"`
	Minimum    *int    `json:"minimum"`
	Exercised  bool    `json:"exercised"`
}

type summaryBody struct {
	Runs         int      `json:"runs"`
	Passed       int      `json:"passed"`
	MeanOverall  *float64 `json:"mean_overall"`
	Competencies []struct {
		Competency   string   `json:"competency"`
		Exercised    int      `json:"exercised"`
		MeanScore    *float64 `json:"mean_score"`
		Minimum      *int     `json:"minimum"`
		BelowMinimum int      `json:"below_minimum"`
	} `json:"competencies"`
}

// The summary agrees with the runs' own results: counts, means and runs
// under a minimum, leaving out runs in progress and unexercised competencies.
func TestCompetencySummary(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	f.env.User("trainer@acme.test", auth.RoleTrainer, f.acme)
	f.env.User("sup@globex.test", auth.RoleSupervisor, f.env.ClientID("globex"))
	trainer, other := f.env.Login("trainer@acme.test"), f.env.Login("sup@globex.test")
	path := "/api/v1/roleplays/" + f.lateFee + "/competencies"

	var empty summaryBody
	if res := f.env.Do(apitest.Request{Method: "GET", Path: path, Token: trainer}); res.Status != 200 {
		t.Fatalf("no runs: got %d %s", res.Status, res.Body)
	} else if res.JSON(t, &empty); empty.Runs != 0 || empty.MeanOverall != nil || len(empty.Competencies) != 0 {
		t.Errorf("no runs: got %+v, want nothing counted", empty)
	}

	// A passing run, a run that discloses the account unverified and loses the customer, and one in progress.
	agent := f.agent("agent@x.test")
	passed := f.pass(t, agent)
	agent2 := f.agent("agent2@x.test")
	res, v := f.start(agent2, f.lateFee)
	if res.Status != 201 {
		t.Fatalf("start: %d %s", res.Status, res.Body)
	}
	_, v = f.turn(agent2, v, "b", "")
	if _, v = f.turn(agent2, v, "b", ""); v.State != "finished" {
		t.Fatalf("failing run: got state %s", v.State)
	}
	failed := v.ID
	agent3 := f.agent("agent3@x.test")
	if res, _ := f.start(agent3, f.lateFee); res.Status != 201 {
		t.Fatalf("start in progress: %d", res.Status)
	}

	// What the summary should say, from the two results.
	type want struct {
		n     int
		sum   float64
		below int
		min   *int
	}
	wants := map[string]*want{}
	var overall float64
	passes := 0
	for _, id := range []string{passed, failed} {
		var r struct {
			Overall      float64            `json:"overall"`
			Passed       bool               `json:"passed"`
			State        string             `json:"state"`
			Competencies []competencyResult `json:"competencies"`
		}
		f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/runs/" + id + "/result", Token: trainer}).JSON(t, &r)
		overall += r.Overall
		// A run awaiting sign-off passed on its score.
		if r.Passed || r.State == "pending_review" {
			passes++
		}
		for _, c := range r.Competencies {
			w := wants[c.Competency]
			if w == nil {
				w = &want{}
				wants[c.Competency] = w
			}
			w.min = c.Minimum
			if c.Exercised {
				w.n++
				w.sum += c.Score
				if c.Minimum != nil && c.Score < float64(*c.Minimum) {
					w.below++
				}
			}
		}
	}

	var got summaryBody
	res = f.env.Do(apitest.Request{Method: "GET", Path: path, Token: trainer})
	if res.Status != 200 {
		t.Fatalf("summary: got %d %s", res.Status, res.Body)
	}
	res.JSON(t, &got)
	if got.Runs != 2 || got.Passed != passes || got.MeanOverall == nil || math.Abs(*got.MeanOverall-overall/2) > 0.01 {
		t.Errorf("got runs %d passed %d mean %v, want 2, %d, %.2f", got.Runs, got.Passed, got.MeanOverall, passes, overall/2)
	}
	if len(got.Competencies) != len(wants) {
		t.Fatalf("got %d competencies, want %d: %s", len(got.Competencies), len(wants), res.Body)
	}
	anyBelow := false
	for _, c := range got.Competencies {
		w := wants[c.Competency]
		if w == nil {
			t.Errorf("unexpected competency %q", c.Competency)
			continue
		}
		anyBelow = anyBelow || c.BelowMinimum > 0
		if c.Exercised != w.n || c.BelowMinimum != w.below || (w.min == nil) != (c.Minimum == nil) || (w.min != nil && *w.min != *c.Minimum) {
			t.Errorf("%s: got %+v, want exercised %d, below %d, minimum %v", c.Competency, c, w.n, w.below, w.min)
		}
		if w.n == 0 {
			if c.MeanScore != nil {
				t.Errorf("%s: got mean %v for a competency never exercised", c.Competency, *c.MeanScore)
			}
		} else if c.MeanScore == nil || math.Abs(*c.MeanScore-w.sum/float64(w.n)) > 0.01 {
			t.Errorf("%s: got mean %v, want %.2f", c.Competency, c.MeanScore, w.sum/float64(w.n))
		}
	}
	if !anyBelow {
		t.Errorf("got no run under a minimum, want the lost run under compliance's: %s", res.Body)
	}

	for _, tc := range []struct {
		name  string
		path  string
		token string
		want  int
	}{
		{"agent", path, agent, 403},
		{"another client's supervisor", path, other, 404},
		{"admin", path, f.admin, 200},
		{"no such role-play", "/api/v1/roleplays/00000000-0000-0000-0000-000000000000/competencies", trainer, 404},
		{"not an id", "/api/v1/roleplays/nope/competencies", trainer, 404},
	} {
		if res := f.env.Do(apitest.Request{Method: "GET", Path: tc.path, Token: tc.token}); res.Status != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.name, res.Status, res.Body, tc.want)
		}
	}
}
