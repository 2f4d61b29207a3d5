package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/changefeed"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/jurisdiction"
	"github.com/skillgate/skillgate/server/internal/outbox"
)

// MaxBatch is the most checks one batch call may ask.
const MaxBatch = 500

// DefaultDeadline bounds how long loading one answer's inputs may take
// before the gate gives up and answers unavailable.
const DefaultDeadline = 2 * time.Second

// DefaultBulkDeadline bounds how long reading a snapshot (a roster, an
// export, a reconciliation: thousands of answers) may take.
const DefaultBulkDeadline = 30 * time.Second

// Service answers eligibility questions and keeps assignments.
type Service struct {
	db    *gorm.DB
	store *Store
	audit *audit.Recorder
	clock clock.Clock
	// Deadline bounds each load of inputs (DefaultDeadline when zero).
	Deadline time.Duration
	// BulkDeadline bounds each snapshot read (DefaultBulkDeadline when zero).
	BulkDeadline time.Duration
	// SweepEvery is how often the re-decide job re-checks every assignment
	// even when nothing says it changed (10 minutes when zero).
	SweepEvery time.Duration

	// Log hears of the view's trouble (nil: silence).
	Log *slog.Logger

	rosters *rosterCache
	view    *view // nil unless EnableView
	// feedListeners take every feed read the view makes (OnFeed).
	feedListeners []changefeed.Listener
	live          *liveRosters // nil unless EnableView
	// feedFailures counts RunView's failed feed reads (FeedReadFailures).
	feedFailures atomic.Int64
}

// NewService wires the gate.
func NewService(g *gorm.DB, rec *audit.Recorder, clk clock.Clock) *Service {
	return &Service{db: g, store: NewStore(g), audit: rec, clock: clk, rosters: newRosterCache()}
}

// SetRosterCacheTTL makes each roster answer reusable on this replica for d
// (RosterCacheTTL in production; zero, the default, computes every roster).
// Call it before serving. (A setting rather than a collaborator, so it
// stays a setter: tests change it on a running app.)
func (s *Service) SetRosterCacheTTL(d time.Duration) { s.rosters.ttl = d }

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// withDeadline bounds a load.
func (s *Service) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	d := s.Deadline
	if d <= 0 {
		d = DefaultDeadline
	}
	return context.WithTimeout(ctx, d)
}

// withBulkDeadline bounds a snapshot read.
func (s *Service) withBulkDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	d := s.BulkDeadline
	if d <= 0 {
		d = DefaultBulkDeadline
	}
	return context.WithTimeout(ctx, d)
}

// failClosed turns any failure to load inputs into unavailable, so the
// caller never mistakes it for an answer; client errors pass through.
func failClosed(err error) error {
	if err == nil {
		return nil
	}
	switch apperr.CodeOf(err) {
	case apperr.NotFound, apperr.Invalid, apperr.Forbidden, apperr.Unauthorized, apperr.Conflict:
		return err
	}
	return &apperr.Error{Code: apperr.Unavailable, Err: err,
		Message: "eligibility cannot be decided right now; treat the agent as not eligible and retry"}
}

// ParseState reads a caller state named field: "" (unknown, which is
// answered as documented for a question without a state) or one of the
// jurisdictions, returned in upper case. Anything else, such as a
// placeholder "XX" for unknown, is invalid: answering it would route an
// agent licensed nowhere. Errors: invalid.
func ParseState(field, s string) (string, error) {
	code, problem := parseState(s)
	if problem != "" {
		return "", apperr.Invalidf(field, "%s", problem)
	}
	return code, nil
}

// parseState is ParseState's code, or the problem to report.
func parseState(s string) (code, problem string) {
	if s == "" {
		return "", ""
	}
	code, ok := jurisdiction.Parse(s)
	if !ok {
		return "", "must be " + jurisdiction.Described + "; leave it out when the caller's state is unknown"
	}
	return code, ""
}

// ParseAgent reads an agent reference: a Skillgate user id (uuid), or
// "ext:" followed by the routing system's agent id. Errors: invalid.
func ParseAgent(field, s string) (Agent, error) {
	if ext, ok := strings.CutPrefix(s, "ext:"); ok {
		if ext == "" || len(ext) > 200 {
			return Agent{}, apperr.Invalidf(field, "an external agent id after ext: must have 1 to 200 characters")
		}
		return Agent{ExternalID: ext}, nil
	}
	if uuid.Validate(s) != nil {
		return Agent{}, apperr.Invalidf(field, "must be a user id (uuid) or ext:<routing system agent id>")
	}
	return Agent{ID: strings.ToLower(s)}, nil
}

// validate checks a question's program and state.
func (c *Check) validate(prefix string) error {
	f := apperr.Fields{}
	if uuid.Validate(c.ProgramID) != nil {
		f.Add(prefix+"program", "must be a program id (uuid)")
	}
	state, problem := parseState(c.State)
	if problem != "" {
		f.Add(prefix+"state", "%s", problem)
	}
	c.State = state
	return f.Err()
}

// mayCheck reports whether p may see answers about agent userID in a
// program of clientID: API keys (the route demands eligibility:read), the
// agent themselves, trainers and supervisors of the client, compliance and
// admins.
func mayCheck(p *auth.Principal, userID, clientID string) bool {
	switch {
	case p == nil:
		return false
	case p.IsMachine():
		return p.HasScope(auth.ScopeEligibilityRead)
	case p.Is(auth.RoleAgent):
		return p.UserID == userID
	case p.Is(auth.RoleTrainer, auth.RoleSupervisor):
		return p.MemberOf(clientID)
	}
	return p.SeesAllClients()
}

// mayManage reports whether p may assign agents to a program of clientID:
// supervisors of the client and admins.
func mayManage(p *auth.Principal, clientID string) bool {
	return p != nil && (p.Is(auth.RoleAdmin) || (p.Is(auth.RoleSupervisor) && p.MemberOf(clientID)))
}

// mayView reports whether p may list a program's assignments and roster.
func mayView(p *auth.Principal, clientID string) bool {
	return p != nil && (p.IsMachine() && p.HasScope(auth.ScopeEligibilityRead) ||
		p.SeesAllClients() || (p.Is(auth.RoleTrainer, auth.RoleSupervisor) && p.MemberOf(clientID)))
}

// Check answers one question. Errors: invalid, not_found (agent or
// program), forbidden, unavailable (the inputs could not be read: never an
// answer).
func (s *Service) Check(ctx context.Context, c Check) (*Answer, error) {
	if err := c.validate(""); err != nil {
		return nil, err
	}
	in, err := s.checkInputs(ctx, c)
	if err != nil {
		return nil, err
	}
	if !mayCheck(auth.FromContext(ctx), in.UserID, in.ClientID) {
		return nil, apperr.E(apperr.Forbidden, "you may not see this agent's eligibility for %s", in.ProgramName)
	}
	in.At = s.now()
	a := answerOf(&in, c.State, in.decide(c.State))
	return &a, nil
}

// checkInputs returns a copy of the question's inputs: from the view when
// it holds them, else read (and kept in the view when it is on).
func (s *Service) checkInputs(ctx context.Context, c Check) (inputs, error) {
	k := viewKey{agent: c.Agent, programID: c.ProgramID}
	if in, ok := s.view.get(k, s.clock.Now()); ok {
		return in, nil
	}
	gen := s.view.begin()
	ctx, cancel := s.withDeadline(ctx)
	defer cancel()
	in, err := s.store.Inputs(ctx, nil, c.Agent, c.ProgramID)
	if err != nil {
		return inputs{}, failClosed(err)
	}
	s.view.put(k, in, gen)
	return *in, nil
}

// Batch answers many questions in order; a question that is invalid, names
// something missing or is forbidden gets its error in its slot. Errors:
// invalid (no checks, or more than MaxBatch), unavailable (any load failed:
// the whole batch fails closed).
func (s *Service) Batch(ctx context.Context, cs []Check) ([]BatchItem, error) {
	return s.batch(ctx, cs, nil)
}

// batch is Batch with the items the handler already found invalid.
func (s *Service) batch(ctx context.Context, cs []Check, bad map[int]error) ([]BatchItem, error) {
	if len(cs) == 0 || len(cs) > MaxBatch {
		return nil, apperr.Invalidf("checks", "must hold 1 to %d checks", MaxBatch)
	}
	// An unknown caller state fails the whole batch, naming each item: it is
	// the caller's contract error (a placeholder for "unknown"), not one
	// agent's condition, and must not pass as a slot error nobody reads.
	states := apperr.Fields{}
	for i, c := range cs {
		if _, problem := parseState(c.State); problem != "" {
			states.Add("checks["+strconv.Itoa(i)+"].state", "%s", problem)
		}
	}
	if err := states.Err(); err != nil {
		return nil, err
	}
	out := make([]BatchItem, len(cs))
	for i, c := range cs {
		err := bad[i]
		var a *Answer
		if err == nil {
			a, err = s.Check(ctx, c)
		}
		var ae *apperr.Error
		switch code := apperr.CodeOf(err); {
		case err == nil:
			out[i].Answer = a
		case (code == apperr.Invalid || code == apperr.NotFound || code == apperr.Forbidden) && errors.As(err, &ae):
			out[i].Error = &ItemError{Code: string(code), Message: ae.Message}
		default:
			return nil, err
		}
	}
	return out, nil
}

// Roster answers for every agent assigned to the program (only the
// eligible ones when eligibleOnly). With the roster cache on, the roster may
// be shared with other callers: do not change it. Errors: invalid,
// not_found, forbidden, unavailable.
func (s *Service) Roster(ctx context.Context, programID, state string, eligibleOnly bool) (*Roster, error) {
	e, err := s.roster(ctx, programID, state, eligibleOnly)
	return e.roster, err
}

// roster is Roster with the answer's JSON when the roster cache is on: a
// roster this replica computed less than the cache's TTL ago, none of whose
// answers has passed its valid_until, is served again. The caller's right to
// see it is checked first, every time.
func (s *Service) roster(ctx context.Context, programID, state string, eligibleOnly bool) (cachedRoster, error) {
	c := Check{ProgramID: programID, State: state}
	if err := c.validate(""); err != nil {
		return cachedRoster{}, err
	}
	ctx, cancel := s.withBulkDeadline(ctx)
	defer cancel()
	p, err := s.store.Program(ctx, programID)
	if err != nil {
		return cachedRoster{}, failClosed(err)
	}
	if !mayView(auth.FromContext(ctx), p.ClientID) {
		return cachedRoster{}, apperr.E(apperr.Forbidden, "you may not see the roster of %s", p.Name)
	}
	key := rosterKey{programID: p.ID, state: c.State, eligibleOnly: eligibleOnly}
	now := s.now()
	if e, ok := s.rosters.get(key, now); ok {
		return e, nil
	}
	readAt := s.rosters.start()
	sn, dataAt, done, err := s.rosterSnapshot(ctx, p.ID)
	if err != nil {
		return cachedRoster{}, failClosed(err)
	}
	defer done()
	// The cache's TTL counts from when the inputs were current: a live
	// snapshot is as old as the feed read it was brought up to.
	if age := now.Sub(dataAt); age > 0 {
		readAt = readAt.Add(-age)
	}
	sp := sn.Programs[0]
	r := &Roster{ProgramID: sp.ID, State: c.State, CheckedAt: now, Agents: make([]RosterEntry, 0, len(sn.Agents))}
	for _, ag := range sn.Agents {
		in := sn.inputs(ag, sp, now)
		d := in.decide(c.State)
		a := answerOf(in, c.State, d)
		if eligibleOnly && !a.Eligible {
			continue
		}
		r.Agents = append(r.Agents, RosterEntry{Email: in.Email, DisplayName: ag.Name, AssignmentStatus: in.assignmentStatus(c.State, d), Answer: a})
	}
	return s.rosters.put(key, r, readAt)
}

// AgentPrograms answers for every program the agent is assigned to,
// routable ones first; trainers and supervisors see only their clients'
// programs. Errors: invalid, not_found, forbidden, unavailable.
func (s *Service) AgentPrograms(ctx context.Context, agent Agent, state string) ([]ProgramAnswer, error) {
	state, err := ParseState("state", state)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.withDeadline(ctx)
	defer cancel()
	ins, who, err := s.store.AgentPrograms(ctx, agent)
	if err != nil {
		return nil, failClosed(err)
	}
	p := auth.FromContext(ctx)
	if p != nil && p.Is(auth.RoleAgent) && p.UserID != who.UserID {
		return nil, apperr.E(apperr.Forbidden, "agents may see only their own programs")
	}
	now := s.now()
	out := []ProgramAnswer{}
	for _, in := range ins {
		if !mayCheck(p, in.UserID, in.ClientID) {
			continue
		}
		in.At = now
		d := in.decide(state)
		out = append(out, ProgramAnswer{ProgramName: in.ProgramName, ClientID: in.ClientID,
			AssignmentStatus: in.assignmentStatus(state, d), Answer: answerOf(in, state, d)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Eligible && !out[j].Eligible })
	return out, nil
}

// eventPayload is the body of an eligibility.changed event.
func eventPayload(in *inputs, d Decision) map[string]any {
	return map[string]any{"agent_id": in.UserID, "external_id": in.ExternalID, "program_id": in.ProgramID,
		"eligible": d.Eligible, "reasons": d.Reasons, "valid_until": d.ValidUntil, "covered_states": d.CoveredStates}
}

// announce writes the eligibility.changed event for in's answer d.
func announce(ctx context.Context, tx *gorm.DB, at time.Time, in *inputs, d Decision) error {
	_, err := outbox.Enqueue(ctx, tx, at, outbox.EligibilityChanged, in.ClientID,
		"eligibility:"+in.UserID+":"+in.ProgramID, eventPayload(in, d))
	return err
}

// reasonsJSON is the stored form of a suspension's reasons.
func reasonsJSON(rs []Reason) json.RawMessage {
	if len(rs) == 0 {
		return json.RawMessage("[]")
	}
	raw, _ := json.Marshal(rs) // Reason holds only strings
	return raw
}

// RefusedDetails is the details of a refused assignment (409).
type RefusedDetails struct {
	Reasons       []Reason `json:"reasons"`
	CoveredStates []string `json:"covered_states,omitempty"`
}

// Assign puts an agent in a program's queue. It is refused when the agent
// is not routable (Routable: eligible apart from not being assigned; for a
// program that needs licenses, licensed for at least one of its states).
// Audited as assignment.create, announced as eligibility.changed.
// Errors: unauthorized, forbidden (not a supervisor of the client or an
// admin), not_found (program), invalid (no such agent, not an agent),
// conflict (already assigned; or not eligible, with the reasons in the
// details), unavailable.
func (s *Service) Assign(ctx context.Context, programID, userID string) (*Assignment, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	if uuid.Validate(programID) != nil {
		return nil, apperr.NotFoundf("program")
	}
	var out *Assignment
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		in, err := s.store.Inputs(ctx, tx, Agent{ID: userID}, programID)
		if apperr.Is(err, apperr.NotFound) && strings.HasPrefix(err.Error(), "not_found: agent") {
			return apperr.Invalidf("user_id", "no such user")
		}
		if err != nil {
			return failClosed(err)
		}
		if !mayManage(p, in.ClientID) {
			return apperr.E(apperr.Forbidden, "only the client's supervisors, or an admin, may assign agents to %s", in.ProgramName)
		}
		if in.Role != string(auth.RoleAgent) {
			return apperr.Invalidf("user_id", "only agents can be assigned to a queue")
		}
		if in.Assigned {
			return apperr.E(apperr.Conflict, "%s is already assigned to %s", in.Email, in.ProgramName)
		}
		now := s.now()
		in.At, in.Assigned = now, true
		d := in.decide("")
		if !Routable(d, len(in.Requirements) > 0) {
			e := apperr.E(apperr.Conflict, "%s is not eligible for %s", in.Email, in.ProgramName)
			e.Details = RefusedDetails{Reasons: d.Reasons, CoveredStates: d.CoveredStates}
			return e
		}
		a := &Assignment{ID: uuid.NewString(), UserID: in.UserID, ProgramID: in.ProgramID, Status: StatusActive,
			SuspendedReasons: reasonsJSON(nil), AssignedBy: p.Actor().ID, AssignedAt: now, ValidUntil: d.ValidUntil, CheckedAt: now}
		if err := createAssignment(tx, a); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "assignment.create",
			SubjectType: "assignment", SubjectID: a.ID, ClientID: in.ClientID, After: a.summary()}); err != nil {
			return err
		}
		out = a
		return announce(ctx, tx, now, in, d)
	})
	if err != nil {
		return nil, fmt.Errorf("routing: assign: %w", err)
	}
	s.live.markCommitted(programID, userID)
	s.rosters.drop(programID)
	return out, nil
}

// Unassign takes an agent out of a program's queue. Audited as
// assignment.delete, announced as eligibility.changed. Errors:
// unauthorized, forbidden, not_found (program or assignment), unavailable.
func (s *Service) Unassign(ctx context.Context, programID, userID string) error {
	p := auth.FromContext(ctx)
	if p == nil {
		return apperr.E(apperr.Unauthorized, "sign in first")
	}
	if uuid.Validate(programID) != nil || uuid.Validate(userID) != nil {
		return apperr.NotFoundf("assignment")
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := assignmentFor(tx, userID, programID)
		if err != nil {
			return err
		}
		in, err := s.store.Inputs(ctx, tx, Agent{ID: userID}, programID)
		if err != nil {
			return failClosed(err)
		}
		if !mayManage(p, in.ClientID) {
			return apperr.E(apperr.Forbidden, "only the client's supervisors, or an admin, may unassign agents from %s", in.ProgramName)
		}
		if err := tx.Delete(a).Error; err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "assignment.delete",
			SubjectType: "assignment", SubjectID: a.ID, ClientID: in.ClientID, Before: a.summary()}); err != nil {
			return err
		}
		now := s.now()
		in.At, in.Assigned = now, false
		return announce(ctx, tx, now, in, in.decide(""))
	})
	if err != nil {
		return fmt.Errorf("routing: unassign: %w", err)
	}
	s.live.markCommitted(programID, userID)
	s.rosters.drop(programID)
	return nil
}

// ListAssignments lists a program's assignments. Errors: unauthorized,
// forbidden, not_found, unavailable.
func (s *Service) ListAssignments(ctx context.Context, programID string) ([]Assignment, error) {
	if uuid.Validate(programID) != nil {
		return nil, apperr.NotFoundf("program")
	}
	p, err := s.store.Program(ctx, programID)
	if err != nil {
		return nil, failClosed(err)
	}
	if !mayView(auth.FromContext(ctx), p.ClientID) {
		return nil, apperr.E(apperr.Forbidden, "you may not see the assignments of %s", p.Name)
	}
	as, err := s.store.ListAssignments(ctx, programID)
	return as, failClosed(err)
}
