package certification

import (
	"context"
	"fmt"

	"gorm.io/gorm"

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
