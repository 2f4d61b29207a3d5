package onboarding_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

type notice struct {
	Kind, Key, Title, Body, Link string
	DueAt                        *time.Time
	DueDate                      string
}

// inbox reads the user's notices straight from the table, by key.
func (f *fixture) inbox(userID string) []notice {
	f.env.T.Helper()
	var out []notice
	if err := f.env.DB.Raw(`SELECT kind, key, title, body, link, due_at, to_char(due_date, 'YYYY-MM-DD') AS due_date
		FROM notifications WHERE user_id = ? ORDER BY key`, userID).Scan(&out).Error; err != nil {
		f.env.T.Fatal(err)
	}
	return out
}

func (f *fixture) runReminders() {
	f.env.T.Helper()
	if _, err := f.env.App.Onboarding.RunReminders(context.Background()); err != nil {
		f.env.T.Fatal(err)
	}
}

type planView struct {
	FirstDay string `json:"first_day"`
	Status   string `json:"status"`
	Overdue  int    `json:"overdue"`
	Tasks    []struct {
		Slug        string `json:"slug"`
		Title       string `json:"title"`
		ProgramName string `json:"program_name"`
		Link        string `json:"link"`
		Due         string `json:"due_date"`
	} `json:"tasks"`
}

// TestLateJoiner adds an agent to a cohort six days after it started: with
// due dates counted from the cohort's start they are behind at once and
// get ONE digest notice for the backlog; counted from their join date they
// get the whole plan ahead of them.
func TestLateJoiner(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dueFrom  string
		firstDay string
		dues     string
		status   string
		overdue  int
		// the notices after the reminder job ran twice on the join day
		notices func(f *fixture) []notice
	}{
		{dueFrom: "cohort_start", firstDay: "2026-03-05", dues: "2026-03-05 2026-03-06 2026-03-09 2026-03-10",
			status: "behind", overdue: 4, notices: func(f *fixture) []notice {
				return []notice{{Kind: "task_overdue", Title: "4 onboarding tasks are overdue", Link: "/training", DueDate: "2026-03-05",
					Body: "These tasks of your onboarding plan are past their due day:\n" +
						"- Read Card fees (Card support, due Mar 5, 2026)\n" +
						"- Read Verifying a caller (Card support, due Mar 6, 2026)\n" +
						"- Pass Card basics (Card support, due Mar 9, 2026)\n" +
						"- Play A disputed fee (Card support, due Mar 10, 2026)\n" +
						"Your plan lists them in order; start with the first."}}
			}},
		{dueFrom: "join_date", firstDay: "2026-03-11", dues: "2026-03-11 2026-03-12 2026-03-13 2026-03-16",
			status: "on_track", overdue: 0, notices: func(f *fixture) []notice {
				return []notice{{Kind: "task_due", Title: "Due tomorrow: Read Verifying a caller",
					Link: "/training/" + f.program + "/modules/" + f.modules["verify-caller"], DueDate: "2026-03-12",
					Body: "This Card support onboarding task is due on Mar 12, 2026 (day 2 of your plan)."}}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.dueFrom, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			var c struct {
				ID      string `json:"id"`
				DueFrom string `json:"due_from"`
			}
			f.do(f.trainer, "POST", "/api/v1/cohorts", map[string]any{"name": "March hires", "start_date": "2026-03-05",
				"trainer_id": f.trainerID, "program_ids": []string{f.program}, "due_from": tc.dueFrom}, 201, &c)
			if c.DueFrom != tc.dueFrom {
				t.Fatalf("due_from: got %q, want %q", c.DueFrom, tc.dueFrom)
			}
			f.member(c.ID, "early@x.test")
			f.setDay("2026-03-11") // a Wednesday
			late := f.member(c.ID, "late@x.test")

			var mine struct {
				Plans []planView `json:"plans"`
			}
			f.do(f.env.Login("late@x.test"), "GET", "/api/v1/me/onboarding", nil, 200, &mine)
			if len(mine.Plans) != 1 {
				t.Fatalf("plans: got %d, want 1", len(mine.Plans))
			}
			pl := mine.Plans[0]
			var dues []string
			for _, task := range pl.Tasks {
				dues = append(dues, task.Due)
			}
			if pl.FirstDay != tc.firstDay || strings.Join(dues, " ") != tc.dues || pl.Status != tc.status || pl.Overdue != tc.overdue {
				t.Errorf("late joiner's plan: got first day %s, dues %v, %s with %d overdue; want %s, %s, %s with %d",
					pl.FirstDay, dues, pl.Status, pl.Overdue, tc.firstDay, tc.dues, tc.status, tc.overdue)
			}

			f.runReminders()
			f.runReminders()
			got, want := f.inbox(late), tc.notices(f)
			if len(got) != len(want) {
				t.Fatalf("notices: got %d %+v, want %d", len(got), got, len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.Kind != w.Kind || g.Title != w.Title || g.Body != w.Body || g.Link != w.Link || g.DueDate != w.DueDate {
					t.Errorf("notice %d: got %+v, want %+v", i, g, w)
				}
				due, _ := time.Parse("2006-01-02", w.DueDate)
				if g.DueAt == nil || !g.DueAt.Equal(due.AddDate(0, 0, 1)) {
					t.Errorf("notice %d: got due_at %v, want the midnight after %s", i, g.DueAt, w.DueDate)
				}
			}
		})
	}
}

// TestReminderLinks: each notice leads to the page where its task is done
// and names the task by its title.
func TestReminderLinks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cohort := f.cohort("2026-03-05")
	ada := f.member(cohort, "ada@x.test")
	f.setDay("2026-03-09") // verify-caller (Fri) overdue alone, basics due today, fee-call tomorrow
	f.read(f.env.Login("ada@x.test"), "fees", 1)
	f.runReminders()
	f.setDay("2026-03-11") // basics and fee-call overdue: one digest
	f.runReminders()
	tests := []struct {
		title, link, dueDate string
	}{
		{"Due tomorrow: Play A disputed fee", "/training/" + f.program, "2026-03-10"},
		{"Overdue: Read Verifying a caller", "/training/" + f.program + "/modules/" + f.modules["verify-caller"], "2026-03-06"},
		{"2 onboarding tasks are overdue", "/training", "2026-03-09"},
	}
	got := f.inbox(ada)
	for _, tc := range tests {
		t.Run(tc.title, func(t *testing.T) {
			for _, n := range got {
				if n.Title == tc.title {
					if n.Link != tc.link || n.DueDate != tc.dueDate {
						t.Errorf("got link %s due %s, want %s due %s", n.Link, n.DueDate, tc.link, tc.dueDate)
					}
					return
				}
			}
			t.Errorf("no notice %q in %+v", tc.title, got)
		})
	}
	if len(got) != len(tests) {
		t.Errorf("notices: got %d %+v, want %d", len(got), got, len(tests))
	}
}

// TestDueFrom: the setting is validated, and changing it moves the dates.
func TestDueFrom(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.do(f.trainer, "POST", "/api/v1/cohorts", map[string]any{"name": "X", "start_date": "2026-03-05",
		"trainer_id": f.trainerID, "program_ids": []string{f.program}, "due_from": "monday"}, 400, nil)
	if !strings.Contains(string(res.Body), `"due_from"`) {
		t.Errorf("bad due_from: got %s, want a due_from field error", res.Body)
	}
	var c struct {
		ID      string `json:"id"`
		DueFrom string `json:"due_from"`
	}
	f.do(f.trainer, "POST", "/api/v1/cohorts", map[string]any{"name": "X", "start_date": "2026-03-05",
		"trainer_id": f.trainerID, "program_ids": []string{f.program}}, 201, &c)
	if c.DueFrom != "join_date" {
		t.Errorf("default due_from: got %q, want join_date", c.DueFrom)
	}
	f.setDay("2026-03-10")
	f.member(c.ID, "late@x.test")
	first := func() string {
		var m matrix
		f.do(f.trainer, "GET", "/api/v1/cohorts/"+c.ID+"/progress", nil, 200, &m)
		return m.Columns[0].Due
	}
	if got := first(); got != "2026-03-10" {
		t.Errorf("first due counting from the join date: got %s, want 2026-03-10", got)
	}
	f.do(f.trainer, "PUT", "/api/v1/cohorts/"+c.ID+"/calendar", map[string]any{"due_from": "cohort_start"}, 200, &c)
	if got := first(); got != "2026-03-05" || c.DueFrom != "cohort_start" {
		t.Errorf("after switching to cohort_start: got %s (%s), want 2026-03-05", got, c.DueFrom)
	}
}
