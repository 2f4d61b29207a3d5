package onboarding_test

import (
	"encoding/json"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

func TestPermissionsAndBadInput(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	cohort := f.cohort("2026-03-05")
	agent := env.User("ada@x.test", auth.RoleAgent, f.acme)
	env.User("outsider@x.test", auth.RoleTrainer, f.other)
	env.User("compliance@x.test", auth.RoleCompliance)
	env.User("admin@x.test", auth.RoleAdmin)
	otherTrainer := env.User("globex-trainer@x.test", auth.RoleTrainer, f.other)
	tokens := map[string]string{
		"agent": env.Login("ada@x.test"), "outsider": env.Login("outsider@x.test"),
		"compliance": env.Login("compliance@x.test"), "admin": env.Login("admin@x.test"),
		"trainer": f.trainer, "supervisor": f.supervisor,
	}
	good := func(over map[string]any) map[string]any {
		b := map[string]any{"name": "April hires", "start_date": "2026-04-06", "trainer_id": f.trainerID, "program_ids": []string{f.program}}
		for k, v := range over {
			b[k] = v
		}
		return b
	}
	base := "/api/v1/cohorts/" + cohort
	tests := []struct {
		name, who, method, path string
		body                    any
		status                  int
		field                   string
	}{
		{"no token", "", "GET", "/api/v1/cohorts", nil, 401, ""},
		{"agent creates", "agent", "POST", "/api/v1/cohorts", good(nil), 403, ""},
		{"compliance creates", "compliance", "POST", "/api/v1/cohorts", good(nil), 403, ""},
		{"outsider creates", "outsider", "POST", "/api/v1/cohorts", good(nil), 403, ""},
		{"supervisor creates", "supervisor", "POST", "/api/v1/cohorts", good(nil), 201, ""},
		{"admin creates", "admin", "POST", "/api/v1/cohorts", good(nil), 201, ""},
		{"empty name", "trainer", "POST", "/api/v1/cohorts", good(map[string]any{"name": "  "}), 400, "name"},
		{"bad date", "trainer", "POST", "/api/v1/cohorts", good(map[string]any{"start_date": "06/04/2026"}), 400, "start_date"},
		{"trainer not a uuid", "trainer", "POST", "/api/v1/cohorts", good(map[string]any{"trainer_id": "x"}), 400, "trainer_id"},
		{"trainer is an agent", "trainer", "POST", "/api/v1/cohorts", good(map[string]any{"trainer_id": agent.ID}), 400, "trainer_id"},
		{"trainer of another client", "trainer", "POST", "/api/v1/cohorts", good(map[string]any{"trainer_id": otherTrainer.ID}), 400, "trainer_id"},
		{"no programs", "trainer", "POST", "/api/v1/cohorts", good(map[string]any{"program_ids": []string{}}), 400, "program_ids"},
		{"unknown program", "trainer", "POST", "/api/v1/cohorts", good(map[string]any{"program_ids": []string{agent.ID}}), 400, "program_ids"},
		{"program twice", "trainer", "POST", "/api/v1/cohorts", good(map[string]any{"program_ids": []string{f.program, f.program}}), 400, "program_ids"},
		{"agent reads", "agent", "GET", base, nil, 403, ""},
		{"outsider reads", "outsider", "GET", base, nil, 404, ""},
		{"outsider's matrix", "outsider", "GET", base + "/progress", nil, 404, ""},
		{"outsider's refreshers", "outsider", "GET", "/api/v1/programs/" + f.program + "/refreshers", nil, 403, ""},
		{"compliance reads", "compliance", "GET", base + "/progress", nil, 200, ""},
		{"compliance adds", "compliance", "POST", base + "/members", map[string]string{"user_id": agent.ID}, 403, ""},
		{"missing cohort", "trainer", "GET", "/api/v1/cohorts/not-a-uuid", nil, 404, ""},
		{"member not an agent", "trainer", "POST", base + "/members", map[string]string{"user_id": f.trainerID}, 400, "user_id"},
		{"member not a uuid", "trainer", "POST", base + "/members", map[string]string{"user_id": "ada"}, 400, "user_id"},
		{"member added", "trainer", "POST", base + "/members", map[string]string{"user_id": agent.ID}, 201, ""},
		{"member twice", "trainer", "POST", base + "/members", map[string]string{"user_id": agent.ID}, 409, ""},
		{"bad day off", "trainer", "PUT", base + "/calendar", map[string]any{"days_off": []string{"monday"}}, 400, "days_off"},
		{"day twice", "trainer", "PUT", base + "/calendar", map[string]any{"days_off": []string{"2026-03-09", "2026-03-09"}}, 400, "days_off"},
		{"off and working", "trainer", "PUT", base + "/calendar", map[string]any{"days_off": []string{"2026-03-09"}, "working_days": []string{"2026-03-09"}}, 400, "working_days"},
		{"outsider calendar", "outsider", "PUT", base + "/calendar", map[string]any{}, 404, ""},
		{"agent's own", "agent", "GET", "/api/v1/me/onboarding", nil, 200, ""},
		{"remove missing member", "trainer", "DELETE", base + "/members/" + f.trainerID, nil, 404, ""},
		{"remove member", "trainer", "DELETE", base + "/members/" + agent.ID, nil, 204, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tokens[tc.who], Body: tc.body})
			if res.Status != tc.status {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.status)
			}
			if tc.field != "" {
				var e struct {
					Fields map[string]string `json:"fields"`
				}
				_ = json.Unmarshal(res.Body, &e)
				if e.Fields[tc.field] == "" {
					t.Errorf("fields: got %s, want %s named", res.Body, tc.field)
				}
			}
		})
	}
	// The outsider's list leaves the cohort out; compliance sees all three.
	var list struct {
		Cohorts []struct{ ID string } `json:"cohorts"`
	}
	f.do(tokens["outsider"], "GET", "/api/v1/cohorts", nil, 200, &list)
	if len(list.Cohorts) != 0 {
		t.Errorf("outsider's cohorts: got %d, want 0", len(list.Cohorts))
	}
	f.do(tokens["compliance"], "GET", "/api/v1/cohorts", nil, 200, &list)
	if len(list.Cohorts) != 3 {
		t.Errorf("compliance's cohorts: got %d, want 3", len(list.Cohorts))
	}
	if n := env.AuditCount("cohort.create"); n != 3 {
		t.Errorf("cohort.create audit entries: got %d, want 3", n)
	}
}
