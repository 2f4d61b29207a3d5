package quiz

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/jobs"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

// DefaultGrace is how long after its deadline an attempt still accepts
// saves and a submit graded as on time (network latency, a slow click).
const DefaultGrace = 30 * time.Second

// Enrollments tells which programs an agent is enrolled in (the
// certification service): an agent takes only those programs' quizzes.
type Enrollments interface {
	ProgramIDsForUser(ctx context.Context, userID string) ([]string, error)
}

// programFinder finds programs, what they require and what an agent read
// (the catalog store).
type programFinder interface {
	ProgramByID(ctx context.Context, id string) (*catalog.Program, error)
	ClientBySlug(ctx context.Context, slug string) (*catalog.Client, error)
	ProgramBySlug(ctx context.Context, clientID, slug string) (*catalog.Program, error)
	Requirements(ctx context.Context, p *catalog.Program) (*catalog.Requirements, error)
	ListProgress(ctx context.Context, userID string, moduleIDs []string) ([]catalog.Progress, error)
	QuizGate(ctx context.Context, programID, quizSlug, userID string) ([]catalog.GateModule, error)
}

// Service runs quiz attempts on the server: starts within the limits,
// answer saves in sequence, grading, results under the review policy, the
// auto-submit of overdue attempts, and item analysis.
type Service struct {
	db          *gorm.DB
	store       *Store
	programs    programFinder
	enrollments Enrollments
	audit       *audit.Recorder
	clock       clock.Clock
	// Grace is added to every deadline (DefaultGrace).
	Grace    time.Duration
	listener EvidenceListener
	learning LearningRecorder
}

// EvidenceListener hears that an agent passed a quiz (the certification
// service): MarkEvidence inside the grading transaction, EvidenceChanged
// after it commits (not for auto-submits: the certification job evaluates
// those).
type EvidenceListener interface {
	MarkEvidence(ctx context.Context, tx *gorm.DB, userID, programID string) error
	EvidenceChanged(ctx context.Context, userID, programID string)
}

// LearningRecorder queues learning records (xAPI statements) inside the
// transaction of the learning event (the xapi service).
type LearningRecorder interface {
	Record(ctx context.Context, tx *gorm.DB, e xapi.Experience) error
}

// NewService wires the quiz service.
func NewService(g *gorm.DB, programs programFinder, enrollments Enrollments, listener EvidenceListener, learning LearningRecorder,
	rec *audit.Recorder, clk clock.Clock) *Service {
	return &Service{db: g, store: NewStore(g), programs: programs, enrollments: enrollments, listener: listener,
		learning: learning, audit: rec, clock: clk, Grace: DefaultGrace}
}

// Store returns the service's store (PassedQuizzes, for certification).
func (s *Service) Store() *Store { return s.store }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// canView reports whether p sees results and analysis of a client's
// quizzes: compliance and admin, and the client's trainers and supervisors.
func canView(p *auth.Principal, clientID string) bool {
	return p.SeesAllClients() || (p.Is(auth.RoleTrainer, auth.RoleSupervisor) && p.MemberOf(clientID))
}

// principal returns the signed-in user. Errors: unauthorized, forbidden.
func principal(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	switch {
	case p == nil:
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	case p.IsMachine():
		return nil, apperr.E(apperr.Forbidden, "API keys cannot use quizzes")
	}
	return p, nil
}

// enrolled reports whether the agent is enrolled in the program.
func (s *Service) enrolled(ctx context.Context, userID, programID string) (bool, error) {
	ids, err := s.enrollments.ProgramIDsForUser(ctx, userID)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, programID), nil
}

// visibleQuiz returns a quiz the principal may see: an agent's only when
// enrolled in its program, staff's only for their clients. Anything else
// is not_found, so ids cannot be probed.
func (s *Service) visibleQuiz(ctx context.Context, p *auth.Principal, quizID string) (*StoredQuiz, error) {
	notFound := apperr.NotFoundf("quiz")
	if uuid.Validate(quizID) != nil {
		return nil, notFound
	}
	q, err := s.store.QuizByID(ctx, quizID)
	if err != nil {
		return nil, err
	}
	if p.Is(auth.RoleAgent) {
		ok, err := s.enrolled(ctx, p.UserID, q.ProgramID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, notFound
		}
		return q, nil
	}
	if !canView(p, q.ClientID) {
		return nil, notFound
	}
	return q, nil
}

// ListForProgram lists a program's quizzes with their current settings and,
// for an agent, their attempts summary. Agents must be enrolled in the
// program; trainers and supervisors see their clients' programs. Errors:
// unauthorized, forbidden, not_found.
func (s *Service) ListForProgram(ctx context.Context, programID string) ([]QuizSummary, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if uuid.Validate(programID) != nil {
		return nil, apperr.NotFoundf("program")
	}
	prog, err := s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	isAgent := p.Is(auth.RoleAgent)
	if isAgent {
		ok, err := s.enrolled(ctx, p.UserID, programID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.NotFoundf("program")
		}
	} else if !canView(p, prog.ClientID) {
		return nil, apperr.NotFoundf("program")
	}
	quizzes, err := s.store.QuizzesOfProgram(ctx, programID)
	if err != nil {
		return nil, err
	}
	agentID := ""
	if isAgent {
		agentID = p.UserID
	}
	gates, err := s.gates(ctx, prog, agentID)
	if err != nil {
		return nil, err
	}
	var attempts []Attempt
	if isAgent {
		ids := make([]string, len(quizzes))
		for i, q := range quizzes {
			ids[i] = q.ID
		}
		if attempts, err = s.store.attemptsOfUsersIn(ctx, []string{p.UserID}, ids); err != nil {
			return nil, err
		}
	}
	now := s.now()
	out := make([]QuizSummary, 0, len(quizzes))
	for i := range quizzes {
		q := &quizzes[i]
		v, err := s.store.CurrentVersion(ctx, q)
		if err != nil {
			return nil, err
		}
		sum := summarize(q, v)
		if isAgent {
			var mine []Attempt
			for _, a := range attempts {
				if a.QuizID == q.ID {
					mine = append(mine, a)
				}
			}
			sum.MyAttempts = s.attemptsSummary(v.Quiz, mine, now)
		}
		if g := gates[q.Slug]; g != nil {
			sum.OpensAfter = g
			if sum.MyAttempts != nil && !g.Open {
				sum.MyAttempts.Locked = true
				sum.MyAttempts.CanStart = false
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

func summarize(q *StoredQuiz, v *Version) QuizSummary {
	qz := v.Quiz
	n := qz.QuestionsPerAttempt
	if n == 0 {
		n = len(v.Pool)
	}
	return QuizSummary{ID: q.ID, ProgramID: q.ProgramID, Slug: q.Slug, Title: qz.Title, Version: v.Number,
		PassPercent: qz.PassPercent, Questions: n, TimeLimitSeconds: int64(qz.TimeLimit / time.Second),
		AttemptsAllowed: qz.AttemptsAllowed, WaitBetweenSeconds: int64(qz.WaitBetweenAttempts / time.Second),
		Grading: qz.Grading, Review: qz.Review}
}

// startBlock says why a new attempt cannot start now: the limit is used up
// (next is nil), or the wait after the last attempt has not passed (next
// is when it does). It is nil when a start is allowed.
type startBlock struct {
	message string
	next    *time.Time
}

// blocked applies the attempt limit and the wait to an agent's attempts.
func blocked(qz *Quiz, attempts []Attempt, now time.Time, grace time.Duration) *startBlock {
	if qz.AttemptsAllowed > 0 && len(attempts) >= qz.AttemptsAllowed {
		return &startBlock{message: fmt.Sprintf("all %d attempts are used", qz.AttemptsAllowed)}
	}
	if qz.WaitBetweenAttempts > 0 {
		for i := len(attempts) - 1; i >= 0; i-- {
			end := attempts[i].SubmittedAt
			if end == nil && attempts[i].overdue(now, grace) {
				end = attempts[i].Deadline
			}
			if end == nil {
				continue
			}
			if next := end.Add(qz.WaitBetweenAttempts); now.Before(next) {
				return &startBlock{message: "the next attempt may start at " + next.Format(time.RFC3339), next: &next}
			}
			break
		}
	}
	return nil
}

func (s *Service) attemptsSummary(qz *Quiz, attempts []Attempt, now time.Time) *AttemptsSummary {
	sum := &AttemptsSummary{Used: len(attempts)}
	if qz.AttemptsAllowed > 0 {
		r := max(qz.AttemptsAllowed-len(attempts), 0)
		sum.Remaining = &r
	}
	for i := range attempts {
		a := &attempts[i]
		if !a.Submitted() {
			if !a.overdue(now, s.Grace) {
				id := a.ID
				sum.OpenAttemptID = &id
			}
			continue
		}
		pct := *a.Percent
		sum.LastPercent = &pct
		if sum.BestPercent == nil || pct > *sum.BestPercent {
			sum.BestPercent = &pct
		}
	}
	if a := countingAttempt(attempts, qzID(attempts), qz.Grading); a != nil && a.Passed != nil {
		sum.Passed = *a.Passed
	}
	b := blocked(qz, attempts, now, s.Grace)
	sum.CanStart = b == nil && sum.OpenAttemptID == nil
	if b != nil {
		sum.NextStartAt = b.next
	}
	return sum
}

// qzID is the quiz id of attempts of one quiz ("" when there are none).
func qzID(attempts []Attempt) string {
	if len(attempts) == 0 {
		return ""
	}
	return attempts[0].QuizID
}

// Start begins an attempt at the quiz's current version for the signed-in
// agent, or returns their attempt still open (resumed reports which). An
// open attempt past its deadline and grace is graded first. Concurrent
// starts of one agent on one quiz are serialized, so they never exceed the
// attempts allowed. Errors: unauthorized, forbidden (not an agent),
// not_found (no such quiz, or not enrolled), conflict (limit used up, or
// the wait has not passed: Details say when the next start is allowed).
func (s *Service) Start(ctx context.Context, quizID string) (view *AttemptView, resumed bool, err error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, false, err
	}
	if !p.Is(auth.RoleAgent) {
		return nil, false, apperr.E(apperr.Forbidden, "only agents take quizzes")
	}
	q, err := s.visibleQuiz(ctx, p, quizID)
	if err != nil {
		return nil, false, err
	}
	v, err := s.store.CurrentVersion(ctx, q)
	if err != nil {
		return nil, false, err
	}
	gate, err := s.programs.QuizGate(ctx, q.ProgramID, q.Slug, p.UserID)
	if err != nil {
		return nil, false, err
	}
	var att *Attempt
	var av *Version
	err = s.audit.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockUserQuiz(tx, p.UserID, q.ID); err != nil {
			return err
		}
		// The rows are locked too: an open attempt graded here must not be
		// graded at the same time by a submit or the auto-submit job, which
		// lock the attempt (and not the agent × quiz).
		attempts, err := attemptsOf(tx.Clauses(lockForUpdate), p.UserID, q.ID)
		if err != nil {
			return err
		}
		now := s.now()
		for i := range attempts {
			a := &attempts[i]
			if a.Submitted() {
				continue
			}
			if !a.overdue(now, s.Grace) {
				att, resumed = a, true
				av, err = s.store.VersionByID(ctx, a.QuizVersionID)
				return err
			}
			if _, err := s.finalize(ctx, tx, a, now, audit.System("quiz-deadline")); err != nil {
				return err
			}
		}
		if g := gateOf(gate, true); g != nil && !g.Open {
			e := apperr.E(apperr.Conflict, "%s", g.lockedMessage(v.Quiz.Title))
			e.Details = map[string]any{"locked": true, "opens_after": g}
			return e
		}
		if b := blocked(v.Quiz, attempts, now, s.Grace); b != nil {
			details := map[string]any{"attempts_used": len(attempts), "attempts_allowed": v.Quiz.AttemptsAllowed, "next_start_at": b.next}
			e := apperr.E(apperr.Conflict, "you cannot start %s now: %s", v.Quiz.Title, b.message)
			e.Details = details
			if b.next != nil {
				e.RetryAfter = b.next.Sub(now)
			}
			return e
		}
		att = &Attempt{ID: uuid.NewString(), UserID: p.UserID, QuizID: q.ID, QuizVersionID: v.ID, Number: len(attempts) + 1,
			Seed: int64(rand.Uint64()), Answers: json.RawMessage(`{}`), StartedAt: now}
		if v.Quiz.TimeLimit > 0 {
			d := now.Add(v.Quiz.TimeLimit)
			att.Deadline = &d
		}
		av = v
		if err := tx.Omit("score", "percent", "passed", "result", "submitted_at").Create(att).Error; err != nil {
			return db.Translate(err, "attempt")
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("quiz: start attempt: %w", err)
	}
	view, err = s.view(att, av)
	return view, resumed, err
}

// view is the agent's view of an attempt: public questions only.
func (s *Service) view(a *Attempt, v *Version) (*AttemptView, error) {
	qs, err := v.Draw(a.Seed)
	if err != nil {
		return nil, err
	}
	rs, err := a.responses()
	if err != nil {
		return nil, err
	}
	status := StatusOpen
	if a.Submitted() {
		status = StatusSubmitted
	}
	return &AttemptView{ID: a.ID, QuizID: a.QuizID, QuizTitle: v.Quiz.Title, QuizVersion: v.Number, Number: a.Number, Status: status,
		StartedAt: a.StartedAt, Deadline: a.Deadline, ServerTime: s.now(), Seq: a.Seq, Questions: PublicQuestions(qs),
		Answers: rs, SubmittedAt: a.SubmittedAt, AutoSubmitted: a.AutoSubmitted}, nil
}

// ownAttempt reads an attempt of the signed-in user (locked for update in
// a transaction when tx says so). Another user's attempt is not_found.
func (s *Service) ownAttempt(tx *gorm.DB, p *auth.Principal, attemptID string) (*Attempt, error) {
	if uuid.Validate(attemptID) != nil {
		return nil, apperr.NotFoundf("attempt")
	}
	a, err := attemptByID(tx, attemptID)
	if err != nil {
		return nil, err
	}
	if a.UserID != p.UserID {
		return nil, apperr.NotFoundf("attempt")
	}
	return a, nil
}

// GetAttempt returns the signed-in agent's attempt: its public questions,
// answers so far, seq, deadline and the server's time. Errors:
// unauthorized, forbidden, not_found.
func (s *Service) GetAttempt(ctx context.Context, attemptID string) (*AttemptView, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.ownAttempt(s.db.WithContext(ctx), p, attemptID)
	if err != nil {
		return nil, err
	}
	v, err := s.store.VersionByID(ctx, a.QuizVersionID)
	if err != nil {
		return nil, err
	}
	return s.view(a, v)
}

// SaveAnswers merges answers (by question id) into the signed-in agent's
// open attempt. seq must be exactly one more than the last accepted save,
// so replayed and out-of-order saves are refused; an empty answer clears
// the question. Each answer is checked against its question on its own: one
// that does not fit (an unknown question, an answer of the wrong shape, text
// that is not a number) is left out and named in the receipt's Rejected,
// and never keeps the save's other answers from being kept. Errors:
// unauthorized, forbidden, not_found, conflict (wrong seq, Details.seq
// holds the last accepted one; attempt submitted; time is up).
//
// The save needs no transaction: the attempt is read, the answers checked
// and merged, and one update writes them only while the attempt is still
// open at the seq that was read (a concurrent save or submit makes it read
// again and answer as above).
func (s *Service) SaveAnswers(ctx context.Context, attemptID string, seq int, answers map[string]Response) (*SaveReceipt, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	for range 3 {
		receipt, err := s.saveAnswers(ctx, p, attemptID, seq, answers)
		if err != nil {
			return nil, fmt.Errorf("quiz: save answers: %w", err)
		}
		if receipt != nil {
			return receipt, nil
		}
	}
	return nil, apperr.E(apperr.Conflict, "the attempt kept changing while the answers were saved, try again")
}

// saveAnswers is one try of SaveAnswers: nil, nil when the attempt changed
// between the read and the write.
func (s *Service) saveAnswers(ctx context.Context, p *auth.Principal, attemptID string, seq int, answers map[string]Response) (*SaveReceipt, error) {
	g := s.db.WithContext(ctx)
	a, err := s.ownAttempt(g, p, attemptID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case a.Submitted():
		return nil, apperr.E(apperr.Conflict, "the attempt is already submitted")
	case a.overdue(now, s.Grace):
		return nil, apperr.E(apperr.Conflict, "time is up: the attempt ended at %s", a.Deadline.Format(time.RFC3339))
	case seq != a.Seq+1:
		e := apperr.E(apperr.Conflict, "save %d is out of sequence: the last accepted save is %d", seq, a.Seq)
		e.Details = map[string]any{"seq": a.Seq}
		return nil, e
	}
	v, err := s.store.VersionByID(ctx, a.QuizVersionID)
	if err != nil {
		return nil, err
	}
	qs, err := v.Draw(a.Seed)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]*Question, len(qs))
	for i := range qs {
		byKey[qs[i].Key()] = &qs[i]
	}
	rs, err := a.responses()
	if err != nil {
		return nil, err
	}
	rejected := map[string]string{}
	for key, r := range answers {
		q, ok := byKey[key]
		if !ok {
			rejected[key] = "The attempt has no such question."
			continue
		}
		if err := q.CheckResponse(r); err != nil {
			rejected[key] = err.Error()
			continue
		}
		if r.Empty() {
			delete(rs, key) // cleared: unanswered again, for grading and item analysis alike
			continue
		}
		rs[key] = r
	}
	raw, err := json.Marshal(rs)
	if err != nil {
		return nil, err
	}
	saved, err := saveAnswers(g, a, raw, seq)
	if err != nil {
		return nil, err
	}
	if !saved {
		return nil, nil
	}
	return &SaveReceipt{AttemptID: a.ID, Seq: seq, Deadline: a.Deadline, ServerTime: now, Rejected: rejected}, nil
}

// Submit grades the signed-in agent's attempt and returns the result. It is
// idempotent: a second submit (even a concurrent one) returns the stored
// result of the first. A submit after the deadline and grace is graded as
// auto-submitted, with the answers saved in time. Errors: unauthorized,
// forbidden, not_found.
func (s *Service) Submit(ctx context.Context, attemptID string) (*Submission, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var sub *Submission
	graded := false
	err = s.audit.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		a, err := s.ownAttempt(tx.Clauses(lockForUpdate), p, attemptID)
		if err != nil {
			return err
		}
		if a.Submitted() {
			sub, err = s.submission(ctx, a)
			return err
		}
		sub, err = s.finalize(ctx, tx, a, s.now(), p.Actor())
		graded = err == nil
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("quiz: submit attempt: %w", err)
	}
	if graded && sub.Result.Passed && s.listener != nil {
		s.listener.EvidenceChanged(ctx, sub.UserID, sub.programID)
	}
	return sub, nil
}

// finalize grades an open attempt in tx (which holds its row lock): the
// score, the result under the review policy, its items (one per drawn
// question, for analysis), and the audit entry quiz.attempt_submitted. An
// attempt past its deadline and grace is auto-submitted, as of its deadline.
func (s *Service) finalize(ctx context.Context, tx *gorm.DB, a *Attempt, now time.Time, actor audit.Actor) (*Submission, error) {
	v, rs, g, err := s.gradeAttempt(ctx, a)
	if err != nil {
		return nil, err
	}
	res := g.View(v.Quiz.Review)
	submittedAt := now
	if a.overdue(now, s.Grace) {
		a.AutoSubmitted = true
		submittedAt = *a.Deadline
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	items := make([]attemptItem, len(g.Questions))
	for i, gq := range g.Questions {
		_, answered := rs[gq.Question.Key()]
		items[i] = attemptItem{QuestionKey: gq.Question.Key(), Position: i + 1, Answered: answered,
			Mark: json.Number(gq.Mark.FloatString(8)), Wrong: gq.Question.WrongChoices(gq.Response)}
	}
	rawItems, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	score := g.Score.String() // exact, "num/den"
	a.SubmittedAt, a.Score, a.Percent, a.Passed, a.Result = &submittedAt, &score, &res.Percent, &g.Passed, raw
	// Only an open attempt is graded: every caller holds the row lock, and
	// the condition makes a second grading impossible even if one did not.
	graded, err := saveGrade(tx, a, map[string]any{"submitted_at": submittedAt, "auto_submitted": a.AutoSubmitted,
		"score": score, "percent": res.Percent, "passed": g.Passed, "result": string(raw), "items": string(rawItems)})
	if err != nil {
		return nil, err
	}
	if !graded {
		return nil, fmt.Errorf("quiz: grade attempt %s: it was graded already", a.ID)
	}
	err = s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "quiz.attempt_submitted", SubjectType: "quiz_attempt",
		SubjectID: a.ID, ClientID: v.ClientID, After: map[string]any{
			"user_id": a.UserID, "quiz_id": a.QuizID, "quiz_version": v.Number, "number": a.Number,
			"score": score, "percent": res.Percent, "passed": g.Passed, "auto_submitted": a.AutoSubmitted,
		}})
	if err != nil {
		return nil, err
	}
	// Only a pass is evidence: the certification rules move a record on
	// passes alone (certify, renew, complete a refresher), never on a failed
	// attempt, so a failure leaves the records unmarked and unevaluated.
	// Auto-submits are evaluated by the certification job.
	if g.Passed && s.listener != nil {
		if err := s.listener.MarkEvidence(ctx, tx, a.UserID, v.ProgramID); err != nil {
			return nil, err
		}
	}
	if s.learning != nil {
		if err := s.learning.Record(ctx, tx, gradedExperience(a, v, g, submittedAt)); err != nil {
			return nil, err
		}
	}
	return &Submission{AttemptID: a.ID, QuizID: a.QuizID, UserID: a.UserID, QuizVersion: v.Number, Number: a.Number,
		SubmittedAt: submittedAt, AutoSubmitted: a.AutoSubmitted, Review: string(v.Quiz.Review), Result: res,
		programID: v.ProgramID}, nil
}

// gradeAttempt grades the attempt's saved answers against the questions its
// version and seed draw; it returns the version and the answers with the
// grading.
func (s *Service) gradeAttempt(ctx context.Context, a *Attempt) (*Version, map[string]Response, Graded, error) {
	v, err := s.store.VersionByID(ctx, a.QuizVersionID)
	if err != nil {
		return nil, nil, Graded{}, err
	}
	qs, err := v.Draw(a.Seed)
	if err != nil {
		return nil, nil, Graded{}, err
	}
	rs, err := a.responses()
	if err != nil {
		return nil, nil, Graded{}, err
	}
	return v, rs, Grade(qs, rs, v.Quiz.PassPercent), nil
}

// submission is a graded attempt's stored result.
func (s *Service) submission(ctx context.Context, a *Attempt) (*Submission, error) {
	v, err := s.store.VersionByID(ctx, a.QuizVersionID)
	if err != nil {
		return nil, err
	}
	var res Result
	if err := json.Unmarshal(a.Result, &res); err != nil {
		return nil, fmt.Errorf("quiz: attempt %s result: %w", a.ID, err)
	}
	return &Submission{AttemptID: a.ID, QuizID: a.QuizID, UserID: a.UserID, QuizVersion: v.Number, Number: a.Number,
		SubmittedAt: *a.SubmittedAt, AutoSubmitted: a.AutoSubmitted, Review: string(v.Quiz.Review), Result: res}, nil
}

// Result returns a graded attempt's result: to its agent as the quiz's
// review policy allows, and in full (every question's mark, the correct
// answers and feedback) to staff who see the quiz's client, whatever the
// policy. Errors: unauthorized, forbidden, not_found, conflict (not
// submitted yet).
func (s *Service) Result(ctx context.Context, attemptID string) (*Submission, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if uuid.Validate(attemptID) != nil {
		return nil, apperr.NotFoundf("attempt")
	}
	a, err := s.store.AttemptByID(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	if a.UserID != p.UserID {
		v, err := s.store.VersionByID(ctx, a.QuizVersionID)
		if err != nil {
			return nil, err
		}
		if !canView(p, v.ClientID) {
			return nil, apperr.NotFoundf("attempt")
		}
	}
	if !a.Submitted() {
		return nil, apperr.E(apperr.Conflict, "the attempt is not submitted yet")
	}
	if a.UserID != p.UserID {
		return s.fullSubmission(ctx, a)
	}
	return s.submission(ctx, a)
}

// fullSubmission is a graded attempt as staff see it: the stored result
// (score, pass, sections to re-read, as certification counted them) with
// every question's mark, correct answer and feedback, from grading the
// attempt again from its version, seed and saved answers (grading is
// deterministic), and the drawn questions as the agent saw them. Full says
// so; Review stays the quiz's policy.
func (s *Service) fullSubmission(ctx context.Context, a *Attempt) (*Submission, error) {
	sub, err := s.submission(ctx, a)
	if err != nil {
		return nil, err
	}
	v, _, g, err := s.gradeAttempt(ctx, a)
	if err != nil {
		return nil, err
	}
	qs, err := v.Draw(a.Seed)
	if err != nil {
		return nil, err
	}
	sub.Result.Questions, sub.Full = g.View(ReviewFeedback).Questions, true
	sub.QuizTitle, sub.Questions = v.Quiz.Title, PublicQuestions(qs)
	return sub, nil
}

// ListAttempts lists a quiz's attempts by every agent matching f, for staff
// who see the quiz's client. Errors: unauthorized, forbidden, not_found,
// invalid (a state other than open or submitted, a user id that is not one).
func (s *Service) ListAttempts(ctx context.Context, quizID string, f AttemptFilter) ([]AttemptRow, error) {
	q, err := s.staffQuiz(ctx, quizID)
	if err != nil {
		return nil, err
	}
	if f.State != "" && f.State != "open" && f.State != "submitted" {
		return nil, apperr.Invalidf("state", "must be open or submitted")
	}
	if f.UserID != "" && uuid.Validate(f.UserID) != nil {
		return nil, apperr.Invalidf("user_id", "must be a user id")
	}
	return s.store.ListAttempts(ctx, q.ID, f)
}

// staffQuiz returns a quiz for trainers, supervisors (of its client),
// compliance and admins; agents are forbidden.
func (s *Service) staffQuiz(ctx context.Context, quizID string) (*StoredQuiz, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if p.Is(auth.RoleAgent) {
		return nil, apperr.E(apperr.Forbidden, "only trainers, supervisors, compliance and admins see quiz results")
	}
	return s.visibleQuiz(ctx, p, quizID)
}

// Analysis returns item analysis of a quiz over every graded attempt: per
// question, times drawn, mean mark in percent and the wrong option chosen
// most. Errors: unauthorized, forbidden, not_found.
func (s *Service) Analysis(ctx context.Context, quizID string) (*Analysis, error) {
	q, err := s.staffQuiz(ctx, quizID)
	if err != nil {
		return nil, err
	}
	v, err := s.store.CurrentVersion(ctx, q)
	if err != nil {
		return nil, err
	}
	attempts, items, wrong, err := s.store.itemAnalysis(ctx, q.ID)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*Question{}
	for i := range v.Pool {
		byKey[v.Pool[i].Key()] = &v.Pool[i]
	}
	mostWrong := map[string]wrongCount{}
	for _, w := range wrong { // ordered by count, descending, per question
		if _, seen := mostWrong[w.QuestionKey]; !seen {
			mostWrong[w.QuestionKey] = w
		}
	}
	out := &Analysis{QuizID: q.ID, Attempts: attempts, Questions: make([]ItemStats, 0, len(items))}
	for _, it := range items {
		st := ItemStats{QuestionID: it.QuestionKey, Drawn: it.Drawn, Answered: it.Answered, FullyCorrect: it.FullyCorrect,
			PercentCorrect: roundTo(it.MeanMark*100, 2)}
		q := byKey[it.QuestionKey]
		if q != nil {
			st.Type, st.Text = q.Type, q.Text
		}
		if w, ok := mostWrong[it.QuestionKey]; ok {
			st.MostChosenWrong = &WrongOption{OptionID: w.OptionID, Count: w.Count}
			if q != nil {
				for _, o := range q.Options {
					if o.ID == w.OptionID {
						st.MostChosenWrong.Text = o.Text
					}
				}
			}
		}
		out.Questions = append(out.Questions, st)
	}
	return out, nil
}

// AutoSubmitBatch is how many overdue attempts RunOnce grades per
// transaction.
const AutoSubmitBatch = 50

// RunOnce auto-submits every open attempt past its deadline and grace,
// graded with the answers saved in time, in batches locked with
// FOR UPDATE SKIP LOCKED so several replicas share the work without
// grading any attempt twice. It returns how many it graded.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	total, err := jobs.Batches(ctx, AutoSubmitBatch, func(ctx context.Context) (int, error) {
		n := 0
		err := s.audit.Transaction(ctx, s.db, func(tx *gorm.DB) error {
			now := s.now()
			as, err := overdueAttempts(tx, now.Add(-s.Grace), AutoSubmitBatch)
			if err != nil {
				return err
			}
			for i := range as {
				if _, err := s.finalize(ctx, tx, &as[i], now, audit.System("quiz-deadline")); err != nil {
					return err
				}
			}
			n = len(as)
			return nil
		})
		return n, err
	})
	if err != nil {
		return total, fmt.Errorf("quiz: auto-submit: %w", err)
	}
	return total, nil
}

// gradedExperience is the learning record of a graded attempt: the quiz
// passed or failed, scored in points (raw of max) and scaled to [0, 1].
func gradedExperience(a *Attempt, v *Version, g Graded, at time.Time) xapi.Experience {
	possible := int64(0)
	for _, gq := range g.Questions {
		possible += int64(gq.Question.Points)
	}
	scaled, _ := g.Score.Float64()
	raw, _ := new(big.Rat).Mul(g.Score, big.NewRat(possible, 1)).Float64()
	verb, passed, completion := xapi.VerbFailed, g.Passed, true
	if passed {
		verb = xapi.VerbPassed
	}
	e := xapi.Experience{Source: "quiz-attempt:" + a.ID, UserID: a.UserID, Verb: verb,
		Activity: xapi.Activity{Kind: xapi.Quiz, ID: a.QuizID, Name: v.Quiz.Title},
		Result: &xapi.Result{Score: &xapi.Score{Scaled: scaled, Raw: raw, Min: 0, Max: float64(possible)},
			Success: &passed, Completion: &completion}, At: at}
	if v.ProgramID != "" {
		e.Parent = &xapi.Activity{Kind: xapi.Program, ID: v.ProgramID}
	}
	return e
}
