package routing

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/audit"
)

// jobActor is who the re-decide job acts as in the audit trail.
var jobActor = audit.System("routing-gate")

// batchSize is how many assignments one re-decide transaction takes.
const batchSize = 200

// defaultSweep is the period within which every assignment is re-decided
// regardless, each at its own phase (see dueAssignments).
const defaultSweep = 10 * time.Minute

// markDirty marks the assignments of every agent a license.changed or
// certification.changed event in the outbox names, one replica at a time
// (see markDirtyFromOutbox).
func (s *Service) markDirty(ctx context.Context) error {
	return s.db.WithContext(ctx).Transaction(markDirtyFromOutbox)
}

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
		as, err := lockDueAssignments(tx, now, sweep, *after, batchSize)
		if err != nil {
			return err
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
	if err := saveCheck(tx, a); err != nil {
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
