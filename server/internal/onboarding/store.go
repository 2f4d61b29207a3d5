package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/catalog"
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

// cohortTasks returns every task of the cohort's members, read in tx.
func cohortTasks(tx *gorm.DB, cohortID string) ([]Task, error) {
	out := []Task{}
	if err := tx.Where("cohort_id = ?", cohortID).Order("user_id, program_id, position").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("onboarding: cohort tasks: %w", err)
	}
	return out, nil
}

// lockCohort takes the cohort's row lock in tx, so changes to its tasks
// (a plan applied, a calendar change) happen one after another.
func lockCohort(tx *gorm.DB, cohortID string) error {
	var c Cohort
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", cohortID).Take(&c).Error; err != nil {
		return fmt.Errorf("onboarding: lock cohort: %w", err)
	}
	return nil
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

// CreateCohort inserts the cohort and its programs, in order, in tx.
// Errors: conflict (a cohort with that id exists).
func (s *Store) CreateCohort(tx *gorm.DB, c *Cohort, programIDs []string) error {
	if err := tx.Create(c).Error; err != nil {
		return db.Translate(err, "cohort")
	}
	for i, id := range programIDs {
		if err := tx.Table("cohort_programs").Create(map[string]any{"cohort_id": c.ID, "program_id": id, "position": i + 1}).Error; err != nil {
			return fmt.Errorf("cohort program: %w", err)
		}
	}
	return nil
}

// IsMember reports whether the user is a member of the cohort.
func (s *Store) IsMember(ctx context.Context, cohortID, userID string) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM cohort_members WHERE cohort_id = ? AND user_id = ?)`
	var isMember bool
	if err := s.db.WithContext(ctx).Raw(q, cohortID, userID).Scan(&isMember).Error; err != nil {
		return false, err
	}
	return isMember, nil
}

// AddMember inserts a member in tx. Errors: conflict (already a member).
func (s *Store) AddMember(tx *gorm.DB, cohortID, userID string, at time.Time, by string) error {
	if err := tx.Table("cohort_members").Create(map[string]any{"cohort_id": cohortID, "user_id": userID,
		"added_at": at, "added_by": by}).Error; err != nil {
		return db.Translate(err, "cohort member")
	}
	return nil
}

// RemoveMember deletes a member and their tasks in tx. Errors: not_found
// (not a member).
func (s *Store) RemoveMember(tx *gorm.DB, cohortID, userID string) error {
	res := tx.Exec(`DELETE FROM cohort_members WHERE cohort_id = ? AND user_id = ?`, cohortID, userID)
	if res.Error != nil {
		return fmt.Errorf("onboarding: remove member: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("member")
	}
	if err := tx.Exec(`DELETE FROM onboarding_tasks WHERE cohort_id = ? AND user_id = ?`, cohortID, userID).Error; err != nil {
		return fmt.Errorf("onboarding: remove tasks: %w", err)
	}
	return nil
}

// MemberIDs returns the ids of the cohort's members, in tx.
func (s *Store) MemberIDs(tx *gorm.DB, cohortID string) ([]string, error) {
	var members []string
	if err := tx.Table("cohort_members").Where("cohort_id = ?", cohortID).Pluck("user_id", &members).Error; err != nil {
		return nil, err
	}
	return members, nil
}

// SetCalendar writes the cohort's calendar settings and replaces its
// overrides (day → "off" or "work") in tx.
func (s *Store) SetCalendar(tx *gorm.DB, c *Cohort, days map[string]string) error {
	if err := tx.Model(&Cohort{}).Where("id = ?", c.ID).
		Updates(map[string]any{"skip_weekends": c.SkipWeekends, "due_from": c.DueFrom, "updated_at": c.UpdatedAt}).Error; err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM cohort_calendar WHERE cohort_id = ?`, c.ID).Error; err != nil {
		return err
	}
	for d, kind := range days {
		if err := tx.Table("cohort_calendar").Create(map[string]any{"cohort_id": c.ID, "day": d, "kind": kind}).Error; err != nil {
			return err
		}
	}
	return nil
}

// UpsertTask writes a task due on due (a Date) in tx, or moves the one the
// member already has for that program, kind and slug.
func (s *Store) UpsertTask(tx *gorm.DB, t Task, due string) error {
	const q = `
INSERT INTO onboarding_tasks (id, cohort_id, user_id, program_id, position, day, kind, slug, module_id, due_date)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (cohort_id, user_id, program_id, kind, slug) DO UPDATE
    SET position = EXCLUDED.position, day = EXCLUDED.day, module_id = EXCLUDED.module_id, due_date = EXCLUDED.due_date`
	if err := tx.Exec(q, t.ID, t.CohortID, t.UserID, t.ProgramID, t.Position, t.Day, t.Kind, t.Slug, t.ModuleID, due).Error; err != nil {
		return fmt.Errorf("onboarding: write task: %w", err)
	}
	return nil
}

// PruneTasks deletes, in tx, the users' tasks in the cohort whose key
// (Task.Key) is not in keep.
func (s *Store) PruneTasks(tx *gorm.DB, cohortID string, userIDs, keep []string) error {
	const q = `
DELETE FROM onboarding_tasks WHERE cohort_id = ? AND user_id IN ?
  AND NOT (program_id::text || '/' || kind || '/' || slug = ANY (?::text[]))`
	if err := tx.Exec(q, cohortID, userIDs, catalog.StringList(keep)).Error; err != nil {
		return fmt.Errorf("onboarding: prune tasks: %w", err)
	}
	return nil
}

// MarkTaskDone records that the task was seen done at at, unless it was
// before.
func (s *Store) MarkTaskDone(ctx context.Context, taskID string, at time.Time) error {
	return s.db.WithContext(ctx).Model(&Task{}).Where("id = ? AND done_at IS NULL", taskID).Update("done_at", at).Error
}

// closeRefresher closes, in tx, the certification's open refresher
// assignment (if any) with the outcome.
func closeRefresher(tx *gorm.DB, certificationID string, at time.Time, outcome string) error {
	err := tx.Model(&Refresher{}).Where("certification_id = ? AND closed_at IS NULL", certificationID).
		Updates(map[string]any{"closed_at": at, "outcome": outcome}).Error
	if err != nil {
		return fmt.Errorf("onboarding: close refresher: %w", err)
	}
	return nil
}

// lockOpenRefresher locks and returns, in tx, the certification's open
// refresher assignment. Errors: not_found (none is open).
func lockOpenRefresher(tx *gorm.DB, certificationID string) (*Refresher, error) {
	var open []Refresher
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("certification_id = ? AND closed_at IS NULL", certificationID).Find(&open).Error; err != nil {
		return nil, fmt.Errorf("onboarding: refresher: %w", err)
	}
	if len(open) == 0 {
		return nil, apperr.NotFoundf("open refresher")
	}
	return &open[0], nil
}

// insertRefresher opens a refresher assignment in tx.
func insertRefresher(tx *gorm.DB, r *Refresher) error {
	if err := tx.Create(r).Error; err != nil {
		return fmt.Errorf("onboarding: open refresher: %w", err)
	}
	return nil
}

// updateRefresher writes, in tx, r's items, due date, reason and since into
// the open assignment id.
func updateRefresher(tx *gorm.DB, id string, r *Refresher) error {
	raw, err := json.Marshal(r.Items)
	if err != nil {
		return err
	}
	err = tx.Model(&Refresher{}).Where("id = ?", id).
		Updates(map[string]any{"items": string(raw), "due_at": r.DueAt, "reason": r.Reason, "since": r.Since}).Error
	if err != nil {
		return fmt.Errorf("onboarding: update refresher: %w", err)
	}
	return nil
}
