package routing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// Exports and reconciliation: what the routing system loads, and what it
// has compared with what it should have. Both decide every pair with
// Decide over one snapshot; nothing here has rules of its own.

// SkillName is a program's TaskRouter skill: the client's and the
// program's slugs with every hyphen made an underscore, joined by two
// underscores ("fenmore-bank" + "card-services" is
// "fenmore_bank__card_services"). TaskRouter expressions read a hyphen as
// a minus, and the skill is also a key of the worker's "states" attribute
// (worker.states.fenmore_bank__card_services), so it must be an identifier.
func SkillName(clientSlug, programSlug string) string {
	return strings.ReplaceAll(clientSlug, "-", "_") + "__" + strings.ReplaceAll(programSlug, "-", "_")
}

// Skill is one program as the routing system names it.
type Skill struct {
	Skill       string `json:"skill"`
	ProgramID   string `json:"program_id"`
	ProgramName string `json:"program_name"`
	ClientID    string `json:"client_id"`
	// States lists the caller states the program's licenses cover; empty
	// when the program needs no license (every caller state).
	States []string `json:"states"`
}

// WorkerAttributes is a TaskRouter worker's attributes as Skillgate owns
// them: the skills it may take now and, per licensed skill, the caller
// states it is licensed for. A skill missing from States serves callers
// from every state.
type WorkerAttributes struct {
	Skills []string            `json:"skills"`
	States map[string][]string `json:"states"`
}

// Worker is one agent in the TaskRouter export.
type Worker struct {
	AgentID    string  `json:"agent_id"`
	ExternalID *string `json:"external_id"`
	Email      string  `json:"email"`
	// ValidUntil is the earliest moment any of the agent's answers can
	// change by itself; load the export again by then.
	ValidUntil *time.Time       `json:"valid_until"`
	Attributes WorkerAttributes `json:"attributes"`
}

// TaskRouterExport is the worker attributes of every agent assigned to a
// program in scope, with the skill catalog.
type TaskRouterExport struct {
	CheckedAt  time.Time  `json:"checked_at"`
	ValidUntil *time.Time `json:"valid_until"`
	Skills     []Skill    `json:"skills"`
	Workers    []Worker   `json:"workers"`
}

// exportScope is the programs p may export: of clientID, or of every
// client p sees when clientID is "". API keys (with eligibility:read),
// compliance and admins see every client; trainers and supervisors theirs.
// Errors: unauthorized, invalid (client_id), forbidden.
func exportScope(p *auth.Principal, clientID string) (snapshotScope, error) {
	if clientID != "" && uuid.Validate(clientID) != nil {
		return snapshotScope{}, apperr.Invalidf("client_id", "must be a client id (uuid)")
	}
	clientID = strings.ToLower(clientID)
	switch {
	case p == nil:
		return snapshotScope{}, apperr.E(apperr.Unauthorized, "sign in first")
	case p.IsMachine() && p.HasScope(auth.ScopeEligibilityRead), p.SeesAllClients():
		if clientID == "" {
			return snapshotScope{All: true}, nil
		}
		return snapshotScope{ClientIDs: []string{clientID}}, nil
	case p.Is(auth.RoleTrainer, auth.RoleSupervisor):
		if clientID == "" {
			return snapshotScope{ClientIDs: slices.Clone(p.ClientIDs)}, nil
		}
		if p.MemberOf(clientID) {
			return snapshotScope{ClientIDs: []string{clientID}}, nil
		}
	}
	return snapshotScope{}, apperr.E(apperr.Forbidden, "you may not export this client's routing")
}

// skills names the snapshot's programs. Errors: conflict (two programs
// whose slugs make the same skill name).
func skills(sn *snapshot) ([]Skill, map[string]*snapProgram, error) {
	out := make([]Skill, 0, len(sn.Programs))
	byName := make(map[string]*snapProgram, len(sn.Programs))
	for _, p := range sn.Programs {
		name := SkillName(p.ClientSlug, p.Slug)
		if q, dup := byName[name]; dup {
			return nil, nil, apperr.E(apperr.Conflict, "programs %s/%s and %s/%s both make the skill %s: rename one slug",
				q.ClientSlug, q.Slug, p.ClientSlug, p.Slug, name)
		}
		byName[name] = p
		states := []string{}
		for _, r := range p.Requirements {
			for _, s := range r.States {
				if !slices.Contains(states, s) {
					states = append(states, s)
				}
			}
		}
		slices.Sort(states)
		out = append(out, Skill{Skill: name, ProgramID: p.ID, ProgramName: p.Name, ClientID: p.ClientID, States: states})
	}
	return out, byName, nil
}

// routable decides an assigned pair without a caller state and reports
// whether the routing system should route it: Routable.
func routable(in *inputs) (Decision, bool) {
	d := in.decide("")
	return d, Routable(d, len(in.Requirements) > 0)
}

// earliest keeps the earlier of two optional instants.
func earliest(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

// TaskRouterWorkers exports, for every agent assigned to a program of
// clientID (every client the caller sees, when ""), the TaskRouter worker
// attributes: the skills of the assigned programs where the agent is
// routable (Routable: eligible, or for a licensed program covered for at
// least one state) and the states covered per licensed skill. An agent
// with no routable program has no skills, so loading the export takes
// every skill away from them. Errors: unauthorized, invalid, forbidden,
// conflict (ambiguous skill names), unavailable.
func (s *Service) TaskRouterWorkers(ctx context.Context, clientID string) (*TaskRouterExport, error) {
	sc, err := exportScope(auth.FromContext(ctx), clientID)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.withBulkDeadline(ctx)
	defer cancel()
	sn, err := s.store.Snapshot(ctx, sc)
	if err != nil {
		return nil, failClosed(err)
	}
	cat, _, err := skills(sn)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &TaskRouterExport{CheckedAt: now, Skills: cat, Workers: make([]Worker, 0, len(sn.Agents))}
	for _, ag := range sn.Agents {
		w := Worker{AgentID: ag.UserID, ExternalID: ag.ExternalID, Email: ag.Email,
			Attributes: WorkerAttributes{Skills: []string{}, States: map[string][]string{}}}
		for _, p := range sn.assignedPrograms(ag.UserID) {
			in := sn.inputs(ag, p, now)
			d, ok := routable(in)
			w.ValidUntil = earliest(w.ValidUntil, d.ValidUntil)
			if !ok {
				continue
			}
			skill := cat[sn.index[p.ID]].Skill
			w.Attributes.Skills = append(w.Attributes.Skills, skill)
			if len(p.Requirements) > 0 {
				w.Attributes.States[skill] = d.CoveredStates
			}
		}
		out.ValidUntil = earliest(out.ValidUntil, w.ValidUntil)
		out.Workers = append(out.Workers, w)
	}
	return out, nil
}

// MaxReconcileAgents is the most agents one reconciliation may list, and
// MaxReconcileRoutes the most programs and skills per agent.
const (
	MaxReconcileAgents = 10000
	MaxReconcileRoutes = 500
)

// ACDAgent is one agent as the routing system has it: addressed like a
// check (user id, or ext:<its own id>), routed to programs (by id) and
// skills (by SkillName).
type ACDAgent struct {
	Agent    Agent
	Programs []string
	Skills   []string
}

// Drift is one agent × program where the routing system and the gate
// disagree.
type Drift struct {
	AgentID     string   `json:"agent_id"`
	ExternalID  *string  `json:"external_id"`
	ProgramID   string   `json:"program_id"`
	Skill       string   `json:"skill"`
	ProgramName string   `json:"program_name"`
	Reasons     []Reason `json:"reasons"`
	// CoveredStates is set for a licensed program: the states the agent
	// may serve now.
	CoveredStates *[]string  `json:"covered_states,omitempty"`
	ValidUntil    *time.Time `json:"valid_until"`
}

// Unknown is one entry of the request that names nothing Skillgate knows
// (or nothing the caller may see), so it was not compared.
type Unknown struct {
	// Index is the agent's position in the request's agents.
	Index int    `json:"index"`
	Agent string `json:"agent"`
	// Kind is agent, program or skill; Value what the request said.
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Reconciliation is the drift between the routing system and the gate.
type Reconciliation struct {
	CheckedAt time.Time `json:"checked_at"`
	// Compared counts the agent × program pairs the request routes.
	Compared int `json:"compared"`
	// NotEligible: routed by the routing system, not routable here (with
	// the reasons): take these away.
	NotEligible []Drift `json:"not_eligible"`
	// Missing: routable here, not routed by the routing system: add these.
	Missing []Drift `json:"missing"`
	// Unknown: agents, programs and skills Skillgate does not know.
	Unknown []Unknown `json:"unknown"`
}

// Reconcile compares what the routing system routes (acd) with the gate's
// answers now, over the programs of clientID (every client the caller
// sees, when ""). A pair the routing system routes is not eligible unless
// Routable (decided like the export, without a caller state); every
// routable assignment in scope the request does not route is missing,
// including those of agents the request does not list. Agents, programs
// and skills the gate does not know, or that are outside the scope, are
// listed as unknown. Errors: unauthorized, invalid (naming the field and
// index), forbidden, conflict (ambiguous skill names), unavailable.
func (s *Service) Reconcile(ctx context.Context, clientID string, acd []ACDAgent) (*Reconciliation, error) {
	if len(acd) > MaxReconcileAgents {
		return nil, apperr.Invalidf("agents", "must hold at most %d agents", MaxReconcileAgents)
	}
	sc, err := exportScope(auth.FromContext(ctx), clientID)
	if err != nil {
		return nil, err
	}
	for _, a := range acd {
		if a.Agent.ID != "" {
			sc.NamedIDs = append(sc.NamedIDs, a.Agent.ID)
		} else {
			sc.NamedExternal = append(sc.NamedExternal, a.Agent.ExternalID)
		}
	}
	ctx, cancel := s.withBulkDeadline(ctx)
	defer cancel()
	sn, err := s.store.Snapshot(ctx, sc)
	if err != nil {
		return nil, failClosed(err)
	}
	cat, bySkill, err := skills(sn)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &Reconciliation{CheckedAt: now, NotEligible: []Drift{}, Missing: []Drift{}, Unknown: []Unknown{}}
	routed := map[pairKey]bool{}
	for i, a := range acd {
		ag := sn.Agent(a.Agent)
		if ag == nil || ag.Role != string(auth.RoleAgent) {
			out.Unknown = append(out.Unknown, Unknown{Index: i, Agent: a.Agent.String(), Kind: "agent", Value: a.Agent.String()})
			continue
		}
		var ps []*snapProgram
		for _, id := range a.Programs {
			if p := sn.Program(id); p != nil {
				ps = append(ps, p)
			} else {
				out.Unknown = append(out.Unknown, Unknown{Index: i, Agent: a.Agent.String(), Kind: "program", Value: id})
			}
		}
		for _, name := range a.Skills {
			if p := bySkill[name]; p != nil {
				ps = append(ps, p)
			} else {
				out.Unknown = append(out.Unknown, Unknown{Index: i, Agent: a.Agent.String(), Kind: "skill", Value: name})
			}
		}
		for _, p := range ps {
			k := pairKey{ag.UserID, p.ID}
			if routed[k] {
				continue // named twice (as program and skill, or by both ids)
			}
			routed[k] = true
			out.Compared++
			in := sn.inputs(ag, p, now)
			if d, ok := routable(in); !ok {
				out.NotEligible = append(out.NotEligible, driftOf(in, cat[sn.index[p.ID]].Skill, d))
			}
		}
	}
	for _, ag := range sn.Agents {
		for _, p := range sn.assignedPrograms(ag.UserID) {
			if routed[pairKey{ag.UserID, p.ID}] {
				continue
			}
			in := sn.inputs(ag, p, now)
			if d, ok := routable(in); ok {
				out.Missing = append(out.Missing, driftOf(in, cat[sn.index[p.ID]].Skill, d))
			}
		}
	}
	return out, nil
}

// driftOf reports a pair's decision.
func driftOf(in *inputs, skill string, d Decision) Drift {
	a := answerOf(in, "", d)
	return Drift{AgentID: in.UserID, ExternalID: in.ExternalID, ProgramID: in.ProgramID, Skill: skill,
		ProgramName: in.ProgramName, Reasons: d.Reasons, CoveredStates: a.CoveredStates, ValidUntil: d.ValidUntil}
}
