package onboarding

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/notify"
)

// ReminderBatch is how many tasks the reminder job reads per query.
const ReminderBatch = 200

// RunReminders is the reminder job's pass: for every task not done that is
// due tomorrow it hands the sink a "task-due:<task id>" reminder, and for
// every task past its due day a "task-overdue:<task id>" one, each key once:
// the key is inserted into onboarding_reminders in the transaction that
// calls the sink, so a concurrent run (another replica) waits on the row and
// then skips it. Tasks found done are marked so later passes skip them. It
// returns how many reminders it handed over.
func (s *Service) RunReminders(ctx context.Context) (int, error) {
	today := s.today()
	tomorrow := today.AddDate(0, 0, 1)
	pc := s.newCache()
	sent := 0
	after := uuid.Nil.String()
	for {
		tasks, err := reminderCandidates(s.db.WithContext(ctx), after, today, tomorrow, ReminderBatch)
		if err != nil {
			return sent, err
		}
		for i := range tasks {
			t := &tasks[i]
			after = t.ID
			p, err := pc.get(ctx, t.UserID, t.ProgramID)
			if err != nil {
				return sent, fmt.Errorf("onboarding: reminders: %w", err)
			}
			if evidenceStatus(t, p) == StatusDone {
				if err := s.db.WithContext(ctx).Model(&Task{}).Where("id = ? AND done_at IS NULL", t.ID).
					Update("done_at", s.now()).Error; err != nil {
					return sent, fmt.Errorf("onboarding: reminders: mark done: %w", err)
				}
				continue
			}
			r := s.reminderFor(t, today)
			ok, err := s.remindOnce(ctx, r)
			if err != nil {
				return sent, fmt.Errorf("onboarding: reminders: %s: %w", r.Key, err)
			}
			if ok {
				sent++
			}
		}
		if len(tasks) < ReminderBatch || ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
}

// reminderFor is the reminder a task calls for at today.
func (s *Service) reminderFor(t *Task, today time.Time) Reminder {
	due := t.DueDate.AddDate(0, 0, 1) // due by the end of its day
	r := Reminder{UserID: uuid.MustParse(t.UserID), Link: "/onboarding", DueAt: &due}
	what := fmt.Sprintf("%s %s", actionOf(t.Kind), t.Slug)
	if t.DueDate.Before(today) {
		r.Kind, r.Key = ReminderOverdue, "task-overdue:"+t.ID
		r.Title = "Overdue: " + what
		r.Body = fmt.Sprintf("This onboarding task was due on %s (day %d of your plan).", t.DueDate.Format(notify.PeopleDay), t.Day)
		return r
	}
	r.Kind, r.Key = ReminderDue, "task-due:"+t.ID
	r.Title = "Due tomorrow: " + what
	r.Body = fmt.Sprintf("This onboarding task is due on %s (day %d of your plan).", t.DueDate.Format(notify.PeopleDay), t.Day)
	return r
}

// remindOnce records the reminder's key and hands it to the sink in one
// transaction; false when the key was handed over before.
func (s *Service) remindOnce(ctx context.Context, r Reminder) (bool, error) {
	sent := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO onboarding_reminders (key, user_id, sent_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			r.Key, r.UserID.String(), s.now())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		sent = true
		return s.reminders.Remind(ctx, tx, r)
	})
	return sent && err == nil, err
}
