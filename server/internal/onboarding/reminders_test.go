package onboarding_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/onboarding"
)

// tableSink writes every reminder it is handed to a table, in the job's
// transaction, with no uniqueness: a key handed over twice shows as two rows.
type tableSink struct{}

func (tableSink) Remind(ctx context.Context, tx *gorm.DB, r onboarding.Reminder) error {
	return tx.WithContext(ctx).Exec(`INSERT INTO test_reminders (user_id, kind, key, title) VALUES (?, ?, ?, ?)`,
		r.UserID.String(), r.Kind, r.Key, r.Title).Error
}

func TestRemindersOncePerKeyUnderConcurrentRuns(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	if err := env.DB.Exec(`CREATE TABLE test_reminders (user_id uuid, kind text, key text, title text)`).Error; err != nil {
		t.Fatal(err)
	}
	env.App.Onboarding.SetReminders(tableSink{})
	cohort := f.cohort("2026-03-05")
	ada := f.member(cohort, "ada@x.test")
	f.read(env.Login("ada@x.test"), "fees", 1) // done: never reminded
	task := func(slug string) string {
		var id string
		env.DB.Raw(`SELECT id FROM onboarding_tasks WHERE user_id = ? AND slug = ?`, ada, slug).Scan(&id)
		return id
	}

	runTwice := func() {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = env.App.Onboarding.RunReminders(context.Background())
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	keys := func() []string {
		var out []string
		env.DB.Raw(`SELECT key FROM test_reminders ORDER BY key`).Scan(&out)
		return out
	}
	sorted := func(ks ...string) []string { slices.Sort(ks); return ks }

	// Sunday the 8th: verify-caller (due Friday) is overdue, basics is due tomorrow.
	f.setDay("2026-03-08")
	runTwice()
	want := sorted("task-overdue:"+task("verify-caller"), "task-due:"+task("basics"))
	if got := keys(); !slices.Equal(got, want) {
		t.Fatalf("reminders on sunday: got %v, want %v", got, want)
	}
	runTwice()
	if got := keys(); !slices.Equal(got, want) {
		t.Fatalf("reminders after running again: got %v, want %v", got, want)
	}
	// Tuesday the 10th: basics is overdue now, the role-play due today (no reminder yet).
	f.setDay("2026-03-10")
	runTwice()
	want = sorted(append(want, "task-overdue:"+task("basics"))...)
	if got := keys(); !slices.Equal(got, want) {
		t.Fatalf("reminders on tuesday: got %v, want %v", got, want)
	}
	var title string
	env.DB.Raw(`SELECT title FROM test_reminders WHERE key = ?`, "task-due:"+task("basics")).Scan(&title)
	if title != "Due tomorrow: Pass Card basics" {
		t.Errorf("title: got %q", title)
	}
}

// TestRemindersReachTheInbox runs the job with the app's own sink: each task
// reminder is a notice in the member's inbox, once.
func TestRemindersReachTheInbox(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	cohort := f.cohort("2026-03-05")
	ada := f.member(cohort, "ada@x.test")
	f.setDay("2026-03-08")
	for range 2 {
		if _, err := env.App.Onboarding.RunReminders(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	type notice struct{ Kind, Key, Title, Link string }
	var got []notice
	env.DB.Raw(`SELECT kind, key, title, link FROM notifications WHERE user_id = ? ORDER BY key`, ada).Scan(&got)
	if len(got) == 0 {
		t.Fatal("got no notices in the inbox, want the task reminders")
	}
	seen := map[string]bool{}
	for _, n := range got {
		if seen[n.Key] {
			t.Errorf("got notice %q twice, want once", n.Key)
		}
		seen[n.Key] = true
		if n.Kind != onboarding.ReminderDue && n.Kind != onboarding.ReminderOverdue {
			t.Errorf("got kind %q, want a task reminder kind", n.Kind)
		}
		if n.Title == "" || n.Link == "" {
			t.Errorf("notice %q: got title %q link %q, want both", n.Key, n.Title, n.Link)
		}
	}
}
