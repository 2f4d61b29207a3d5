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
		if n == 0 {
			return nil
		}
		*after = as[n-1].ID
		sn, err := s.batchSnapshot(ctx, as)
		if err != nil {
			return err
		}
		var kept []*Assignment
		for i := range as {
			a := &as[i]
			in, err := s.batchInputs(ctx, tx, sn, a, now)
			if err != nil {
				return err
			}
			f, err := s.redecide(ctx, tx, a, in, now)
			if err != nil {
				return err
			}
			if f {
				flipped++
			} else {
				kept = append(kept, a)
			}
		}
		if err := saveChecks(ctx, tx, kept); err != nil {
			return fmt.Errorf("save assignments: %w", err)
		}
		return nil
	})
	return n, flipped, err
}

// batchSnapshot reads the inputs of a batch of locked assignments in one
// snapshot (five statements, after the lock, so no older than a read in
// the locking transaction would be) rather than one statement each: at
// 100,000 agents a pass of the sweep re-decides thousands.
func (s *Service) batchSnapshot(ctx context.Context, as []Assignment) (*snapshot, error) {
	users, programs := map[string]bool{}, map[string]bool{}
	sc := snapshotScope{OnlyNamed: true}
	for _, a := range as {
		if !users[a.UserID] {
			users[a.UserID] = true
			sc.NamedIDs = append(sc.NamedIDs, a.UserID)
		}
		if !programs[a.ProgramID] {
			programs[a.ProgramID] = true
			sc.ProgramIDs = append(sc.ProgramIDs, a.ProgramID)
		}
	}
	return s.store.Snapshot(ctx, sc)
}

// batchInputs are the inputs of a locked assignment from the batch's
// snapshot, or read alone in tx when the snapshot lacks its agent or
// program.
func (s *Service) batchInputs(ctx context.Context, tx *gorm.DB, sn *snapshot, a *Assignment, now time.Time) (*inputs, error) {
	if ag, p := sn.Agent(Agent{ID: a.UserID}), sn.Program(a.ProgramID); ag != nil && p != nil {
		return sn.inputs(ag, p, now), nil
	}
	in, err := s.store.Inputs(ctx, tx, Agent{ID: a.UserID}, a.ProgramID)
	if err != nil {
		return nil, err
	}
	in.At = now
	return in, nil
}

// redecide decides one locked assignment again from in; a flip is saved,
// audited and announced at once, and the caller saves the others together
// (saveChecks).
func (s *Service) redecide(ctx context.Context, tx *gorm.DB, a *Assignment, in *inputs, now time.Time) (bool, error) {
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
	if !flip {
		return false, nil
	}
	if err := saveCheck(tx, a); err != nil {
		return false, fmt.Errorf("save assignment: %w", err)
	}
	if err := s.audit.Record(ctx, tx, audit.Entry{Actor: jobActor, Action: action, SubjectType: "assignment",
		SubjectID: a.ID, ClientID: in.ClientID, Before: before, After: a.summary()}); err != nil {
		return false, err
	}
	return true, announce(ctx, tx, now, in, d)
}
