package routing

import (
	"encoding/json"
	"time"
)

// Assignment statuses.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Assignment is an agent assigned to a program's queue, with the gate's last
// answer: active while routable, suspended with the reasons when not.
type Assignment struct {
	ID               string          `gorm:"column:id" json:"id"`
	UserID           string          `gorm:"column:user_id" json:"user_id"`
	ProgramID        string          `gorm:"column:program_id" json:"program_id"`
	Status           string          `gorm:"column:status" json:"status"`
	SuspendedReasons json.RawMessage `gorm:"column:suspended_reasons" json:"suspended_reasons"`
	AssignedBy       string          `gorm:"column:assigned_by" json:"assigned_by"`
	AssignedAt       time.Time       `gorm:"column:assigned_at" json:"assigned_at"`
	SuspendedAt      *time.Time      `gorm:"column:suspended_at" json:"suspended_at,omitempty"`
	ValidUntil       *time.Time      `gorm:"column:valid_until" json:"valid_until"`
	CheckedAt        time.Time       `gorm:"column:checked_at" json:"checked_at"`
	Dirty            bool            `gorm:"column:dirty" json:"-"`
}

// TableName names the table.
func (Assignment) TableName() string { return "assignments" }

// summary is the assignment as the audit trail keeps it.
func (a *Assignment) summary() map[string]any {
	return map[string]any{"user_id": a.UserID, "program_id": a.ProgramID, "status": a.Status,
		"suspended_reasons": a.SuspendedReasons}
}

// Agent names an agent in a request: by Skillgate id, or by the routing
// system's own id (users.external_id).
type Agent struct {
	ID         string // a uuid, or ""
	ExternalID string // when ID is ""
}

// String is the agent as the request spelled it.
func (a Agent) String() string {
	if a.ID != "" {
		return a.ID
	}
	return "ext:" + a.ExternalID
}

// Answer is one eligibility answer as the API sends it.
type Answer struct {
	AgentID    string     `json:"agent_id"`
	ExternalID *string    `json:"external_id"`
	ProgramID  string     `json:"program_id"`
	State      string     `json:"state,omitempty"`
	Eligible   bool       `json:"eligible"`
	Reasons    []Reason   `json:"reasons"`
	ValidUntil *time.Time `json:"valid_until"`
	// CoveredStates is set, possibly empty, when the program needs licenses
	// and no caller state was given.
	CoveredStates *[]string `json:"covered_states,omitempty"`
	CheckedAt     time.Time `json:"checked_at"`
}

// answerOf shapes a decision for the API.
func answerOf(in *inputs, state string, d Decision) Answer {
	a := Answer{AgentID: in.UserID, ExternalID: in.ExternalID, ProgramID: in.ProgramID, State: state,
		Eligible: d.Eligible, Reasons: d.Reasons, ValidUntil: d.ValidUntil, CheckedAt: in.At}
	if len(in.Requirements) > 0 && state == "" {
		cs := d.CoveredStates
		if cs == nil {
			cs = []string{}
		}
		a.CoveredStates = &cs
	}
	return a
}

// Check is one question: may the agent take a contact for the program
// (caller in State, "" when unknown)?
type Check struct {
	Agent     Agent
	ProgramID string
	State     string
}

// BatchItem is one slot of a batch answer: the answer, or the error that
// item met.
type BatchItem struct {
	Answer *Answer    `json:"answer,omitempty"`
	Error  *ItemError `json:"error,omitempty"`
}

// ItemError is one batch item's error.
type ItemError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// RosterEntry is one assigned agent of a program with the gate's answer.
// AssignmentStatus is decided from the same inputs at the same instant as
// the answer (see inputs.assignmentStatus), never the assignment job's
// stored status, which lags by up to the job's interval.
type RosterEntry struct {
	Email            string `json:"email"`
	DisplayName      string `json:"display_name"`
	AssignmentStatus string `json:"assignment_status"`
	Answer
}

// Roster is a program's assigned agents with their answers.
type Roster struct {
	ProgramID string        `json:"program_id"`
	State     string        `json:"state,omitempty"`
	CheckedAt time.Time     `json:"checked_at"`
	Agents    []RosterEntry `json:"agents"`
}

// ProgramAnswer is one of an agent's assigned programs with the answer;
// AssignmentStatus is decided with it, as in RosterEntry.
type ProgramAnswer struct {
	ProgramName      string `json:"program_name"`
	ClientID         string `json:"client_id"`
	AssignmentStatus string `json:"assignment_status"`
	Answer
}

// inputs is everything read for one agent × program at one instant. The
// view keeps one per entry: the booleans are together at the end so the
// struct fits the 256-byte size class (with them spread it took 272 bytes,
// allocated as 288).
type inputs struct {
	At           time.Time
	UserID       string
	ExternalID   *string
	Role         string
	Email        string
	ProgramID    string
	ProgramName  string
	ClientID     string
	Cert         *CertificationInput
	Requirements []LicenseRequirement
	Licenses     []LicenseInput
	Appointments []AppointmentInput // the agent's with the program's client
	states       []string           // the program's required states (Input.states), when known
	Active       bool
	Assigned     bool
	ServesOnly   bool // the program serves only its listed states
}

// decide runs Decide over the inputs for a caller state.
func (in *inputs) decide(state string) Decision {
	return Decide(Input{At: in.At, CallerState: state, AgentActive: in.Active, Assigned: in.Assigned,
		Cert: in.Cert, Requirements: in.Requirements, ServesOnlyListedStates: in.ServesOnly, Licenses: in.Licenses,
		Appointments: in.Appointments, states: in.states})
}

// assignmentStatus is the status the assignment job stores for an answer
// without a caller state d: active while the agent is routable, suspended
// when not.
func assignmentStatus(d Decision, needsLicenses bool) string {
	if Routable(d, needsLicenses) {
		return StatusActive
	}
	return StatusSuspended
}

// assignmentStatus is the status of the inputs' assignment as the job would
// store it at in.At, decided now rather than read from the job's last
// record, so it is exactly as current as the answer beside it; d is the
// answer for state, reused when state is "".
func (in *inputs) assignmentStatus(state string, d Decision) string {
	if state != "" {
		d = in.decide("")
	}
	return assignmentStatus(d, len(in.Requirements) > 0)
}
