package demo_test

import (
	"context"
	"maps"
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
	if rep.Skipped || rep.CohortID == "" || len(rep.Agents) != 9 {
		t.Fatalf("report: got %+v, want a cohort and 9 agents", rep)
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
		"marcus.bell@demo.skillgate.test": {"billing": "certified", "card-services": "certified", "direct-sales": "certified"},
		"priya.raman@demo.skillgate.test": {"card-services": "refresher_due", "customer-care": "certified", "direct-sales": "certified"},
		"sam.okafor@demo.skillgate.test":  {"customer-care": "expired"},
		"agent@demo.skillgate.test":       {"card-services": "in_training"},
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
	if strings.Join(licenses, ", ") != "pending FL, pending FL, verified GA, verified NC, verified TX" {
		t.Errorf("licenses: got %v, want pending FL, pending FL, verified GA, verified NC, verified TX", licenses)
	}
	var appointments []string
	env.DB.Raw(`SELECT status || ' ' || jurisdiction FROM appointments ORDER BY jurisdiction`).Scan(&appointments)
	if strings.Join(appointments, ", ") != "terminated FL, active GA, requested NC, active TX" {
		t.Errorf("appointments: got %v, want terminated FL, active GA, requested NC, active TX", appointments)
	}
	// Every seeded agent belongs to the clients of their programs.
	var members []string
	env.DB.Raw(`SELECT u.email || ' ' || string_agg(c.slug, ',' ORDER BY c.slug) FROM users u
		JOIN memberships m ON m.user_id = u.id JOIN clients c ON c.id = m.client_id
		WHERE u.email LIKE '%.%@demo.skillgate.test' GROUP BY u.email ORDER BY u.email`).Scan(&members)
	if got, want := strings.Join(members, "; "), "ana.silva@demo.skillgate.test fenmore-bank; "+
		"ben.carter@demo.skillgate.test fenmore-bank; chloe.nguyen@demo.skillgate.test fenmore-bank; "+
		"dev.patel@demo.skillgate.test fenmore-bank; ema.kowalski@demo.skillgate.test fenmore-bank; "+
		"lena.ortiz@demo.skillgate.test cinder-valley-electric,voltcrate; "+
		"marcus.bell@demo.skillgate.test cinder-valley-electric,fenmore-bank,larkspur-life; "+
		"priya.raman@demo.skillgate.test fenmore-bank,larkspur-life,voltcrate; sam.okafor@demo.skillgate.test voltcrate"; got != want {
		t.Errorf("memberships:\n got %s\nwant %s", got, want)
	}

	// The cohort's paces, as its trainer sees them.
	token := loginAs(t, env, "trainer@demo.skillgate.test", "trainer-demo-skillgate")
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

	// The queues: who is eligible where and why not.
	supervisor := loginAs(t, env, "supervisor@demo.skillgate.test", "supervisor-demo-skillgate")
	roster := func(program, state string) map[string]string {
		t.Helper()
		path := "/api/v1/programs/" + env.ProgramID(program[:strings.Index(program, "/")], program[strings.Index(program, "/")+1:]) + "/roster"
		if state != "" {
			path += "?state=" + state
		}
		res := env.Do(apitest.Request{Method: "GET", Path: path, Token: supervisor})
		if res.Status != 200 {
			t.Fatalf("roster %s: got %d %s", program, res.Status, res.Body)
		}
		var r struct {
			Agents []struct {
				DisplayName string `json:"display_name"`
				Eligible    bool   `json:"eligible"`
				Reasons     []struct {
					Code  string `json:"code"`
					State string `json:"state"`
				} `json:"reasons"`
			} `json:"agents"`
		}
		res.JSON(t, &r)
		out := map[string]string{}
		for _, a := range r.Agents {
			v := "eligible"
			if !a.Eligible {
				var codes []string
				for _, rs := range a.Reasons {
					codes = append(codes, strings.TrimSuffix(rs.Code+":"+rs.State, ":"))
				}
				v = strings.Join(codes, " ")
			}
			out[a.DisplayName] = v
		}
		return out
	}
	for _, tc := range []struct {
		program, state string
		want           map[string]string
	}{
		{"voltcrate/customer-care", "", map[string]string{"Priya Raman": "eligible", "Lena Ortiz": "eligible",
			"Sam Okafor": "certification_expired"}},
		{"larkspur-life/direct-sales", "TX", map[string]string{"Marcus Bell": "eligible", "Priya Raman": "license_missing:TX appointment_missing:TX"}},
		{"larkspur-life/direct-sales", "GA", map[string]string{"Marcus Bell": "license_missing:GA appointment_missing:GA", "Priya Raman": "eligible"}},
		{"larkspur-life/direct-sales", "NC", map[string]string{"Marcus Bell": "license_missing:NC appointment_missing:NC", "Priya Raman": "appointment_missing:NC"}},
		{"larkspur-life/direct-sales", "FL", map[string]string{"Marcus Bell": "license_missing:FL appointment_missing:FL",
			"Priya Raman": "license_unverified:FL appointment_terminated:FL"}},
		{"larkspur-life/direct-sales", "NY", map[string]string{"Marcus Bell": "state_not_served:NY", "Priya Raman": "state_not_served:NY"}},
	} {
		got := roster(tc.program, tc.state)
		if !maps.Equal(got, tc.want) {
			t.Errorf("roster %s %s: got %v, want %v", tc.program, tc.state, got, tc.want)
		}
	}

	// The demo agent joined the cohort today: on track, a module to read first.
	var mine struct {
		Plans []struct {
			FirstDay string `json:"first_day"`
			Status   string `json:"status"`
			Tasks    []struct {
				Title  string `json:"title"`
				Action string `json:"action"`
				Link   string `json:"link"`
			} `json:"tasks"`
		} `json:"plans"`
	}
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/me/onboarding", Token: loginAs(t, env, demo.DemoAgent, "agent-demo-skillgate")})
	res.JSON(t, &mine)
	if len(mine.Plans) != 1 || mine.Plans[0].Status != "on_track" || mine.Plans[0].FirstDay != apitest.Start.Format("2006-01-02") ||
		len(mine.Plans[0].Tasks) == 0 || mine.Plans[0].Tasks[0].Action != "read" || mine.Plans[0].Tasks[0].Title != "Active listening and attentiveness" ||
		!strings.Contains(mine.Plans[0].Tasks[0].Link, "/modules/") {
		t.Errorf("the demo agent's plan: got %+v", mine.Plans)
	}

	again, err := demo.Seed(ctx, env.App.Config, logx.Discard(), env.DB, apitest.Start)
	if err != nil || !again.Skipped {
		t.Fatalf("second seed: got %+v %v, want skipped", again, err)
	}
}

func loginAs(t *testing.T, env *apitest.Env, email, password string) string {
	t.Helper()
	login := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{
		"email": email, "password": password, "refresh_token_delivery": "body"}})
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	login.JSON(t, &tk)
	if tk.AccessToken == "" {
		t.Fatalf("login %s: got %d %s", email, login.Status, login.Body)
	}
	return tk.AccessToken
}
