package certification

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

// catalogReader reads programs, their requirements and agents' reading
// (the catalog store).
type catalogReader interface {
	ProgramByID(ctx context.Context, id string) (*catalog.Program, error)
	Requirements(ctx context.Context, p *catalog.Program) (*catalog.Requirements, error)
	ProgramAndRequirements(ctx context.Context, id string) (*catalog.Program, *catalog.Requirements, error)
	ListProgressOf(ctx context.Context, userIDs, moduleIDs []string) ([]catalog.Progress, error)
	ChangesSince(ctx context.Context, pins []catalog.Pin, materialOnly bool) ([]catalog.VersionSummary, error)
}

// userFinder finds users without authorizing (the auth service).
type userFinder interface {
	LookupUser(ctx context.Context, id string) (*auth.User, error)
}

// Service applies the enrollment and certification rules.
type Service struct {
	db       *gorm.DB
	store    *Store
	programs catalogReader
	users    userFinder
	evidence EvidenceSource
	// transitions hears every transition in its transaction (nil: nobody).
	transitions TransitionListener
	audit       *audit.Recorder
	clock       clock.Clock
	learning    LearningRecorder
	// certificates issues the records' certificates (nil: none).
	certificates Certificates
	// batch coalesces the evaluations after evidence changes.
	batch evaluations
	// Log receives the failures of after-commit evaluations (nil: dropped;
	// the background job retries them either way).
	Log *slog.Logger
}

// NewService wires the certification service. evidence gives it the quiz
// and role-play evidence (without it evaluations fail, closed); learning
// may be nil (no learning records), and so may certificates (none issued).
func NewService(g *gorm.DB, programs catalogReader, users userFinder, evidence EvidenceSource, learning LearningRecorder,
	certificates Certificates, rec *audit.Recorder, clk clock.Clock) *Service {
	return &Service{db: g, store: NewStore(g), programs: programs, users: users, evidence: evidence, learning: learning,
		certificates: certificates, audit: rec, clock: clk}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// LearningRecorder queues learning records (xAPI statements) inside the
// transaction of the learning event (the xapi service).
type LearningRecorder interface {
	Record(ctx context.Context, tx *gorm.DB, e xapi.Experience) error
}

// Store returns the service's store, for read-only callers in other packages.
func (s *Service) Store() *Store { return s.store }

// canManage reports whether p may enroll agents in a program of clientID:
// admins, and trainers or supervisors of that client.
func canManage(p *auth.Principal, clientID string) bool {
	if p == nil {
		return false
	}
	return p.Is(auth.RoleAdmin) || (p.Is(auth.RoleTrainer, auth.RoleSupervisor) && p.MemberOf(clientID))
}

// canView reports whether p may list a program's records.
func canView(p *auth.Principal, clientID string) bool {
	return p != nil && (p.SeesAllClients() || (p.Is(auth.RoleTrainer, auth.RoleSupervisor) && p.MemberOf(clientID)))
}

// enrollingIn is who enrolls agents in a program and the program, once
// they may: the program's client's trainers and supervisors, or an admin.
func (s *Service) enrollingIn(ctx context.Context, programID string) (*auth.Principal, *catalog.Program, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	prog, err := s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return nil, nil, err
	}
	if !canManage(p, prog.ClientID) {
		return nil, nil, apperr.E(apperr.Forbidden, "only the client's trainers and supervisors, or an admin, may enroll agents in %s", prog.Name)
	}
	return p, prog, nil
}

// Enroll starts an agent's training for a program (state in_training).
// Errors: unauthorized, forbidden (not a trainer, supervisor or admin of the
// program's client), not_found (program or user), invalid (the user is not
// an active agent, or a trainer or supervisor names an agent who is not a
// member of the program's client), conflict (already enrolled).
func (s *Service) Enroll(ctx context.Context, programID, userID string) (*Certification, error) {
	p, prog, err := s.enrollingIn(ctx, programID)
	if err != nil {
		return nil, err
	}
	u, err := s.users.LookupUser(ctx, userID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Invalidf("user_id", "no such user")
		}
		return nil, err
	}
	if u.Role != auth.RoleAgent || !u.Active {
		return nil, apperr.Invalidf("user_id", "only active agents can be enrolled")
	}
	// Client staff enroll only their client's agents: an agent of another
	// client is not theirs to see, let alone to train.
	if !p.SeesAllClients() && !slices.Contains(u.ClientIDs, prog.ClientID) {
		return nil, apperr.Invalidf("user_id", "only agents of the client of %s can be enrolled in it", prog.Name)
	}
	now := s.now()
	c := &Certification{
		ID: uuid.NewString(), UserID: userID, ProgramID: programID, State: InTraining,
		EnrolledAt: now, EnrolledBy: p.Actor().ID, UpdatedAt: now, ChangedModules: []ChangedModule{},
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertRecord(tx, c); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{
			Actor: p.Actor(), Action: "certification.enroll", SubjectType: "certification", SubjectID: c.ID,
			ClientID: prog.ClientID, After: c.summary(),
		})
	})
	if apperr.Is(err, apperr.Conflict) {
		return nil, apperr.E(apperr.Conflict, "%s is already enrolled in %s", u.Email, prog.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("certification: enroll: %w", err)
	}
	// Evidence gathered before (core modules read, an earlier enrollment)
	// may already meet the requirements.
	if ev, err := s.Evaluate(ctx, userID, programID); err == nil {
		c = ev
	} else {
		s.logf("certification: evaluate after enrollment", "certification_id", c.ID, "err", err)
	}
	return c, nil
}

// Withdraw removes an enrollment that has not led to a certification yet
// (state in_training). A certified agent is revoked instead, which keeps the
// record. Errors: unauthorized, forbidden, not_found, conflict (not in training).
func (s *Service) Withdraw(ctx context.Context, programID, userID string) error {
	p := auth.FromContext(ctx)
	if p == nil {
		return apperr.E(apperr.Unauthorized, "sign in first")
	}
	prog, err := s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return err
	}
	if !canManage(p, prog.ClientID) {
		return apperr.E(apperr.Forbidden, "only the client's trainers and supervisors, or an admin, may withdraw agents from %s", prog.Name)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := find(tx.Clauses(lockForUpdate), userID, programID)
		if err != nil {
			return err
		}
		if c.State != InTraining {
			return apperr.E(apperr.Conflict, "the agent is %s in this program: revoke the certification instead of withdrawing", c.State)
		}
		if err := deleteRecord(tx, c); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{
			Actor: p.Actor(), Action: "certification.withdraw", SubjectType: "certification", SubjectID: c.ID,
			ClientID: prog.ClientID, Before: c.summary(),
		})
	})
}

// ListForProgram lists a program's records. Errors: unauthorized, forbidden
// (agents, and trainers or supervisors of other clients), not_found.
func (s *Service) ListForProgram(ctx context.Context, programID string) ([]Certification, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	prog, err := s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	if !canView(p, prog.ClientID) {
		return nil, apperr.E(apperr.Forbidden, "you may not see who is enrolled in %s", prog.Name)
	}
	return s.store.ListForProgram(ctx, programID)
}

// ProgramIDsForUser returns the programs an agent is enrolled in.
func (s *Service) ProgramIDsForUser(ctx context.Context, userID string) ([]string, error) {
	return s.store.ProgramIDsForUser(ctx, userID)
}
