package licensing_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/licensing"
)

type ceStanding struct {
	License struct {
		ID         string `json:"id"`
		ExpiryDate string `json:"expiry_date"`
	} `json:"license"`
	Requirement bool    `json:"requirement"`
	Sample      bool    `json:"sample"`
	PeriodStart string  `json:"period_start"`
	Required    float64 `json:"required_hours"`
	Earned      float64 `json:"earned_hours"`
	Categories  []struct {
		Category         string
		Required, Earned float64
	} `json:"categories"`
	Complete bool `json:"complete"`
}

// TestCEPeriodsRemindersAndCredits follows a TX license through a renewal
// period: credits before the period do not count, reminders come at 60 and
// 30 days once each while CE is incomplete and stop when it is done, and
// the renewed license starts a new period.
func TestCEPeriodsRemindersAndCredits(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo() // imports content/ce-requirements.yaml (TX: 24 hours in 24 months, 3 of ethics)
	agent := env.User("ana@x.test", auth.RoleAgent)
	other := env.User("ben@x.test", auth.RoleAgent)
	env.User("compliance@x.test", auth.RoleCompliance)
	officer := env.Login("compliance@x.test")
	anaTok := env.Login("ana@x.test")

	old := submit(t, env, officer, lic("TX", "TX-OLD", map[string]any{"user_id": agent.ID,
		"issue_date": "2024-01-01", "effective_date": "2024-01-01", "expiry_date": "2026-05-01"})) // 60 days after the start
	verify(t, env, officer, old.ID)
	credit := func(hours float64, category, on string) *apitest.Response {
		return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/ce/credits", Token: officer, Body: map[string]any{
			"user_id": agent.ID, "jurisdiction": "TX", "hours": hours, "category": category, "completed_on": on,
			"title": "Annuity suitability", "evidence": "certificate #" + on}})
	}
	for _, c := range []struct {
		hours    float64
		category string
		on       string
	}{{20, "", "2024-03-01"}, {10, "", "2025-06-01"}, {3, "ethics", "2025-07-01"}} {
		if res := credit(c.hours, c.category, c.on); res.Status != 201 {
			t.Fatalf("record CE: got %d %s", res.Status, res.Body)
		}
	}
	standing := func(token, query string) map[string]ceStanding {
		t.Helper()
		res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/ce/standing" + query, Token: token})
		if res.Status != 200 {
			t.Fatalf("standing: got %d %s", res.Status, res.Body)
		}
		var body struct{ Standings []ceStanding }
		res.JSON(t, &body)
		out := map[string]ceStanding{}
		for _, s := range body.Standings {
			out[s.License.ID] = s
		}
		return out
	}
	st := standing(anaTok, "")[old.ID]
	if !st.Requirement || !st.Sample || st.PeriodStart != "2024-05-01" || st.Required != 24 || st.Earned != 13 || st.Complete ||
		len(st.Categories) != 1 || st.Categories[0].Category != "ethics" || st.Categories[0].Earned != 3 {
		t.Errorf("standing before renewal: got %+v, want 13 of 24 hours since 2024-05-01 (the 2024-03-01 credit is before the period), ethics 3 of 3", st)
	}

	remind := func() {
		t.Helper()
		if _, err := env.App.Notify.RunRemindersOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	notices := func() []string {
		t.Helper()
		var keys []string
		env.DB.Raw(`SELECT key FROM notifications WHERE kind = 'license.ce_incomplete' AND user_id = ? ORDER BY key`, agent.ID).Scan(&keys)
		return keys
	}
	remind()
	remind()
	if got := notices(); len(got) != 1 || !strings.HasPrefix(got[0], "ce-incomplete-60:"+old.ID) {
		t.Fatalf("at 60 days: got %v, want one 60-day reminder", got)
	}
	env.Clock.Advance(31 * 24 * time.Hour) // 29 days left
	remind()
	remind()
	if got := notices(); len(got) != 2 || !strings.HasPrefix(got[0], "ce-incomplete-30:") {
		t.Fatalf("at 29 days: got %v, want the 60- and 30-day reminders, once each", got)
	}
	officer = env.Login("compliance@x.test")
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/ce-at-risk", Token: officer})
	if res.Status != 200 || !strings.Contains(string(res.Body), old.ID) {
		t.Errorf("CE report: got %d %s, want the old license", res.Status, res.Body)
	}
	if res := credit(11, "", env.Clock.Now().UTC().Format(time.DateOnly)); res.Status != 201 {
		t.Fatalf("record CE: got %d %s", res.Status, res.Body)
	}
	env.Clock.Advance(20 * 24 * time.Hour) // 9 days left, CE complete: no more reminders
	remind()
	if got := notices(); len(got) != 2 {
		t.Errorf("after CE complete: got %v, want no new reminder", got)
	}
	officer = env.Login("compliance@x.test")
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/ce-at-risk?format=csv", Token: officer})
	if res.Status != 200 || strings.Contains(string(res.Body), "TX-OLD") {
		t.Errorf("CE report after completion: got %d %s, want the old license gone", res.Status, res.Body)
	}

	// The renewal: a new license from the old one's expiry starts a new period.
	renewed := submit(t, env, officer, lic("TX", "TX-NEW", map[string]any{"user_id": agent.ID,
		"issue_date": "2026-04-20", "effective_date": "2026-05-01", "expiry_date": "2028-05-01"}))
	verify(t, env, officer, renewed.ID)
	anaTok = env.Login("ana@x.test")
	all := standing(anaTok, "")
	if s := all[old.ID]; !s.Complete || s.Earned != 24 {
		t.Errorf("old license: got %+v, want 24 of 24, complete", s)
	}
	if s := all[renewed.ID]; s.PeriodStart != "2026-05-01" || s.Earned != 0 || s.Complete {
		t.Errorf("renewed license: got %+v, want a new period from 2026-05-01 with nothing earned", s)
	}

	// Scoping and bad input.
	if res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/ce/standing?user_id=" + other.ID, Token: anaTok}); res.Status != 403 {
		t.Errorf("agent reads another's CE: got %d, want 403", res.Status)
	}
	if res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/ce/credits", Token: anaTok, Body: map[string]any{
		"user_id": agent.ID, "jurisdiction": "TX", "hours": 1, "completed_on": "2026-01-01", "title": "x", "evidence": "y"}}); res.Status != 403 {
		t.Errorf("agent records CE: got %d, want 403", res.Status)
	}
	res = env.Do(apitest.Request{Method: "POST", Path: "/api/v1/ce/credits", Token: officer, Body: map[string]any{
		"user_id": agent.ID, "jurisdiction": "ZZ", "hours": 0, "completed_on": "2099-01-01", "title": "x", "evidence": ""}})
	for _, f := range []string{"jurisdiction", "hours", "completed_on", "evidence"} {
		if res.Status != 400 || !strings.Contains(string(res.Body), `"`+f+`"`) {
			t.Errorf("bad CE: got %d %s, want 400 naming %s", res.Status, res.Body, f)
		}
	}
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/ce/library", Token: officer})
	var libBody licensing.CELibrary
	res.JSON(t, &libBody)
	if res.Status != 200 || !libBody.Sample || len(libBody.Requirements) == 0 || len(libBody.Courses) != 2 || libBody.Courses[0].ProgramID == "" || libBody.Courses[1].ModuleID == "" {
		t.Errorf("library: got %d %s", res.Status, res.Body)
	}
	if res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/ce/library", Token: anaTok}); res.Status != 403 {
		t.Errorf("agent reads the library: got %d, want 403", res.Status)
	}
}

// Certifying on a program the CE library approves as a course records its
// credit once in each approved state where the agent holds a license.
func TestCECourseCredits(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo() // direct-sales is approved in TX and GA: 4 hours of ethics
	agent := env.User("ana@x.test", auth.RoleAgent)
	env.User("compliance@x.test", auth.RoleCompliance)
	officer := env.Login("compliance@x.test")
	l := submit(t, env, officer, lic("TX", "TX-9", map[string]any{"user_id": agent.ID}))
	verify(t, env, officer, l.ID)
	sales := env.ProgramID("larkspur-life", "direct-sales")
	certified := env.Clock.Now().Add(-24 * time.Hour)
	if err := env.DB.Exec(`INSERT INTO certifications (id, user_id, program_id, state, enrolled_at, enrolled_by, certified_at, expires_at, updated_at)
VALUES (?, ?, ?, 'certified', ?, 'test', ?, ?, now())`, uuid.NewString(), agent.ID, sales, certified, certified, certified.Add(180*24*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		n, err := env.App.Licensing.RunCECourseCredits(context.Background())
		if err != nil || n != want {
			t.Fatalf("run %d: got %d %v, want %d", i, n, err, want)
		}
	}
	var rows []string
	env.DB.Raw(`SELECT jurisdiction || ' ' || hours::text || ' ' || category || ' ' || approval_number FROM ce_credits WHERE user_id = ?`, agent.ID).Scan(&rows)
	if len(rows) != 1 || rows[0] != "TX 4.00 ethics SAMPLE-LL-0001" {
		t.Errorf("credits: got %v, want TX 4 hours of ethics", rows)
	}
	if n := env.AuditCount("ce.credit.course"); n != 1 {
		t.Errorf("audit: got %d, want 1", n)
	}
}

func TestCELibraryProblemsNameTheLine(t *testing.T) {
	t.Parallel()
	file := []byte("sample: true\nrequirements:\n  - {state: ZZ, class: insurance-producer, period_months: 24, hours: 24}\n" +
		"  - {state: TX, class: insurance-producer, period_months: 24, hours: 2, categories: {ethics: 3}}\n" +
		"courses:\n  - {program: nope/nope, states: [TX], approval: A-1, hours: 2}\n")
	_, ps := licensing.ParseCELibrary("ce-requirements.yaml", file, map[string]bool{"larkspur-life/direct-sales": true})
	got := ps.Error()
	for _, want := range []string{"ce-requirements.yaml:3: state must be", "ce-requirements.yaml:4: the categories' hours",
		"ce-requirements.yaml:6: no program \"nope/nope\""} {
		if !strings.Contains(got, want) {
			t.Errorf("got %q, want it to contain %q", got, want)
		}
	}
	if _, ps := licensing.ParseCELibrary("x.yaml", []byte("requirements: []\n"), nil); !strings.Contains(ps.Error(), "sample: true") {
		t.Errorf("a file that does not say whether its values are samples: got %q", ps.Error())
	}
}
