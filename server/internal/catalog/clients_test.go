package catalog_test

import (
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

func TestClientVisibility(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo()
	bank, utility := env.ClientID("fenmore-bank"), env.ClientID("cinder-valley-electric")
	env.User("admin@x.test", auth.RoleAdmin)
	env.User("trainer@bank.test", auth.RoleTrainer, bank)
	agent := env.User("agent@x.test", auth.RoleAgent)
	env.User("idle@x.test", auth.RoleAgent)
	trainer := env.Login("trainer@bank.test")
	if res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/programs/" + env.ProgramID("cinder-valley-electric", "outages") + "/enrollments",
		Token: env.Login("admin@x.test"), Body: map[string]string{"user_id": agent.ID}}); res.Status != 201 {
		t.Fatalf("enroll: got %d %s", res.Status, res.Body)
	}
	cases := []struct {
		name  string
		token string
		want  []string
	}{
		{"admin sees all", env.Login("admin@x.test"), []string{"cinder-valley-electric", "fenmore-bank", "larkspur-life", "voltcrate"}},
		{"trainer sees their client", trainer, []string{"fenmore-bank"}},
		{"agent sees the clients of their programs", env.Login("agent@x.test"), []string{"cinder-valley-electric"}},
		{"agent without programs sees none", env.Login("idle@x.test"), []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body struct {
				Clients []struct{ Slug string } `json:"clients"`
			}
			res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/clients", Token: tc.token})
			res.JSON(t, &body)
			got := []string{}
			for _, c := range body.Clients {
				got = append(got, c.Slug)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	if res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/clients/" + utility, Token: trainer}); res.Status != 404 {
		t.Errorf("got %d, want 404 for a client the trainer may not see", res.Status)
	}
	if res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/clients/" + bank, Token: trainer}); res.Status != 200 {
		t.Errorf("got %d, want 200 for the trainer's own client", res.Status)
	}
}
