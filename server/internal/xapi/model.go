// Package xapi sends learning records to a Learning Record Store (LRS) as
// xAPI 1.0.3 statements: a module completed, a quiz passed or failed (with
// its score), a role-play passed or failed, a program's certification
// earned.
//
// It is an outbox of its own, worked by the job queue (server/internal/queue). The domain that makes a learning event (quiz
// grading, a finished or reviewed role-play run, a module completion, a
// certification transition) calls Record inside the transaction that makes
// it; Record builds the whole statement, with a statement id fixed then, and
// stores it in xapi_statements, unique by the event's source name. A sender
// job (FOR UPDATE SKIP LOCKED, safe on several replicas) PUTs each statement
// to the LRS under its id, retrying with backoff: a retry sends the same
// statement under the same id, which the LRS treats as the same statement.
// Without XAPI_ENDPOINT configured Record stores nothing.
package xapi

import (
	"encoding/json"
	"time"

	"github.com/skillgate/skillgate/server/internal/queue"
)

// Verbs, as ADL defines them.
const (
	VerbCompleted = "http://adlnet.gov/expapi/verbs/completed"
	VerbPassed    = "http://adlnet.gov/expapi/verbs/passed"
	VerbFailed    = "http://adlnet.gov/expapi/verbs/failed"
)

// Version is the xAPI version statements are sent as.
const Version = "1.0.3"

// ActivityKind is what an activity is; its id is <base>/<kind>/<id>.
type ActivityKind string

// The activity kinds.
const (
	Module   ActivityKind = "modules"
	Quiz     ActivityKind = "quizzes"
	Roleplay ActivityKind = "roleplays"
	Program  ActivityKind = "programs"
)

// activityTypes are the ADL activity types of the kinds.
var activityTypes = map[ActivityKind]string{
	Module:   "http://adlnet.gov/expapi/activities/lesson",
	Quiz:     "http://adlnet.gov/expapi/activities/assessment",
	Roleplay: "http://adlnet.gov/expapi/activities/simulation",
	Program:  "http://adlnet.gov/expapi/activities/course",
}

// Experience is one learning event a domain records.
type Experience struct {
	// Source names the event uniquely ("quiz-attempt:<id>"): recording the
	// same source again does nothing.
	Source string
	UserID string
	// Verb is VerbCompleted, VerbPassed or VerbFailed.
	Verb     string
	Activity Activity
	// Parent is the activity this one is part of (a quiz's program), if any.
	Parent *Activity
	Result *Result
	// Credential is the certificate a certification earned (its
	// credential's id, number and verification page), written as the
	// result extension <XAPI_ACTIVITY_BASE>/extensions/credential.
	Credential *Credential
	At         time.Time
}

// Credential names a certificate and its Open Badges credential.
type Credential struct {
	ID              string `json:"id"`
	Number          string `json:"number"`
	VerificationURL string `json:"verification_url"`
}

// Activity is what the learner did something with.
type Activity struct {
	Kind ActivityKind
	ID   string
	Name string
}

// Result is an experience's outcome.
type Result struct {
	Score      *Score
	Success    *bool
	Completion *bool
}

// Score is a result's score: Scaled in [-1, 1] (here [0, 1]), Raw between
// Min and Max.
type Score struct {
	Scaled float64 `json:"scaled"`
	Raw    float64 `json:"raw"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Statement is an xAPI statement as sent to the LRS.
type Statement struct {
	ID        string           `json:"id"`
	Actor     Actor            `json:"actor"`
	Verb      StatementVerb    `json:"verb"`
	Object    StatementObject  `json:"object"`
	Result    *StatementResult `json:"result,omitempty"`
	Context   *Context         `json:"context,omitempty"`
	Timestamp string           `json:"timestamp"`
}

// Actor is the learner: an mbox (mailto:) or an account.
type Actor struct {
	ObjectType string   `json:"objectType"`
	Name       string   `json:"name,omitempty"`
	Mbox       string   `json:"mbox,omitempty"`
	Account    *Account `json:"account,omitempty"`
}

// Account identifies a learner by the id a system knows them by.
type Account struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// StatementVerb is a verb with its display name.
type StatementVerb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

// StatementObject is the activity.
type StatementObject struct {
	ObjectType string      `json:"objectType"`
	ID         string      `json:"id"`
	Definition *Definition `json:"definition,omitempty"`
}

// Definition describes an activity.
type Definition struct {
	Name map[string]string `json:"name,omitempty"`
	Type string            `json:"type"`
}

// StatementResult is the outcome as xAPI writes it.
type StatementResult struct {
	Score      *Score `json:"score,omitempty"`
	Success    *bool  `json:"success,omitempty"`
	Completion *bool  `json:"completion,omitempty"`
	// Extensions are keyed by IRI (the credential's: ExtensionCredential).
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Context holds the platform and the parent activity.
type Context struct {
	Platform          string             `json:"platform"`
	ContextActivities *ContextActivities `json:"contextActivities,omitempty"`
}

// ContextActivities lists related activities.
type ContextActivities struct {
	Parent []StatementObject `json:"parent,omitempty"`
}

// Status is where a queued statement stands.
type Status string

// The statuses: pending waits for its next attempt, sending is leased by a
// sender, sent and failed (for good) are final.
const (
	Pending Status = "pending"
	Sending Status = "sending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Queued is one statement in the outbox.
type Queued struct {
	ID            string          `gorm:"column:id"`
	Source        string          `gorm:"column:source"`
	UserID        string          `gorm:"column:user_id"`
	Verb          string          `gorm:"column:verb"`
	Statement     json.RawMessage `gorm:"column:statement"`
	Status        Status          `gorm:"column:status"`
	Attempts      int             `gorm:"column:attempts"`
	NextAttemptAt *time.Time      `gorm:"column:next_attempt_at"`
	LastStatus    *int            `gorm:"column:last_status"`
	LastError     string          `gorm:"column:last_error"`
	SentAt        *time.Time      `gorm:"column:sent_at"`
	CreatedAt     time.Time       `gorm:"column:created_at"`
	UpdatedAt     time.Time       `gorm:"column:updated_at"`
}

// TableName names the table.
func (Queued) TableName() string { return "xapi_statements" }

// JobRef names the statement as a queued job.
func (q Queued) JobRef() queue.Ref { return queue.Ref{ID: q.ID, Attempts: q.Attempts} }
