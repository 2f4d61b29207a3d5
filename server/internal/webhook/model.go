// Package webhook tells the routing system (and any other integrator) about
// changes: admins, or API keys with the webhooks:manage scope, subscribe a
// URL to event types; a worker turns every new outbox event into one
// delivery per matching subscription and POSTs it, signed with HMAC-SHA256
// over the timestamp and the body, retrying with exponential backoff; every
// delivery and attempt is logged and can be replayed.
//
// Delivery is at least once and unordered: a failing event never holds back
// the next one. Each body carries the outbox event's id (stable across
// retries and replays, so receivers de-duplicate on it) and occurred_at
// (so receivers keep the newest state per subject). The README's Webhooks
// section shows how a receiver verifies a delivery.
package webhook

import (
	"encoding/json"
	"time"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/outbox"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// PingEvent is the type of the test event POST /webhooks/{id}/ping sends.
const PingEvent = "ping"

// EventTypes are the outbox event types a subscription may choose from.
var EventTypes = []string{outbox.EligibilityChanged, outbox.CertificationChanged, outbox.LicenseChanged, outbox.AppointmentChanged}

// The headers of every delivery.
const (
	HeaderEventID   = "Skillgate-Event-Id"
	HeaderEventType = "Skillgate-Event-Type"
	HeaderTimestamp = "Skillgate-Timestamp"
	HeaderSignature = "Skillgate-Signature"
)

// Subscription is one webhook: where to send which events. Its signing
// secret is never part of it (see NewSecret).
type Subscription struct {
	ID              string         `gorm:"column:id" json:"id"`
	URL             string         `gorm:"column:url" json:"url"`
	Description     string         `gorm:"column:description" json:"description"`
	EventTypes      auth.TextArray `gorm:"column:event_types" json:"event_types"`
	Active          bool           `gorm:"column:active" json:"active"`
	SecretRotatedAt time.Time      `gorm:"column:secret_rotated_at" json:"secret_rotated_at"`
	CreatedByKind   string         `gorm:"column:created_by_kind" json:"created_by_kind"`
	CreatedByID     string         `gorm:"column:created_by_id" json:"created_by_id"`
	CreatedAt       time.Time      `gorm:"column:created_at" json:"created_at"`
	UpdatedAt       time.Time      `gorm:"column:updated_at" json:"updated_at"`
	// SecretCiphertext is the encrypted signing secret; never answered.
	SecretCiphertext []byte `gorm:"column:secret_ciphertext" json:"-"`
}

// TableName names the table.
func (Subscription) TableName() string { return "webhook_subscriptions" }

// summary is the subscription as audit entries record it: never the secret.
func (s *Subscription) summary() map[string]any {
	return map[string]any{"url": s.URL, "description": s.Description, "event_types": s.EventTypes, "active": s.Active}
}

// WithSecret is a subscription with its signing secret, answered once: at
// creation and at rotation.
type WithSecret struct {
	Subscription
	Secret string `json:"secret"`
}

// Status is where a delivery stands.
type Status string

// Delivery statuses: the queue's (server/internal/queue) with Succeeded
// as its done status.
const (
	// Pending waits for its next attempt (at next_attempt_at).
	Pending Status = "pending"
	// Sending is being attempted by a worker; next_attempt_at is the end of
	// its lease, after which another worker may take it again.
	Sending Status = "sending"
	// Succeeded was answered with a 2xx.
	Succeeded Status = "succeeded"
	// Failed exhausted its attempts; replay it to try again.
	Failed Status = "failed"
)

// Delivery is one event for one subscription, with its latest outcome.
type Delivery struct {
	ID             string          `gorm:"column:id" json:"id"`
	SubscriptionID string          `gorm:"column:subscription_id" json:"webhook_id"`
	EventID        string          `gorm:"column:event_id" json:"event_id"`
	EventType      string          `gorm:"column:event_type" json:"event_type"`
	EventSeq       *int64          `gorm:"column:event_seq" json:"-"`
	ClientID       *string         `gorm:"column:client_id" json:"client_id,omitempty"`
	OccurredAt     time.Time       `gorm:"column:occurred_at" json:"occurred_at"`
	Payload        json.RawMessage `gorm:"column:payload" json:"payload,omitempty"`
	Status         Status          `gorm:"column:status" json:"status"`
	Attempts       int             `gorm:"column:attempts" json:"attempts"`
	NextAttemptAt  *time.Time      `gorm:"column:next_attempt_at" json:"next_attempt_at,omitempty"`
	LastAttemptAt  *time.Time      `gorm:"column:last_attempt_at" json:"last_attempt_at,omitempty"`
	LastStatusCode *int            `gorm:"column:last_status_code" json:"last_status_code,omitempty"`
	LastError      string          `gorm:"column:last_error" json:"last_error"`
	CreatedAt      time.Time       `gorm:"column:created_at" json:"created_at"`
	UpdatedAt      time.Time       `gorm:"column:updated_at" json:"updated_at"`
	// History lists the attempts, oldest first (GetDelivery only).
	History *[]Attempt `gorm:"-" json:"history,omitempty"`
}

// TableName names the table.
func (Delivery) TableName() string { return "webhook_deliveries" }

// JobRef names the delivery as a queued job.
func (d Delivery) JobRef() queue.Ref { return queue.Ref{ID: d.ID, Attempts: d.Attempts} }

// Attempt is one POST of a delivery and what came back.
type Attempt struct {
	ID              string    `gorm:"column:id" json:"id"`
	DeliveryID      string    `gorm:"column:delivery_id" json:"-"`
	At              time.Time `gorm:"column:at" json:"at"`
	DurationMS      int       `gorm:"column:duration_ms" json:"duration_ms"`
	StatusCode      *int      `gorm:"column:status_code" json:"status_code,omitempty"`
	Error           string    `gorm:"column:error" json:"error"`
	ResponseExcerpt string    `gorm:"column:response_excerpt" json:"response_excerpt"`
}

// TableName names the table.
func (Attempt) TableName() string { return "webhook_attempts" }

// Envelope is the JSON body of every delivery.
type Envelope struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	OccurredAt time.Time       `json:"occurred_at"`
	Data       json.RawMessage `json:"data"`
}
