package routing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/outbox"
)

// Store reads the gate's inputs and keeps assignments.
//
// The read path is the hot one (the ACD asks thousands of times a minute),
// so it reads the owning packages' tables directly, read-only, in one round
// trip: users (auth), programs and program_licenses (catalog),
// certifications (certification), licenses and appointments (licensing)
// and assignments (ours). Nothing else here reads another package's tables, and nothing
// here writes them. The store caches nothing: every read reflects the last
// committed revocation (the service may reuse a roster for RosterCacheTTL).
//
// A single answer reads only the licenses a requirement of the program
// could use (its class, in one of its states): Decide looks at no other.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// pool is the connection (or transaction) of g for raw database/sql reads.
func pool(g *gorm.DB) gorm.ConnPool { return g.Statement.ConnPool }

// requirementsJSON aggregates program p's license requirements.
const requirementsJSON = `(SELECT json_agg(json_build_object('class', pl.class, 'lines', pl.lines, 'states', pl.states,
     'appointment', pl.appointment) ORDER BY pl.position)
   FROM program_licenses pl WHERE pl.program_id = p.id)`

// licensesJSONWhere starts a subquery aggregating user u's licenses; a
// condition on l and a closing parenthesis follow.
const licensesJSONWhere = `(SELECT json_agg(json_build_object('jurisdiction', l.jurisdiction, 'class', l.class,
     'lines', l.lines_of_authority, 'status', l.status, 'effective', l.effective_date, 'expiry', l.expiry_date))
   FROM licenses l WHERE l.user_id = u.id AND `

// licensesJSON aggregates user u's licenses.
const licensesJSON = licensesJSONWhere + `true)`

// programLicensesJSON aggregates user u's licenses that a requirement of
// program p could use.
const programLicensesJSON = licensesJSONWhere + `EXISTS (SELECT 1 FROM program_licenses pl
     WHERE pl.program_id = p.id AND pl.class = l.class AND l.jurisdiction = ANY (pl.states)))`

// appointmentsJSONWhere starts a subquery aggregating user u's
// appointments; a condition on ap and a closing parenthesis follow.
const appointmentsJSONWhere = `(SELECT json_agg(json_build_object('client_id', ap.client_id, 'jurisdiction', ap.jurisdiction,
     'lines', ap.lines_of_authority, 'status', ap.status, 'effective', ap.effective_date, 'termination', ap.termination_date))
   FROM appointments ap WHERE ap.user_id = u.id AND `

// programAppointmentsJSON aggregates user u's appointments with program
// p's client, when a requirement of p needs one (Decide looks at no other).
const programAppointmentsJSON = appointmentsJSONWhere + `ap.client_id = p.client_id
     AND EXISTS (SELECT 1 FROM program_licenses pl WHERE pl.program_id = p.id AND pl.appointment))`

// inputsQuery reads one agent × program. It always returns one row; the
// agent's or program's columns are null when they do not exist. %s is the
// agent condition on $1.
const inputsQuery = `
SELECT u.id, u.external_id, u.role, u.email, u.active, p.id, p.name, p.client_id,
       a.status, c.state, c.expires_at, c.refresher_due_at, ` + requirementsJSON + `,
       ` + programLicensesJSON + `, p.serves_only_listed_states, ` + programAppointmentsJSON + `
FROM (SELECT 1) one
LEFT JOIN users u ON %s
LEFT JOIN programs p ON p.id = $2
LEFT JOIN assignments a ON a.user_id = u.id AND a.program_id = p.id
LEFT JOIN certifications c ON c.user_id = u.id AND c.program_id = p.id`

var (
	inputsByID       = fmt.Sprintf(inputsQuery, "u.id = $1")
	inputsByExternal = fmt.Sprintf(inputsQuery, "u.external_id = $1")
)

// agentQuery returns the query for the agent's addressing and its argument.
func agentQuery(a Agent, byID, byExternal string) (string, any) {
	if a.ID != "" {
		return byID, a.ID
	}
	return byExternal, a.ExternalID
}

// certCols are the nullable certification columns of a row.
type certCols struct {
	State     *string
	ExpiresAt *time.Time
	DueAt     *time.Time
}

func (c certCols) input() *CertificationInput {
	if c.State == nil {
		return nil
	}
	return &CertificationInput{State: *c.State, ExpiresAt: c.ExpiresAt, RefresherDueAt: c.DueAt}
}

// Inputs reads everything Decide needs for the agent and program in one
// round trip. Errors: not_found (agent or program); any database error as is.
func (s *Store) Inputs(ctx context.Context, tx *gorm.DB, agent Agent, programID string) (*inputs, error) {
	if tx == nil {
		tx = s.db
	}
	q, arg := agentQuery(agent, inputsByID, inputsByExternal)
	var (
		userID, ext, role, email, progID, progName, clientID, status *string
		active                                                       *bool
		cert                                                         certCols
		reqs, lics, apps                                             []byte
		servesOnly                                                   *bool
	)
	err := pool(tx).QueryRowContext(ctx, q, arg, programID).Scan(&userID, &ext, &role, &email, &active,
		&progID, &progName, &clientID, &status, &cert.State, &cert.ExpiresAt, &cert.DueAt, &reqs, &lics, &servesOnly, &apps)
	if err != nil {
		return nil, fmt.Errorf("routing: load inputs: %w", err)
	}
	if userID == nil {
		return nil, apperr.NotFoundf("agent %s", agent)
	}
	if progID == nil {
		return nil, apperr.NotFoundf("program")
	}
	in := &inputs{UserID: *userID, ExternalID: ext, Role: *role, Email: *email, Active: *active,
		ProgramID: *progID, ProgramName: *progName, ClientID: *clientID, Assigned: status != nil, Cert: cert.input()}
	if in.Requirements, err = decodeRequirements(reqs); err != nil {
		return nil, err
	}
	if in.Licenses, err = decodeLicenses(lics); err != nil {
		return nil, err
	}
	in.ServesOnly = servesOnly != nil && *servesOnly
	byClient, err := decodeAppointments(apps)
	if err != nil {
		return nil, err
	}
	in.Appointments = byClient[in.ClientID]
	return in, nil
}

// program is a program's header and requirements.
type program struct {
	ID, Name, ClientID string
	Requirements       []LicenseRequirement
	ServesOnly         bool // serves only the states its requirements list
}

const programQuery = `SELECT p.id, p.name, p.client_id, ` + requirementsJSON + `, p.serves_only_listed_states FROM programs p WHERE p.id = $1`

// Program reads a program and its license requirements. Errors: not_found.
func (s *Store) Program(ctx context.Context, programID string) (*program, error) {
	var p program
	var reqs []byte
	err := pool(s.db).QueryRowContext(ctx, programQuery, programID).Scan(&p.ID, &p.Name, &p.ClientID, &reqs, &p.ServesOnly)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("program")
	}
	if err != nil {
		return nil, fmt.Errorf("routing: load program: %w", err)
	}
	if p.Requirements, err = decodeRequirements(reqs); err != nil {
		return nil, err
	}
	return &p, nil
}

const agentQueryTmpl = `SELECT u.id, u.external_id, u.role, u.email, u.active, ` + licensesJSON + `,
       ` + appointmentsJSONWhere + `true) FROM users u WHERE %s`

var (
	agentByID       = fmt.Sprintf(agentQueryTmpl, "u.id = $1")
	agentByExternal = fmt.Sprintf(agentQueryTmpl, "u.external_id = $1")
)

const agentProgramsQuery = `
SELECT p.id, p.name, p.client_id, c.state, c.expires_at, c.refresher_due_at, ` + requirementsJSON + `,
       p.serves_only_listed_states
FROM assignments a
JOIN programs p ON p.id = a.program_id
LEFT JOIN certifications c ON c.user_id = a.user_id AND c.program_id = a.program_id
WHERE a.user_id = $1
ORDER BY p.name, p.id`

// AgentPrograms reads the inputs of every program the agent is assigned
// to (two round trips). Errors: not_found (agent).
func (s *Store) AgentPrograms(ctx context.Context, agent Agent) ([]*inputs, *inputs, error) {
	q, arg := agentQuery(agent, agentByID, agentByExternal)
	var who inputs
	var lics, apps []byte
	err := pool(s.db).QueryRowContext(ctx, q, arg).Scan(&who.UserID, &who.ExternalID, &who.Role, &who.Email, &who.Active, &lics, &apps)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.NotFoundf("agent %s", agent)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("routing: load agent: %w", err)
	}
	if who.Licenses, err = decodeLicenses(lics); err != nil {
		return nil, nil, err
	}
	byClient, err := decodeAppointments(apps)
	if err != nil {
		return nil, nil, err
	}
	rows, err := pool(s.db).QueryContext(ctx, agentProgramsQuery, who.UserID)
	if err != nil {
		return nil, nil, fmt.Errorf("routing: load agent programs: %w", err)
	}
	defer rows.Close()
	out := []*inputs{}
	for rows.Next() {
		in := who
		in.Assigned = true
		var cert certCols
		var reqs []byte
		if err := rows.Scan(&in.ProgramID, &in.ProgramName, &in.ClientID,
			&cert.State, &cert.ExpiresAt, &cert.DueAt, &reqs, &in.ServesOnly); err != nil {
			return nil, nil, fmt.Errorf("routing: read agent programs: %w", err)
		}
		in.Cert = cert.input()
		if in.Requirements, err = decodeRequirements(reqs); err != nil {
			return nil, nil, err
		}
		in.Appointments = byClient[in.ClientID]
		out = append(out, &in)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("routing: read agent programs: %w", err)
	}
	return out, &who, nil
}

func decodeRequirements(raw []byte) ([]LicenseRequirement, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var rs []LicenseRequirement
	if err := json.Unmarshal(raw, &rs); err != nil {
		return nil, fmt.Errorf("routing: decode requirements: %w", err)
	}
	return rs, nil
}

func decodeLicenses(raw []byte) ([]LicenseInput, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var ls []struct {
		Jurisdiction string   `json:"jurisdiction"`
		Class        string   `json:"class"`
		Lines        []string `json:"lines"`
		Status       string   `json:"status"`
		Effective    string   `json:"effective"`
		Expiry       string   `json:"expiry"`
	}
	if err := json.Unmarshal(raw, &ls); err != nil {
		return nil, fmt.Errorf("routing: decode licenses: %w", err)
	}
	out := make([]LicenseInput, len(ls))
	for i, l := range ls {
		eff, err1 := time.Parse(time.DateOnly, l.Effective)
		exp, err2 := time.Parse(time.DateOnly, l.Expiry)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("routing: decode license dates: %w", err)
		}
		out[i] = LicenseInput{Jurisdiction: strings.ToUpper(l.Jurisdiction), Class: l.Class, Lines: l.Lines,
			Status: l.Status, EffectiveDate: eff, ExpiryDate: exp}
	}
	return out, nil
}

// decodeAppointments decodes an appointments aggregate by client id.
func decodeAppointments(raw []byte) (map[string][]AppointmentInput, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var as []struct {
		ClientID     string   `json:"client_id"`
		Jurisdiction string   `json:"jurisdiction"`
		Lines        []string `json:"lines"`
		Status       string   `json:"status"`
		Effective    *string  `json:"effective"`
		Termination  *string  `json:"termination"`
	}
	if err := json.Unmarshal(raw, &as); err != nil {
		return nil, fmt.Errorf("routing: decode appointments: %w", err)
	}
	day := func(s *string) (*time.Time, error) {
		if s == nil {
			return nil, nil
		}
		t, err := time.Parse(time.DateOnly, *s)
		if err != nil {
			return nil, fmt.Errorf("routing: decode appointment dates: %w", err)
		}
		return &t, nil
	}
	out := map[string][]AppointmentInput{}
	for _, a := range as {
		eff, err := day(a.Effective)
		if err != nil {
			return nil, err
		}
		term, err := day(a.Termination)
		if err != nil {
			return nil, err
		}
		out[a.ClientID] = append(out[a.ClientID], AppointmentInput{Jurisdiction: strings.ToUpper(a.Jurisdiction), Lines: a.Lines,
			Status: a.Status, EffectiveDate: eff, TerminationDate: term})
	}
	return out, nil
}

// createAssignment inserts a in tx. Errors: conflict (already assigned).
func createAssignment(tx *gorm.DB, a *Assignment) error {
	if err := tx.Create(a).Error; err != nil {
		return db.Translate(err, "assignment")
	}
	return nil
}

// assignmentFor returns the agent's assignment to the program, locked for
// update in tx. Errors: not_found.
func assignmentFor(tx *gorm.DB, userID, programID string) (*Assignment, error) {
	var a Assignment
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ? AND program_id = ?", userID, programID).Take(&a).Error
	if err != nil {
		return nil, db.Translate(err, "assignment")
	}
	return &a, nil
}

// ListAssignments returns a program's assignments, oldest first.
func (s *Store) ListAssignments(ctx context.Context, programID string) ([]Assignment, error) {
	as := []Assignment{}
	if err := s.db.WithContext(ctx).Where("program_id = ?", programID).Order("assigned_at, id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("routing: list assignments: %w", err)
	}
	return as, nil
}

// FindAssignment returns the agent's assignment to the program. Errors: not_found.
func (s *Store) FindAssignment(ctx context.Context, userID, programID string) (*Assignment, error) {
	var a Assignment
	if err := s.db.WithContext(ctx).Where("user_id = ? AND program_id = ?", userID, programID).Take(&a).Error; err != nil {
		return nil, db.Translate(err, "assignment")
	}
	return &a, nil
}

// Bulk reads: the roster, the exports and reconciliation decide for many
// agent × program pairs at once. They read one snapshot in six statements
// (programs, agents, assignments, certifications, appointments, licenses), each a plain
// scan or hash join, instead of one correlated licenses subquery per agent,
// and decode in Go. Only the licenses a requirement of a program in the
// snapshot could use (the class, in one of its states) are read: Decide
// looks at no other (checkRequirement filters on class and jurisdiction).

// snapProgram is a program of a snapshot: header, slugs, requirements.
type snapProgram struct {
	program
	Slug, ClientSlug string
	states           []string // the states its requirements name, sorted (requiredStates)
}

// snapAgent is an agent of a snapshot.
type snapAgent struct {
	UserID     string
	ExternalID *string
	Role       string
	Email      string
	Name       string // display name
	Active     bool
	licenses   []LicenseInput // those a requirement of a program of the snapshot could use
	// appointments are the agent's with the clients of the snapshot's
	// programs that require one, by client id.
	appointments map[string][]AppointmentInput
}

// pairKey names an agent × program.
type pairKey struct{ UserID, ProgramID string }

// snapshot is the gate's inputs for a set of programs and agents, read at
// one instant (one read-only repeatable-read transaction).
type snapshot struct {
	Programs   []*snapProgram // by client slug, then program slug
	programs   map[string]*snapProgram
	index      map[string]int // a program's position in Programs
	Agents     []*snapAgent   // by email, then id
	agents     map[string]*snapAgent
	byExternal map[string]*snapAgent
	// Assigned is the assignment status of every assignment to a program
	// of the snapshot held by an agent of the snapshot.
	Assigned map[pairKey]string
	byAgent  map[string][]*snapProgram // the programs each agent is assigned to
	certs    map[pairKey]*CertificationInput
}

// Program returns a program of the snapshot, or nil.
func (sn *snapshot) Program(id string) *snapProgram { return sn.programs[id] }

// Agent finds an agent of the snapshot by Skillgate or external id, or nil.
func (sn *snapshot) Agent(a Agent) *snapAgent {
	if a.ID != "" {
		return sn.agents[a.ID]
	}
	return sn.byExternal[a.ExternalID]
}

// assignedPrograms returns the programs of the snapshot the agent is
// assigned to, in the order of Programs.
func (sn *snapshot) assignedPrograms(userID string) []*snapProgram { return sn.byAgent[userID] }

// inputs assembles Decide's inputs for an agent and program of the
// snapshot at the instant.
func (sn *snapshot) inputs(ag *snapAgent, p *snapProgram, at time.Time) *inputs {
	k := pairKey{ag.UserID, p.ID}
	_, assigned := sn.Assigned[k]
	return &inputs{At: at, UserID: ag.UserID, ExternalID: ag.ExternalID, Role: ag.Role, Email: ag.Email, Active: ag.Active,
		ProgramID: p.ID, ProgramName: p.Name, ClientID: p.ClientID, Assigned: assigned,
		Cert: sn.certs[k], Requirements: p.Requirements, ServesOnly: p.ServesOnly, Licenses: ag.licenses,
		Appointments: ag.appointments[p.ClientID], states: p.states}
}

// snapshotScope says which programs and agents a snapshot reads: the
// programs (one, or those of some clients, or every one), and the agents
// assigned to any of them plus any named.
type snapshotScope struct {
	ProgramID string   // one program; or
	ClientIDs []string // the programs of these clients; or, when both are empty and All,
	All       bool     // every program
	// Named agents are read too, assigned or not (reconciliation).
	NamedIDs, NamedExternal []string
	// ProgramIDs names several programs instead (the re-decide job's batch).
	ProgramIDs []string
	// OnlyNamed reads the programs ProgramID or ProgramIDs and only the
	// agents of NamedIDs (a live roster's dirty agents, the re-decide job's
	// batch), assigned or not.
	OnlyNamed bool
}

const (
	snapProgramsCols = `SELECT p.id, p.name, p.client_id, p.slug, cl.slug, ` + requirementsJSON + `, p.serves_only_listed_states
FROM programs p JOIN clients cl ON cl.id = p.client_id`
	snapProgramByID      = snapProgramsCols + ` WHERE p.id = $1 ORDER BY cl.slug, p.slug`
	snapProgramsOfClient = snapProgramsCols + ` WHERE p.client_id = ANY ($1::text[]::uuid[]) ORDER BY cl.slug, p.slug`
	snapProgramsAll      = snapProgramsCols + ` ORDER BY cl.slug, p.slug`
	snapProgramsByIDs    = snapProgramsCols + ` WHERE p.id = ANY ($1::text[]::uuid[]) ORDER BY cl.slug, p.slug`
	// snapAgentsOf selects the snapshot's agents: assigned to a program
	// of $1, or named in $2 (ids) or $3 (external ids).
	snapAgentsOf = `SELECT u.id FROM users u
WHERE u.id IN (SELECT a.user_id FROM assignments a WHERE a.program_id = ANY ($1::text[]::uuid[]))
   OR u.id = ANY ($2::text[]::uuid[]) OR u.external_id = ANY ($3::text[])`
	snapAgentsCols = `SELECT u.id, u.external_id, u.role, u.email, u.display_name, u.active FROM users u WHERE u.id IN (`
	snapAgents     = snapAgentsCols + snapAgentsOf + `)
ORDER BY u.email, u.id`
	// snapAgentsAssigned is snapAgents without named agents: one semi-join
	// of users on the programs' assignments, without the ORs that make the
	// planner scan users twice.
	snapAgentsAssigned = snapAgentsCols + `SELECT a.user_id FROM assignments a WHERE a.program_id = ANY ($1::text[]::uuid[]))
ORDER BY u.email, u.id`
	snapAssignments = `SELECT a.user_id, a.program_id, a.status FROM assignments a WHERE a.program_id = ANY ($1::text[]::uuid[])`
	// The agents' certifications and licenses. Without named agents, the
	// plain join on assignments is the same set, planned better.
	snapCertsWhere     = `SELECT c.user_id, c.program_id, c.state, c.expires_at, c.refresher_due_at FROM certifications c WHERE c.program_id = ANY ($1::text[]::uuid[]) AND `
	snapCertifications = snapCertsWhere + `c.user_id IN (` + snapAgentsOf + `)`
	snapCertsAssigned  = snapCertsWhere + `EXISTS (SELECT 1 FROM assignments a WHERE a.user_id = c.user_id AND a.program_id = ANY ($1::text[]::uuid[]))`
	snapLicensesWhere  = `
SELECT l.user_id, l.jurisdiction, l.class, l.lines_of_authority, l.status, l.effective_date, l.expiry_date
FROM licenses l
WHERE EXISTS (SELECT 1 FROM program_licenses pl
              WHERE pl.program_id = ANY ($1::text[]::uuid[]) AND pl.class = l.class AND l.jurisdiction = ANY (pl.states))
  AND `
	snapLicenses         = snapLicensesWhere + `l.user_id IN (` + snapAgentsOf + `)`
	snapLicensesAssigned = snapLicensesWhere + `l.user_id IN (SELECT a.user_id FROM assignments a WHERE a.program_id = ANY ($1::text[]::uuid[]))`
	// A live roster's dirty agents ($2) in its program ($1).
	snapAgentsNamed       = snapAgentsCols + `SELECT unnest($1::text[]::uuid[])) ORDER BY u.email, u.id` // $1: the agents
	snapAssignmentsNamed  = snapAssignments + ` AND a.user_id = ANY ($2::text[]::uuid[])`
	snapCertsNamed        = snapCertsWhere + `c.user_id = ANY ($2::text[]::uuid[])`
	snapLicensesNamedOnly = snapLicensesWhere + `l.user_id = ANY ($2::text[]::uuid[])`
	// The agents' appointments with the clients of the programs that
	// require one.
	snapAppointmentsWhere = `
SELECT ap.user_id, ap.client_id, ap.jurisdiction, ap.lines_of_authority, ap.status, ap.effective_date, ap.termination_date
FROM appointments ap
WHERE ap.client_id IN (SELECT p.client_id FROM programs p JOIN program_licenses pl ON pl.program_id = p.id
                       WHERE p.id = ANY ($1::text[]::uuid[]) AND pl.appointment)
  AND `
	snapAppointments         = snapAppointmentsWhere + `ap.user_id IN (` + snapAgentsOf + `)`
	snapAppointmentsAssigned = snapAppointmentsWhere + `ap.user_id IN (SELECT a.user_id FROM assignments a WHERE a.program_id = ANY ($1::text[]::uuid[]))`
	snapAppointmentsNamed    = snapAppointmentsWhere + `ap.user_id = ANY ($2::text[]::uuid[])`
)

// Snapshot reads the inputs of the scope at one instant. JIT is turned
// off for its transaction: these statements run in milliseconds, and
// PostgreSQL's JIT (which the planner's row estimates for thousands of
// agents can trigger) spends tens of milliseconds compiling before it
// starts. Errors: not_found (ProgramID names no program); any database
// error as is.
func (s *Store) Snapshot(ctx context.Context, sc snapshotScope) (*snapshot, error) {
	sn := &snapshot{programs: map[string]*snapProgram{}, index: map[string]int{}, byAgent: map[string][]*snapProgram{}, agents: map[string]*snapAgent{}, byExternal: map[string]*snapAgent{},
		Assigned: map[pairKey]string{}, certs: map[pairKey]*CertificationInput{}}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("routing: read snapshot: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("routing: read snapshot: %w", err)
	}
	defer conn.Close()
	// pgx's own interface, not database/sql: tens of thousands of license
	// rows decode from the binary protocol without database/sql's copies.
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		tx, err := pc.Conn().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }() // read-only: nothing to keep
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		return sn.read(ctx, tx, sc)
	})
	if err != nil {
		return nil, fmt.Errorf("routing: read snapshot: %w", err)
	}
	return sn, nil
}

// read runs the snapshot's statements in tx.
func (sn *snapshot) read(ctx context.Context, tx pgx.Tx, sc snapshotScope) error {
	if err := sn.readPrograms(ctx, tx, sc); err != nil {
		return err
	}
	if sc.ProgramID != "" && len(sn.Programs) == 0 {
		return apperr.NotFoundf("program")
	}
	programIDs := make([]string, len(sn.Programs))
	for i, p := range sn.Programs {
		programIDs[i] = p.ID
	}
	named, ext := nonNil(sc.NamedIDs), nonNil(sc.NamedExternal)
	if sc.OnlyNamed {
		args := []any{programIDs, named}
		if err := sn.readAgentRows(ctx, tx, snapAgentsNamed, []any{named}); err != nil {
			return err
		}
		if err := sn.readAssignments(ctx, tx, snapAssignmentsNamed, args); err != nil {
			return err
		}
		if err := sn.readCertifications(ctx, tx, snapCertsNamed, args); err != nil {
			return err
		}
		if err := sn.readAppointments(ctx, tx, snapAppointmentsNamed, args); err != nil {
			return err
		}
		return sn.readLicenses(ctx, tx, snapLicensesNamedOnly, args)
	}
	if err := sn.readAgents(ctx, tx, programIDs, named, ext); err != nil {
		return err
	}
	if err := sn.readAssignments(ctx, tx, snapAssignments, []any{programIDs}); err != nil {
		return err
	}
	certs, args, lics, apps := snapCertifications, []any{programIDs, named, ext}, snapLicenses, snapAppointments
	if len(named)+len(ext) == 0 {
		certs, args, lics, apps = snapCertsAssigned, []any{programIDs}, snapLicensesAssigned, snapAppointmentsAssigned
	}
	if err := sn.readCertifications(ctx, tx, certs, args); err != nil {
		return err
	}
	if err := sn.readAppointments(ctx, tx, apps, args); err != nil {
		return err
	}
	return sn.readLicenses(ctx, tx, lics, args)
}

// readAppointments reads the agents' appointments into their snapAgents.
func (sn *snapshot) readAppointments(ctx context.Context, tx pgx.Tx, q string, args []any) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("appointments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var userID, clientID string
		var a AppointmentInput
		if err := rows.Scan(&userID, &clientID, &a.Jurisdiction, &a.Lines, &a.Status, &a.EffectiveDate, &a.TerminationDate); err != nil {
			return fmt.Errorf("appointments: %w", err)
		}
		a.Jurisdiction = strings.ToUpper(a.Jurisdiction)
		for _, t := range []*time.Time{a.EffectiveDate, a.TerminationDate} {
			if t != nil {
				*t = t.UTC()
			}
		}
		ag := sn.agents[userID]
		if ag == nil {
			continue // assigned after the agents were read: not in this snapshot
		}
		if ag.appointments == nil {
			ag.appointments = map[string][]AppointmentInput{}
		}
		ag.appointments[clientID] = append(ag.appointments[clientID], a)
	}
	return rows.Err()
}

// nonNil makes nil an empty array parameter (nil would be NULL).
func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func (sn *snapshot) readPrograms(ctx context.Context, tx pgx.Tx, sc snapshotScope) error {
	var rows pgx.Rows
	var err error
	switch {
	case sc.ProgramID != "":
		rows, err = tx.Query(ctx, snapProgramByID, sc.ProgramID)
	case len(sc.ProgramIDs) > 0:
		rows, err = tx.Query(ctx, snapProgramsByIDs, sc.ProgramIDs)
	case len(sc.ClientIDs) > 0:
		rows, err = tx.Query(ctx, snapProgramsOfClient, sc.ClientIDs)
	case sc.All:
		rows, err = tx.Query(ctx, snapProgramsAll)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("programs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := &snapProgram{}
		var reqs []byte
		if err := rows.Scan(&p.ID, &p.Name, &p.ClientID, &p.Slug, &p.ClientSlug, &reqs, &p.ServesOnly); err != nil {
			return fmt.Errorf("programs: %w", err)
		}
		if p.Requirements, err = decodeRequirements(reqs); err != nil {
			return err
		}
		p.states = requiredStates(Input{Requirements: p.Requirements})
		sn.index[p.ID] = len(sn.Programs)
		sn.Programs = append(sn.Programs, p)
		sn.programs[p.ID] = p
	}
	return rows.Err()
}

func (sn *snapshot) readAgents(ctx context.Context, tx pgx.Tx, programIDs, named, ext []string) error {
	q, args := snapAgents, []any{programIDs, named, ext}
	if len(named)+len(ext) == 0 {
		q, args = snapAgentsAssigned, []any{programIDs}
	}
	return sn.readAgentRows(ctx, tx, q, args)
}

func (sn *snapshot) readAgentRows(ctx context.Context, tx pgx.Tx, q string, args []any) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("agents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a := &snapAgent{}
		if err := rows.Scan(&a.UserID, &a.ExternalID, &a.Role, &a.Email, &a.Name, &a.Active); err != nil {
			return fmt.Errorf("agents: %w", err)
		}
		sn.Agents = append(sn.Agents, a)
		sn.agents[a.UserID] = a
		if a.ExternalID != nil {
			sn.byExternal[*a.ExternalID] = a
		}
	}
	return rows.Err()
}

func (sn *snapshot) readAssignments(ctx context.Context, tx pgx.Tx, q string, args []any) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("assignments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k pairKey
		var status string
		if err := rows.Scan(&k.UserID, &k.ProgramID, &status); err != nil {
			return fmt.Errorf("assignments: %w", err)
		}
		if sn.agents[k.UserID] == nil {
			continue // assigned since the agents were read: not in this snapshot
		}
		sn.Assigned[k] = status
		sn.byAgent[k.UserID] = append(sn.byAgent[k.UserID], sn.programs[k.ProgramID])
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, ps := range sn.byAgent {
		slices.SortFunc(ps, func(a, b *snapProgram) int { return sn.index[a.ID] - sn.index[b.ID] })
	}
	return nil
}

func (sn *snapshot) readCertifications(ctx context.Context, tx pgx.Tx, q string, args []any) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("certifications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k pairKey
		c := &CertificationInput{}
		if err := rows.Scan(&k.UserID, &k.ProgramID, &c.State, &c.ExpiresAt, &c.RefresherDueAt); err != nil {
			return fmt.Errorf("certifications: %w", err)
		}
		sn.certs[k] = c
	}
	return rows.Err()
}

// readLicenses reads the agents' licenses into their snapAgents. Tens of
// thousands of rows come back for a large roster, so the rows are decoded
// from pgx's raw binary values by licenseDecoder, without pgx's per-value
// scan plans, and the few distinct jurisdictions, classes, statuses and
// lines of authority are shared rather than copied per row (Decide only
// reads them). A result in any other format is scanned as usual.
func (sn *snapshot) readLicenses(ctx context.Context, tx pgx.Tx, q string, args []any) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("licenses: %w", err)
	}
	defer rows.Close()
	dec := newLicenseDecoder()
	fast := dec.fits(rows.FieldDescriptions())
	for rows.Next() {
		var ag *snapAgent
		var l LicenseInput
		if fast {
			ag, l, err = dec.decode(sn, rows.RawValues())
		} else {
			var userID string
			err = rows.Scan(&userID, &l.Jurisdiction, &l.Class, &l.Lines, &l.Status, &l.EffectiveDate, &l.ExpiryDate)
			l.Jurisdiction = strings.ToUpper(l.Jurisdiction)
			l.EffectiveDate, l.ExpiryDate = l.EffectiveDate.UTC(), l.ExpiryDate.UTC()
			ag = sn.agents[userID]
		}
		if err != nil {
			return fmt.Errorf("licenses: %w", err)
		}
		if ag != nil { // nil: the agent was assigned after the agents were read, not in this snapshot
			ag.licenses = append(ag.licenses, l)
		}
	}
	return rows.Err()
}

// markDirtyFromOutbox reads, in tx, the outbox after the stored cursor and marks the
// assignments of every agent a license.changed, certification.changed or
// appointment.changed event names. The cursor row is taken with SKIP LOCKED, so one replica
// reads at a time and the others skip this step.
//
// An event whose transaction commits after a later one was read is missed
// here (identity values are not commit-ordered); the slow sweep catches it.
const (
	lockCursor = `SELECT seq FROM routing_cursor WHERE name = 'outbox' FOR UPDATE SKIP LOCKED`
	readEvents = `SELECT seq, payload->>'user_id' AS user_id FROM outbox_events
WHERE seq > ? AND type IN (?, ?, ?) ORDER BY seq LIMIT 5000`
	markUsers  = `UPDATE assignments SET dirty = true WHERE user_id IN ? AND NOT dirty`
	saveCursor = `UPDATE routing_cursor SET seq = ? WHERE name = 'outbox'`
)

func markDirtyFromOutbox(tx *gorm.DB) error {
	var seqs []int64
	if err := tx.Raw(lockCursor).Scan(&seqs).Error; err != nil {
		return fmt.Errorf("lock cursor: %w", err)
	}
	if len(seqs) == 0 {
		return nil // another replica is reading
	}
	var evs []struct {
		Seq    int64
		UserID *string
	}
	if err := tx.Raw(readEvents, seqs[0], outbox.LicenseChanged, outbox.CertificationChanged, outbox.AppointmentChanged).Scan(&evs).Error; err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	if len(evs) == 0 {
		return nil
	}
	var users []string
	for _, e := range evs {
		if e.UserID != nil {
			users = append(users, *e.UserID)
		}
	}
	if len(users) > 0 {
		if err := tx.Exec(markUsers, users).Error; err != nil {
			return fmt.Errorf("mark dirty: %w", err)
		}
	}
	return tx.Exec(saveCursor, evs[len(evs)-1].Seq).Error
}

// dueAssignments locks up to batchSize assignments, in id order after
// @after, whose answer may have changed: marked dirty, past their
// valid_until, whose agent or certification changed at or after their last
// check, or not checked since their sweep slot. Rows another replica holds
// are skipped. Walking by id makes one run visit each row at most once.
//
// The sweep is spread out: each assignment has its own slot in every sweep
// period (@period seconds, counted from the Unix epoch), at a phase drawn
// from a hash of its id, and is due when its last check is older than its
// latest slot. So every assignment is re-decided at least once a period, as
// before (a check older than now − period is always before the latest
// slot), but a pass takes about pass interval ÷ period of them, not all of
// them at once when a load or a restart checked them together.
const dueAssignments = `
SELECT a.* FROM assignments a
JOIN users u ON u.id = a.user_id
LEFT JOIN certifications c ON c.user_id = a.user_id AND c.program_id = a.program_id
CROSS JOIN LATERAL (SELECT CAST(@period AS float8) * ((hashtext(a.id::text) & 65535)::float8 / 65536) AS offs) ph
WHERE a.id > @after
  AND (a.dirty OR a.valid_until <= @now
       OR a.checked_at < to_timestamp(floor((extract(epoch FROM CAST(@now AS timestamptz))::float8 - ph.offs) / CAST(@period AS float8))
                                      * CAST(@period AS float8) + ph.offs)
       OR u.updated_at >= a.checked_at OR c.updated_at >= a.checked_at)
ORDER BY a.id
LIMIT @limit
FOR UPDATE OF a SKIP LOCKED`

// lockDueAssignments locks and returns, in tx, up to limit assignments after
// the id after whose answer may have changed (see dueAssignments); sweep is
// the period within which every assignment is re-decided.
func lockDueAssignments(tx *gorm.DB, now time.Time, sweep time.Duration, after string, limit int) ([]Assignment, error) {
	var as []Assignment
	err := tx.Raw(dueAssignments, map[string]any{"now": now, "period": sweep.Seconds(), "limit": limit, "after": after}).Scan(&as).Error
	if err != nil {
		return nil, fmt.Errorf("due assignments: %w", err)
	}
	return as, nil
}

// The feed read: one statement, so one snapshot. The first row carries
// what that snapshot saw: the transactions in progress (their rows may
// still appear with seqs below the highest one seen) and its xmax (where
// transactions not yet begun start). The others are every row after
// maxSeq, and every row of a transaction the previous read saw in progress
// or not yet begun.
//
// (A row's seq is drawn before its transaction has an xid only if the
// row is its transaction's first write; the triggers always write after
// the row they watch, but the xmax condition does not rely on that.)
const (
	feedSnapshot = `(SELECT coalesce(string_agg(x::text, ','), '') FROM pg_snapshot_xip(pg_current_snapshot()) x),
  pg_snapshot_xmax(pg_current_snapshot())::text`
	feedStart = `SELECT coalesce(max(seq), 0), ` + feedSnapshot + ` FROM eligibility_changes`
	feedRead  = `SELECT 0::bigint, NULL::text, NULL::text, NULL::text, ` + feedSnapshot + `
UNION ALL
(SELECT seq, user_id::text, program_id::text, module_id::text, NULL, NULL FROM eligibility_changes
WHERE seq > $1 OR xid = ANY ($2::text::xid8[]) OR xid >= $3::text::xid8
LIMIT $4)`
	// feedPrune deletes one batch of rows past retention whose writers have
	// finished; SKIP LOCKED lets replicas prune side by side.
	feedPrune = `DELETE FROM eligibility_changes WHERE seq IN (
  SELECT seq FROM eligibility_changes
  WHERE changed_at < now() - make_interval(secs => $1) AND xid < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)`
)

// readFeedStart reads where the change feed ends now: the highest seq, and
// the snapshot's transactions in progress (xip, comma-separated) and xmax.
func readFeedStart(ctx context.Context, conn gorm.ConnPool) (after int64, xip, xmax string, err error) {
	if err := conn.QueryRowContext(ctx, feedStart).Scan(&after, &xip, &xmax); err != nil {
		return 0, "", "", fmt.Errorf("routing: start change feed: %w", err)
	}
	return after, xip, xmax, nil
}

// readFeed reads the changes after the seq after and those of the
// transactions running (an xid8[] literal) or not begun (from xmax on) at
// the previous read, with what this read's snapshot saw (xip, xmax); at
// most limit changes (the caller starts over when there are that many).
func readFeed(ctx context.Context, conn gorm.ConnPool, after int64, running, xmax string, limit int) (changes []change, xip, newXmax string, err error) {
	rows, err := conn.QueryContext(ctx, feedRead, after, running, xmax, limit)
	if err != nil {
		return nil, "", "", fmt.Errorf("routing: read change feed: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c change
		var user, prog, module, x, top *string
		if err := rows.Scan(&c.seq, &user, &prog, &module, &x, &top); err != nil {
			return nil, "", "", fmt.Errorf("routing: read change feed: %w", err)
		}
		if x != nil {
			xip, xmax = *x, *top
			continue
		}
		if user != nil {
			c.userID = *user
		}
		if prog != nil {
			c.programID = *prog
		}
		if module != nil {
			c.moduleID = *module
		}
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", "", fmt.Errorf("routing: read change feed: %w", err)
	}
	return changes, xip, xmax, nil
}

// pruneFeedBatch deletes up to batch feed rows older than retention whose
// writers have finished, and reports how many.
func pruneFeedBatch(ctx context.Context, conn gorm.ConnPool, retention time.Duration, batch int) (int64, error) {
	res, err := conn.ExecContext(ctx, feedPrune, retention.Seconds(), batch)
	if err != nil {
		return 0, fmt.Errorf("routing: prune change feed: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("routing: prune change feed: %w", err)
	}
	return n, nil
}

// saveCheck writes the outcome of re-deciding a in tx (status, reasons,
// dates) and clears its dirty mark.
// saveChecks records the re-decide job's answers for assignments whose
// status stayed as it was, in one statement.
func saveChecks(ctx context.Context, tx *gorm.DB, as []*Assignment) error {
	if len(as) == 0 {
		return nil
	}
	ids, statuses, reasons := make([]string, len(as)), make([]string, len(as)), make([]string, len(as))
	suspended, until, checked := make([]*time.Time, len(as)), make([]*time.Time, len(as)), make([]time.Time, len(as))
	for i, a := range as {
		ids[i], statuses[i], reasons[i] = a.ID, a.Status, string(a.SuspendedReasons)
		suspended[i], until[i], checked[i] = a.SuspendedAt, a.ValidUntil, a.CheckedAt
	}
	// Through the transaction's connection, not GORM: GORM would spell each
	// slice as a list of values.
	_, err := pool(tx).ExecContext(ctx, `UPDATE assignments a SET status = x.status, suspended_reasons = x.reasons::jsonb,
  suspended_at = x.suspended_at, valid_until = x.valid_until, checked_at = x.checked_at, dirty = false
FROM unnest($1::text[]::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
  AS x(id, status, reasons, suspended_at, valid_until, checked_at)
WHERE a.id = x.id`, ids, statuses, reasons, suspended, until, checked)
	return err
}

func saveCheck(tx *gorm.DB, a *Assignment) error {
	return tx.Model(&Assignment{}).Where("id = ?", a.ID).Updates(map[string]any{
		"status": a.Status, "suspended_reasons": a.SuspendedReasons, "suspended_at": a.SuspendedAt,
		"valid_until": a.ValidUntil, "checked_at": a.CheckedAt, "dirty": false,
	}).Error
}

// AssignedUserIDs returns the agents assigned to each of the programs, by
// program id (for reports in other packages).
func (s *Store) AssignedUserIDs(ctx context.Context, programIDs []string) (map[string][]string, error) {
	var rows []struct{ UserID, ProgramID string }
	err := s.db.WithContext(ctx).Table("assignments").Select("user_id, program_id").
		Where("program_id IN ?", append(programIDs, "00000000-0000-0000-0000-000000000000")).Order("program_id, user_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("routing: assigned agents: %w", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.ProgramID] = append(out[r.ProgramID], r.UserID)
	}
	return out, nil
}

// lastUnassigned is when the agent was last taken out of a queue of the
// client, from this package's own assignment.delete audit entries.
const lastUnassigned = `SELECT max(at) FROM audit_log
WHERE action = 'assignment.delete' AND client_id = $1 AND before->>'user_id' = $2`

// LastUnassigned returns when the agent was last taken out of a program
// queue of the client, or nil when never.
func (s *Store) LastUnassigned(ctx context.Context, userID, clientID string) (*time.Time, error) {
	var at *time.Time
	if err := pool(s.db).QueryRowContext(ctx, lastUnassigned, clientID, userID).Scan(&at); err != nil {
		return nil, fmt.Errorf("routing: last unassigned: %w", err)
	}
	if at != nil {
		t := at.UTC()
		at = &t
	}
	return at, nil
}
