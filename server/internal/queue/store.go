package queue

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// claimQuery is the one claim of every kind: it leases up to @limit jobs
// whose attempt is due (or whose worker's lease ran out) to this worker
// until @lease. The inner SELECT ... FOR UPDATE SKIP LOCKED lets several
// workers claim at once without ever claiming the same job. The table, the
// readiness condition and the order are the kind's constants.
func claimQuery(k Kind) string {
	ready := ""
	if k.Ready != "" {
		ready = "AND (" + k.Ready + ")"
	}
	return fmt.Sprintf(`
UPDATE %[1]s
SET status = 'sending', next_attempt_at = @lease, updated_at = @now
WHERE id IN (
    SELECT j.id FROM %[1]s j
    WHERE j.status IN ('pending', 'sending') AND j.next_attempt_at <= @now %[2]s
    ORDER BY %[3]s
    LIMIT @limit
    FOR UPDATE OF j SKIP LOCKED)
RETURNING *`, k.Table, ready, k.Order)
}

func claim[T any](g *gorm.DB, query string, now, lease time.Time, limit int) ([]T, error) {
	rows := []T{}
	err := g.Raw(query, map[string]any{"now": now, "lease": lease, "limit": limit}).Scan(&rows).Error
	return rows, err
}

// claimOneQuery leases one job for an attempt now, restarting its attempt
// count, unless a worker holds its lease right now.
const claimOneQuery = `
UPDATE %s
SET status = 'sending', attempts = 0, next_attempt_at = @lease, updated_at = @now
WHERE id = @id AND NOT (status = 'sending' AND next_attempt_at > @now)
RETURNING *`

func claimOne[T any](tx *gorm.DB, table, id string, now, lease time.Time) (T, bool, error) {
	var rows []T
	err := tx.Raw(fmt.Sprintf(claimOneQuery, table), map[string]any{"id": id, "now": now, "lease": lease}).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		var zero T
		return zero, false, err
	}
	return rows[0], true, nil
}

// finish writes cols to the job, provided its worker still holds the lease
// ending at lease (status sending, next_attempt_at the lease's end); it
// reports whether it did.
func finish(tx *gorm.DB, table, id string, lease time.Time, cols map[string]any) (bool, error) {
	res := tx.Table(table).Where("id = ? AND status = ? AND next_attempt_at = ?", id, Sending, lease).Updates(cols)
	return res.RowsAffected == 1, res.Error
}

// requeue makes the jobs pending, due at now with no attempts, except those
// a worker holds right now (sending, their lease not yet over).
func requeue(tx *gorm.DB, table string, ids []string, now time.Time) error {
	return tx.Table(table).Where("id IN ? AND NOT (status = ? AND next_attempt_at > ?)", ids, Sending, now).
		Updates(map[string]any{"status": Pending, "attempts": 0, "next_attempt_at": now, "updated_at": now}).Error
}
