// Package notify is Skillgate's in-app inbox and the reminders that fill it:
// a certification's refresher opening, a certification or a license nearing
// expiry, a role-play run a supervisor sent back, and whatever other domains
// ask for through Remind (onboarding: a task due tomorrow, one overdue).
//
// Every notice is created by Remind, idempotent on (user, key): the key
// names the event and the dates it is about, and the insert is
// INSERT ... ON CONFLICT (user_id, key) DO NOTHING, so no reminder is created
// twice, even by two replicas' jobs at the same moment. When SMTP is
// configured, each notice also queues one email in the same transaction; a
// sender job delivers queued emails with retries. Without SMTP nothing is
// queued and the inbox works the same.
package notify

import (
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/queue"
)

// Notification kinds this package generates. Other domains pass their own
// kinds to Remind (lowercase, e.g. "onboarding.task_due").
const (
	KindRefresherDue     = "certification.refresher_due"
	KindCertExpiring     = "certification.expiring"
	KindLicenseExpiring  = "license.expiring"
	KindCEIncomplete     = "license.ce_incomplete"
	KindRoleplaySentBack = "roleplay.sent_back"
)

// Notification is one notice in a user's inbox.
type Notification struct {
	ID     string `gorm:"column:id" json:"id"`
	UserID string `gorm:"column:user_id" json:"-"`
	Kind   string `gorm:"column:kind" json:"kind"`
	// Key is what makes the notice unique for its user (see Reminder.Key).
	Key   string     `gorm:"column:key" json:"key"`
	Title string     `gorm:"column:title" json:"title"`
	Body  string     `gorm:"column:body" json:"body"`
	Link  string     `gorm:"column:link" json:"link"`
	DueAt *time.Time `gorm:"column:due_at" json:"due_at,omitempty"`
	// DueDate is the due day people read ("2006-01-02"); DueAt is the
	// instant (for an onboarding task, the midnight after its due day).
	DueDate   *Day       `gorm:"column:due_date" json:"due_date,omitempty"`
	CreatedAt time.Time  `gorm:"column:created_at" json:"created_at"`
	ReadAt    *time.Time `gorm:"column:read_at" json:"read_at,omitempty"`
}

// TableName names the table.
func (Notification) TableName() string { return "notifications" }

// Day is a calendar day, "2006-01-02", in JSON and in a date column.
type Day string

// Scan reads a date column.
func (d *Day) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*d = Day(x.Format(dayLayout))
	case string:
		*d = Day(x[:min(len(x), len(dayLayout))])
	case []byte:
		*d = Day(x[:min(len(x), len(dayLayout))])
	default:
		return fmt.Errorf("notify: cannot read %T as a day", v)
	}
	return nil
}

// Value writes the day.
func (d Day) Value() (driver.Value, error) { return string(d), nil }

// Reminder asks for a notice in a user's inbox. Key must name the event and
// the dates it is about ("task-due:<id>", "cert-expiring-7:<id>:2026-04-01"):
// a second Remind with the same user and key does nothing, so callers may
// remind as often as they like.
type Reminder struct {
	UserID uuid.UUID
	// Kind says what the notice is about (lowercase letters, digits, ._-).
	Kind string
	Key  string
	// Title (required) and Body are plain text; Link is a path in the web
	// app (or an absolute URL) the notice leads to.
	Title, Body, Link string
	// DueAt is when the thing reminded of is due, if it has a date.
	DueAt *time.Time
	// DueDate is the day it is due, as people read it ("2006-01-02"): the
	// last day to do it. Empty: the UTC day of DueAt.
	DueDate string
}

// Inbox is one page of a user's notices, newest first.
type Inbox struct {
	Notifications []Notification `json:"notifications"`
	// UnreadCount counts every unread notice of the user, not just this page.
	UnreadCount int64 `json:"unread_count"`
	// Total counts the notices the page was cut from (the filter applied).
	Total int64 `json:"total"`
}

// Page selects part of an inbox.
type Page struct {
	// Limit is the page size (1 to 100; 0 means 20).
	Limit  int
	Offset int
	// UnreadOnly keeps only unread notices.
	UnreadOnly bool
}

// EmailStatus is where a queued email stands.
type EmailStatus string

// The email statuses (the job queue's, with sent as done): pending waits
// for its next attempt; sending is leased by a sender; sent, failed (for
// good) and skipped (the user is inactive or has no address) are final.
const (
	EmailPending EmailStatus = "pending"
	EmailSending EmailStatus = "sending"
	EmailSent    EmailStatus = "sent"
	EmailFailed  EmailStatus = "failed"
	EmailSkipped EmailStatus = "skipped"
)

// Email is the email queued for one notice.
type Email struct {
	ID             string      `gorm:"column:id"`
	NotificationID string      `gorm:"column:notification_id"`
	Status         EmailStatus `gorm:"column:status"`
	Attempts       int         `gorm:"column:attempts"`
	NextAttemptAt  *time.Time  `gorm:"column:next_attempt_at"`
	LastError      string      `gorm:"column:last_error"`
	ToAddress      string      `gorm:"column:to_address"`
	SentAt         *time.Time  `gorm:"column:sent_at"`
	CreatedAt      time.Time   `gorm:"column:created_at"`
	UpdatedAt      time.Time   `gorm:"column:updated_at"`
}

// TableName names the table.
func (Email) TableName() string { return "notification_emails" }

// JobRef names the email as a queued job.
func (e Email) JobRef() queue.Ref { return queue.Ref{ID: e.ID, Attempts: e.Attempts} }
