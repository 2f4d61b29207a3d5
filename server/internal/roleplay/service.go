package roleplay

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

// Enrollments finds an agent's enrollment in a program (the certification
// store): not_found when the agent is not enrolled.
type Enrollments interface {
	Find(ctx context.Context, userID, programID string) (*certification.Certification, error)
}

// Service runs role-plays: starting runs within the attempt limits, taking
// turns, scoring, and the supervisors' review.
type Service struct {
	db          *gorm.DB
	store       *Store
	enrollments Enrollments
	audit       *audit.Recorder
	clock       clock.Clock
	listener    EvidenceListener
	learning    LearningRecorder
}

// EvidenceListener hears that an agent's role-play results changed (the
// certification service): MarkEvidence inside the transaction that finishes
// or reviews a run, EvidenceChanged after it commits.
type EvidenceListener interface {
	MarkEvidence(ctx context.Context, tx *gorm.DB, userID, programID string) error
	EvidenceChanged(ctx context.Context, userID, programID string)
}

// LearningRecorder queues learning records (xAPI statements) inside the
// transaction of the learning event (the xapi service).
type LearningRecorder interface {
	Record(ctx context.Context, tx *gorm.DB, e xapi.Experience) error
}

// recordResult records r's final result, passed or not, with its overall
// score (0 to 100) and the scenario's title, inside tx.
func (s *Service) recordResult(ctx context.Context, tx *gorm.DB, r *run, title string, overall float64, passed bool, at time.Time) error {
	if s.learning == nil {
		return nil
	}
	verb, completion := xapi.VerbFailed, true
	if passed {
		verb = xapi.VerbPassed
	}
	return s.learning.Record(ctx, tx, xapi.Experience{Source: "roleplay-run:" + r.ID, UserID: r.UserID, Verb: verb,
		Activity: xapi.Activity{Kind: xapi.Roleplay, ID: r.RoleplayID, Name: title},
		Parent:   &xapi.Activity{Kind: xapi.Program, ID: r.ProgramID},
		Result: &xapi.Result{Score: &xapi.Score{Scaled: overall / 100, Raw: overall, Min: 0, Max: 100},
			Success: &passed, Completion: &completion}, At: at})
}

// markEvidence tells the listener, inside tx, that r's result changed.
func (s *Service) markEvidence(ctx context.Context, tx *gorm.DB, r *run) error {
	if s.listener == nil {
		return nil
	}
	return s.listener.MarkEvidence(ctx, tx, r.UserID, r.ProgramID)
}

// evidenceChanged tells the listener, after commit, that r's result changed.
func (s *Service) evidenceChanged(ctx context.Context, r *run) {
	if s.listener != nil && r != nil {
		s.listener.EvidenceChanged(ctx, r.UserID, r.ProgramID)
	}
}

// NewService wires the role-play service.
func NewService(g *gorm.DB, enrollments Enrollments, listener EvidenceListener, learning LearningRecorder,
	rec *audit.Recorder, clk clock.Clock) *Service {
	return &Service{db: g, store: NewStore(g), enrollments: enrollments, listener: listener, learning: learning,
		audit: rec, clock: clk}
}

// Store returns the service's store (PassedScenarios for certification).
func (s *Service) Store() *Store { return s.store }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func principal(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	switch {
	case p == nil:
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	case p.IsMachine():
		return nil, apperr.E(apperr.Forbidden, "API keys cannot play role-plays")
	}
	return p, nil
}

// mayPlay reports whether p may start a run of a program's scenario: an
// agent enrolled in the program, a trainer or supervisor of its client,
// compliance or an admin.
func (s *Service) mayPlay(ctx context.Context, p *auth.Principal, rp *Roleplay) (bool, error) {
	if !p.Is(auth.RoleAgent) {
		return p.MemberOf(rp.ClientID), nil
	}
	_, err := s.enrollments.Find(ctx, p.UserID, rp.ProgramID)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// staffSees reports whether p may read a finished run of another user:
// trainers and supervisors of its client, compliance and admins.
func staffSees(p *auth.Principal, r *run) bool {
	return p.SeesAllClients() || (p.Is(auth.RoleTrainer, auth.RoleSupervisor) && p.MemberOf(r.ClientID))
}

// Limits are the attempt rules of a scenario, as for quizzes.
type Limits struct {
	AttemptsAllowed int           // 0 = unlimited
	Wait            time.Duration // least time from finishing a run to starting the next
}

// checkStart applies the limits to an agent's history. Errors: conflict
// (an open run, no attempts left, or the wait not over; Details says
// what and when, RetryAfter how long).
func checkStart(l Limits, h *attemptHistory, now time.Time) error {
	details := map[string]any{"attempts_used": h.Used, "attempts_allowed": l.AttemptsAllowed}
	switch {
	case h.OpenRunID != nil:
		details["open_run_id"] = *h.OpenRunID
		e := apperr.E(apperr.Conflict, "you have a run of this role-play in progress: finish it first")
		e.Details = details
		return e
	case l.AttemptsAllowed > 0 && h.Used >= l.AttemptsAllowed:
		e := apperr.E(apperr.Conflict, "you have used all %d attempts of this role-play", l.AttemptsAllowed)
		e.Details = details
		return e
	case h.LastFinished != nil && l.Wait > 0 && now.Before(h.LastFinished.Add(l.Wait)):
		next := h.LastFinished.Add(l.Wait).UTC()
		details["next_allowed_at"] = next
		e := apperr.E(apperr.Conflict, "the next attempt opens at %s", next.Format(time.RFC3339))
		e.Details, e.RetryAfter = details, next.Sub(now)
		return e
	}
	return nil
}

// Start begins a run of the scenario's current version. Errors:
// unauthorized, forbidden (API keys), not_found (no such scenario, or not
// one the principal may play), conflict (attempt limits, see checkStart).
func (s *Service) Start(ctx context.Context, roleplayID string) (*RunView, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	rp, err := s.store.RoleplayByID(ctx, roleplayID)
	if err != nil {
		return nil, err
	}
	if ok, err := s.mayPlay(ctx, p, rp); err != nil || !ok {
		return nil, cmpErr(err, apperr.NotFoundf("role-play"))
	}
	var r *run
	var sc *Scenario
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockStarts(tx, p.UserID, rp); err != nil {
			return err
		}
		if sc, err = scenarioAt(tx, rp.ID, rp.CurrentVersion); err != nil {
			return err
		}
		h, err := history(tx, p.UserID, rp.ID)
		if err != nil {
			return err
		}
		now := s.now()
		if err := checkStart(Limits{sc.AttemptsAllowed, sc.WaitBetweenAttempts}, h, now); err != nil {
			return err
		}
		signoff, err := signoffRequired(tx, rp.ProgramID, rp.Slug)
		if err != nil {
			return err
		}
		turn, mood := sc.begin()
		r = &run{ID: uuid.NewString(), RoleplayID: rp.ID, Version: rp.CurrentVersion, UserID: p.UserID,
			ClientID: rp.ClientID, ProgramID: rp.ProgramID, State: StateInProgress, CurrentTurn: turn,
			Mood: mood, Steps: json.RawMessage("[]"), SignoffRequired: signoff, StartedAt: now}
		return db.Translate(tx.Create(r).Error, "run")
	})
	if err != nil {
		return nil, fmt.Errorf("roleplay: start: %w", err)
	}
	return viewOf(r, sc, nil)
}

func cmpErr(err error, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// Get returns the principal's own run as they may see it. Errors:
// unauthorized, forbidden, not_found (no such run, or another user's).
func (s *Service) Get(ctx context.Context, runID string) (*RunView, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	r, err := findRun(s.db.WithContext(ctx), runID, false)
	if err != nil {
		return nil, err
	}
	if r.UserID != p.UserID {
		return nil, apperr.NotFoundf("run")
	}
	sc, err := scenarioAt(s.db.WithContext(ctx), r.RoleplayID, r.Version)
	if err != nil {
		return nil, err
	}
	steps, err := r.steps()
	if err != nil {
		return nil, err
	}
	return viewOf(r, sc, steps)
}

// TurnInput is an answer to the current turn: option_id for a choice, text
// for free text, and Seq, the number of turns recorded when it was read.
type TurnInput struct {
	Seq      int
	TurnID   string
	OptionID string
	Text     string
}

// Take records the answer to the current turn and moves the run on: to the
// next turn, or to its end (an ending, or a hang-up when the mood falls too
// far), where it is scored. Errors: unauthorized, forbidden, not_found
// (another user's run), conflict (the run is over, or seq or turn_id is not
// the current one: a replayed or stale submission), invalid (the answer).
func (s *Service) Take(ctx context.Context, runID string, in TurnInput) (*RunView, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var view *RunView
	var finished *run
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := findRun(tx, runID, true)
		if err != nil {
			return err
		}
		switch {
		case r.UserID != p.UserID:
			return apperr.NotFoundf("run")
		case r.State != StateInProgress:
			return apperr.E(apperr.Conflict, "the run is over")
		case in.Seq != r.Seq:
			return apperr.E(apperr.Conflict, "stale answer: the run is at seq %d, not %d", r.Seq, in.Seq)
		case in.TurnID != r.CurrentTurn:
			return apperr.E(apperr.Conflict, "turn %q is not the current turn", in.TurnID)
		}
		sc, err := scenarioAt(tx, r.RoleplayID, r.Version)
		if err != nil {
			return err
		}
		steps, err := r.steps()
		if err != nil {
			return err
		}
		st, e, next, mood, err := sc.advance(r.CurrentTurn, len(steps), r.Mood, in.OptionID, in.Text)
		if err != nil {
			return err
		}
		steps = append(steps, st)
		raw, err := json.Marshal(steps)
		if err != nil {
			return err
		}
		r.Steps, r.Seq, r.Mood = raw, r.Seq+1, mood
		upd := map[string]any{"steps": string(raw), "seq": r.Seq, "mood": mood}
		if e != nil {
			if err := s.finish(ctx, tx, p, r, sc, steps, e, upd); err != nil {
				return err
			}
			if err := s.markEvidence(ctx, tx, r); err != nil {
				return err
			}
			finished = r
		} else {
			r.CurrentTurn = next
			upd["current_turn"] = r.CurrentTurn
		}
		if err := updateRun(tx, r.ID, upd); err != nil {
			return err
		}
		view, err = viewOf(r, sc, steps)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("roleplay: take turn: %w", err)
	}
	s.evidenceChanged(ctx, finished)
	return view, nil
}

// abandonedEnding is where a run ends when its player gives it up: the
// customer is lost, and the run never passes.
var abandonedEnding = Ending{ID: "abandoned", Outcome: "lost",
	Debrief: "You ended the call before it was over. The customer was left without an answer."}

// Abandon ends the player's own run in progress, so a run left open (a
// closed tab, a lost connection) does not block the next attempt. It counts
// as a used attempt and never passes. Errors: unauthorized, forbidden (API
// keys), not_found (no such run, or another user's), conflict (already over).
func (s *Service) Abandon(ctx context.Context, runID string) (*Result, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var r *run
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err = findRun(tx, runID, true)
		if err != nil {
			return err
		}
		switch {
		case r.UserID != p.UserID:
			return apperr.NotFoundf("run")
		case r.State != StateInProgress:
			return apperr.E(apperr.Conflict, "the run is over")
		}
		sc, err := scenarioAt(tx, r.RoleplayID, r.Version)
		if err != nil {
			return err
		}
		steps, err := r.steps()
		if err != nil {
			return err
		}
		e := abandonedEnding
		upd := map[string]any{}
		if err := s.finish(ctx, tx, p, r, sc, steps, &e, upd); err != nil {
			return err
		}
		return updateRun(tx, r.ID, upd)
	})
	if err != nil {
		return nil, fmt.Errorf("roleplay: abandon: %w", err)
	}
	return s.result(ctx, r)
}

// scoreAt scores the steps of a call that ended at e, for real runs and
// test runs alike: an abandoned call never passes.
func (s *Scenario) scoreAt(steps []Step, e *Ending) Score {
	score := s.evaluate(steps, e.Outcome, nil)
	if e.ID == abandonedEnding.ID {
		score.Passed = false
		score.Reasons = append(score.Reasons, Reason{Kind: ReasonOutcome, Message: "The call was ended before it was over."})
	}
	return score
}

// finish scores the run at ending e and audits the result.
func (s *Service) finish(ctx context.Context, tx *gorm.DB, p *auth.Principal, r *run, sc *Scenario, steps []Step, e *Ending, upd map[string]any) error {
	score := sc.scoreAt(steps, e)
	raw, err := json.Marshal(score)
	if err != nil {
		return err
	}
	now := s.now()
	r.State = StateFinished
	if score.Passed && r.SignoffRequired {
		r.State = StatePendingReview
	}
	r.FinishedAt, r.Ending, r.Outcome, r.Score, r.Overall, r.Passed = &now, &e.ID, &e.Outcome, raw, &score.Overall, &score.Passed
	upd["state"], upd["finished_at"], upd["ending"], upd["outcome"] = r.State, now, e.ID, e.Outcome
	upd["score"], upd["overall"], upd["passed"], upd["current_turn"] = string(raw), score.Overall, score.Passed, ""
	r.CurrentTurn = ""
	if r.State == StateFinished { // a run awaiting review is recorded when reviewed
		if err := s.recordResult(ctx, tx, r, sc.Title, float64(score.Overall), score.Passed, now); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "roleplay.run_finished", SubjectType: "roleplay_run",
		SubjectID: r.ID, ClientID: r.ClientID, After: map[string]any{"roleplay_id": r.RoleplayID, "version": r.Version,
			"outcome": e.Outcome, "overall": score.Overall, "passed": score.Passed, "state": r.State}})
}

// Result returns a finished run's result: to its player, and to the
// trainers and supervisors of its client, compliance and admins. Errors:
// unauthorized, forbidden, not_found (no such run, or not one the
// principal may see), conflict (still in progress).
func (s *Service) Result(ctx context.Context, runID string) (*Result, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	r, err := findRun(s.db.WithContext(ctx), runID, false)
	if err != nil {
		return nil, err
	}
	if r.UserID != p.UserID && !staffSees(p, r) {
		return nil, apperr.NotFoundf("run")
	}
	if r.State == StateInProgress {
		return nil, apperr.E(apperr.Conflict, "the run is still in progress")
	}
	return s.result(ctx, r)
}

func (s *Service) result(ctx context.Context, r *run) (*Result, error) {
	sc, err := scenarioAt(s.db.WithContext(ctx), r.RoleplayID, r.Version)
	if err != nil {
		return nil, err
	}
	steps, err := r.steps()
	if err != nil {
		return nil, err
	}
	score, err := r.score()
	if err != nil {
		return nil, err
	}
	comments, err := s.store.comments(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	return resultOf(r, sc, steps, score, comments), nil
}

// canReview reports whether p may review r: a supervisor of its client or
// an admin, never on their own run.
func canReview(p *auth.Principal, r *run) bool {
	return r.UserID != p.UserID && (p.Is(auth.RoleAdmin) || (p.Is(auth.RoleSupervisor) && p.MemberOf(r.ClientID)))
}

// reviewable loads a run for a review action in tx. Errors: not_found (a run
// the principal may not see), forbidden (may see but not review, or their
// own run), conflict (not awaiting review).
func reviewable(tx *gorm.DB, p *auth.Principal, runID string) (*run, error) {
	r, err := findRun(tx, runID, true)
	if err != nil {
		return nil, err
	}
	switch {
	case r.UserID != p.UserID && !staffSees(p, r):
		return nil, apperr.NotFoundf("run")
	case !canReview(p, r):
		return nil, apperr.E(apperr.Forbidden, "only a supervisor of the client (or an admin) reviews this run, and never their own")
	case r.State != StatePendingReview:
		return nil, apperr.E(apperr.Conflict, "the run is %s, not awaiting review", r.State)
	}
	return r, nil
}

// Reviews lists the runs awaiting sign-off the principal may review or
// watch: supervisors see their clients' runs (never their own), compliance
// and admins every client's. Errors: unauthorized, forbidden.
func (s *Service) Reviews(ctx context.Context) ([]ReviewItem, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case p.SeesAllClients():
		return s.store.pendingReviews(ctx, nil, p.UserID)
	case p.Is(auth.RoleSupervisor):
		return s.store.pendingReviews(ctx, p.ClientIDs, p.UserID)
	}
	return nil, apperr.E(apperr.Forbidden, "only supervisors, compliance and admins see the review queue")
}

// AddComment adds a reviewer's comment on one turn of a run awaiting
// review. Errors: unauthorized, forbidden, not_found, conflict, invalid
// (turn_index not a played turn, empty text).
func (s *Service) AddComment(ctx context.Context, runID string, turnIndex int, text string) (*Comment, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var c *Comment
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := reviewable(tx, p, runID)
		if err != nil {
			return err
		}
		steps, err := r.steps()
		if err != nil {
			return err
		}
		if turnIndex < 0 || turnIndex >= len(steps) {
			return apperr.Invalidf("turn_index", "the run has turns 0..%d", len(steps)-1)
		}
		c = &Comment{ID: uuid.NewString(), RunID: r.ID, TurnIndex: turnIndex, AuthorID: p.UserID, Text: text, CreatedAt: s.now()}
		if err := tx.Create(c).Error; err != nil {
			return db.Translate(err, "comment")
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "roleplay.comment", SubjectType: "roleplay_run",
			SubjectID: r.ID, ClientID: r.ClientID, After: map[string]any{"turn_index": turnIndex, "comment_id": c.ID}})
	})
	if err != nil {
		return nil, fmt.Errorf("roleplay: comment: %w", err)
	}
	return c, nil
}

// Review decisions.
const (
	DecisionApprove  = "approve"
	DecisionSendBack = "send_back"
)

// ReviewInput is a supervisor's decision on a run awaiting sign-off.
type ReviewInput struct {
	Decision string
	Note     string
	// ScoreOverride replaces competencies' scores (0..100); the overall is
	// recomputed. Audited with the scores before and after.
	ScoreOverride map[string]float64
}

// Review approves a passing run (it then counts as passed and signed off)
// or sends it back (it no longer counts; the note says why), optionally
// overriding competency scores. Audited as roleplay.review, and an
// override also as roleplay.score_override. Errors: unauthorized,
// forbidden, not_found, conflict (not awaiting review), invalid.
func (s *Service) Review(ctx context.Context, runID string, in ReviewInput) (*Result, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	if in.Decision != DecisionApprove && in.Decision != DecisionSendBack {
		f.Add("decision", "must be approve or send_back")
	}
	if in.Decision == DecisionSendBack && in.Note == "" {
		f.Add("note", "say why the run is sent back")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var r *run
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if r, err = reviewable(tx, p, runID); err != nil {
			return err
		}
		before, err := r.score()
		if err != nil {
			return err
		}
		reviewedAt := s.now()
		upd := map[string]any{"reviewed_by": p.UserID, "reviewed_at": reviewedAt, "review_note": in.Note}
		overall := deref64(r.Overall)
		if len(in.ScoreOverride) > 0 {
			after, err := s.override(tx, r, in.ScoreOverride)
			if err != nil {
				return err
			}
			raw, err := json.Marshal(after)
			if err != nil {
				return err
			}
			upd["score"], upd["overall"] = string(raw), after.Overall
			overall = float64(after.Overall)
			if err := s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "roleplay.score_override",
				SubjectType: "roleplay_run", SubjectID: r.ID, ClientID: r.ClientID,
				Before: scoreSummary(before), After: scoreSummary(after)}); err != nil {
				return err
			}
		}
		state, passed := StateApproved, true
		if in.Decision == DecisionSendBack {
			state, passed = StateSentBack, false
		}
		upd["state"], upd["passed"] = state, passed
		if err := updateRun(tx, r.ID, upd); err != nil {
			return err
		}
		if err := s.markEvidence(ctx, tx, r); err != nil {
			return err
		}
		sc, err := scenarioAt(tx, r.RoleplayID, r.Version)
		if err != nil {
			return err
		}
		if err := s.recordResult(ctx, tx, r, sc.Title, overall, passed, reviewedAt); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "roleplay.review", SubjectType: "roleplay_run",
			SubjectID: r.ID, ClientID: r.ClientID, Before: map[string]any{"state": r.State},
			After: map[string]any{"state": state, "decision": in.Decision, "note": in.Note}})
	})
	if err != nil {
		return nil, fmt.Errorf("roleplay: review: %w", err)
	}
	s.evidenceChanged(ctx, r)
	r, err = findRun(s.db.WithContext(ctx), runID, false)
	if err != nil {
		return nil, err
	}
	return s.result(ctx, r)
}

// override rescoring: the run's steps evaluated again with the overrides.
func (s *Service) override(tx *gorm.DB, r *run, overrides map[string]float64) (*Score, error) {
	sc, err := scenarioAt(tx, r.RoleplayID, r.Version)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	for c, v := range overrides {
		if _, ok := sc.weight(c); !ok {
			f.Add("score_override."+c, "the scenario scores no competency %q", c)
		}
		if v < 0 || v > 100 {
			f.Add("score_override."+c, "a score is 0..100")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	steps, err := r.steps()
	if err != nil {
		return nil, err
	}
	score := sc.evaluate(steps, deref(r.Outcome), overrides)
	return &score, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func scoreSummary(sc *Score) map[string]any {
	if sc == nil {
		return nil
	}
	per := map[string]float64{}
	for _, c := range sc.Competencies {
		if c.Exercised {
			per[c.Competency] = c.Score
		}
	}
	return map[string]any{"competencies": per, "overall": sc.Overall}
}

func notFound(what string) error { return apperr.NotFoundf("%s", what) }

func deref64(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
