// Package certification keeps the agent × program record: enrollment for
// training, and the evidence-driven states in_training → certified →
// refresher_due → expired, plus revoked and reinstatement.
//
// A record's state is never typed in: Evaluate loads the evidence (modules
// read, quizzes and role-plays passed) and applies the rules, which live in
// one function, next (rules.go). Every transition writes the new state and
// dates, the evidence that counted, a history row, an audit entry and an
// outbox event, in one transaction. Evaluate runs after the evidence changes
// (hooks the quiz, role-play and catalog services call after commit) and in
// the background job (RunOnce), which also moves records through time:
// refresher windows opening and certifications expiring.
//
// Other packages ask it which programs an agent is enrolled in, which is
// what decides the training material an agent may see.
package certification

import (
	"fmt"
	"time"
)

// State is where an agent stands in a program.
type State string

// The states.
const (
	InTraining   State = "in_training"
	Certified    State = "certified"
	RefresherDue State = "refresher_due"
	Expired      State = "expired"
	Revoked      State = "revoked"
)

// Certification is one agent × program record.
type Certification struct {
	ID             string     `gorm:"column:id" json:"id"`
	UserID         string     `gorm:"column:user_id" json:"user_id"`
	ProgramID      string     `gorm:"column:program_id" json:"program_id"`
	State          State      `gorm:"column:state" json:"state"`
	EnrolledAt     time.Time  `gorm:"column:enrolled_at" json:"enrolled_at"`
	EnrolledBy     string     `gorm:"column:enrolled_by" json:"enrolled_by"`
	CertifiedAt    *time.Time `gorm:"column:certified_at" json:"certified_at,omitempty"`
	ExpiresAt      *time.Time `gorm:"column:expires_at" json:"expires_at,omitempty"`
	RefresherDueAt *time.Time `gorm:"column:refresher_due_at" json:"refresher_due_at,omitempty"`
	RevokedAt      *time.Time `gorm:"column:revoked_at" json:"revoked_at,omitempty"`
	RevokedReason  string     `gorm:"column:revoked_reason" json:"revoked_reason,omitempty"`
	UpdatedAt      time.Time  `gorm:"column:updated_at" json:"updated_at"`
	// RefresherOpensAt is when the refresher window opens (set on
	// certification: ExpiresAt minus the program's refresher window).
	RefresherOpensAt *time.Time `gorm:"column:refresher_opens_at" json:"refresher_opens_at,omitempty"`
	// ChangedModules lists, while refresher_due after material changes, the
	// modules to read again (from the version read to the current one).
	ChangedModules []ChangedModule `gorm:"column:changed_modules;serializer:json" json:"changed_modules,omitempty"`
	// RefresherSince is when the record last entered refresher_due (nil
	// outside it): a refresher quiz counts when passed from then on.
	RefresherSince *time.Time `gorm:"column:refresher_since" json:"refresher_since,omitempty"`
	// Evidence is what counted at the last transition.
	Evidence        Evidence `gorm:"column:evidence;serializer:json" json:"-"`
	NeedsEvaluation bool     `gorm:"column:needs_evaluation" json:"-"`
	Revision        int64    `gorm:"column:revision" json:"-"`
}

// TableName names the table.
func (Certification) TableName() string { return "certifications" }

// summary is the record as the audit trail keeps it.
func (c *Certification) summary() map[string]any {
	return map[string]any{"user_id": c.UserID, "program_id": c.ProgramID, "state": c.State,
		"expires_at": c.ExpiresAt, "refresher_due_at": c.RefresherDueAt}
}

// ChangedModule is a required module that got a material change after the
// version the agent read: the API links its diff (from → to).
type ChangedModule struct {
	ModuleID    string `json:"module_id"`
	Slug        string `json:"slug"`
	Title       string `json:"title"`
	FromVersion int    `json:"from_version"`
	ToVersion   int    `json:"to_version"`
	// Diff is the API path of the diff between the two versions.
	Diff string `json:"diff"`
}

func (c *ChangedModule) setDiff() {
	c.Diff = fmt.Sprintf("/api/v1/modules/%s/diff?from=%d&to=%d", c.ModuleID, c.FromVersion, c.ToVersion)
}

// Evidence is what a certification rests on.
type Evidence struct {
	Modules   []ModuleRead `json:"modules"`
	Quizzes   []QuizPass   `json:"quizzes"`
	Roleplays []RunPass    `json:"roleplays"`
}

// ModuleRead is a module version the agent completed.
type ModuleRead struct {
	ModuleID    string    `json:"module_id"`
	Version     int       `json:"version"`
	CompletedAt time.Time `json:"completed_at"`
}

// QuizPass is the attempt that counts for a passed quiz.
type QuizPass struct {
	QuizID    string    `json:"quiz_id"`
	Slug      string    `json:"slug"`
	Version   int       `json:"version"`
	AttemptID string    `json:"attempt_id"`
	Percent   float64   `json:"percent"`
	PassedAt  time.Time `json:"passed_at"`
}

// QuizResult is where an agent stands with one quiz of a program.
type QuizResult struct {
	QuizID      string
	Slug        string
	Attempts    int        // graded attempts
	BestPercent *float64   // nil without a graded attempt
	Pass        *QuizPass  // the counting attempt, when it passed
	LastPassAt  *time.Time // the latest passing submission of any attempt
}

// RunPass is a passing role-play run.
type RunPass struct {
	RoleplayID      string    `json:"roleplay_id"`
	Slug            string    `json:"slug"`
	Version         int       `json:"version"`
	RunID           string    `json:"run_id"`
	PassedAt        time.Time `json:"passed_at"`
	SignoffRequired bool      `json:"signoff_required"`
	SignedOff       bool      `json:"signed_off"`
}

// Event is one transition in a record's history.
type Event struct {
	Seq             int64          `gorm:"column:seq" json:"seq"`
	ID              string         `gorm:"column:id" json:"id"`
	CertificationID string         `gorm:"column:certification_id" json:"certification_id"`
	From            State          `gorm:"column:from_state" json:"from"`
	To              State          `gorm:"column:to_state" json:"to"`
	Reason          string         `gorm:"column:reason" json:"reason"`
	At              time.Time      `gorm:"column:at" json:"at"`
	ActorKind       string         `gorm:"column:actor_kind" json:"actor_kind"`
	ActorID         string         `gorm:"column:actor_id" json:"actor_id"`
	Details         map[string]any `gorm:"column:details;serializer:json" json:"details"`
}

// TableName names the table.
func (Event) TableName() string { return "certification_events" }

// Transition reasons, stable for machines (history, audit, outbox).
const (
	ReasonRequirementsMet    = "requirements_met"    // in_training → certified
	ReasonMaterialChange     = "material_change"     // a required module changed materially
	ReasonRefresherWindow    = "refresher_window"    // the refresher window opened
	ReasonRefresherCompleted = "refresher_completed" // the changed modules were read again
	ReasonRenewed            = "renewed"             // quizzes passed again once the window opened
	ReasonExpired            = "expired"             // the certification reached expires_at
	ReasonRevoked            = "revoked"             // compliance or an admin revoked it
	ReasonReinstated         = "reinstated"          // compliance or an admin reinstated it
)
