package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/notify"
)

const ymd = "2006-01-02"

func TestReminderJobRemindsOfEachKindOnceAsTheClockMoves(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newWorld(t, env)
	t0 := w.t0
	certA := w.certification("certified", t0.Add(day(40)), nil)
	w.program = w.otherProgram()
	refresherDue := t0.Add(day(10))
	certB := w.certification("refresher_due", t0.Add(day(25)), &refresherDue)
	w.program = env.ProgramID("fenmore-bank", "card-services")
	licExpiry := t0.Add(day(20))
	lic := w.license(licExpiry)
	run, title := w.sentBack(t0.Add(-time.Hour))
	w.sentBack(t0.Add(-day(20))) // before the lookback: not reminded

	pass := func(want ...string) {
		t.Helper()
		before := noticeKeys(t, env)
		n, err := env.App.Notify.RunRemindersOnce(context.Background())
		if err != nil {
			t.Fatalf("reminder pass at %s: %v", env.Clock.Now(), err)
		}
		var added []string
		for _, k := range noticeKeys(t, env) {
			if !slices.Contains(before, k) {
				added = append(added, k)
			}
		}
		slices.Sort(want)
		if !slices.Equal(added, want) || n != len(want) {
			t.Fatalf("pass at %s: created %d %v, want %v", env.Clock.Now().Format(ymd), n, added, want)
		}
	}

	pass("refresher-due:"+certB+":"+refresherDue.Format(ymd),
		"cert-expiring-30:"+certB+":"+t0.Add(day(25)).Format(ymd),
		"license-expiring-30:"+lic+":"+licExpiry.Format(ymd),
		// The TX license has none of the CE the demo library's (sample) TX requirement asks for.
		"ce-incomplete-30:"+lic+":"+licExpiry.Format(ymd),
		"roleplay-sent-back:"+run)
	pass() // nothing twice

	env.Clock.Set(t0.Add(day(11))) // A: 29 days left
	pass("cert-expiring-30:" + certA + ":" + t0.Add(day(40)).Format(ymd))
	env.Clock.Set(t0.Add(day(14))) // the license: 6 days left
	pass("license-expiring-7:" + lic + ":" + licExpiry.Format(ymd))
	env.Clock.Set(t0.Add(day(19))) // B: 6 days left
	pass("cert-expiring-7:" + certB + ":" + t0.Add(day(25)).Format(ymd))
	pass()

	// A renewed certification gets its reminders again, for its new date.
	renewed := t0.Add(day(400))
	w.exec(`UPDATE certifications SET expires_at = ? WHERE id = ?`, renewed, certA)
	env.Clock.Set(t0.Add(day(34)))
	pass()
	env.Clock.Set(renewed.Add(-day(25)))
	pass("cert-expiring-30:" + certA + ":" + renewed.Format(ymd))
	env.Clock.Set(renewed.Add(-day(3)))
	pass("cert-expiring-7:" + certA + ":" + renewed.Format(ymd))

	// What the agent sees.
	in := inboxOf(t, env, env.Login("agent@x.test"), "?limit=100")
	byKind := map[string][]notify.Notification{}
	for _, n := range in.Notifications {
		byKind[n.Kind] = append(byKind[n.Kind], n)
	}
	if got := len(byKind[notify.KindCertExpiring]); got != 5 {
		t.Errorf("certification expiry notices: got %d, want 5", got)
	}
	if got := len(byKind[notify.KindLicenseExpiring]); got != 2 {
		t.Errorf("license expiry notices: got %d, want 2", got)
	}
	sb := byKind[notify.KindRoleplaySentBack]
	if len(sb) != 1 || sb[0].Title != "Role-play sent back: "+title || sb[0].Link != "/training/"+w.program+"/roleplay/"+run ||
		!strings.Contains(sb[0].Body, "You skipped the verification step") {
		t.Errorf("sent-back notice: got %+v", sb)
	}
	rd := byKind[notify.KindRefresherDue]
	if len(rd) != 1 || rd[0].DueAt == nil || !rd[0].DueAt.Equal(refresherDue) || rd[0].Link != "/certifications" ||
		rd[0].DueDate == nil || string(*rd[0].DueDate) != refresherDue.UTC().Format(ymd) {
		t.Errorf("refresher notice: got %+v, want one due %s linking /certifications", rd, refresherDue)
	}
	for _, n := range byKind[notify.KindLicenseExpiring] {
		if n.DueAt == nil || n.DueAt.Format(ymd) != licExpiry.Format(ymd) || n.Link != "/licenses" {
			t.Errorf("license notice: got %+v, want due %s linking /licenses", n, licExpiry.Format(ymd))
		}
		if !strings.Contains(n.Title, " insurance producer license ") {
			t.Errorf("license notice title: got %q, want the class in words", n.Title)
		}
		// The day shown is the last day the license holds, as the body says.
		last := licExpiry.AddDate(0, 0, -1)
		if n.DueDate == nil || string(*n.DueDate) != last.Format(ymd) || !strings.Contains(n.Body, "valid until "+last.Format(notify.PeopleDay)) {
			t.Errorf("license notice: got due day %v, body %q; want %s in both", n.DueDate, n.Body, last.Format(ymd))
		}
	}
}

func TestRemindersAreCreatedOnceByConcurrentJobRuns(t *testing.T) {
	t.Parallel()
	// With SMTP configured each new notice queues one email; the server is
	// never contacted here (the sender job does not run).
	env := apitest.NewWith(t, func(c *app.Config) {
		c.Mail = &notify.MailConfig{Addr: "127.0.0.1:1", From: "Skillgate <noreply@skillgate.test>"}
	})
	w := newWorld(t, env)
	w.certification("certified", w.t0.Add(day(5)), nil)
	w.license(w.t0.Add(day(25)))
	w.sentBack(w.t0.Add(-time.Hour))

	// Two replicas: two services over the same database, two runs each, at once.
	replica := notify.NewService(env.DB, env.App.Auth, env.Clock, notify.Options{Mail: env.App.Config.Mail})
	replica.SetSources(env.App.NotifySources())
	jobs := []*notify.Service{env.App.Notify, replica, env.App.Notify, replica}
	var wg sync.WaitGroup
	created := make([]int, len(jobs))
	errs := make([]error, len(jobs))
	for i, s := range jobs {
		wg.Go(func() { created[i], errs[i] = s.RunRemindersOnce(context.Background()) })
	}
	wg.Wait()
	total := 0
	for i := range jobs {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		total += created[i]
	}
	// The license's reminders: expiring, and its CE incomplete (the demo
	// library's sample TX requirement).
	if ks := noticeKeys(t, env); len(ks) != 4 || total != 4 {
		t.Errorf("after four concurrent runs: %d notices %v, runs reported %d created; want 4 and 4", len(ks), ks, total)
	}
	var emails int64
	env.DB.Model(&notify.Email{}).Count(&emails)
	if emails != 4 {
		t.Errorf("queued emails: got %d, want one per notice (4)", emails)
	}

	// The same reminder asked for by many callers at once (onboarding's
	// shape) is created once.
	due := w.t0.Add(day(1))
	r := notify.Reminder{UserID: uuid.MustParse(w.agent), Kind: "onboarding.task_due", Key: "task-due:" + uuid.NewString(),
		Title: "Task due tomorrow", Body: "Read the fee schedule", Link: "/training", DueAt: &due}
	for range 8 {
		wg.Go(func() {
			if err := env.App.Notify.Remind(context.Background(), nil, r); err != nil {
				t.Errorf("remind: %v", err)
			}
		})
	}
	wg.Wait()
	var n int64
	env.DB.Model(&notify.Notification{}).Where("key = ?", r.Key).Count(&n)
	env.DB.Model(&notify.Email{}).Count(&emails)
	if n != 1 || emails != 5 {
		t.Errorf("eight concurrent Reminds of one key: got %d notices and %d emails in all, want 1 and 5", n, emails)
	}
}

func TestRemindJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	agent := env.User("agent@x.test", "agent")
	r := notify.Reminder{UserID: uuid.MustParse(agent.ID), Kind: "onboarding.task_overdue", Key: "task-overdue:1", Title: "Overdue"}
	// A rolled-back caller leaves no notice behind.
	tx := env.DB.Begin()
	if err := env.App.Notify.Remind(context.Background(), tx, r); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if ks := noticeKeys(t, env); len(ks) != 0 {
		t.Fatalf("after a rollback: got %v, want no notice", ks)
	}
	tx = env.DB.Begin()
	if err := env.App.Notify.Remind(context.Background(), tx, r); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if ks := noticeKeys(t, env); !slices.Equal(ks, []string{"task-overdue:1"}) {
		t.Errorf("after a commit: got %v, want [task-overdue:1]", ks)
	}
	var emails int64
	env.DB.Model(&notify.Email{}).Count(&emails)
	if emails != 0 {
		t.Errorf("emails without SMTP: got %d, want none queued", emails)
	}
}

// TestRemindDueDay: a notice's due day is the one given, else the UTC day
// of due_at; a due day that is not a date is refused.
func TestRemindDueDay(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	agent := uuid.MustParse(env.User("agent@x.test", "agent").ID)
	midnight := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		dueAt   *time.Time
		dueDate string
		want    string // "" for no due day; "invalid" for a refusal
	}{
		{"the day given", &midnight, "2026-12-01", "2026-12-01"},
		{"the day of due_at", &midnight, "", "2026-12-02"},
		{"no date", nil, "", ""},
		{"not a date", &midnight, "2026-12-32", "invalid"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := fmt.Sprintf("due-day:%d", i)
			err := env.App.Notify.Remind(context.Background(), nil, notify.Reminder{UserID: agent, Kind: "onboarding.task_due",
				Key: key, Title: "Due", DueAt: tc.dueAt, DueDate: tc.dueDate})
			if tc.want == "invalid" {
				if !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("got %v, want invalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var n notify.Notification
			if err := env.DB.Where("key = ?", key).Take(&n).Error; err != nil {
				t.Fatal(err)
			}
			got := ""
			if n.DueDate != nil {
				got = string(*n.DueDate)
			}
			if got != tc.want {
				t.Errorf("due day: got %q, want %q", got, tc.want)
			}
		})
	}
}
