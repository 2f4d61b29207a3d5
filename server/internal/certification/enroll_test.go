package certification_test

import (
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

func TestEnrollment(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo()
	bank := env.ClientID("fenmore-bank")
	cards := env.ProgramID("fenmore-bank", "card-services")
	env.User("trainer@bank.test", auth.RoleTrainer, bank)
	env.User("trainer@utility.test", auth.RoleTrainer, env.ClientID("cinder-valley-electric"))
	env.User("compliance@x.test", auth.RoleCompliance)
	agent := env.User("agent@x.test", auth.RoleAgent, bank)
	other := env.User("agent2@x.test", auth.RoleAgent, bank)
	supervisor := env.User("supervisor@bank.test", auth.RoleSupervisor, bank)
	utilityAgent := env.User("agent@utility.test", auth.RoleAgent, env.ClientID("cinder-valley-electric"))
	bankTrainer := env.Login("trainer@bank.test")
	utilityTrainer := env.Login("trainer@utility.test")
	compliance := env.Login("compliance@x.test")
	agentToken := env.Login("agent@x.test")

	path := "/api/v1/programs/" + cards + "/enrollments"
	cases := []struct {
		name       string
		method     string
		path       string
		token      string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"signed out", "POST", path, "", map[string]string{"user_id": agent.ID}, 401, "unauthorized"},
		{"agent may not enroll", "POST", path, agentToken, map[string]string{"user_id": agent.ID}, 403, "forbidden"},
		{"trainer of another client", "POST", path, utilityTrainer, map[string]string{"user_id": agent.ID}, 403, "forbidden"},
		{"compliance may not enroll", "POST", path, compliance, map[string]string{"user_id": agent.ID}, 403, "forbidden"},
		{"bad user id", "POST", path, bankTrainer, map[string]string{"user_id": "nope"}, 400, "invalid"},
		{"only agents", "POST", path, bankTrainer, map[string]string{"user_id": supervisor.ID}, 400, "invalid"},
		{"not an agent of the program's client", "POST", path, bankTrainer, map[string]string{"user_id": utilityAgent.ID}, 400, "invalid"},
		{"unknown program", "POST", "/api/v1/programs/00000000-0000-0000-0000-000000000000/enrollments", bankTrainer, map[string]string{"user_id": agent.ID}, 404, "not_found"},
		{"enrolls", "POST", path, bankTrainer, map[string]string{"user_id": agent.ID}, 201, ""},
		{"twice is a conflict", "POST", path, bankTrainer, map[string]string{"user_id": agent.ID}, 409, "conflict"},
		{"enrolls another", "POST", path, bankTrainer, map[string]string{"user_id": other.ID}, 201, ""},
		{"compliance lists", "GET", path, compliance, nil, 200, ""},
		{"other client's trainer may not list", "GET", path, utilityTrainer, nil, 403, "forbidden"},
		{"withdraws", "DELETE", path + "/" + other.ID, bankTrainer, nil, 204, ""},
		{"withdrawn is gone", "DELETE", path + "/" + other.ID, bankTrainer, nil, 404, "not_found"},
	}
	for _, tc := range cases {
		res := env.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token, Body: tc.body})
		if res.Status != tc.wantStatus || res.Code() != tc.wantCode {
			t.Errorf("%s: got %d %s, want %d %q", tc.name, res.Status, res.Body, tc.wantStatus, tc.wantCode)
		}
	}

	var list struct {
		Enrollments []struct {
			UserID string `json:"user_id"`
			State  string `json:"state"`
		} `json:"enrollments"`
	}
	env.Do(apitest.Request{Method: "GET", Path: path, Token: bankTrainer}).JSON(t, &list)
	if len(list.Enrollments) != 1 || list.Enrollments[0].UserID != agent.ID || list.Enrollments[0].State != "in_training" {
		t.Errorf("got %+v, want the one remaining enrollment", list.Enrollments)
	}
	if got := env.AuditCount("certification.enroll"); got != 2 {
		t.Errorf("got %d enroll audit rows, want 2", got)
	}
	if got := env.AuditCount("certification.withdraw"); got != 1 {
		t.Errorf("got %d withdraw audit rows, want 1", got)
	}
	ids, err := env.App.Certification.ProgramIDsForUser(t.Context(), agent.ID)
	if err != nil || len(ids) != 1 || ids[0] != cards {
		t.Errorf("got programs %v (%v), want [%s]", ids, err, cards)
	}
}
