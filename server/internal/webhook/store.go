package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/outbox"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// Store is the webhook tables' SQL.
type Store struct{ db *gorm.DB }

// NewStore returns the store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// Subscription finds a subscription; not_found when there is none.
func (s *Store) Subscription(ctx context.Context, id string) (*Subscription, error) {
	return subscriptionByID(s.db.WithContext(ctx), id, false)
}

func subscriptionByID(tx *gorm.DB, id string, lock bool) (*Subscription, error) {
	var sub Subscription
	q := tx
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ?", id).Take(&sub).Error; err != nil {
		return nil, db.Translate(err, "webhook")
	}
	return &sub, nil
}

// Subscriptions lists every subscription, oldest first.
func (s *Store) Subscriptions(ctx context.Context) ([]Subscription, error) {
	subs := []Subscription{}
	if err := s.db.WithContext(ctx).Order("created_at, id").Find(&subs).Error; err != nil {
		return nil, fmt.Errorf("webhook: list: %w", err)
	}
	return subs, nil
}

// DeliveryFilter narrows a delivery log.
type DeliveryFilter struct {
	Status Status
	Limit  int
	Offset int
}

// Deliveries lists a subscription's deliveries, newest event first,
// without payloads.
func (s *Store) Deliveries(ctx context.Context, subscriptionID string, f DeliveryFilter) ([]Delivery, error) {
	ds := []Delivery{}
	q := s.db.WithContext(ctx).Omit("payload").Where("subscription_id = ?", subscriptionID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if err := q.Order("created_at DESC, id").Limit(f.Limit).Offset(f.Offset).Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("webhook: list deliveries: %w", err)
	}
	return ds, nil
}

// Delivery finds a delivery with its attempts' history; not_found when
// there is none.
func (s *Store) Delivery(ctx context.Context, id string) (*Delivery, error) {
	g := s.db.WithContext(ctx)
	var d Delivery
	if err := g.Where("id = ?", id).Take(&d).Error; err != nil {
		return nil, db.Translate(err, "webhook delivery")
	}
	history := []Attempt{}
	if err := g.Where("delivery_id = ?", id).Order("at, id").Find(&history).Error; err != nil {
		return nil, fmt.Errorf("webhook: delivery history: %w", err)
	}
	d.History = &history
	return &d, nil
}

// pendingEvents locks up to limit outbox events not yet fanned out, oldest
// first, skipping those another worker holds.
func pendingEvents(tx *gorm.DB, limit int) ([]outbox.Event, error) {
	es := []outbox.Event{}
	err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
		Where("webhook_fanned_out_at IS NULL").Order("seq").Limit(limit).Find(&es).Error
	if err != nil {
		return nil, fmt.Errorf("webhook: pending events: %w", err)
	}
	return es, nil
}

func markFannedOut(tx *gorm.DB, seqs []int64, at time.Time) error {
	err := tx.Table("outbox_events").Where("seq IN ?", seqs).Update("webhook_fanned_out_at", at).Error
	if err != nil {
		return fmt.Errorf("webhook: mark fanned out: %w", err)
	}
	return nil
}

// insertDeliveries adds deliveries, leaving any subscription × event that
// already has one as it is.
func insertDeliveries(tx *gorm.DB, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "subscription_id"}, {Name: "event_id"}}, DoNothing: true}).
		Omit("History").CreateInBatches(ds, 200).Error
	if err != nil {
		return fmt.Errorf("webhook: insert deliveries: %w", err)
	}
	return nil
}

// deliveryKind is the queue kind of deliveries: the documented schedule
// (Options.Schedule) with up to 10% jitter, claimed in event order, and
// only while the subscription is active.
func deliveryKind(o Options) queue.Kind {
	return queue.Kind{Name: "webhook-delivery", Table: "webhook_deliveries", Done: string(Succeeded),
		Schedule: o.Schedule, Jitter: 0.1, Lease: o.Lease, Batch: o.Batch,
		Order: "j.next_attempt_at, j.occurred_at, j.event_seq, j.id",
		Ready: "EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = j.subscription_id AND s.active)"}
}

// insertAttempt adds one attempt to a delivery's history.
func insertAttempt(tx *gorm.DB, a *Attempt) error {
	if err := tx.Create(a).Error; err != nil {
		return fmt.Errorf("webhook: record attempt: %w", err)
	}
	return nil
}

// oldestUndeliveredQuery is the oldest event not yet delivered: not yet
// fanned out into deliveries, or with a delivery still pending or sending.
const oldestUndeliveredQuery = `
SELECT min(t) FROM (
  SELECT min(occurred_at) AS t FROM outbox_events WHERE webhook_fanned_out_at IS NULL
  UNION ALL
  SELECT min(occurred_at) FROM webhook_deliveries WHERE status IN ('pending', 'sending') AND event_seq IS NOT NULL
) pending`

// oldestUndelivered is when the oldest event not yet delivered occurred,
// invalid when nothing waits.
func (s *Store) oldestUndelivered(ctx context.Context) (sql.NullTime, error) {
	var oldest sql.NullTime
	err := s.db.WithContext(ctx).Raw(oldestUndeliveredQuery).Scan(&oldest).Error
	return oldest, err
}

// insertSubscription inserts a subscription in tx. Errors: conflict.
func insertSubscription(tx *gorm.DB, sub *Subscription) error {
	if err := tx.Create(sub).Error; err != nil {
		return db.Translate(err, "webhook")
	}
	return nil
}

// updateSubscription writes the named columns of sub in tx.
func updateSubscription(tx *gorm.DB, sub *Subscription, columns ...string) error {
	if err := tx.Model(sub).Select(columns).Updates(sub).Error; err != nil {
		return db.Translate(err, "webhook")
	}
	return nil
}

// deleteSubscription deletes a subscription (and, by cascade, its
// deliveries) in tx.
func deleteSubscription(tx *gorm.DB, sub *Subscription) error {
	if err := tx.Delete(sub).Error; err != nil {
		return db.Translate(err, "webhook")
	}
	return nil
}

// insertDelivery inserts one delivery (without its attempt history).
func insertDelivery(tx *gorm.DB, d *Delivery) error {
	return tx.Omit("History").Create(d).Error
}

// deliveryExists reports whether the delivery exists.
func deliveryExists(tx *gorm.DB, id string) (bool, error) {
	var n int64
	if err := tx.Model(&Delivery{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return false, err
	}
	return n > 0, nil
}

// eventsInRange returns up to limit outbox events of the types that
// occurred in [from, to), by sequence.
func eventsInRange(tx *gorm.DB, types []string, from, to time.Time, limit int) ([]outbox.Event, error) {
	es := []outbox.Event{}
	err := tx.Where("type IN ? AND occurred_at >= ? AND occurred_at < ?", types, from, to).
		Order("seq").Limit(limit).Find(&es).Error
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return es, nil
}

// deliveryIDs returns the ids of the subscription's deliveries of the
// events, in tx.
func deliveryIDs(tx *gorm.DB, subscriptionID string, eventIDs []string) ([]string, error) {
	var ids []string
	err := tx.Model(&Delivery{}).Where("subscription_id = ? AND event_id IN ?", subscriptionID, eventIDs).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("webhook: delivery ids: %w", err)
	}
	return ids, nil
}

// activeSubscriptions returns the active subscriptions, in tx.
func activeSubscriptions(tx *gorm.DB) ([]Subscription, error) {
	subs := []Subscription{}
	if err := tx.Where("active").Find(&subs).Error; err != nil {
		return nil, fmt.Errorf("webhook: active subscriptions: %w", err)
	}
	return subs, nil
}
