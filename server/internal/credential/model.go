// Package credential issues what an agent can show for a certification:
// a certificate (a PDF with a QR code of its verification link), a public
// verification page anyone can open without signing in, and an Open Badges
// 3.0 credential (an OpenBadgeCredential, W3C Verifiable Credentials Data
// Model 2.0, signed as a VC-JWT with Ed25519) with a Bitstring Status List
// entry Skillgate serves.
//
// A certificate is issued inside the transaction of the certification's
// transition (certified: earned, renewed or reinstated) and follows the
// record: refresher due while it is the record's current certificate,
// ended when the certification expires, revoked (for good) when it is
// revoked. Its names and dates are kept as they were at issue, so the PDF,
// the credential and the verification page agree.
package credential

import (
	"time"
)

// Status is a certificate's standing as of now.
type Status string

// The statuses the verification page shows.
const (
	Valid        Status = "valid"
	RefresherDue Status = "refresher_due" // still valid: the agent has a refresher to take
	Expired      Status = "expired"
	Revoked      Status = "revoked"
)

// Certificate is one certificate issued for a certification.
type Certificate struct {
	ID              string     `gorm:"column:id"`
	CertificationID string     `gorm:"column:certification_id"`
	UserID          string     `gorm:"column:user_id"`
	ProgramID       string     `gorm:"column:program_id"`
	ClientID        string     `gorm:"column:client_id"`
	VerifyID        string     `gorm:"column:verify_id"`
	Number          string     `gorm:"column:number"`
	StatusIndex     int64      `gorm:"column:status_index"`
	HolderName      string     `gorm:"column:holder_name"`
	ProgramName     string     `gorm:"column:program_name"`
	ClientName      string     `gorm:"column:client_name"`
	IssuedAt        time.Time  `gorm:"column:issued_at"`
	ExpiresAt       time.Time  `gorm:"column:expires_at"`
	Reason          string     `gorm:"column:reason"`
	RefresherDue    bool       `gorm:"column:refresher_due"`
	EndedAt         *time.Time `gorm:"column:ended_at"`
	RevokedAt       *time.Time `gorm:"column:revoked_at"`
	IdentitySalt    string     `gorm:"column:identity_salt"`
}

// TableName names the table.
func (Certificate) TableName() string { return "certificates" }

// StatusAt is the certificate's standing at now: revoked, expired (the
// certification ended, or the certificate's own expiry passed), refresher
// due (still valid) or valid.
func (c *Certificate) StatusAt(now time.Time) Status {
	switch {
	case c.RevokedAt != nil:
		return Revoked
	case c.EndedAt != nil || !now.Before(c.ExpiresAt):
		return Expired
	case c.RefresherDue:
		return RefresherDue
	}
	return Valid
}

// View is a certificate as its holder and staff see it.
type View struct {
	ID              string    `json:"id"`
	CertificationID string    `json:"certification_id"`
	Number          string    `json:"number"`
	HolderName      string    `json:"holder_name"`
	ProgramName     string    `json:"program_name"`
	ClientName      string    `json:"client_name"`
	IssuedAt        time.Time `json:"issued_at"`
	ExpiresAt       time.Time `json:"expires_at"`
	Status          Status    `json:"status"`
	VerificationURL string    `json:"verification_url"`
	// PDF and Credential are the API paths of the downloads.
	PDF        string `json:"pdf"`
	Credential string `json:"credential"`
}

// Verification is all the public verification page says: nothing that
// identifies any other record, and no contact details.
type Verification struct {
	HolderName  string    `json:"holder_name"`
	ProgramName string    `json:"program_name"`
	ClientName  string    `json:"client_name"`
	IssuedAt    time.Time `json:"issued_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	Status      Status    `json:"status"`
	// CheckedAt is the "as of" of Status.
	CheckedAt time.Time `json:"checked_at"`
}
