package idempotency

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/db"
)

// Store keeps idempotency keys.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// claimQuery inserts a key's row for a new owner, or takes an existing row
// over when it has expired, or when its first request died (in progress,
// lease lapsed) and this is the same request. It returns a row only when
// the caller now owns the key. A concurrent insert of the same key waits
// for the other's (autocommitted) insert and then sees the conflict, so
// exactly one caller claims a fresh key.
const claimQuery = `
INSERT INTO idempotency_keys (principal, key, method, route, request_hash, owner, locked_until, created_at, expires_at)
VALUES (@principal, @key, @method, @route, @hash, @owner, @locked_until, @now, @expires_at)
ON CONFLICT (principal, key) DO UPDATE
SET method = EXCLUDED.method, route = EXCLUDED.route, request_hash = EXCLUDED.request_hash, owner = EXCLUDED.owner,
    locked_until = EXCLUDED.locked_until, status = NULL, content_type = NULL, response = NULL,
    created_at = EXCLUDED.created_at, completed_at = NULL, expires_at = EXCLUDED.expires_at
WHERE idempotency_keys.expires_at <= EXCLUDED.created_at
   OR (idempotency_keys.status IS NULL AND idempotency_keys.locked_until <= EXCLUDED.created_at
       AND idempotency_keys.request_hash = EXCLUDED.request_hash)
RETURNING owner`

// Claim makes r.Owner the owner of r's key and reports true, or reports
// false when another request holds or has answered it. Errors: unavailable
// when the database is.
func (s *Store) Claim(ctx context.Context, r *Record) (bool, error) {
	var owners []string
	err := s.db.WithContext(ctx).Raw(claimQuery, map[string]any{
		"principal": r.Principal, "key": r.Key, "method": r.Method, "route": r.Route, "hash": r.RequestHash,
		"owner": r.Owner, "locked_until": r.LockedUntil, "now": r.CreatedAt, "expires_at": r.ExpiresAt,
	}).Scan(&owners).Error
	if err != nil {
		return false, db.Translate(err, "idempotency key")
	}
	return len(owners) == 1, nil
}

// Get returns the key's row. Errors: not_found, unavailable.
func (s *Store) Get(ctx context.Context, principal, key string) (*Record, error) {
	var r Record
	err := s.db.WithContext(ctx).Where("principal = ? AND key = ?", principal, key).Take(&r).Error
	if err != nil {
		return nil, db.Translate(err, "idempotency key")
	}
	return &r, nil
}

// Complete keeps the answer of the key's first request, if owner still owns
// it.
func (s *Store) Complete(ctx context.Context, principal, key, owner string, status int, contentType string, body []byte, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&Record{}).
		Where("principal = ? AND key = ? AND owner = ? AND status IS NULL", principal, key, owner).
		Updates(map[string]any{"status": status, "content_type": contentType, "response": body, "completed_at": at}).Error
	if err != nil {
		return fmt.Errorf("idempotency: complete: %w", err)
	}
	return nil
}

// Release deletes the key's row if owner still owns it and it has no answer,
// so that a retry runs again.
func (s *Store) Release(ctx context.Context, principal, key, owner string) error {
	err := s.db.WithContext(ctx).
		Where("principal = ? AND key = ? AND owner = ? AND status IS NULL", principal, key, owner).
		Delete(&Record{}).Error
	if err != nil {
		return fmt.Errorf("idempotency: release: %w", err)
	}
	return nil
}

// deleteExpiredQuery deletes one batch of expired keys; SKIP LOCKED lets
// several replicas run the cleanup at once.
const deleteExpiredQuery = `
DELETE FROM idempotency_keys WHERE (principal, key) IN (
  SELECT principal, key FROM idempotency_keys WHERE expires_at <= ? ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)`

// DeleteExpired deletes up to limit keys that expired by now and says how
// many.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	res := s.db.WithContext(ctx).Exec(deleteExpiredQuery, now, limit)
	if res.Error != nil {
		return 0, fmt.Errorf("idempotency: delete expired: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}
