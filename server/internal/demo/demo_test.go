package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/demo"
	"github.com/skillgate/skillgate/server/internal/logx"
)

func TestSeedBuildsTheCenterOnce(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo()
	ctx := context.Background()
	if _, err := env.App.Auth.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := demo.Seed(ctx, env.App.Config, logx.Discard(), env.DB, apitest.Start)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped || rep.CohortID == "" || len(rep.Agents) != 8 {
		t.Fatalf("report: got %+v, want a cohort and 8 agents", rep)
	}
	states := func(email string) map[string]string {
		var rows []struct{ Slug, State string }
		env.DB.Raw(`SELECT p.slug, c.state FROM certifications c JOIN programs p ON p.id = c.program_id
			JOIN users u ON u.id = c.user_id WHERE u.email = ? ORDER BY p.slug`, email).Scan(&rows)
		out := map[string]string{}
		for _, r := range rows {
			out[r.Slug] = r.State
		}
		return out
	}
	for email, want := range map[string]map[string]string{
		"priya.raman@demo.skillgate.test": {"card-services": "refresher_due", "customer-care": "certified"},
		"marcus.bell@demo.skillgate.test": {"billing": "certified", "card-services": "certified"},
		"lena.ortiz@demo.skillgate.test":  {"billing": "certified", "customer-care": "certified", "outages": "in_training"},
		"ana.silva@demo.skillgate.test":   {"card-services": "in_training"},
	} {
		got := states(email)
		for slug, st := range want {
			if got[slug] != st {
				t.Errorf("%s %s: got %q, want %q", email, slug, got[slug], st)
			}
		}
	}
	var refreshers, pending int
	env.DB.Raw(`SELECT count(*) FROM refresher_assignments WHERE closed_at IS NULL`).Scan(&refreshers)
	env.DB.Raw(`SELECT count(*) FROM roleplay_runs WHERE state = 'pending_review'`).Scan(&pending)
	if refreshers != 1 || pending != 1 {
		t.Errorf("open refreshers %d, runs awaiting sign-off %d: want 1 and 1", refreshers, pending)
	}
	var licenses []string
	env.DB.Raw(`SELECT status || ' ' || jurisdiction FROM licenses ORDER BY jurisdiction`).Scan(&licenses)
	if strings.Join(licenses, ", ") != "pending FL, verified TX" {
		t.Errorf("licenses: got %v, want pending FL, verified TX", licenses)
	}

	// The cohort's paces, as its trainer sees them.
	login := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{
		"email": "trainer@demo.skillgate.test", "password": "trainer-demo-skillgate", "refresh_token_delivery": "body"}})
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	login.JSON(t, &tk)
	token := tk.AccessToken
	var m struct {
		Rows []struct {
			Email  string `json:"email"`
			Status string `json:"status"`
			Done   int    `json:"done"`
		} `json:"rows"`
	}
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/cohorts/" + rep.CohortID + "/progress", Token: token})
	if res.Status != 200 {
		t.Fatalf("matrix: got %d %s", res.Status, res.Body)
	}
	res.JSON(t, &m)
	got := map[string]string{}
	for _, r := range m.Rows {
		got[r.Email] = r.Status
	}
	for email, want := range map[string]string{
		"ana.silva@demo.skillgate.test": "on_track", "ben.carter@demo.skillgate.test": "on_track",
		"chloe.nguyen@demo.skillgate.test": "behind", "dev.patel@demo.skillgate.test": "behind",
		"ema.kowalski@demo.skillgate.test": "on_track",
	} {
		if got[email] != want {
			t.Errorf("%s: got %q, want %q", email, got[email], want)
		}
	}

	var risk struct {
		Agents []struct {
			Email string `json:"email"`
		} `json:"agents"`
	}
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/cohorts/" + rep.CohortID + "/at-risk", Token: token})
	res.JSON(t, &risk)
	var atRisk []string
	for _, a := range risk.Agents {
		atRisk = append(atRisk, a.Email)
	}
	if got, want := strings.Join(atRisk, " "), "chloe.nguyen@demo.skillgate.test dev.patel@demo.skillgate.test ema.kowalski@demo.skillgate.test"; got != want {
		t.Errorf("at risk: got %s, want %s", got, want)
	}

	var st struct {
		Competencies []struct {
			Roleplay string  `json:"roleplay"`
			Average  float64 `json:"average"`
		} `json:"competencies"`
	}
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/cohorts/" + rep.CohortID + "/stats", Token: token})
	res.JSON(t, &st)
	if len(st.Competencies) == 0 || st.Competencies[0].Average <= 0 {
		t.Errorf("competency averages: got %+v, want Ana's runs scored", st.Competencies)
	}

	again, err := demo.Seed(ctx, env.App.Config, logx.Discard(), env.DB, apitest.Start)
	if err != nil || !again.Skipped {
		t.Fatalf("second seed: got %+v %v, want skipped", again, err)
	}
}
