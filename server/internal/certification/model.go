// Package certification keeps the agent × program record: enrollment for
// training, and (with the certification issue) the evidence-driven states
// in_training → certified → refresher_due → expired, plus revoked.
//
// Other packages ask it which programs an agent is enrolled in, which is
// what decides the training material an agent may see.
package certification

import "time"

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
}

// TableName names the table.
func (Certification) TableName() string { return "certifications" }

// summary is the record as the audit trail keeps it.
func (c *Certification) summary() map[string]any {
	return map[string]any{"user_id": c.UserID, "program_id": c.ProgramID, "state": c.State}
}
