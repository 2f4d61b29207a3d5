package certification

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Store reads and writes certification rows.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// Find returns the agent's record for a program. Returns not_found.
func (s *Store) Find(ctx context.Context, userID, programID string) (*Certification, error) {
	return find(s.db.WithContext(ctx), userID, programID)
}

func find(tx *gorm.DB, userID, programID string) (*Certification, error) {
	var c Certification
	err := tx.Where("user_id = ? AND program_id = ?", userID, programID).Take(&c).Error
	if err != nil {
		return nil, db.Translate(err, "enrollment")
	}
	return &c, nil
}

// findMany returns the agents' records for a program, by agent (an agent
// without one is missing).
func (s *Store) findMany(ctx context.Context, userIDs []string, programID string) (map[string]*Certification, error) {
	out := make(map[string]*Certification, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	var cs []Certification
	if err := s.db.WithContext(ctx).Where("program_id = ? AND user_id IN ?", programID, userIDs).Find(&cs).Error; err != nil {
		return nil, db.Translate(err, "enrollments")
	}
	for i := range cs {
		out[cs[i].UserID] = &cs[i]
	}
	return out, nil
}

// ListForProgram returns a program's records by enrollment time.
func (s *Store) ListForProgram(ctx context.Context, programID string) ([]Certification, error) {
	var cs []Certification
	if err := s.db.WithContext(ctx).Where("program_id = ?", programID).Order("enrolled_at, id").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("certification: list for program: %w", err)
	}
	return cs, nil
}

// ListForUser returns an agent's records.
func (s *Store) ListForUser(ctx context.Context, userID string) ([]Certification, error) {
	var cs []Certification
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("enrolled_at, id").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("certification: list for user: %w", err)
	}
	return cs, nil
}

// ProgramIDsForUser returns the ids of every program the agent is enrolled in
// (in any state but revoked).
func (s *Store) ProgramIDsForUser(ctx context.Context, userID string) ([]string, error) {
	ids := []string{}
	err := s.db.WithContext(ctx).Model(&Certification{}).
		Where("user_id = ? AND state <> ?", userID, Revoked).Order("program_id").Pluck("program_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("certification: programs of user: %w", err)
	}
	return ids, nil
}

// ListByStates returns every record in one of the states, by program and
// user (reports read it, e.g. licensing's gap report).
func (s *Store) ListByStates(ctx context.Context, states ...State) ([]Certification, error) {
	cs := []Certification{}
	if len(states) == 0 {
		return cs, nil
	}
	if err := s.db.WithContext(ctx).Where("state IN ?", states).Order("program_id, user_id").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("certification: list by states: %w", err)
	}
	return cs, nil
}

// ListExpiring returns the current records (certified, refresher_due)
// whose certification expires after after and at or before until, soonest
// first (the reminder job reads it).
func (s *Store) ListExpiring(ctx context.Context, after, until time.Time) ([]Certification, error) {
	cs := []Certification{}
	err := s.db.WithContext(ctx).Where("state IN ? AND expires_at > ? AND expires_at <= ?", []State{Certified, RefresherDue}, after, until).
		Order("expires_at, id").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("certification: list expiring: %w", err)
	}
	return cs, nil
}

// FindByID returns the record, or not_found (also for an id that is not a UUID).
func (s *Store) FindByID(ctx context.Context, id string) (*Certification, error) {
	return findByID(s.db.WithContext(ctx), id)
}

func findByID(tx *gorm.DB, id string) (*Certification, error) {
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("certification")
	}
	var c Certification
	if err := tx.Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, db.Translate(err, "certification")
	}
	return &c, nil
}

// ListForProgramInState returns a program's records in the state (every
// state when it is ""), by enrollment time.
func (s *Store) ListForProgramInState(ctx context.Context, programID string, state State) ([]Certification, error) {
	cs := []Certification{}
	q := s.db.WithContext(ctx).Where("program_id = ?", programID)
	if state != "" {
		q = q.Where("state = ?", state)
	}
	if err := q.Order("enrolled_at, id").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("certification: list for program: %w", err)
	}
	return cs, nil
}

// History returns the record's transitions, oldest first.
func (s *Store) History(ctx context.Context, certificationID string) ([]Event, error) {
	es := []Event{}
	if err := s.db.WithContext(ctx).Where("certification_id = ?", certificationID).Order("seq").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("certification: history: %w", err)
	}
	return es, nil
}

// dueRecords locks up to limit records the job must evaluate at now: marked
// for evaluation, certified with the refresher window open, or current
// (certified, refresher_due) at or past expiry. Records another transaction
// holds are skipped.
func dueRecords(tx *gorm.DB, now time.Time, limit int) ([]Certification, error) {
	cs := []Certification{}
	err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
		Where("needs_evaluation OR (state IN ? AND expires_at <= ?) OR (state = ? AND refresher_opens_at <= ?)",
			[]State{Certified, RefresherDue}, now, Certified, now).
		Order("id").Limit(limit).Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("certification: due records: %w", err)
	}
	return cs, nil
}

// clearMarks clears the evaluation mark of each record still at the
// revision it was read at (always so under its row lock), in one update,
// and reports by id those it cleared.
func clearMarks(tx *gorm.DB, cs []*Certification) (map[string]bool, error) {
	cleared := map[string]bool{}
	if len(cs) == 0 {
		return cleared, nil
	}
	keys := make([][]any, len(cs))
	for i, c := range cs {
		keys[i] = []any{c.ID, c.Revision}
	}
	var ids []string
	err := tx.Raw(`UPDATE certifications SET needs_evaluation = false, revision = revision + 1
		WHERE (id, revision) IN ? RETURNING id`, keys).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("clear evaluation marks: %w", err)
	}
	for _, id := range ids {
		cleared[id] = true
	}
	for _, c := range cs {
		if cleared[c.ID] {
			c.NeedsEvaluation, c.Revision = false, c.Revision+1
		}
	}
	return cleared, nil
}

// updateRecord writes every column of c but its identity and enrollment, in tx.
func updateRecord(tx *gorm.DB, c *Certification) error {
	if err := tx.Model(c).Select("*").Omit("id", "user_id", "program_id", "enrolled_at", "enrolled_by").Updates(c).Error; err != nil {
		return fmt.Errorf("update record: %w", err)
	}
	return nil
}

// insertEvent appends a history row in tx (the database numbers it).
func insertEvent(tx *gorm.DB, e *Event) error {
	if err := tx.Omit("seq").Create(e).Error; err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}

// markUser marks, in tx, the user's records that are not revoked (of
// programID, or all of them when it is "") for evaluation.
func markUser(tx *gorm.DB, userID, programID string) error {
	q := tx.Model(&Certification{}).Where("user_id = ? AND state <> ?", userID, Revoked)
	if programID != "" {
		q = q.Where("program_id = ?", programID)
	}
	if err := q.Updates(map[string]any{"needs_evaluation": true, "revision": gorm.Expr("revision + 1")}).Error; err != nil {
		return fmt.Errorf("certification: mark evidence: %w", err)
	}
	return nil
}

// markCurrentInPrograms marks, in tx, every certified or refresher_due
// record of the programs for evaluation.
func markCurrentInPrograms(tx *gorm.DB, programIDs []string) error {
	err := tx.Model(&Certification{}).Where("program_id IN ? AND state IN ?", programIDs, []State{Certified, RefresherDue}).
		Updates(map[string]any{"needs_evaluation": true, "revision": gorm.Expr("revision + 1")}).Error
	if err != nil {
		return fmt.Errorf("certification: mark module change: %w", err)
	}
	return nil
}

// insertRecord inserts an enrollment in tx. Errors: conflict (the agent is
// enrolled in the program already).
func insertRecord(tx *gorm.DB, c *Certification) error {
	if err := tx.Create(c).Error; err != nil {
		return db.Translate(err, "enrollment")
	}
	return nil
}

// deleteRecord deletes an enrollment in tx.
func deleteRecord(tx *gorm.DB, c *Certification) error {
	if err := tx.Delete(c).Error; err != nil {
		return fmt.Errorf("certification: withdraw: %w", err)
	}
	return nil
}
