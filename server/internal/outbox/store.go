// Package outbox records the events the routing system subscribes to
// (eligibility.changed, certification.changed, license.changed) in the same
// transaction as the change that causes them, so an event exists exactly
// when its change committed. Delivery (webhooks) reads the table later.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Event types.
const (
	EligibilityChanged   = "eligibility.changed"
	CertificationChanged = "certification.changed"
	LicenseChanged       = "license.changed"
	AppointmentChanged   = "appointment.changed"
)

// Event is one recorded change.
type Event struct {
	Seq        int64           `gorm:"column:seq" json:"seq"`
	ID         string          `gorm:"column:id" json:"id"`
	Type       string          `gorm:"column:type" json:"type"`
	ClientID   *string         `gorm:"column:client_id" json:"client_id,omitempty"`
	Subject    string          `gorm:"column:subject" json:"subject"`
	Payload    json.RawMessage `gorm:"column:payload" json:"payload"`
	OccurredAt time.Time       `gorm:"column:occurred_at" json:"occurred_at"`
}

// TableName names the table.
func (Event) TableName() string { return "outbox_events" }

// Enqueue writes an event inside tx, the transaction making the change.
// subject names what changed (e.g. "certification:<id>"); payload is the
// event's body as subscribers receive it. It returns the event's id.
func Enqueue(ctx context.Context, tx *gorm.DB, at time.Time, typ, clientID, subject string, payload any) (string, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("outbox: encode %s: %w", typ, err)
	}
	e := Event{ID: uuid.NewString(), Type: typ, Subject: subject, Payload: raw, OccurredAt: at.UTC().Truncate(time.Microsecond)}
	if clientID != "" {
		e.ClientID = &clientID
	}
	if err := tx.WithContext(ctx).Omit("seq").Create(&e).Error; err != nil {
		return "", fmt.Errorf("outbox: enqueue %s: %w", typ, err)
	}
	return e.ID, nil
}

// After returns up to limit events with seq greater than after, oldest
// first (delivery workers and tests read with it).
func After(ctx context.Context, db *gorm.DB, after int64, limit int) ([]Event, error) {
	var es []Event
	if err := db.WithContext(ctx).Where("seq > ?", after).Order("seq").Limit(limit).Find(&es).Error; err != nil {
		return nil, fmt.Errorf("outbox: read: %w", err)
	}
	return es, nil
}
