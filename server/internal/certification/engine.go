package certification

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/outbox"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

// EvidenceSource loads agents' quiz and role-play evidence for a program,
// several agents in one read (the app adapts the quiz and role-play stores;
// certification cannot import those packages, which import it).
type EvidenceSource interface {
	// QuizResults returns each agent's standing with each quiz of the program.
	QuizResults(ctx context.Context, userIDs []string, programID string) (map[string][]QuizResult, error)
	// PassedRuns returns each agent's passing runs of the program's
	// role-plays, oldest first (runs sent back are not passing).
	PassedRuns(ctx context.Context, userIDs []string, programID string) (map[string][]RunPass, error)
}

// engineActor is who the evaluations act as in history, audit and outbox.
var engineActor = audit.System("certification")

// evaluationTries bounds how often Evaluate re-reads the evidence when the
// record changed while it was reading.
const evaluationTries = 3

// assess loads the agent's evidence for the program and measures it against
// the program's requirements.
func (s *Service) assess(ctx context.Context, userID string, prog *catalog.Program) (*Progress, error) {
	r, err := s.programs.Requirements(ctx, prog)
	if err != nil {
		return nil, err
	}
	all, err := s.assessMany(ctx, []string{userID}, prog, r)
	if err != nil {
		return nil, err
	}
	return all[userID], nil
}

// assessMany is assess of several agents of one program, whose
// requirements are r, with one read of each kind of evidence whatever
// their number.
func (s *Service) assessMany(ctx context.Context, userIDs []string, prog *catalog.Program, r *catalog.Requirements) (map[string]*Progress, error) {
	if s.evidence == nil {
		return nil, fmt.Errorf("certification: no evidence source")
	}
	ids := make([]string, len(r.Modules))
	for i, m := range r.Modules {
		ids[i] = m.ModuleID
	}
	rows, err := s.programs.ListProgressOf(ctx, userIDs, ids)
	if err != nil {
		return nil, err
	}
	reading := map[string][]catalog.Progress{}
	newest := map[[2]string]int{} // (user, module) → newest version completed
	for _, row := range rows {
		reading[row.UserID] = append(reading[row.UserID], row)
		if k := [2]string{row.UserID, row.ModuleID}; row.CompletedAt != nil && row.Version > newest[k] {
			newest[k] = row.Version
		}
	}
	// The material versions after the oldest of the agents' newest
	// completions of each module: progressOf keeps, for each agent, those
	// after their own.
	since := map[string]int{}
	for k, v := range newest {
		if cur, ok := since[k[1]]; !ok || v < cur {
			since[k[1]] = v
		}
	}
	pins := make([]catalog.Pin, 0, len(since))
	for id, v := range since {
		pins = append(pins, catalog.Pin{ModuleID: id, Version: v})
	}
	slices.SortFunc(pins, func(a, b catalog.Pin) int { return strings.Compare(a.ModuleID, b.ModuleID) })
	material, err := s.programs.ChangesSince(ctx, pins, true)
	if err != nil {
		return nil, err
	}
	quizzes, err := s.evidence.QuizResults(ctx, userIDs, prog.ID)
	if err != nil {
		return nil, err
	}
	runs, err := s.evidence.PassedRuns(ctx, userIDs, prog.ID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Progress, len(userIDs))
	for _, u := range userIDs {
		out[u] = progressOf(r, reading[u], material, quizzes[u], runs[u])
	}
	return out, nil
}

// Evaluate loads the agent's evidence for the program and moves the record
// to the state the rules give (see next), writing every transition with its
// history row, audit entry and outbox event in one transaction that holds
// the record's row lock. The evidence is read before the lock is taken; when
// the record changed meanwhile, it reads again. When the rules call for no
// transition (the common case: evidence that does not complete anything
// yet), only the evaluation mark is cleared, by one update that holds only
// while the record is as it was read. Evaluating twice changes nothing.
// Errors: not_found (no record), conflict (the record kept changing; it
// stays marked for the background job).
func (s *Service) Evaluate(ctx context.Context, userID, programID string) (*Certification, error) {
	prog, err := s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	for range evaluationTries {
		seen, err := s.store.Find(ctx, userID, programID)
		if err != nil {
			return nil, err
		}
		p, err := s.assess(ctx, userID, prog)
		if err != nil {
			return nil, fmt.Errorf("certification: evaluate: %w", err)
		}
		out, err := s.conclude(ctx, seen, prog, p)
		if err != nil || out != nil {
			return out, err
		}
	}
	return nil, apperr.E(apperr.Conflict, "the certification kept changing while it was evaluated; the background job will finish it")
}

// conclude applies the rules to the record as it was read (seen) and the
// evidence read after it (p): when they call for no transition it clears
// the record's mark, when they do it settles the record in a transaction
// holding its row lock. It returns nil, and changes nothing, when the record
// changed since it was read.
func (s *Service) conclude(ctx context.Context, seen *Certification, prog *catalog.Program, p *Progress) (*Certification, error) {
	if next(seen, p, policyOf(prog), s.now()) == nil {
		if !seen.NeedsEvaluation {
			return seen, nil
		}
		cleared, err := clearMarks(s.db.WithContext(ctx), []*Certification{seen})
		if err != nil || !cleared[seen.ID] {
			return nil, err
		}
		return seen, nil
	}
	var out *Certification
	err := s.audit.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		c, err := find(tx.Clauses(lockForUpdate), seen.UserID, seen.ProgramID)
		if err != nil || c.Revision != seen.Revision {
			return err
		}
		out = c
		return s.settle(ctx, tx, c, prog, p)
	})
	if err != nil {
		return nil, fmt.Errorf("certification: evaluate: %w", err)
	}
	return out, nil
}

// settle applies the rules to c (locked in tx) until they call for no more
// transitions, and clears the record's evaluation mark.
func (s *Service) settle(ctx context.Context, tx *gorm.DB, c *Certification, prog *catalog.Program, p *Progress) error {
	now := s.now()
	pol := policyOf(prog)
	for range 8 { // a handful of transitions at most; the bound only guards against a rule loop
		ch := next(c, p, pol, now)
		if ch == nil {
			break
		}
		if err := s.transition(ctx, tx, c, prog, ch, p.evidence(), engineActor, now, nil); err != nil {
			return err
		}
	}
	if !c.NeedsEvaluation {
		return nil
	}
	_, err := clearMarks(tx, []*Certification{c})
	return err
}

// policyOf is the program's certification policy.
func policyOf(prog *catalog.Program) catalog.CertificationPolicy {
	return catalog.CertificationPolicy{ValidDays: prog.ValidDays, RefresherWindowDays: prog.RefresherWindowDays,
		MaterialChangeGraceDays: prog.MaterialChangeGraceDays}
}

// transition moves c (locked in tx) as ch says and records it: the row (new
// state, dates, changed modules, evidence), a history row, an audit entry
// certification.<state> (revoked and reinstated for those actions) and an
// outbox event certification.changed.
func (s *Service) transition(ctx context.Context, tx *gorm.DB, c *Certification, prog *catalog.Program, ch *change, ev Evidence, actor audit.Actor, now time.Time, details map[string]any) error {
	from, before := c.State, c.summary()
	c.State, c.CertifiedAt, c.ExpiresAt, c.RefresherDueAt, c.RefresherOpensAt =
		ch.To, ch.CertifiedAt, ch.ExpiresAt, ch.RefresherDueAt, ch.RefresherOpensAt
	c.ChangedModules = ch.ChangedModules
	if c.ChangedModules == nil {
		c.ChangedModules = []ChangedModule{}
	}
	c.Evidence, c.UpdatedAt, c.NeedsEvaluation, c.Revision = ev, now, false, c.Revision+1
	switch {
	case c.State != RefresherDue:
		c.RefresherSince = nil
	case from != RefresherDue:
		c.RefresherSince = &now
	}
	switch {
	case ch.To == Revoked:
		c.RevokedAt, c.RevokedReason = &now, fmt.Sprint(details["note"])
	case from == Revoked:
		c.RevokedAt, c.RevokedReason = nil, ""
	}
	if err := updateRecord(tx, c); err != nil {
		return err
	}
	if details == nil {
		details = map[string]any{}
	}
	details["evidence"] = ev
	if len(c.ChangedModules) > 0 {
		details["changed_modules"] = c.ChangedModules
	}
	e := &Event{ID: uuid.NewString(), CertificationID: c.ID, From: from, To: c.State, Reason: ch.Reason, At: now,
		ActorKind: actor.Kind, ActorID: actor.ID, Details: details}
	if err := insertEvent(tx, e); err != nil {
		return err
	}
	action := "certification." + string(c.State)
	if from == Revoked {
		action = "certification.reinstated"
	}
	after := c.summary()
	after["reason"] = ch.Reason
	if note, ok := details["note"]; ok {
		after["note"] = note
	}
	if len(c.ChangedModules) > 0 {
		after["changed_modules"] = c.ChangedModules
	}
	if err := s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: action, SubjectType: "certification",
		SubjectID: c.ID, ClientID: prog.ClientID, Before: before, After: after}); err != nil {
		return err
	}
	t := Transition{Certification: c, From: from, Reason: ch.Reason, At: now}
	var cert *CertificateRef
	if s.certificates != nil {
		var err error
		if cert, err = s.certificates.CertificationChanged(ctx, tx, t, prog); err != nil {
			return err
		}
	}
	if s.learning != nil && c.State == Certified && (ch.Reason == ReasonRequirementsMet || ch.Reason == ReasonRenewed) {
		success, completion := true, true
		exp := xapi.Experience{Source: "certification-event:" + e.ID, UserID: c.UserID,
			Verb: xapi.VerbPassed, Activity: xapi.Activity{Kind: xapi.Program, ID: c.ProgramID, Name: prog.Name},
			Result: &xapi.Result{Success: &success, Completion: &completion}, At: now}
		if cert != nil {
			exp.Credential = &xapi.Credential{ID: cert.CredentialID, Number: cert.Number, VerificationURL: cert.VerificationURL}
		}
		if err := s.learning.Record(ctx, tx, exp); err != nil {
			return err
		}
	}
	_, err := outbox.Enqueue(ctx, tx, now, outbox.CertificationChanged, prog.ClientID, "certification:"+c.ID, ChangedEvent{
		CertificationID: c.ID, UserID: c.UserID, ProgramID: c.ProgramID, From: from, To: c.State,
		ExpiresAt: c.ExpiresAt, RefresherDueAt: c.RefresherDueAt, Reason: ch.Reason, Certificate: cert,
	})
	if err != nil || s.transitions == nil {
		return err
	}
	return s.transitions.CertificationChanged(ctx, tx, t)
}

// Certificates issues and follows the certificates of records (the
// credential service).
type Certificates interface {
	// CertificationChanged runs inside the transition's transaction before
	// its learning record and outbox event are written, and returns the
	// record's newest certificate (nil before the first), which they name.
	CertificationChanged(ctx context.Context, tx *gorm.DB, t Transition, prog *catalog.Program) (*CertificateRef, error)
}

// CertificateRef names a record's certificate and its credential in events.
type CertificateRef struct {
	// Number is the certificate number printed on it.
	Number string `json:"number"`
	// CredentialID is the id of its Open Badges credential.
	CredentialID string `json:"credential_id"`
	// VerificationURL is its public verification page.
	VerificationURL string `json:"verification_url"`
	// Status is its standing after the transition (valid, refresher_due,
	// expired, revoked).
	Status string `json:"status"`
}

// Transition is one state change of a record, as TransitionListener hears it.
type Transition struct {
	Certification *Certification // after the change
	From          State
	Reason        string
	At            time.Time
}

// TransitionListener hears every transition inside the transaction that
// writes it (onboarding opens and closes refresher assignments), so what it
// writes commits or rolls back with the transition.
type TransitionListener interface {
	CertificationChanged(ctx context.Context, tx *gorm.DB, t Transition) error
}

// SetTransitionListener makes l hear every transition. It is a setter, not a
// constructor argument, because of a real cycle: the listener (onboarding)
// is built with this service, which it enrolls agents through.
func (s *Service) SetTransitionListener(l TransitionListener) { s.transitions = l }

// ProgressFor measures the agent's evidence against the program's
// requirements, without authorizing (for other services: onboarding's task
// status). Errors: not_found (program).
func (s *Service) ProgressFor(ctx context.Context, userID, programID string) (*Progress, error) {
	prog, err := s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	p, err := s.assess(ctx, userID, prog)
	if err != nil {
		return nil, fmt.Errorf("certification: progress: %w", err)
	}
	return p, nil
}

// ChangedEvent is the payload of the outbox event certification.changed.
type ChangedEvent struct {
	CertificationID string     `json:"certification_id"`
	UserID          string     `json:"user_id"`
	ProgramID       string     `json:"program_id"`
	From            State      `json:"from"`
	To              State      `json:"to"`
	ExpiresAt       *time.Time `json:"expires_at"`
	RefresherDueAt  *time.Time `json:"refresher_due_at"`
	Reason          string     `json:"reason"`
	// Certificate is the record's newest certificate, when it has one.
	Certificate *CertificateRef `json:"certificate,omitempty"`
}

// JobBatch is how many records the background job locks per transaction.
const JobBatch = 50

// RunOnce is the background job's pass: it evaluates every record that is
// marked for evaluation, whose refresher window opened, or that reached its
// expiry, in batches locked with FOR UPDATE SKIP LOCKED so several replicas
// share the work and no transition happens twice; the evidence of a
// batch's records is read program by program (assessMany). It returns how
// many records it evaluated.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	total := 0
	for range 1000 { // bounded: a record the rules cannot settle must not spin the job forever
		n := 0
		err := s.audit.Transaction(ctx, s.db, func(tx *gorm.DB) error {
			cs, err := dueRecords(tx, s.now(), JobBatch)
			if err != nil {
				return err
			}
			var order []string
			byProgram := map[string][]*Certification{}
			for i := range cs {
				c := &cs[i]
				if byProgram[c.ProgramID] == nil {
					order = append(order, c.ProgramID)
				}
				byProgram[c.ProgramID] = append(byProgram[c.ProgramID], c)
			}
			for _, id := range order {
				prog, req, err := s.programs.ProgramAndRequirements(ctx, id)
				if err != nil {
					return err
				}
				users := make([]string, len(byProgram[id]))
				for i, c := range byProgram[id] {
					users[i] = c.UserID
				}
				ps, err := s.assessMany(ctx, users, prog, req)
				if err != nil {
					return err
				}
				for _, c := range byProgram[id] {
					if err := s.settle(ctx, tx, c, prog, ps[c.UserID]); err != nil {
						return err
					}
				}
			}
			n = len(cs)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("certification: job: %w", err)
		}
		total += n
		if n < JobBatch {
			break
		}
	}
	return total, nil
}

// MarkEvidence marks the agent's records (of programID, or all of them when
// programID is "") for evaluation, inside tx: the transaction that changes
// the evidence. The quiz, role-play and catalog services call it.
func (s *Service) MarkEvidence(ctx context.Context, tx *gorm.DB, userID, programID string) error {
	return markUser(tx.WithContext(ctx), userID, programID)
}

// EvidenceChanged evaluates the agent's records (of programID, or all when
// it is "") after the transaction that changed the evidence committed, in
// the next batch of evaluations (evaluations), and returns once they are
// settled. Failures are logged; the records stay marked for the background
// job.
func (s *Service) EvidenceChanged(ctx context.Context, userID, programID string) {
	ctx, cancel := db.Detach(ctx, db.DetachedTimeout)
	defer cancel()
	ids := []string{programID}
	if programID == "" {
		cs, err := s.store.ListForUser(ctx, userID)
		if err != nil {
			s.logf("certification: list records to evaluate", "err", err)
			return
		}
		ids = ids[:0]
		for _, c := range cs {
			if c.State != Revoked {
				ids = append(ids, c.ProgramID)
			}
		}
	}
	err := s.evaluateBatched(ctx, userID, ids...)
	if err != nil && !apperr.Is(err, apperr.NotFound) { // not enrolled: nothing to evaluate
		s.logf("certification: evaluate after an evidence change", "user_id", userID, "program_id", programID, "err", err)
	}
}

// MarkModuleChanged marks for evaluation, inside tx (the transaction that
// publishes a material version of the module), every certified or
// refresher_due record of a program that requires the module.
func (s *Service) MarkModuleChanged(ctx context.Context, tx *gorm.DB, moduleID string) error {
	ids, err := catalog.NewStore(tx).ProgramIDsListingModule(ctx, moduleID)
	if err != nil || len(ids) == 0 {
		return err
	}
	return markCurrentInPrograms(tx.WithContext(ctx), ids)
}

// ModulesChanged evaluates the marked records after a publication
// committed (the background job's pass). Failures are logged; the records
// stay marked for the job.
func (s *Service) ModulesChanged(ctx context.Context) {
	if _, err := s.RunOnce(context.WithoutCancel(ctx)); err != nil {
		s.logf("certification: evaluate after a material change", "err", err)
	}
}

func (s *Service) logf(msg string, args ...any) {
	if s.Log != nil {
		s.Log.Error(msg, args...)
	}
}
