package routing

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/outbox"
)

// jobActor is who the re-decide job acts as in the audit trail.
var jobActor = audit.System("routing-gate")

// batchSize is how many assignments one re-decide transaction takes.
const batchSize = 200

// defaultSweep is how often every assignment is re-decided regardless.
const defaultSweep = 10 * time.Minute

// markDirty reads the outbox after the stored cursor and marks the
// assignments of every agent a license.changed or certification.changed
// event names. The cursor row is taken with SKIP LOCKED, so one replica
// reads at a time and the others skip this step.
//
// An event whose transaction commits after a later one was read is missed
// here (identity values are not commit-ordered); the slow sweep catches it.
const (
	lockCursor = `SELECT seq FROM routing_cursor WHERE name = 'outbox' FOR UPDATE SKIP LOCKED`
	readEvents = `SELECT seq, payload->>'user_id' AS user_id FROM outbox_events
WHERE seq > ? AND type IN (?, ?) ORDER BY seq LIMIT 5000`
	markUsers  = `UPDATE assignments SET dirty = true WHERE user_id IN ? AND NOT dirty`
	saveCursor = `UPDATE routing_cursor SET seq = ? WHERE name = 'outbox'`
)

func (s *Service) markDirty(ctx context.Context) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var seqs []int64
		if err := tx.Raw(lockCursor).Scan(&seqs).Error; err != nil {
			return fmt.Errorf("lock cursor: %w", err)
		}
		if len(seqs) == 0 {
			return nil // another replica is reading
		}
		var evs []struct {
			Seq    int64
			UserID *string
		}
		if err := tx.Raw(readEvents, seqs[0], outbox.LicenseChanged, outbox.CertificationChanged).Scan(&evs).Error; err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		if len(evs) == 0 {
			return nil
		}
		var users []string
		for _, e := range evs {
			if e.UserID != nil {
				users = append(users, *e.UserID)
			}
		}
		if len(users) > 0 {
			if err := tx.Exec(markUsers, users).Error; err != nil {
				return fmt.Errorf("mark dirty: %w", err)
			}
		}
		return tx.Exec(saveCursor, evs[len(evs)-1].Seq).Error
	})
}

// dueAssignments locks up to batchSize assignments, in id order after
// @after, whose answer may have changed: marked dirty, past their
// valid_until, whose agent or certification changed at or after their last
// check, or not checked for a sweep interval. Rows another replica holds are
// skipped. Walking by id makes one run visit each row at most once.
const dueAssignments = `
SELECT a.* FROM assignments a
JOIN users u ON u.id = a.user_id
LEFT JOIN certifications c ON c.user_id = a.user_id AND c.program_id = a.program_id
WHERE a.id > @after
  AND (a.dirty OR a.valid_until <= @now OR a.checked_at <= @sweep
       OR u.updated_at >= a.checked_at OR c.updated_at >= a.checked_at)
ORDER BY a.id
LIMIT @limit
FOR UPDATE OF a SKIP LOCKED`

// RunOnce re-decides every assignment whose answer may have changed and
// flips it between active and suspended as the answer says, audited as
// assignment.suspend or assignment.restore with an eligibility.changed
// event. Safe with several replicas. It returns how many assignments it
// flipped.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	if err := s.markDirty(ctx); err != nil {
		return 0, fmt.Errorf("routing: re-decide: %w", err)
	}
	sweep := s.SweepEvery
	if sweep <= 0 {
		sweep = defaultSweep
	}
	flipped, after := 0, "00000000-0000-0000-0000-000000000000"
	for {
		n, f, err := s.redecideBatch(ctx, sweep, &after)
		flipped += f
		if err != nil {
			return flipped, fmt.Errorf("routing: re-decide: %w", err)
		}
		if n < batchSize {
			return flipped, nil
		}
	}
}

// redecideBatch re-decides one batch after *after in one transaction,
// moving *after on; it returns how many rows it took and how many it flipped.
func (s *Service) redecideBatch(ctx context.Context, sweep time.Duration, after *string) (int, int, error) {
	now := s.now()
	n, flipped := 0, 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var as []Assignment
		err := tx.Raw(dueAssignments, map[string]any{"now": now, "sweep": now.Add(-sweep), "limit": batchSize, "after": *after}).Scan(&as).Error
		if err != nil {
			return fmt.Errorf("due assignments: %w", err)
		}
		n = len(as)
		if n > 0 {
			*after = as[n-1].ID
		}
		for i := range as {
			f, err := s.redecide(ctx, tx, &as[i], now)
			if err != nil {
				return err
			}
			if f {
				flipped++
			}
		}
		return nil
	})
	return n, flipped, err
}

// redecide decides one locked assignment again and saves the answer.
func (s *Service) redecide(ctx context.Context, tx *gorm.DB, a *Assignment, now time.Time) (bool, error) {
	in, err := s.store.Inputs(ctx, tx, Agent{ID: a.UserID}, a.ProgramID)
	if err != nil {
		return false, err
	}
	in.At = now
	d := in.decide("")
	before := a.summary()
	status, action := assignmentStatus(d, len(in.Requirements) > 0), "assignment.restore"
	if status == StatusSuspended {
		action = "assignment.suspend"
	}
	flip := status != a.Status
	a.Status, a.ValidUntil, a.CheckedAt, a.Dirty = status, d.ValidUntil, now, false
	a.SuspendedReasons = reasonsJSON(nil)
	if status == StatusSuspended {
		a.SuspendedReasons = reasonsJSON(d.Reasons)
		if flip {
			a.SuspendedAt = &now
		}
	} else {
		a.SuspendedAt = nil
	}
	err = tx.Model(&Assignment{}).Where("id = ?", a.ID).Updates(map[string]any{
		"status": a.Status, "suspended_reasons": a.SuspendedReasons, "suspended_at": a.SuspendedAt,
		"valid_until": a.ValidUntil, "checked_at": a.CheckedAt, "dirty": false,
	}).Error
	if err != nil {
		return false, fmt.Errorf("save assignment: %w", err)
	}
	if !flip {
		return false, nil
	}
	if err := s.audit.Record(ctx, tx, audit.Entry{Actor: jobActor, Action: action, SubjectType: "assignment",
		SubjectID: a.ID, ClientID: in.ClientID, Before: before, After: a.summary()}); err != nil {
		return false, err
	}
	return true, announce(ctx, tx, now, in, d)
}
