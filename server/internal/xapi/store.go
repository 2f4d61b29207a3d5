package xapi

import (
	"time"

	"gorm.io/gorm"
)

// insertQuery queues a statement unless its source has one already.
const insertQuery = `
INSERT INTO xapi_statements (id, source, user_id, verb, statement, status, attempts, next_attempt_at, created_at, updated_at)
VALUES (@id, @source, @user_id, @verb, @statement, 'pending', 0, @now, @now, @now)
ON CONFLICT (source) DO NOTHING`

// queue queues, in tx, the statement (its id and JSON) of e unless its
// source has one already.
func queue(tx *gorm.DB, id string, e Experience, statement []byte, now time.Time) error {
	return tx.Exec(insertQuery, map[string]any{"id": id, "source": e.Source, "user_id": e.UserID,
		"verb": e.Verb, "statement": string(statement), "now": now}).Error
}

// claimQuery leases up to @limit due statements (or ones whose sender's
// lease ran out) to this sender until @lease; SKIP LOCKED lets replicas
// claim at once without taking the same row.
const claimQuery = `
UPDATE xapi_statements q
SET status = 'sending', next_attempt_at = @lease, updated_at = @now
WHERE q.id IN (
    SELECT q2.id FROM xapi_statements q2
    WHERE q2.status IN ('pending', 'sending') AND q2.next_attempt_at <= @now
    ORDER BY q2.next_attempt_at, q2.created_at, q2.id
    LIMIT @limit
    FOR UPDATE SKIP LOCKED)
RETURNING q.*`

// claim leases up to limit due statements until leaseUntil.
func claim(g *gorm.DB, now, leaseUntil time.Time, limit int) ([]Queued, error) {
	qs := []Queued{}
	err := g.Raw(claimQuery, map[string]any{"now": now, "lease": leaseUntil, "limit": limit}).Scan(&qs).Error
	return qs, err
}

// recordAttempt writes the outcome of a send of q, if q is still leased
// (status sending).
func recordAttempt(g *gorm.DB, q *Queued) error {
	return g.Model(&Queued{}).Where("id = ? AND status = ?", q.ID, Sending).
		Updates(map[string]any{"status": q.Status, "attempts": q.Attempts, "next_attempt_at": q.NextAttemptAt,
			"last_status": q.LastStatus, "last_error": q.LastError, "sent_at": q.SentAt, "updated_at": q.UpdatedAt}).Error
}
