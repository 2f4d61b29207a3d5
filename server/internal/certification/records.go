package certification

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// View is a record with its program and, for the agent's own and staff's
// per-agent lists, the progress toward it.
type View struct {
	Certification
	ProgramName string    `json:"program_name"`
	ClientID    string    `json:"client_id"`
	Progress    *Progress `json:"progress,omitempty"`
}

// States lists every state.
var States = []State{InTraining, Certified, RefresherDue, Expired, Revoked}

// MaxReasonLength bounds revoke and reinstate reasons.
const MaxReasonLength = 2000

func signedIn(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	return p, nil
}

// Mine returns the signed-in user's records, each with its program and the
// progress toward it. Errors: unauthorized.
func (s *Service) Mine(ctx context.Context) ([]View, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	return s.views(ctx, p.UserID, func(*catalog.Program) bool { return true })
}

// ForUser returns an agent's records with progress, limited to the programs
// the caller may see: trainers and supervisors their clients' programs,
// compliance and admins all. Errors: unauthorized, forbidden (agents),
// not_found (no such user).
func (s *Service) ForUser(ctx context.Context, userID string) ([]View, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !p.SeesAllClients() && !p.Is(auth.RoleTrainer, auth.RoleSupervisor) {
		return nil, apperr.E(apperr.Forbidden, "only staff see other people's certifications")
	}
	if _, err := s.users.LookupUser(ctx, userID); err != nil {
		return nil, err
	}
	return s.views(ctx, userID, func(prog *catalog.Program) bool { return canView(p, prog.ClientID) })
}

func (s *Service) views(ctx context.Context, userID string, visible func(*catalog.Program) bool) ([]View, error) {
	cs, err := s.store.ListForUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := []View{}
	for _, c := range cs {
		prog, err := s.programs.ProgramByID(ctx, c.ProgramID)
		if err != nil {
			return nil, fmt.Errorf("certification: views: %w", err)
		}
		if !visible(prog) {
			continue
		}
		pr, err := s.assess(ctx, userID, prog)
		if err != nil {
			return nil, fmt.Errorf("certification: views: %w", err)
		}
		out = append(out, View{Certification: c, ProgramName: prog.Name, ClientID: prog.ClientID, Progress: pr})
	}
	return out, nil
}

// ForProgram lists a program's records, in one state when state is not "".
// Errors: unauthorized, forbidden (agents, trainers and supervisors of
// other clients), not_found, invalid (state).
func (s *Service) ForProgram(ctx context.Context, programID string, state State) ([]Certification, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if state != "" && !contains(States, state) {
		return nil, apperr.Invalidf("state", "must be one of %s", joinStates())
	}
	prog, err := s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	if !canView(p, prog.ClientID) {
		return nil, apperr.E(apperr.Forbidden, "you may not see the certifications of %s", prog.Name)
	}
	return s.store.ListForProgramInState(ctx, programID, state)
}

// History returns a record and its transitions, oldest first: to the agent
// it belongs to, staff of its program's client, compliance and admins.
// Errors: unauthorized, not_found (also for a record the caller may not see).
func (s *Service) History(ctx context.Context, id string) (*Certification, []Event, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.FindByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	prog, err := s.programs.ProgramByID(ctx, c.ProgramID)
	if err != nil {
		return nil, nil, err
	}
	if c.UserID != p.UserID && !canView(p, prog.ClientID) {
		return nil, nil, apperr.NotFoundf("certification")
	}
	es, err := s.store.History(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return c, es, nil
}

// mayOversee reports whether p may revoke and reinstate: compliance, admins.
func mayOversee(p *auth.Principal) bool { return p.Is(auth.RoleCompliance, auth.RoleAdmin) }

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", apperr.Invalidf("reason", "say why")
	case len(reason) > MaxReasonLength:
		return "", apperr.Invalidf("reason", "at most %d characters", MaxReasonLength)
	}
	return reason, nil
}

// Revoke revokes a record (any state but revoked) with a reason; the agent
// stops being routable for the program and loses its material. Audited as
// certification.revoked, with a history row and an outbox event. Errors:
// unauthorized, forbidden (not compliance or an admin), not_found, invalid
// (reason), conflict (already revoked).
func (s *Service) Revoke(ctx context.Context, id, reason string) (*Certification, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !mayOversee(p) {
		return nil, apperr.E(apperr.Forbidden, "only compliance officers and admins revoke certifications")
	}
	if reason, err = checkReason(reason); err != nil {
		return nil, err
	}
	var out *Certification
	err = s.audit.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		c, err := findByID(tx.Clauses(lockForUpdate), id)
		if err != nil {
			return err
		}
		if c.State == Revoked {
			return apperr.E(apperr.Conflict, "the certification is already revoked")
		}
		prog, err := s.programs.ProgramByID(ctx, c.ProgramID)
		if err != nil {
			return err
		}
		ch := &change{To: Revoked, Reason: ReasonRevoked, CertifiedAt: c.CertifiedAt, ExpiresAt: c.ExpiresAt,
			RefresherDueAt: c.RefresherDueAt, RefresherOpensAt: c.RefresherOpensAt, ChangedModules: c.ChangedModules}
		out = c
		return s.transition(ctx, tx, c, prog, ch, c.Evidence, p.Actor(), s.now(), map[string]any{"note": reason})
	})
	if err != nil {
		return nil, fmt.Errorf("certification: revoke: %w", err)
	}
	return out, nil
}

// Reinstate lifts a revocation, with a reason, and re-evaluates the record
// from the evidence: certified (with its old dates) when the certification
// had not expired yet, expired when it had, in training when it never was
// certified; then the rules apply as always (a refresher may be due, or the
// requirements met). Audited as certification.reinstated. Errors:
// unauthorized, forbidden, not_found, invalid (reason), conflict (not
// revoked, or the record changed meanwhile: try again).
func (s *Service) Reinstate(ctx context.Context, id, reason string) (*Certification, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !mayOversee(p) {
		return nil, apperr.E(apperr.Forbidden, "only compliance officers and admins reinstate certifications")
	}
	if reason, err = checkReason(reason); err != nil {
		return nil, err
	}
	seen, err := s.store.FindByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if seen.State != Revoked {
		return nil, apperr.E(apperr.Conflict, "the certification is %s, not revoked", seen.State)
	}
	prog, err := s.programs.ProgramByID(ctx, seen.ProgramID)
	if err != nil {
		return nil, err
	}
	pr, err := s.assess(ctx, seen.UserID, prog)
	if err != nil {
		return nil, fmt.Errorf("certification: reinstate: %w", err)
	}
	var out *Certification
	err = s.audit.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		c, err := findByID(tx.Clauses(lockForUpdate), id)
		if err != nil {
			return err
		}
		if c.Revision != seen.Revision {
			return apperr.E(apperr.Conflict, "the certification changed meanwhile; try again")
		}
		now := s.now()
		ch := &change{To: InTraining, Reason: ReasonReinstated, CertifiedAt: c.CertifiedAt, ExpiresAt: c.ExpiresAt,
			RefresherOpensAt: c.RefresherOpensAt}
		switch {
		case c.ExpiresAt != nil && now.Before(*c.ExpiresAt):
			ch.To = Certified
		case c.ExpiresAt != nil:
			ch.To = Expired
		}
		if err := s.transition(ctx, tx, c, prog, ch, pr.evidence(), p.Actor(), now, map[string]any{"note": reason}); err != nil {
			return err
		}
		out = c
		return s.settle(ctx, tx, c, prog, pr)
	})
	if err != nil {
		return nil, fmt.Errorf("certification: reinstate: %w", err)
	}
	return out, nil
}

func contains(states []State, s State) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

func joinStates() string {
	names := make([]string, len(States))
	for i, s := range States {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
