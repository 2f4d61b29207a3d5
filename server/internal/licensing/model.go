// Package licensing keeps the state licenses agents hold (records shaped like
// an insurance producer's: NPN, jurisdiction, license number, class, lines of
// authority), their verification by compliance, their expiry by the clock,
// and the compliance reports (verification queue, expiring licenses, agents
// certified for a program their licenses do not cover).
//
// The routing gate asks Coverage which jurisdictions an agent is licensed in
// at a moment, and why not where they are not.
package licensing

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

// Status is where a license stands in verification.
type Status string

// The statuses. A license is submitted pending; compliance verifies or
// rejects it; the clock expires a verified one; compliance or an admin
// revokes one.
const (
	Pending  Status = "pending"
	Verified Status = "verified"
	Rejected Status = "rejected"
	Expired  Status = "expired"
	Revoked  Status = "revoked"
)

// Date is a calendar date (no time of day), held as midnight UTC and written
// as "2006-01-02" in JSON, CSV and SQL.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// ParseDate reads a "2006-01-02" date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("must be a date written YYYY-MM-DD")
	}
	return Date{t}, nil
}

// DateOf returns the UTC calendar day of t.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.Format(dateLayout) }

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return Date{d.AddDate(0, 0, n)} }

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Scan reads a SQL date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = DateOf(v)
	case string:
		p, err := ParseDate(v)
		if err != nil {
			return err
		}
		*d = p
	default:
		return fmt.Errorf("licensing: scan date from %T", src)
	}
	return nil
}

// Value writes the date for SQL.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// License is one state license held by a user (normally an agent).
type License struct {
	ID            string             `gorm:"column:id" json:"id"`
	UserID        string             `gorm:"column:user_id" json:"user_id"`
	NPN           string             `gorm:"column:npn" json:"npn"`
	Jurisdiction  string             `gorm:"column:jurisdiction" json:"jurisdiction"`
	LicenseNumber string             `gorm:"column:license_number" json:"license_number"`
	Class         string             `gorm:"column:class" json:"class"`
	Lines         catalog.StringList `gorm:"column:lines_of_authority" json:"lines_of_authority"`
	Resident      bool               `gorm:"column:resident" json:"resident"`
	IssueDate     Date               `gorm:"column:issue_date" json:"issue_date"`
	EffectiveDate Date               `gorm:"column:effective_date" json:"effective_date"`
	// ExpiryDate is the first day the license no longer holds.
	ExpiryDate  Date       `gorm:"column:expiry_date" json:"expiry_date"`
	Status      Status     `gorm:"column:status" json:"status"`
	StatusNote  string     `gorm:"column:status_note" json:"status_note"`
	Evidence    string     `gorm:"column:evidence" json:"evidence"`
	CEHours     *float64   `gorm:"column:ce_hours" json:"ce_hours,omitempty"`
	SubmittedBy string     `gorm:"column:submitted_by" json:"submitted_by"`
	SubmittedAt time.Time  `gorm:"column:submitted_at" json:"submitted_at"`
	VerifiedBy  *string    `gorm:"column:verified_by" json:"verified_by,omitempty"`
	VerifiedAt  *time.Time `gorm:"column:verified_at" json:"verified_at,omitempty"`
	CreatedAt   time.Time  `gorm:"column:created_at;autoCreateTime:false" json:"created_at"`
	UpdatedAt   time.Time  `gorm:"column:updated_at;autoUpdateTime:false" json:"updated_at"`
}

// TableName names the table.
func (License) TableName() string { return "licenses" }

// ValidAt reports whether the license is verified and in force at t
// (effective_date ≤ t < expiry_date, days starting at midnight UTC).
func (l *License) ValidAt(t time.Time) bool {
	return l.Status == Verified && !t.Before(l.EffectiveDate.Time) && t.Before(l.ExpiryDate.Time)
}

// summary is the license as the audit trail and the outbox keep it (no
// evidence text: it may hold personal details).
func (l *License) summary() map[string]any {
	return map[string]any{
		"user_id": l.UserID, "npn": l.NPN, "jurisdiction": l.Jurisdiction, "license_number": l.LicenseNumber,
		"class": l.Class, "lines_of_authority": []string(l.Lines), "resident": l.Resident,
		"effective_date": l.EffectiveDate.String(), "expiry_date": l.ExpiryDate.String(), "status": l.Status,
	}
}

// Event is one entry of a license's readable history.
type Event struct {
	Seq        int64              `gorm:"column:seq" json:"-"`
	ID         string             `gorm:"column:id" json:"id"`
	LicenseID  string             `gorm:"column:license_id" json:"license_id"`
	At         time.Time          `gorm:"column:at" json:"at"`
	ActorKind  string             `gorm:"column:actor_kind" json:"actor_kind"`
	ActorID    string             `gorm:"column:actor_id" json:"actor_id"`
	Action     string             `gorm:"column:action" json:"action"`
	FromStatus *Status            `gorm:"column:from_status" json:"from_status,omitempty"`
	ToStatus   Status             `gorm:"column:to_status" json:"to_status"`
	Note       string             `gorm:"column:note" json:"note"`
	Changed    catalog.StringList `gorm:"column:changed" json:"changed"`
}

// TableName names the table.
func (Event) TableName() string { return "license_events" }

// Filter narrows a license list. Zero fields do not filter.
type Filter struct {
	Status       Status
	UserID       string
	Jurisdiction string
	// ExpiringWithinDays keeps licenses that are still in force today and
	// whose expiry date falls within this many days.
	ExpiringWithinDays int
	Limit, Offset      int
}

// Standing says how a jurisdiction stands for a license requirement, or how
// a held license stands at a moment.
type Standing string

// The standings. Valid is a verified license in force; the others explain
// why a license (or a requirement) does not count.
const (
	Valid        Standing = "valid"
	Unverified   Standing = "unverified"    // pending verification
	NotEffective Standing = "not_effective" // verified, effective date still ahead
	Lapsed       Standing = "expired"       // past its expiry date
	WasRejected  Standing = "rejected"
	WasRevoked   Standing = "revoked"
	Missing      Standing = "missing"       // no license of the class in the jurisdiction
	LinesMissing Standing = "lines_missing" // licensed, but without every required line of authority
)

// Held is one license as coverage sees it.
type Held struct {
	LicenseID     string   `json:"license_id"`
	Class         string   `json:"class"`
	Lines         []string `json:"lines_of_authority"`
	Standing      Standing `json:"standing"`
	EffectiveDate Date     `json:"effective_date"`
	ExpiryDate    Date     `json:"expiry_date"`
}

// JurisdictionCoverage is what a user holds in one jurisdiction.
type JurisdictionCoverage struct {
	Jurisdiction string `json:"jurisdiction"`
	// Valid are verified licenses in force.
	Valid []Held `json:"valid"`
	// Invalid are the other licenses, each with its standing.
	Invalid []Held `json:"invalid"`
}

// Coverage is what a user is licensed for at a moment, per jurisdiction
// (sorted by jurisdiction).
type Coverage struct {
	UserID        string                 `json:"user_id"`
	At            time.Time              `json:"at"`
	Jurisdictions []JurisdictionCoverage `json:"jurisdictions"`
}

// Gap is why a requirement is not met in a jurisdiction; the zero Gap means met.
type Gap struct {
	Reason       Standing `json:"reason,omitempty"`
	MissingLines []string `json:"missing_lines,omitempty"`
}

// Met reports whether the requirement is covered.
func (g Gap) Met() bool { return g.Reason == "" }
