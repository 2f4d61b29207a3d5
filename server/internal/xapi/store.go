package xapi

import (
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/queue"
)

// insertQuery queues a statement unless its source has one already.
const insertQuery = `
INSERT INTO xapi_statements (id, source, user_id, verb, statement, status, attempts, next_attempt_at, created_at, updated_at)
VALUES (@id, @source, @user_id, @verb, @statement, 'pending', 0, @now, @now, @now)
ON CONFLICT (source) DO NOTHING`

// insertStatement queues, in tx, the statement (its id and JSON) of e unless its
// source has one already.
func insertStatement(tx *gorm.DB, id string, e Experience, statement []byte, now time.Time) error {
	return tx.Exec(insertQuery, map[string]any{"id": id, "source": e.Source, "user_id": e.UserID,
		"verb": e.Verb, "statement": string(statement), "now": now}).Error
}

// statementKind is the queue kind of statements: RetryDelays, a 2-minute
// lease, 20 at a time, oldest due first.
var statementKind = queue.Kind{Name: "xapi-statements", Table: "xapi_statements", Done: string(Sent),
	Schedule: RetryDelays, Lease: 2 * time.Minute, Batch: 20, Order: "j.next_attempt_at, j.created_at, j.id"}
