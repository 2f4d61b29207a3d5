package roleplay_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

type previewView struct {
	OK       bool `json:"ok"`
	Problems []struct {
		Line    int    `json:"line"`
		Message string `json:"message"`
		TurnID  string `json:"turn_id"`
	} `json:"problems"`
	State   string `json:"state"`
	Seq     int    `json:"seq"`
	Current *struct {
		TurnID  string `json:"turn_id"`
		Kind    string `json:"kind"`
		Options []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"options"`
	} `json:"current"`
	Result *struct {
		Ending       string          `json:"ending"`
		Debrief      string          `json:"debrief"`
		Passed       bool            `json:"passed"`
		Overall      float64         `json:"overall"`
		Competencies json.RawMessage `json:"competencies"`
		Reasons      json.RawMessage `json:"reasons"`
	} `json:"result"`
}

func lateFeeText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "quizzes", "acme", "support", "late-fee.roleplay.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (f *fixture) preview(token, path string, body map[string]any) (*apitest.Response, previewView) {
	res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/roleplay-preview" + path, Token: token, Body: body})
	var v previewView
	if res.Status == 200 {
		res.JSON(f.env.T, &v)
	}
	return res, v
}

func runCount(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	if err := f.env.DB.Raw(`SELECT count(*) FROM roleplay_runs`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPreviewScoping(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	globex := f.env.ClientID("globex")
	f.env.User("trainer@acme.test", auth.RoleTrainer, f.acme)
	f.env.User("trainer@globex.test", auth.RoleTrainer, globex)
	f.env.User("trainer@none.test", auth.RoleTrainer)
	f.env.User("sup@acme.test", auth.RoleSupervisor, f.acme)
	agent := f.agent("agent@x.test")
	text := lateFeeText(t)
	tokens := map[string]string{
		"trainer of the client": f.env.Login("trainer@acme.test"),
		"trainer of another":    f.env.Login("trainer@globex.test"),
		"trainer of none":       f.env.Login("trainer@none.test"),
		"supervisor":            f.env.Login("sup@acme.test"),
		"agent":                 agent,
		"admin":                 f.admin,
		"anonymous":             "",
	}
	cases := []struct {
		who, client string
		want        int
	}{
		{"trainer of the client", "acme", 200},
		{"trainer of another", "acme", 403},
		{"trainer of none", "acme", 403},
		{"supervisor", "acme", 403},
		{"agent", "acme", 403},
		{"admin", "acme", 200},
		{"anonymous", "acme", 401},
		{"trainer of the client", "_core", 403},
		{"admin", "_core", 200},
		{"trainer of the client", "no-such-client", 403},
		{"admin", "no-such-client", 400},
	}
	for _, tc := range cases {
		for _, path := range []string{"", "/check"} {
			t.Run(tc.who+" "+tc.client+path, func(t *testing.T) {
				res, _ := f.preview(tokens[tc.who], path, map[string]any{"client": tc.client, "scenario": text})
				if res.Status != tc.want {
					t.Errorf("got %d %s, want %d", res.Status, res.Body, tc.want)
				}
			})
		}
	}
}

func TestPreviewPlaysLikeARealRun(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	f.env.User("trainer@acme.test", auth.RoleTrainer, f.acme)
	trainer := f.env.Login("trainer@acme.test")
	agent := f.agent("agent@x.test")
	text := lateFeeText(t)
	answers := []struct{ option, text string }{{"a", ""}, {"", "My apologies. What's your zip code? I'll reverse it."}, {"b", ""}}

	// The real run.
	res, v := f.start(agent, f.lateFee)
	if res.Status != 201 {
		t.Fatalf("start: got %d %s", res.Status, res.Body)
	}
	for _, a := range answers {
		if res, v = f.turn(agent, v, a.option, a.text); res.Status != 200 {
			t.Fatalf("turn: got %d %s", res.Status, res.Body)
		}
	}
	real := f.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/runs/" + v.ID + "/result", Token: agent})
	var want struct {
		Ending       string          `json:"ending"`
		Debrief      string          `json:"debrief"`
		Passed       bool            `json:"passed"`
		Overall      float64         `json:"overall"`
		Competencies json.RawMessage `json:"competencies"`
		Reasons      json.RawMessage `json:"reasons"`
	}
	real.JSON(t, &want)
	runs := runCount(t, f)

	// The same answers as a test run, one step at a time.
	var choices []string
	_, pv := f.preview(trainer, "", map[string]any{"client": "acme", "scenario": text, "choices": []string{}})
	if !pv.OK || pv.State != "in_progress" || pv.Current == nil || pv.Current.TurnID != "opening" || pv.Seq != 0 {
		t.Fatalf("start: got %+v", pv)
	}
	for _, a := range answers {
		choices = append(choices, a.option+a.text)
		res, pv = f.preview(trainer, "", map[string]any{"client": "acme", "scenario": text, "choices": choices})
		if res.Status != 200 {
			t.Fatalf("preview %v: got %d %s", choices, res.Status, res.Body)
		}
	}
	if pv.State != "finished" || pv.Current != nil || pv.Result == nil {
		t.Fatalf("got %s, want finished with a result", res.Body)
	}
	got := pv.Result
	if got.Ending != want.Ending || got.Passed != want.Passed || got.Overall != want.Overall || got.Debrief != want.Debrief ||
		string(got.Competencies) != string(want.Competencies) || string(got.Reasons) != string(want.Reasons) {
		t.Errorf("test run scored %+v, want the real run's %+v", got, want)
	}
	if n := runCount(t, f); n != runs {
		t.Errorf("runs: got %d after test runs, want %d (none written)", n, runs)
	}
	if n := f.env.AuditCount("roleplay.run_finished"); n != 1 {
		t.Errorf("roleplay.run_finished audits: got %d, want 1 (the real run's)", n)
	}
}

func TestPreviewBadChoices(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	text := lateFeeText(t)
	cases := []struct {
		name    string
		choices []string
		field   string
	}{
		{"unknown option", []string{"z"}, "choices[0]"},
		{"free text on a choice", []string{"I'm sorry"}, "choices[0]"},
		{"empty free text", []string{"a", "  "}, "choices[1]"},
		{"past the end", []string{"b", "b", "a"}, "choices[2]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := f.preview(f.admin, "", map[string]any{"client": "acme", "scenario": text, "choices": tc.choices})
			var e struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			}
			if res.Status == 400 {
				res.JSON(t, &e)
			}
			if res.Status != 400 || e.Fields[tc.field] == "" {
				t.Errorf("got %d %s, want 400 naming %s", res.Status, res.Body, tc.field)
			}
		})
	}
}

func TestPreviewCheckProblems(t *testing.T) {
	t.Parallel()
	f := setup(t, filepath.Join("testdata", "quizzes"))
	text := lateFeeText(t)
	cases := []struct {
		name, from, to string
		turn, message  string
	}{
		{"dangling next", "next: verify", "next: nowhere", "opening", `next "nowhere" names no turn or ending`},
		{"weights", "empathy: 25", "empathy: 30", "", "weights must sum to 100"},
		{"unreachable turn", "next: escalating", "next: lost", "escalating", "not reachable"},
		{"yaml", "turns:", "turns: [", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			broken := strings.Replace(text, tc.from, tc.to, 1)
			if broken == text {
				t.Fatalf("%q not in the file", tc.from)
			}
			for _, path := range []string{"/check", ""} {
				res, pv := f.preview(f.admin, path, map[string]any{"client": "acme", "scenario": broken, "choices": []string{"a"}})
				if res.Status != 200 || pv.OK || len(pv.Problems) == 0 || pv.Current != nil {
					t.Fatalf("%s: got %d %s, want problems", path, res.Status, res.Body)
				}
				found := false
				for _, p := range pv.Problems {
					if strings.Contains(p.Message, tc.message) && p.TurnID == tc.turn && p.Line > 0 {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: got %s, want a problem with %q in turn %q", path, res.Body, tc.message, tc.turn)
				}
			}
		})
	}
	res, pv := f.preview(f.admin, "/check", map[string]any{"client": "acme", "scenario": text})
	if res.Status != 200 || !pv.OK || len(pv.Problems) != 0 {
		t.Errorf("a good scenario: got %d %s, want ok", res.Status, res.Body)
	}
}
