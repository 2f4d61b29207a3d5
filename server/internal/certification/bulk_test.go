package certification_test

import (
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// TestEnrollMany: several agents in one request, all or none; every refused
// item named by its index and the agent's name; scoped like one enrollment.
func TestEnrollMany(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo()
	bank := env.ClientID("fenmore-bank")
	utility := env.ClientID("cinder-valley-electric")
	cards := env.ProgramID("fenmore-bank", "card-services")
	env.User("trainer@bank.test", auth.RoleTrainer, bank)
	env.User("trainer@utility.test", auth.RoleTrainer, utility)
	env.User("compliance@x.test", auth.RoleCompliance)
	env.User("admin@x.test", auth.RoleAdmin)
	ada := env.User("ada@bank.test", auth.RoleAgent, bank)
	bo := env.User("bo@bank.test", auth.RoleAgent, bank)
	cy := env.User("cy@bank.test", auth.RoleAgent, bank)
	outsider := env.User("dee@utility.test", auth.RoleAgent, utility)
	sup := env.User("supervisor@bank.test", auth.RoleSupervisor, bank)
	trainer := env.Login("trainer@bank.test")
	path := "/api/v1/programs/" + cards + "/enrollments/bulk"
	body := func(ids ...string) map[string]any { return map[string]any{"user_ids": ids} }
	enrolled := func() int {
		var n int
		env.DB.Raw(`SELECT count(*) FROM certifications WHERE program_id = ?`, cards).Scan(&n)
		return n
	}

	// One bad item refuses them all, naming each problem.
	res := env.Do(apitest.Request{Method: "POST", Path: path, Token: trainer, Body: body(ada.ID, outsider.ID, sup.ID, ada.ID, "nope")})
	if res.Status != 400 || res.Code() != "invalid" {
		t.Fatalf("mixed batch: got %d %s, want 400 invalid", res.Status, res.Body)
	}
	var bad struct{ Fields map[string]string }
	res.JSON(t, &bad)
	for field, want := range map[string]string{
		"user_ids[1]": "dee@utility.test is not an agent of the client of", "user_ids[2]": "supervisor@bank.test is not an active agent",
		"user_ids[3]": "is listed twice (also user_ids[0])", "user_ids[4]": "must be a user id",
	} {
		if !strings.Contains(bad.Fields[field], want) {
			t.Errorf("%s: got %q, want %q", field, bad.Fields[field], want)
		}
	}
	if _, ok := bad.Fields["user_ids[0]"]; ok || len(bad.Fields) != 4 {
		t.Errorf("fields: got %v, want the four bad items only", bad.Fields)
	}
	if n := enrolled(); n != 0 || env.AuditCount("certification.enroll") != 0 {
		t.Fatalf("after a refused batch: %d enrolled, %d audited; want none", n, env.AuditCount("certification.enroll"))
	}

	// All good: all enrolled, each audited.
	var ok struct {
		Enrollments []struct {
			UserID string `json:"user_id"`
			State  string `json:"state"`
		}
	}
	res = env.Do(apitest.Request{Method: "POST", Path: path, Token: trainer, Body: body(ada.ID, bo.ID)})
	if res.Status != 201 {
		t.Fatalf("good batch: got %d %s", res.Status, res.Body)
	}
	res.JSON(t, &ok)
	if len(ok.Enrollments) != 2 || ok.Enrollments[0].UserID != ada.ID || ok.Enrollments[1].UserID != bo.ID || ok.Enrollments[0].State != "in_training" {
		t.Errorf("good batch: got %+v, want Ada then Bo in training", ok.Enrollments)
	}
	if n := env.AuditCount("certification.enroll"); n != 2 {
		t.Errorf("audit entries: got %d, want 2", n)
	}

	// A retry of the same batch refuses both as enrolled and changes nothing.
	res = env.Do(apitest.Request{Method: "POST", Path: path, Token: trainer, Body: body(cy.ID, bo.ID)})
	res.JSON(t, &bad)
	if res.Status != 400 || !strings.Contains(bad.Fields["user_ids[1]"], "bo@bank.test is already enrolled") || enrolled() != 2 {
		t.Errorf("with one enrolled already: got %d %v and %d enrolled, want 400 naming Bo and still 2", res.Status, bad.Fields, enrolled())
	}

	cases := []struct {
		name, token string
		body        any
		status      int
		code        string
	}{
		{"signed out", "", body(cy.ID), 401, "unauthorized"},
		{"an agent", env.Login("ada@bank.test"), body(cy.ID), 403, "forbidden"},
		{"compliance", env.Login("compliance@x.test"), body(cy.ID), 403, "forbidden"},
		{"another client's trainer", env.Login("trainer@utility.test"), body(cy.ID), 403, "forbidden"},
		{"nobody named", trainer, body(), 400, "invalid"},
		{"too many", trainer, body(strings.Split(strings.Repeat(cy.ID+",", 201), ",")[:201]...), 400, "invalid"},
		{"admin enrolls another client's agent", env.Login("admin@x.test"), body(cy.ID, outsider.ID), 201, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(apitest.Request{Method: "POST", Path: path, Token: tc.token, Body: tc.body})
			if res.Status != tc.status || res.Code() != tc.code {
				t.Fatalf("got %d %s, want %d %q", res.Status, res.Body, tc.status, tc.code)
			}
		})
	}
}
