package onboarding_test

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
)

// statuses lists a matrix row's cell statuses.
func statuses(m matrix, email string) string {
	for _, r := range m.Rows {
		if r.Email == email {
			var out []string
			for _, c := range r.Cells {
				out = append(out, c.Status)
			}
			return r.Status + ": " + strings.Join(out, " ")
		}
	}
	return "no row"
}

func TestCohortTasksAcrossWeekendsAndOverrides(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cohort := f.cohort("2026-03-05") // a Thursday
	ada := f.member(cohort, "ada@x.test")
	f.member(cohort, "bob@x.test")

	// Joining enrolled the agent in the program.
	var n int
	f.env.DB.Raw(`SELECT count(*) FROM certifications WHERE user_id = ? AND program_id = ? AND state = 'in_training'`, ada, f.program).Scan(&n)
	if n != 1 {
		t.Fatalf("enrollments after joining: got %d, want 1", n)
	}

	due := func() string {
		var m matrix
		f.do(f.trainer, "GET", "/api/v1/cohorts/"+cohort+"/progress", nil, 200, &m)
		var out []string
		for _, c := range m.Columns {
			out = append(out, c.Slug+"="+c.Due)
		}
		return strings.Join(out, " ")
	}
	if got, want := due(), "fees=2026-03-05 verify-caller=2026-03-06 basics=2026-03-09 fee-call=2026-03-10"; got != want {
		t.Errorf("due dates over a weekend: got %s, want %s", got, want)
	}
	// A holiday on Monday the 9th and an extra working Saturday the 7th.
	f.do(f.trainer, "PUT", "/api/v1/cohorts/"+cohort+"/calendar", map[string]any{
		"days_off": []string{"2026-03-09"}, "working_days": []string{"2026-03-07"}}, 200, nil)
	if got, want := due(), "fees=2026-03-05 verify-caller=2026-03-06 basics=2026-03-07 fee-call=2026-03-10"; got != want {
		t.Errorf("due dates with overrides: got %s, want %s", got, want)
	}
	// Weekends counted: day n is the nth calendar day but the holiday.
	f.do(f.trainer, "PUT", "/api/v1/cohorts/"+cohort+"/calendar", map[string]any{
		"days_off": []string{"2026-03-06"}, "skip_weekends": false}, 200, nil)
	if got, want := due(), "fees=2026-03-05 verify-caller=2026-03-07 basics=2026-03-08 fee-call=2026-03-09"; got != want {
		t.Errorf("due dates counting weekends: got %s, want %s", got, want)
	}
	f.do(f.trainer, "PUT", "/api/v1/cohorts/"+cohort+"/calendar", map[string]any{"skip_weekends": true}, 200, nil)
	if got, want := due(), "fees=2026-03-05 verify-caller=2026-03-06 basics=2026-03-09 fee-call=2026-03-10"; got != want {
		t.Errorf("due dates after clearing the overrides: got %s, want %s", got, want)
	}
}

func TestOverdueAsTheClockMoves(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cohort := f.cohort("2026-03-05")
	f.member(cohort, "ada@x.test")
	f.member(cohort, "bob@x.test")
	ada := f.env.Login("ada@x.test")
	f.read(ada, "fees", 1)
	f.do(ada, "POST", "/api/v1/modules/"+f.modules["verify-caller"]+"/open", nil, 200, nil)

	view := func() matrix {
		var m matrix
		f.do(f.trainer, "GET", "/api/v1/cohorts/"+cohort+"/progress", nil, 200, &m)
		return m
	}
	m := view()
	if got, want := statuses(m, "ada@x.test"), "on_track: done in_progress not_started not_started"; got != want {
		t.Errorf("ada before the start: got %s, want %s", got, want)
	}
	if got, want := statuses(m, "bob@x.test"), "on_track: not_started not_started not_started not_started"; got != want {
		t.Errorf("bob before the start: got %s, want %s", got, want)
	}

	// The day fees is due it is not overdue yet.
	f.setDay("2026-03-05")
	if got, want := statuses(view(), "bob@x.test"), "on_track: not_started not_started not_started not_started"; got != want {
		t.Errorf("bob on day 1: got %s, want %s", got, want)
	}
	// The next Monday: fees and verify-caller are overdue for bob, verify-caller for ada.
	f.setDay("2026-03-09")
	m = view()
	if got, want := statuses(m, "bob@x.test"), "behind: overdue overdue not_started not_started"; got != want {
		t.Errorf("bob on monday: got %s, want %s", got, want)
	}
	if got, want := statuses(m, "ada@x.test"), "behind: done overdue not_started not_started"; got != want {
		t.Errorf("ada on monday: got %s, want %s", got, want)
	}
	// Ada catches up: on track again.
	ada = f.env.Login("ada@x.test")
	f.read(ada, "verify-caller", 1)
	if got, want := statuses(view(), "ada@x.test"), "on_track: done done not_started not_started"; got != want {
		t.Errorf("ada after catching up: got %s, want %s", got, want)
	}
	// Her own view says the same.
	var mine struct {
		Plans []struct {
			Status string `json:"status"`
			Tasks  []struct {
				Slug   string `json:"slug"`
				Status string `json:"status"`
				Due    string `json:"due_date"`
			} `json:"tasks"`
		} `json:"plans"`
	}
	f.do(ada, "GET", "/api/v1/me/onboarding", nil, 200, &mine)
	if len(mine.Plans) != 1 || mine.Plans[0].Status != "on_track" || len(mine.Plans[0].Tasks) != 4 ||
		mine.Plans[0].Tasks[2].Slug != "basics" || mine.Plans[0].Tasks[2].Due != "2026-03-09" {
		t.Errorf("ada's plan: got %+v", mine.Plans)
	}

	// At risk: bob (behind); ada fails the quiz twice and is at risk too.
	if f.takeQuiz(ada, "basics", map[string]string{"verify-first": "true", "late-fee": "true"}) {
		t.Fatal("a wrong answer passed")
	}
	f.env.Clock.Advance(61 * time.Minute)
	f.login()
	ada = f.env.Login("ada@x.test")
	f.takeQuiz(ada, "basics", map[string]string{"verify-first": "false", "late-fee": "true"})
	var risk struct {
		Agents []struct {
			Email   string   `json:"email"`
			Status  string   `json:"status"`
			Reasons []string `json:"reasons"`
		} `json:"agents"`
	}
	f.do(f.trainer, "GET", "/api/v1/cohorts/"+cohort+"/at-risk", nil, 200, &risk)
	if len(risk.Agents) != 2 || risk.Agents[0].Email != "ada@x.test" || risk.Agents[1].Email != "bob@x.test" ||
		!strings.HasPrefix(risk.Agents[0].Reasons[0], "failing quiz: Card basics") ||
		!slices.Equal(risk.Agents[1].Reasons, []string{"overdue: read Card fees (due 2026-03-05)", "overdue: read Verifying a caller (due 2026-03-06)"}) || risk.Agents[1].Status != "behind" {
		t.Errorf("at risk: got %+v", risk.Agents)
	}

	// Quiz figures: one of two members attempted, twice, no pass.
	var st struct {
		Quizzes []struct {
			Quiz            string   `json:"quiz"`
			Members         int      `json:"members"`
			Attempted       int      `json:"attempted"`
			PassRate        *float64 `json:"pass_rate"`
			AverageAttempts *float64 `json:"average_attempts"`
		} `json:"quizzes"`
	}
	f.do(f.trainer, "GET", "/api/v1/cohorts/"+cohort+"/stats", nil, 200, &st)
	if len(st.Quizzes) != 1 || st.Quizzes[0].Members != 2 || st.Quizzes[0].Attempted != 1 ||
		st.Quizzes[0].PassRate == nil || *st.Quizzes[0].PassRate != 0 || *st.Quizzes[0].AverageAttempts != 2 {
		t.Errorf("quiz stats: got %+v", st.Quizzes)
	}
}

func TestMatrixCSV(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cohort := f.cohort("2026-03-05")
	f.member(cohort, "ada@x.test")
	f.member(cohort, "=cmd@x.test") // a formula-looking cell is neutralized
	f.read(f.env.Login("ada@x.test"), "fees", 1)
	f.setDay("2026-03-06")
	res := f.do(f.trainer, "GET", "/api/v1/cohorts/"+cohort+"/progress?format=csv", nil, 200, nil)
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type: got %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, cohort) {
		t.Errorf("disposition: got %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"name", "email", "status", "done", "overdue",
			"Card support: day 1 Read Card fees [module fees] (due 2026-03-05)",
			"Card support: day 2 Read Verifying a caller [module verify-caller] (due 2026-03-06)",
			"Card support: day 3 Pass Card basics [quiz basics] (due 2026-03-09)",
			"Card support: day 4 Play A disputed fee [roleplay fee-call] (due 2026-03-10)"},
		{"", "'=cmd@x.test", "behind", "0", "1", "overdue", "not_started", "not_started", "not_started"},
		{"", "ada@x.test", "on_track", "1", "0", "done", "not_started", "not_started", "not_started"},
	}
	if len(recs) != len(want) {
		t.Fatalf("csv: got %q, want %q", recs, want)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("csv row %d: got %q, want %q", i, recs[i], want[i])
		}
	}
	// Accept: text/csv asks for the same.
	res = f.env.Do(apiReq(f.trainer, "/api/v1/cohorts/"+cohort+"/progress", "text/csv"))
	if res.Status != 200 || !strings.HasPrefix(string(res.Body), "name,email,status") {
		t.Errorf("csv by Accept: got %d %s", res.Status, res.Body)
	}
}
