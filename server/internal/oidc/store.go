package oidc

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// pending is one sign-in on its way through the provider (oidc_logins).
type pending struct {
	StateHash    string    `gorm:"column:state_hash"`
	Nonce        string    `gorm:"column:nonce"`
	CodeVerifier string    `gorm:"column:code_verifier"`
	CreatedAt    time.Time `gorm:"column:created_at"`
	ExpiresAt    time.Time `gorm:"column:expires_at"`
}

func (pending) TableName() string { return "oidc_logins" }

// store is the sign-in flows' SQL.
type store struct{ db *gorm.DB }

// save keeps a new pending sign-in, and drops those that expired before
// now (they can never be spent).
func (s *store) save(ctx context.Context, p *pending, now time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("expires_at <= ?", now).Delete(&pending{}).Error; err != nil {
			return db.Translate(err, "sign-in")
		}
		return db.Translate(tx.Create(p).Error, "sign-in")
	})
}

// take spends the pending sign-in with the state's hash: it is deleted as
// it is read, so of two callbacks with one state only one gets it.
// Errors: not_found (unknown, or already spent).
const takePending = `DELETE FROM oidc_logins WHERE state_hash = ? RETURNING state_hash, nonce, code_verifier, created_at, expires_at`

func (s *store) take(ctx context.Context, stateHash string) (*pending, error) {
	var rows []pending
	if err := s.db.WithContext(ctx).Raw(takePending, stateHash).Scan(&rows).Error; err != nil {
		return nil, db.Translate(err, "sign-in")
	}
	if len(rows) == 0 {
		return nil, apperr.NotFoundf("sign-in")
	}
	return &rows[0], nil
}
