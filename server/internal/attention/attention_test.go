package attention_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/attention"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/demo"
	"github.com/skillgate/skillgate/server/internal/logx"
)

// demoCenter seeds the demo center (demo logins, library, cohort, tenured
// agents) at the test clock's time.
func demoCenter(t *testing.T) (*apitest.Env, *demo.Report) {
	t.Helper()
	env := apitest.New(t)
	env.ImportDemo()
	ctx := context.Background()
	if _, err := env.App.Auth.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := demo.Seed(ctx, env.App.Config, logx.Discard(), env.DB, env.Clock.Now())
	if err != nil || rep.Skipped {
		t.Fatalf("demo seed: got %+v, %v", rep, err)
	}
	return env, rep
}

func login(t *testing.T, env *apitest.Env, role string) string {
	t.Helper()
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{
		"email": role + "@demo.skillgate.test", "password": role + "-demo-skillgate", "refresh_token_delivery": "body"}})
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	res.JSON(t, &tk)
	if tk.AccessToken == "" {
		t.Fatalf("login %s: got %d %s", role, res.Status, res.Body)
	}
	return tk.AccessToken
}

func get(t *testing.T, env *apitest.Env, token string) *attention.Attention {
	t.Helper()
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/me/attention", Token: token})
	if res.Status != 200 {
		t.Fatalf("attention: got %d %s, want 200", res.Status, res.Body)
	}
	var a attention.Attention
	res.JSON(t, &a)
	return &a
}

// kinds lists the sections' kinds in order.
func kinds(a *attention.Attention) string {
	var ks []string
	for _, s := range a.Sections {
		ks = append(ks, s.Kind)
	}
	return strings.Join(ks, " ")
}

func sectionOf(t *testing.T, a *attention.Attention, kind string) attention.Section {
	t.Helper()
	for _, s := range a.Sections {
		if s.Kind == kind {
			return s
		}
	}
	t.Fatalf("%s's attention: no section %s (got %s)", a.Role, kind, kinds(a))
	return attention.Section{}
}

func names(s attention.Section) string {
	var ns []string
	for _, it := range s.Items {
		ns = append(ns, it.Name)
	}
	return strings.Join(ns, ", ")
}

// TestAttentionPerRole reads each demo role's sections from the demo
// center's real data: the trainer's agents behind and the quiz they fail,
// the supervisor's run waiting for sign-off and suspended agent, then the
// eligibility ending within a week once the clock moves, compliance's queue,
// expiries and gaps, the admin's failing webhook, unused key and user
// without a client.
func TestAttentionPerRole(t *testing.T) {
	t.Parallel()
	env, rep := demoCenter(t)

	tr := get(t, env, login(t, env, "trainer"))
	if got, want := kinds(tr), "agents_behind cohorts_today quizzes_failing"; got != want {
		t.Fatalf("trainer's sections: got %s, want %s", got, want)
	}
	behind := sectionOf(t, tr, attention.KindAgentsBehind)
	if behind.Count != 3 || names(behind) != "Dev Patel, Chloe Nguyen, Ema Kowalski" {
		t.Errorf("agents behind: got %d %s, want 3: Dev Patel, Chloe Nguyen, Ema Kowalski (most overdue first)", behind.Count, names(behind))
	}
	for _, it := range behind.Items {
		if it.Link != "/cohorts/"+rep.CohortID || !strings.HasPrefix(it.Detail, demo.CohortName+": ") {
			t.Errorf("%s: got link %s, detail %q; want the demo cohort's page and its name", it.Name, it.Link, it.Detail)
		}
	}
	if d := behind.Items[0].Detail; !strings.Contains(d, "8 tasks overdue") {
		t.Errorf("Dev Patel: got %q, want 8 tasks overdue", d)
	}
	if d := behind.Items[2].Detail; !strings.Contains(d, "failing quiz: Fenmore card services") {
		t.Errorf("Ema Kowalski: got %q, want the quiz she keeps failing", d)
	}
	// The demo cohort is on plan day 7 (the test clock's Monday): its tasks of the day, members and who is behind.
	if today := sectionOf(t, tr, attention.KindCohortsToday); today.Count != 1 || today.Items[0].Name != demo.CohortName ||
		today.Items[0].Link != "/cohorts/"+rep.CohortID || !strings.HasPrefix(today.Items[0].Detail, "Plan day 7 of ") ||
		!strings.HasSuffix(today.Items[0].Detail, "6 members, 2 behind") {
		t.Errorf("cohorts today: got %+v, want the demo cohort on plan day 7, 6 members, 2 behind (Dev and Chloe)", today)
	}
	if q := sectionOf(t, tr, attention.KindQuizzesFailing); q.Count != 1 || !strings.Contains(q.Items[0].Detail, "0 of 1 passed (0%)") {
		t.Errorf("quizzes failing: got %+v, want the card services quiz, 0 of 1 passed", q)
	}

	sup := get(t, env, login(t, env, "supervisor"))
	if got, want := kinds(sup), "reviews_waiting assigned_not_routable eligibility_ending"; got != want {
		t.Fatalf("supervisor's sections (they train no cohort): got %s, want %s", got, want)
	}
	rv := sectionOf(t, sup, attention.KindReviewsWaiting)
	if rv.Count != 1 || rv.Items[0].Name != "Lena Ortiz" || !strings.HasPrefix(rv.Items[0].Link, "/reviews/") ||
		!strings.HasSuffix(rv.Items[0].Detail, "waiting 2 days") {
		t.Errorf("reviews waiting: got %+v, want Lena Ortiz's run, waiting 2 days, linked to its review page", rv)
	}
	if nr := sectionOf(t, sup, attention.KindNotRoutable); nr.Count != 1 || nr.Items[0].Name != "Sam Okafor" ||
		!strings.Contains(nr.Items[0].Detail, "certification expired") || nr.Items[0].Link != "/rosters?program="+env.ProgramID("voltcrate", "customer-care") {
		t.Errorf("not routable: got %+v, want Sam Okafor, certification expired, linked to the customer care roster", nr)
	}
	if end := sectionOf(t, sup, attention.KindEligibilityEnding); end.Count != 0 {
		t.Errorf("eligibility ending today: got %s, want nobody within 7 days", names(end))
	}

	co := get(t, env, login(t, env, "compliance"))
	if got, want := kinds(co), "verification_queue licenses_expiring license_gaps"; got != want {
		t.Fatalf("compliance's sections: got %s, want %s", got, want)
	}
	if q := sectionOf(t, co, attention.KindVerification); q.Count != 2 || names(q) != "Lena Ortiz, Priya Raman" && names(q) != "Priya Raman, Lena Ortiz" ||
		q.Note != "Oldest waiting 3 days." {
		t.Errorf("verification queue: got %+v, want Lena Ortiz's and Priya Raman's FL licenses, waiting 3 days", q)
	}
	if ex := sectionOf(t, co, attention.KindLicensesExpiring); ex.Count != 1 || ex.Items[0].Name != "Marcus Bell" ||
		!strings.Contains(ex.Items[0].Detail, "in 21 days") || !strings.HasPrefix(ex.Note, "1 within 30 days, 0 within 31 to 60") {
		t.Errorf("expiring: got %+v, want Marcus Bell's TX license in 21 days", ex)
	}
	// Direct sales needs TX, FL, GA, NC and AZ: Marcus holds TX only; Priya
	// lacks TX and AZ, and her FL license waits for verification.
	if g := sectionOf(t, co, attention.KindLicenseGaps); g.Count != 3 || names(g) != "Marcus Bell, Priya Raman, Priya Raman" ||
		!strings.HasSuffix(g.Items[2].Detail, "FL (unverified)") && !strings.HasSuffix(g.Items[1].Detail, "FL (unverified)") {
		t.Errorf("gaps: got %d %s, want Marcus Bell's, and Priya Raman's missing and unverified licenses", g.Count, names(g))
	}

	// The admin: a webhook whose latest delivery failed, a key never used in
	// 30 days, an agent without a client.
	admin := login(t, env, "admin")
	now := env.Clock.Now()
	for _, q := range []string{
		`INSERT INTO webhook_subscriptions (id, url, description, event_types, active, secret_ciphertext, secret_rotated_at, created_by_kind, created_by_id, created_at, updated_at)
		 VALUES ('11111111-1111-4111-8111-111111111111', 'https://acd.example.com/hook', 'ACD changes', '{eligibility.changed}', true, '\x00', $1, 'user', 'x', $1, $1)`,
		`INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, occurred_at, payload, status, attempts, last_attempt_at, last_status_code, created_at, updated_at)
		 VALUES ('22222222-2222-4222-8222-222222222222', '11111111-1111-4111-8111-111111111111', gen_random_uuid(), 'eligibility.changed', $1, '{}', 'failed', 8, $1, 503, $1, $1)`,
	} {
		if err := env.DB.Exec(q, now).Error; err != nil {
			t.Fatal(err)
		}
	}
	if res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: admin,
		Body: map[string]any{"name": "Routing system", "scopes": []string{"eligibility:read"}}}); res.Status != 201 {
		t.Fatalf("api key: got %d %s", res.Status, res.Body)
	}
	env.User("stray@agents.test", auth.RoleAgent)
	ad := get(t, env, admin)
	if got, want := kinds(ad), "webhooks_failing api_keys users_without_client"; got != want {
		t.Fatalf("admin's sections: got %s, want %s", got, want)
	}
	if w := sectionOf(t, ad, attention.KindWebhooksFailing); w.Count != 1 || w.Items[0].Name != "ACD changes" ||
		w.Items[0].Detail != "eligibility.changed delivery failed after 8 attempts (HTTP 503)" || w.Items[0].Link != "/admin/webhooks/11111111-1111-4111-8111-111111111111" {
		t.Errorf("webhooks failing: got %+v", w)
	}
	if k := sectionOf(t, ad, attention.KindAPIKeys); k.Count != 0 {
		t.Errorf("a key made today: got %s, want none to look at yet", names(k))
	}
	if u := sectionOf(t, ad, attention.KindUsersNoClient); u.Count != 1 || u.Items[0].Name != "stray@agents.test" {
		t.Errorf("users without a client: got %d %s, want stray@agents.test", u.Count, names(u))
	}

	// A month on, the key was never used. 19 days on: Marcus's TX license and Priya's card services refresher
	// end their eligibility within the week.
	env.Clock.Advance(31 * 24 * time.Hour)
	if k := sectionOf(t, get(t, env, login(t, env, "admin")), attention.KindAPIKeys); k.Count != 1 || k.Items[0].Name != "Routing system" ||
		!strings.HasSuffix(k.Items[0].Detail, ": never used, made 31 days ago") {
		t.Errorf("an unused key a month on: got %+v", k)
	}
	env.Clock.Set(now.Add(19 * 24 * time.Hour))
	end := sectionOf(t, get(t, env, login(t, env, "supervisor")), attention.KindEligibilityEnding)
	if end.Count != 2 || names(end) != "Marcus Bell, Priya Raman" || end.Items[0].At == nil || !end.Items[0].At.Equal(now.AddDate(0, 0, 21).Truncate(24*time.Hour)) {
		t.Errorf("eligibility ending 19 days on: got %+v, want Marcus Bell (license, 21 days from the start) then Priya Raman", end)
	}
	// Each says what ends it: Priya's card-services refresher falls due, Marcus's TX license expires.
	for i, want := range []string{": a license or appointment changes, may take contacts for 1 day", "Card services, inbound voice: refresher due, may take contacts for 6 days"} {
		if i < len(end.Items) && !strings.HasSuffix(end.Items[i].Detail, want) {
			t.Errorf("%s: got %q, want it to end with %q", end.Items[i].Name, end.Items[i].Detail, want)
		}
	}
}

// TestAttentionScoping: a trainer or supervisor sees only their clients'
// agents; agents, API keys and signed-out callers get no list.
func TestAttentionScoping(t *testing.T) {
	t.Parallel()
	env, _ := demoCenter(t)
	volt := env.ClientID("voltcrate")
	env.User("supervisor@volt.test", auth.RoleSupervisor, volt)
	env.User("trainer@volt.test", auth.RoleTrainer, volt)
	env.User("agent@volt.test", auth.RoleAgent, volt)
	// A voltcrate trainer with a cohort of their own starting in 3 days, and
	// a Fenmore agent in it would be refused: they see only voltcrate's.
	coach := env.User("coach@volt.test", auth.RoleTrainer, volt)
	created := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/cohorts", Token: env.Login("coach@volt.test"), Body: map[string]any{
		"name": "Voltcrate care, March", "start_date": env.Clock.Now().AddDate(0, 0, 3).Format("2006-01-02"), "trainer_id": coach.ID,
		"program_ids": []string{env.ProgramID("voltcrate", "customer-care")}}})
	if created.Status != 201 {
		t.Fatalf("create the voltcrate cohort: got %d %s", created.Status, created.Body)
	}
	var key struct{ Key string }
	env.Do(apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: login(t, env, "admin"),
		Body: map[string]any{"name": "ACD", "scopes": []string{"eligibility:read"}}}).JSON(t, &key)
	cases := []struct {
		name, token string
		status      int
		code        string
		check       func(t *testing.T, a *attention.Attention)
	}{
		{"a voltcrate supervisor sees voltcrate's queue only", env.Login("supervisor@volt.test"), 200, "", func(t *testing.T, a *attention.Attention) {
			if rv := sectionOf(t, a, attention.KindReviewsWaiting); rv.Count != 0 {
				t.Errorf("reviews: got %s, want none (Lena's run is another client's)", names(rv))
			}
			if nr := sectionOf(t, a, attention.KindNotRoutable); names(nr) != "Sam Okafor" {
				t.Errorf("not routable: got %s, want Sam Okafor only", names(nr))
			}
		}},
		{"a trainer who trains no cohort", env.Login("trainer@volt.test"), 200, "", func(t *testing.T, a *attention.Attention) {
			b := sectionOf(t, a, attention.KindAgentsBehind)
			if b.Count != 0 || b.Note != "You train no cohort." {
				t.Errorf("agents behind: got %d %q, want none: they train no cohort", b.Count, b.Note)
			}
		}},
		{"a voltcrate trainer sees their cohort about to start, not Fenmore's", env.Login("coach@volt.test"), 200, "", func(t *testing.T, a *attention.Attention) {
			today := sectionOf(t, a, attention.KindCohortsToday)
			if today.Count != 1 || today.Items[0].Name != "Voltcrate care, March" || today.Items[0].Detail != "Starts in 3 days · 0 members" ||
				today.Items[0].At == nil || !today.Items[0].At.Equal(env.Clock.Now().AddDate(0, 0, 3).Truncate(24*time.Hour)) {
				t.Errorf("cohorts today: got %+v, want only their cohort, starting in 3 days", today)
			}
			for _, k := range []string{attention.KindAgentsBehind, attention.KindQuizzesFailing} {
				if sec := sectionOf(t, a, k); sec.Count != 0 {
					t.Errorf("%s: got %s, want none (the demo cohort is Fenmore's)", k, names(sec))
				}
			}
		}},
		{"an agent", env.Login("agent@volt.test"), 403, "forbidden", nil},
		{"an API key", key.Key, 403, "forbidden", nil},
		{"signed out", "", 401, "unauthorized", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/me/attention", Token: tc.token})
			if res.Status != tc.status || res.Code() != tc.code {
				t.Fatalf("got %d %s, want %d %q", res.Status, res.Body, tc.status, tc.code)
			}
			if tc.check != nil {
				var a attention.Attention
				res.JSON(t, &a)
				tc.check(t, &a)
			}
		})
	}
}
