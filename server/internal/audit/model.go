// Package audit keeps Skillgate's audit trail: an append-only table written
// in the same transaction as the change it records, and hash-chained by the
// sealer (Seal) moments after that transaction commits.
//
// Every change to a certification, a license, an assignment, a role, a
// membership, an API key or published content calls Record with the
// transaction that makes the change, so the change and its audit row commit
// or roll back together.
package audit

import (
	"encoding/json"
	"time"
)

// Actor kinds.
const (
	ActorUser   = "user"
	ActorAPIKey = "api_key"
	ActorSystem = "system"
)

// Actor is who made a change: a user, a machine's API key, or the system
// (importer, background job).
type Actor struct {
	Kind string // ActorUser, ActorAPIKey or ActorSystem
	ID   string // user id, API key id, or a system name such as "import" or "expiry-job"
}

// System returns the actor for a background job or tool named name.
func System(name string) Actor { return Actor{Kind: ActorSystem, ID: name} }

// Entry is one audited change.
type Entry struct {
	Actor       Actor
	Action      string // dotted verb, e.g. "user.create", "module.publish", "auth.login_failed"
	SubjectType string // e.g. "user", "module", "certification"
	SubjectID   string
	ClientID    string // the client the change belongs to, "" when none
	// Before and After summarize the subject around the change; they are
	// stored as JSON and must never hold secrets (no password hashes, tokens or keys).
	Before any
	After  any
}

// Row is a stored audit entry.
type Row struct {
	Seq         int64           `gorm:"column:seq" json:"seq"`
	ID          string          `gorm:"column:id" json:"id"`
	At          time.Time       `gorm:"column:at" json:"at"`
	ActorKind   string          `gorm:"column:actor_kind" json:"actor_kind"`
	ActorID     string          `gorm:"column:actor_id" json:"actor_id"`
	Action      string          `gorm:"column:action" json:"action"`
	SubjectType string          `gorm:"column:subject_type" json:"subject_type"`
	SubjectID   string          `gorm:"column:subject_id" json:"subject_id"`
	ClientID    *string         `gorm:"column:client_id" json:"client_id,omitempty"`
	Before      json.RawMessage `gorm:"column:before" json:"before,omitempty"`
	After       json.RawMessage `gorm:"column:after" json:"after,omitempty"`
	RequestID   string          `gorm:"column:request_id" json:"request_id,omitempty"`
	// ChainPos, PrevHash and Hash are the row's place in the hash chain,
	// null until the sealer links it (moments after its commit).
	ChainPos *int64  `gorm:"column:chain_pos" json:"chain_pos"`
	PrevHash *string `gorm:"column:prev_hash" json:"prev_hash"`
	Hash     *string `gorm:"column:hash" json:"hash"`
}

// TableName names the table.
func (Row) TableName() string { return "audit_log" }
