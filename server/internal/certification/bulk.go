package certification

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// MaxBulkEnroll bounds the agents of one bulk enrollment.
const MaxBulkEnroll = 200

// EnrollMany enrolls several agents in a program, all or none: every agent
// is checked first as Enroll checks one, and every problem is reported at
// once, per item (fields "user_ids[i]"), with nothing written; otherwise all
// are enrolled in one transaction, each audited as certification.enroll.
// Errors: unauthorized, forbidden, not_found (program), invalid (user_ids:
// empty, more than MaxBulkEnroll, not ids, listed twice, not an active agent,
// not an agent of the program's client, already enrolled), conflict (an
// agent enrolled by someone else meanwhile; nothing written).
func (s *Service) EnrollMany(ctx context.Context, programID string, userIDs []string) ([]Certification, error) {
	p, prog, err := s.enrollingIn(ctx, programID)
	if err != nil {
		return nil, err
	}
	switch {
	case len(userIDs) == 0:
		return nil, apperr.Invalidf("user_ids", "name at least one agent")
	case len(userIDs) > MaxBulkEnroll:
		return nil, apperr.Invalidf("user_ids", "at most %d agents at once", MaxBulkEnroll)
	}
	existing, err := s.store.ListForProgram(ctx, programID)
	if err != nil {
		return nil, err
	}
	enrolled := make(map[string]bool, len(existing))
	for _, c := range existing {
		enrolled[c.UserID] = true
	}
	fields := apperr.Fields{}
	seen := map[string]int{}
	for i, id := range userIDs {
		field := "user_ids[" + strconv.Itoa(i) + "]"
		if uuid.Validate(id) != nil {
			fields.Add(field, "must be a user id")
			continue
		}
		if j, dup := seen[id]; dup {
			fields.Add(field, "is listed twice (also user_ids[%d])", j)
			continue
		}
		seen[id] = i
		u, err := s.users.LookupUser(ctx, id)
		switch {
		case apperr.Is(err, apperr.NotFound):
			fields.Add(field, "no such user")
		case err != nil:
			return nil, err
		case u.Role != auth.RoleAgent || !u.Active:
			fields.Add(field, "%s is not an active agent", nameOf(u))
		case !p.SeesAllClients() && !slices.Contains(u.ClientIDs, prog.ClientID):
			fields.Add(field, "%s is not an agent of the client of %s", nameOf(u), prog.Name)
		case enrolled[id]:
			fields.Add(field, "%s is already enrolled in %s", nameOf(u), prog.Name)
		}
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Certification, 0, len(userIDs))
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, id := range userIDs {
			c := &Certification{ID: uuid.NewString(), UserID: id, ProgramID: programID, State: InTraining,
				EnrolledAt: now, EnrolledBy: p.Actor().ID, UpdatedAt: now, ChangedModules: []ChangedModule{}}
			if err := insertRecord(tx, c); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "certification.enroll", SubjectType: "certification",
				SubjectID: c.ID, ClientID: prog.ClientID, After: c.summary()}); err != nil {
				return err
			}
			out = append(out, *c)
		}
		return nil
	})
	if apperr.Is(err, apperr.Conflict) {
		return nil, apperr.E(apperr.Conflict, "an agent was enrolled in %s meanwhile: nobody was enrolled, try again", prog.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("certification: enroll many: %w", err)
	}
	// Evidence gathered before may already meet the requirements.
	for i := range out {
		if ev, err := s.Evaluate(ctx, out[i].UserID, programID); err == nil {
			out[i] = *ev
		} else {
			s.logf("certification: evaluate after enrollment", "certification_id", out[i].ID, "err", err)
		}
	}
	return out, nil
}

// nameOf names a user as people read them.
func nameOf(u *auth.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Email
}
