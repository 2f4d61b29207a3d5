package routing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Store reads the gate's inputs and keeps assignments.
//
// The read path is the hot one (the ACD asks thousands of times a minute),
// so it reads the owning packages' tables directly, read-only, in one round
// trip: users (auth), programs and program_licenses (catalog),
// certifications (certification), licenses (licensing) and assignments
// (ours). Nothing else here reads another package's tables, and nothing
// here writes them. Nothing is cached: every answer reflects the last
// committed revocation on every replica.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// pool is the connection (or transaction) of g for raw database/sql reads.
func pool(g *gorm.DB) gorm.ConnPool { return g.Statement.ConnPool }

// requirementsJSON aggregates program p's license requirements.
const requirementsJSON = `(SELECT json_agg(json_build_object('class', pl.class, 'lines', pl.lines, 'states', pl.states) ORDER BY pl.position)
   FROM program_licenses pl WHERE pl.program_id = p.id)`

// licensesJSON aggregates user u's licenses.
const licensesJSON = `(SELECT json_agg(json_build_object('jurisdiction', l.jurisdiction, 'class', l.class,
     'lines', l.lines_of_authority, 'status', l.status, 'effective', l.effective_date, 'expiry', l.expiry_date))
   FROM licenses l WHERE l.user_id = u.id)`

// inputsQuery reads one agent × program. It always returns one row; the
// agent's or program's columns are null when they do not exist. %s is the
// agent condition on $1.
const inputsQuery = `
SELECT u.id, u.external_id, u.role, u.email, u.active, p.id, p.name, p.client_id,
       a.status, c.state, c.expires_at, c.refresher_due_at, ` + requirementsJSON + `,
       CASE WHEN EXISTS (SELECT 1 FROM program_licenses pl WHERE pl.program_id = p.id) THEN ` + licensesJSON + ` END
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
		reqs, lics                                                   []byte
	)
	err := pool(tx).QueryRowContext(ctx, q, arg, programID).Scan(&userID, &ext, &role, &email, &active,
		&progID, &progName, &clientID, &status, &cert.State, &cert.ExpiresAt, &cert.DueAt, &reqs, &lics)
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
	if status != nil {
		in.Status = *status
	}
	if in.Requirements, err = decodeRequirements(reqs); err != nil {
		return nil, err
	}
	if in.Licenses, err = decodeLicenses(lics); err != nil {
		return nil, err
	}
	return in, nil
}

// program is a program's header and requirements.
type program struct {
	ID, Name, ClientID string
	Requirements       []LicenseRequirement
}

const programQuery = `SELECT p.id, p.name, p.client_id, ` + requirementsJSON + ` FROM programs p WHERE p.id = $1`

// Program reads a program and its license requirements. Errors: not_found.
func (s *Store) Program(ctx context.Context, programID string) (*program, error) {
	var p program
	var reqs []byte
	err := pool(s.db).QueryRowContext(ctx, programQuery, programID).Scan(&p.ID, &p.Name, &p.ClientID, &reqs)
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

const rosterQuery = `
SELECT u.id, u.external_id, u.role, u.email, u.active, a.status, c.state, c.expires_at, c.refresher_due_at,
       CASE WHEN $2 THEN ` + licensesJSON + ` END
FROM assignments a
JOIN users u ON u.id = a.user_id
LEFT JOIN certifications c ON c.user_id = a.user_id AND c.program_id = a.program_id
WHERE a.program_id = $1
ORDER BY u.email, u.id`

// Roster reads the inputs of every agent assigned to the program.
func (s *Store) Roster(ctx context.Context, p *program) ([]*inputs, error) {
	rows, err := pool(s.db).QueryContext(ctx, rosterQuery, p.ID, len(p.Requirements) > 0)
	if err != nil {
		return nil, fmt.Errorf("routing: load roster: %w", err)
	}
	defer rows.Close()
	out := []*inputs{}
	for rows.Next() {
		in := &inputs{ProgramID: p.ID, ProgramName: p.Name, ClientID: p.ClientID, Assigned: true, Requirements: p.Requirements}
		var cert certCols
		var lics []byte
		if err := rows.Scan(&in.UserID, &in.ExternalID, &in.Role, &in.Email, &in.Active, &in.Status,
			&cert.State, &cert.ExpiresAt, &cert.DueAt, &lics); err != nil {
			return nil, fmt.Errorf("routing: read roster: %w", err)
		}
		in.Cert = cert.input()
		if in.Licenses, err = decodeLicenses(lics); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("routing: read roster: %w", err)
	}
	return out, nil
}

const agentQueryTmpl = `SELECT u.id, u.external_id, u.role, u.email, u.active, ` + licensesJSON + ` FROM users u WHERE %s`

var (
	agentByID       = fmt.Sprintf(agentQueryTmpl, "u.id = $1")
	agentByExternal = fmt.Sprintf(agentQueryTmpl, "u.external_id = $1")
)

const agentProgramsQuery = `
SELECT p.id, p.name, p.client_id, a.status, c.state, c.expires_at, c.refresher_due_at, ` + requirementsJSON + `
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
	var lics []byte
	err := pool(s.db).QueryRowContext(ctx, q, arg).Scan(&who.UserID, &who.ExternalID, &who.Role, &who.Email, &who.Active, &lics)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.NotFoundf("agent %s", agent)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("routing: load agent: %w", err)
	}
	if who.Licenses, err = decodeLicenses(lics); err != nil {
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
		if err := rows.Scan(&in.ProgramID, &in.ProgramName, &in.ClientID, &in.Status,
			&cert.State, &cert.ExpiresAt, &cert.DueAt, &reqs); err != nil {
			return nil, nil, fmt.Errorf("routing: read agent programs: %w", err)
		}
		in.Cert = cert.input()
		if in.Requirements, err = decodeRequirements(reqs); err != nil {
			return nil, nil, err
		}
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
