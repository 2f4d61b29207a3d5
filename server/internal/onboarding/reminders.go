package onboarding

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ReminderBatch is how many tasks the reminder job reads per query.
const ReminderBatch = 200

// MaxDigestItems bounds the tasks a digest lists by name.
const MaxDigestItems = 20

// RunReminders is the reminder job's pass: for every task not done that is
// due tomorrow it hands the sink a "task-due:<task id>" reminder, and for
// every task past its due day a "task-overdue:<task id>" one, each key once:
// the key is inserted into onboarding_reminders in the transaction that
// calls the sink, so a concurrent run (another replica) waits on the row and
// then skips it. When a pass finds several tasks of one member of a cohort
// overdue and not reminded of (a member who joined late, or who missed a
// day with several tasks), they get one digest notice listing them rather
// than one notice each. Tasks found done are marked so later passes skip
// them. It returns how many notices it handed over.
func (s *Service) RunReminders(ctx context.Context) (int, error) {
	today := s.today()
	tomorrow := today.AddDate(0, 0, 1)
	pc, nm := s.newCache(), s.newNames()
	sent := 0
	after := uuid.Nil.String()
	overdue := map[string][]Task{} // by user and cohort
	var groups []string
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
				if err := s.store.MarkTaskDone(ctx, t.ID, s.now()); err != nil {
					return sent, fmt.Errorf("onboarding: reminders: mark done: %w", err)
				}
				continue
			}
			if t.DueDate.Before(today) {
				g := t.UserID + "/" + t.CohortID
				if _, ok := overdue[g]; !ok {
					groups = append(groups, g)
				}
				overdue[g] = append(overdue[g], *t)
				continue
			}
			n, err := s.remindOnce(ctx, []Task{*t}, ReminderDue, nm)
			if err != nil {
				return sent, fmt.Errorf("onboarding: reminders: task-due:%s: %w", t.ID, err)
			}
			sent += n
		}
		if len(tasks) < ReminderBatch || ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return sent, ctx.Err()
	}
	for _, g := range groups {
		n, err := s.remindOnce(ctx, overdue[g], ReminderOverdue, nm)
		if err != nil {
			return sent, fmt.Errorf("onboarding: reminders: overdue of %s: %w", g, err)
		}
		sent += n
	}
	return sent, nil
}

// dueInstant is when a task due on day is late: the midnight after it.
func dueInstant(day time.Time) *time.Time {
	due := day.AddDate(0, 0, 1)
	return &due
}

// reminderFor is the notice for the tasks (one member's, one kind): one
// task's own notice, or a digest of several overdue ones.
func (s *Service) reminderFor(ctx context.Context, tasks []Task, kind string, nm *names) (Reminder, error) {
	t := &tasks[0]
	r := Reminder{UserID: uuid.MustParse(t.UserID), Kind: kind}
	pn, err := nm.program(ctx, t.ProgramID)
	if err != nil {
		return r, err
	}
	if len(tasks) == 1 {
		what := pn.task(t)
		r.Link, r.DueAt, r.DueDate = taskLink(t), dueInstant(t.DueDate), t.DueDate.Format(Date)
		if kind == ReminderOverdue {
			r.Key, r.Title = "task-overdue:"+t.ID, "Overdue: "+what
			r.Body = fmt.Sprintf("This %s onboarding task was due on %s (day %d of your plan).", pn.name, dayText(t.DueDate), t.Day)
			return r, nil
		}
		r.Key, r.Title = "task-due:"+t.ID, "Due tomorrow: "+what
		r.Body = fmt.Sprintf("This %s onboarding task is due on %s (day %d of your plan).", pn.name, dayText(t.DueDate), t.Day)
		return r, nil
	}
	// A digest: keyed by its first task, whose overdue key is taken once.
	slices.SortFunc(tasks, func(a, b Task) int {
		if c := a.DueDate.Compare(b.DueDate); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	t = &tasks[0]
	r.Key = "tasks-overdue:" + t.ID
	r.Title = fmt.Sprintf("%d onboarding tasks are overdue", len(tasks))
	r.Link, r.DueAt, r.DueDate = PlanLink, dueInstant(t.DueDate), t.DueDate.Format(Date)
	var b strings.Builder
	b.WriteString("These tasks of your onboarding plan are past their due day:\n")
	for i := range tasks {
		if i == MaxDigestItems {
			fmt.Fprintf(&b, "… and %d more.\n", len(tasks)-i)
			break
		}
		pn, err := nm.program(ctx, tasks[i].ProgramID)
		if err != nil {
			return r, err
		}
		fmt.Fprintf(&b, "- %s (%s, due %s)\n", pn.task(&tasks[i]), pn.name, dayText(tasks[i].DueDate))
	}
	b.WriteString("Your plan lists them in order; start with the first.")
	r.Body = b.String()
	return r, nil
}

// remindOnce records the tasks' reminder keys and hands the sink one notice
// for those recorded now (the others were taken by an earlier or concurrent
// pass), in one transaction. It returns how many notices it handed over.
func (s *Service) remindOnce(ctx context.Context, tasks []Task, kind string, nm *names) (int, error) {
	prefix := "task-due:"
	if kind == ReminderOverdue {
		prefix = "task-overdue:"
	}
	sent := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var fresh []Task
		for _, t := range tasks {
			ok, err := recordReminder(tx, prefix+t.ID, t.UserID, s.now())
			if err != nil {
				return err
			}
			if ok {
				fresh = append(fresh, t)
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		r, err := s.reminderFor(ctx, fresh, kind, nm)
		if err != nil {
			return err
		}
		sent = 1
		return s.reminders.Remind(ctx, tx, r)
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}
