package onboarding

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Store is the onboarding SQL.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// Cohort returns the cohort, or not_found (also for an id that is not a UUID).
func (s *Store) Cohort(ctx context.Context, id string) (*Cohort, error) {
	return cohortByID(s.db.WithContext(ctx), id)
}

func cohortByID(tx *gorm.DB, id string) (*Cohort, error) {
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("cohort")
	}
	var c Cohort
	if err := tx.Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, db.Translate(err, "cohort")
	}
	return &c, nil
}

// ListCohorts returns every cohort, newest start first.
func (s *Store) ListCohorts(ctx context.Context) ([]Cohort, error) {
	out := []Cohort{}
	if err := s.db.WithContext(ctx).Order("start_date DESC, name, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("onboarding: list cohorts: %w", err)
	}
	return out, nil
}

// CohortsOfUser returns the cohorts the user is a member of.
func (s *Store) CohortsOfUser(ctx context.Context, userID string) ([]Cohort, error) {
	out := []Cohort{}
	err := s.db.WithContext(ctx).Where("id IN (SELECT cohort_id FROM cohort_members WHERE user_id = ?)", userID).
		Order("start_date DESC, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("onboarding: cohorts of user: %w", err)
	}
	return out, nil
}

// ProgramIDs returns the cohort's programs in order.
func (s *Store) ProgramIDs(ctx context.Context, cohortID string) ([]string, error) {
	return programIDs(s.db.WithContext(ctx), cohortID)
}

func programIDs(tx *gorm.DB, cohortID string) ([]string, error) {
	ids := []string{}
	if err := tx.Table("cohort_programs").Where("cohort_id = ?", cohortID).Order("position").Pluck("program_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("onboarding: cohort programs: %w", err)
	}
	return ids, nil
}

// Members returns the cohort's members by email.
func (s *Store) Members(ctx context.Context, cohortID string) ([]Member, error) {
	const q = `
SELECT m.user_id, u.email, u.display_name, m.added_at
FROM cohort_members m JOIN users u ON u.id = m.user_id
WHERE m.cohort_id = ? ORDER BY u.email`
	out := []Member{}
	if err := s.db.WithContext(ctx).Raw(q, cohortID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("onboarding: members: %w", err)
	}
	return out, nil
}

type calendarRow struct {
	Day  time.Time `gorm:"column:day"`
	Kind string    `gorm:"column:kind"`
}

// Calendar returns the cohort's calendar.
func (s *Store) Calendar(ctx context.Context, c *Cohort) (Calendar, error) {
	return calendarOf(s.db.WithContext(ctx), c)
}

func calendarOf(tx *gorm.DB, c *Cohort) (Calendar, error) {
	var rows []calendarRow
	if err := tx.Table("cohort_calendar").Where("cohort_id = ?", c.ID).Order("day").Find(&rows).Error; err != nil {
		return Calendar{}, fmt.Errorf("onboarding: calendar: %w", err)
	}
	cal := Calendar{SkipWeekends: c.SkipWeekends, Off: map[string]bool{}, Work: map[string]bool{}}
	for _, r := range rows {
		if r.Kind == "off" {
			cal.Off[r.Day.Format(Date)] = true
		} else {
			cal.Work[r.Day.Format(Date)] = true
		}
	}
	return cal, nil
}

// Tasks returns the cohort's tasks (of one user when userID is not ""), by
// user, program order and plan position.
func (s *Store) Tasks(ctx context.Context, cohortID, userID string) ([]Task, error) {
	const q = `
SELECT t.* FROM onboarding_tasks t
JOIN cohort_programs p ON p.cohort_id = t.cohort_id AND p.program_id = t.program_id
WHERE t.cohort_id = ? AND (? = '' OR t.user_id::text = ?)
ORDER BY t.user_id, p.position, t.position`
	out := []Task{}
	if err := s.db.WithContext(ctx).Raw(q, cohortID, userID, userID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("onboarding: tasks: %w", err)
	}
	return out, nil
}

// Refreshers returns the user's open refresher assignments and those
// closed since closedSince, newest first.
func (s *Store) Refreshers(ctx context.Context, userID string, closedSince time.Time) ([]Refresher, error) {
	out := []Refresher{}
	err := s.db.WithContext(ctx).Where("user_id = ? AND (closed_at IS NULL OR closed_at >= ?)", userID, closedSince).
		Order("assigned_at DESC, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("onboarding: refreshers: %w", err)
	}
	return out, nil
}

// ProgramRefreshers returns the open refresher assignments of a program.
func (s *Store) ProgramRefreshers(ctx context.Context, programID string) ([]Refresher, error) {
	out := []Refresher{}
	err := s.db.WithContext(ctx).Where("program_id = ? AND closed_at IS NULL", programID).
		Order("due_at NULLS LAST, assigned_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("onboarding: program refreshers: %w", err)
	}
	return out, nil
}

// reminderCandidates returns up to limit tasks after the id after, not
// seen done, whose due-tomorrow or overdue reminder was not handed over yet,
// by id.
func reminderCandidates(tx *gorm.DB, after string, today, tomorrow time.Time, limit int) ([]Task, error) {
	const q = `
SELECT t.* FROM onboarding_tasks t
WHERE t.done_at IS NULL AND t.id > ?::uuid
  AND ((t.due_date = ? AND NOT EXISTS (SELECT 1 FROM onboarding_reminders r WHERE r.key = 'task-due:' || t.id))
    OR (t.due_date < ? AND NOT EXISTS (SELECT 1 FROM onboarding_reminders r WHERE r.key = 'task-overdue:' || t.id)))
ORDER BY t.id LIMIT ?`
	out := []Task{}
	if err := tx.Raw(q, after, tomorrow.Format(Date), today.Format(Date), limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("onboarding: reminder candidates: %w", err)
	}
	return out, nil
}

// joinDays returns the UTC day each of the users joined the cohort.
func joinDays(tx *gorm.DB, cohortID string, userIDs []string) (map[string]time.Time, error) {
	var rows []struct {
		UserID  string    `gorm:"column:user_id"`
		AddedAt time.Time `gorm:"column:added_at"`
	}
	if err := tx.Raw(`SELECT user_id, added_at FROM cohort_members WHERE cohort_id = ? AND user_id IN ?`, cohortID, userIDs).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("onboarding: join days: %w", err)
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		a := r.AddedAt.UTC()
		out[r.UserID] = time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	}
	return out, nil
}

// recordReminder takes a reminder key in tx: false when it was taken before.
func recordReminder(tx *gorm.DB, key, userID string, now time.Time) (bool, error) {
	res := tx.Exec(`INSERT INTO onboarding_reminders (key, user_id, sent_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		key, userID, now)
	if res.Error != nil {
		return false, fmt.Errorf("onboarding: record reminder: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}
