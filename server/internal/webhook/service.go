package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// DefaultSchedule is the wait before each retry: a delivery is attempted
// once and retried len(DefaultSchedule) times (about 22 hours in all), then
// marked failed. Each wait gets up to 10% of random jitter added.
var DefaultSchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
}

// Options configure the service. Zero values take the defaults.
type Options struct {
	// Key is the key material secrets are encrypted with at rest
	// (WEBHOOK_KEY, or the JWT secret); at least 32 bytes.
	Key []byte
	// RequireHTTPS refuses http:// URLs (production).
	RequireHTTPS bool
	// AllowPrivate lets URLs reach loopback and private addresses
	// (development and tests); production refuses them.
	AllowPrivate bool
	// Client sends deliveries; nil builds one with Timeout, no redirects and
	// the internal-address guard.
	Client *http.Client
	// LookupHost resolves a URL's host for the address check; nil uses the
	// system resolver.
	LookupHost func(ctx context.Context, host string) ([]netip.Addr, error)
	// Timeout bounds one attempt (default 10 s).
	Timeout time.Duration
	// Schedule is the wait before each retry (default DefaultSchedule).
	Schedule []time.Duration
	// Batch is how many events or deliveries a worker takes at once (default 50).
	Batch int
	// Lease is how long a claimed delivery is a worker's before another may
	// take it (default 15 min; it must outlast a batch of timeouts).
	Lease time.Duration
	// Log receives worker failures (never secrets).
	Log *slog.Logger
}

// Service manages subscriptions and delivers events.
type Service struct {
	db     *gorm.DB
	store  *Store
	audit  *audit.Recorder
	clock  clock.Clock
	sealer *sealer
	policy urlPolicy
	client *http.Client
	queue  *queue.Queue[Delivery]
	opts   Options
}

// NewService wires the webhook service; it fails when the key material is
// too short.
func NewService(g *gorm.DB, rec *audit.Recorder, clk clock.Clock, opts Options) (*Service, error) {
	sl, err := newSealer(opts.Key)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Schedule == nil {
		opts.Schedule = DefaultSchedule
	}
	if opts.Batch <= 0 {
		opts.Batch = 50
	}
	if opts.Lease <= 0 {
		opts.Lease = 15 * time.Minute
	}
	if opts.LookupHost == nil {
		opts.LookupHost = defaultLookup
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	client := opts.Client
	if client == nil {
		client = newHTTPClient(opts.Timeout, opts.AllowPrivate)
	}
	return &Service{db: g, store: NewStore(g), audit: rec, clock: clk, sealer: sl, client: client, opts: opts,
		queue:  queue.New[Delivery](g, clk, deliveryKind(opts), opts.Log),
		policy: urlPolicy{requireHTTPS: opts.RequireHTTPS, allowPrivate: opts.AllowPrivate, lookup: opts.LookupHost}}, nil
}

// Store returns the service's store, for read-only callers.
func (s *Service) Store() *Store { return s.store }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// manager returns the principal when it may manage webhooks (an admin, or
// an API key with webhooks:manage); forbidden otherwise.
func manager(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil || !(p.Is(auth.RoleAdmin) || p.HasScope(auth.ScopeWebhooksManage)) {
		return nil, apperr.E(apperr.Forbidden, "only admins and API keys with the webhooks:manage scope manage webhooks")
	}
	return p, nil
}

// CreateInput is a new subscription. Active defaults to true.
type CreateInput struct {
	URL         string   `json:"url"`
	EventTypes  []string `json:"event_types"`
	Description string   `json:"description"`
	Active      *bool    `json:"active"`
}

// UpdateInput changes a subscription; nil fields stay as they are.
type UpdateInput struct {
	URL         *string   `json:"url"`
	EventTypes  *[]string `json:"event_types"`
	Description *string   `json:"description"`
	Active      *bool     `json:"active"`
}

// apply validates the changes into sub, adding problems to f.
func (s *Service) apply(ctx context.Context, in UpdateInput, sub *Subscription, f apperr.Fields) {
	if in.URL != nil {
		raw := strings.TrimSpace(*in.URL)
		u, problem := s.policy.checkSyntax(raw)
		if problem == "" {
			if err := s.policy.checkAddress(ctx, u); err != nil {
				problem = err.Error()
			}
		}
		if problem != "" {
			f.Add("url", "%s", problem)
		}
		sub.URL = raw
	}
	if in.EventTypes != nil {
		var types []string
		for _, t := range EventTypes { // canonical order, no duplicates
			if slices.Contains(*in.EventTypes, t) {
				types = append(types, t)
			}
		}
		for _, t := range *in.EventTypes {
			if !slices.Contains(EventTypes, t) {
				f.Add("event_types", "unknown event type %q (known: %s)", t, strings.Join(EventTypes, ", "))
			}
		}
		if len(*in.EventTypes) == 0 {
			f.Add("event_types", "must name at least one event type")
		}
		sub.EventTypes = types
	}
	if in.Description != nil {
		sub.Description = strings.TrimSpace(*in.Description)
		if len(sub.Description) > 500 {
			f.Add("description", "must be at most 500 characters")
		}
	}
	if in.Active != nil {
		sub.Active = *in.Active
	}
}

// Create adds a subscription and returns it with its signing secret, shown
// this once. Audited as webhook.create. Invalid for a bad URL or event
// types; forbidden for anyone but an admin or a webhooks:manage key.
func (s *Service) Create(ctx context.Context, in CreateInput) (*WithSecret, error) {
	p, err := manager(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	actor := p.Actor()
	sub := &Subscription{ID: uuid.NewString(), Active: true, SecretRotatedAt: now,
		CreatedByKind: actor.Kind, CreatedByID: actor.ID, CreatedAt: now, UpdatedAt: now}
	f := apperr.Fields{}
	if in.EventTypes == nil {
		in.EventTypes = []string{}
	}
	s.apply(ctx, UpdateInput{URL: &in.URL, EventTypes: &in.EventTypes, Description: &in.Description, Active: in.Active}, sub, f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	secret := NewSecret()
	sub.SecretCiphertext = s.sealer.seal(sub.ID, secret)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertSubscription(tx, sub); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "webhook.create",
			SubjectType: "webhook", SubjectID: sub.ID, After: sub.summary()})
	})
	if err != nil {
		return nil, fmt.Errorf("webhook: create: %w", err)
	}
	return &WithSecret{Subscription: *sub, Secret: secret}, nil
}

// List returns every subscription, without secrets. Forbidden for anyone
// but an admin or a webhooks:manage key.
func (s *Service) List(ctx context.Context) ([]Subscription, error) {
	if _, err := manager(ctx); err != nil {
		return nil, err
	}
	return s.store.Subscriptions(ctx)
}

// Get returns one subscription, without its secret: forbidden, not_found.
func (s *Service) Get(ctx context.Context, id string) (*Subscription, error) {
	if _, err := manager(ctx); err != nil {
		return nil, err
	}
	return s.store.Subscription(ctx, validID(id))
}

// validID maps a malformed id to one that finds nothing, so it answers
// not_found like a missing one.
func validID(id string) string {
	if uuid.Validate(id) != nil {
		return uuid.Nil.String()
	}
	return id
}

// Update changes a subscription. Audited as webhook.update (when anything
// changed). Invalid, forbidden, not_found.
func (s *Service) Update(ctx context.Context, id string, in UpdateInput) (*Subscription, error) {
	p, err := manager(ctx)
	if err != nil {
		return nil, err
	}
	var sub *Subscription
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sub, err = subscriptionByID(tx, validID(id), true)
		if err != nil {
			return err
		}
		before := sub.summary()
		f := apperr.Fields{}
		s.apply(ctx, in, sub, f)
		if err := f.Err(); err != nil {
			return err
		}
		after := sub.summary()
		if fmt.Sprint(before) == fmt.Sprint(after) {
			return nil
		}
		sub.UpdatedAt = s.now()
		if err := updateSubscription(tx, sub, "url", "description", "event_types", "active", "updated_at"); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "webhook.update",
			SubjectType: "webhook", SubjectID: sub.ID, Before: before, After: after})
	})
	if err != nil {
		return nil, fmt.Errorf("webhook: update: %w", err)
	}
	return sub, nil
}

// Delete removes a subscription and its delivery log. Audited as
// webhook.delete. Forbidden, not_found.
func (s *Service) Delete(ctx context.Context, id string) error {
	p, err := manager(ctx)
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sub, err := subscriptionByID(tx, validID(id), true)
		if err != nil {
			return err
		}
		if err := deleteSubscription(tx, sub); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "webhook.delete",
			SubjectType: "webhook", SubjectID: sub.ID, Before: sub.summary()})
	})
	if err != nil {
		return fmt.Errorf("webhook: delete: %w", err)
	}
	return nil
}

// RotateSecret replaces the signing secret at once and returns the new one,
// shown this once; deliveries from then on are signed with it. Audited as
// webhook.rotate (without either secret). Forbidden, not_found.
func (s *Service) RotateSecret(ctx context.Context, id string) (*WithSecret, error) {
	p, err := manager(ctx)
	if err != nil {
		return nil, err
	}
	secret := NewSecret()
	var sub *Subscription
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sub, err = subscriptionByID(tx, validID(id), true)
		if err != nil {
			return err
		}
		now := s.now()
		sub.SecretCiphertext, sub.SecretRotatedAt, sub.UpdatedAt = s.sealer.seal(sub.ID, secret), now, now
		if err := updateSubscription(tx, sub, "secret_ciphertext", "secret_rotated_at", "updated_at"); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "webhook.rotate",
			SubjectType: "webhook", SubjectID: sub.ID, After: map[string]any{"secret_rotated_at": now}})
	})
	if err != nil {
		return nil, fmt.Errorf("webhook: rotate secret: %w", err)
	}
	return &WithSecret{Subscription: *sub, Secret: secret}, nil
}

// Deliveries lists a subscription's delivery log, newest event first:
// forbidden, not_found.
func (s *Service) Deliveries(ctx context.Context, id string, f DeliveryFilter) ([]Delivery, error) {
	if _, err := manager(ctx); err != nil {
		return nil, err
	}
	if _, err := s.store.Subscription(ctx, validID(id)); err != nil {
		return nil, err
	}
	return s.store.Deliveries(ctx, id, f)
}

// Delivery returns one delivery with its payload and attempts: forbidden,
// not_found.
func (s *Service) Delivery(ctx context.Context, id string) (*Delivery, error) {
	if _, err := manager(ctx); err != nil {
		return nil, err
	}
	return s.store.Delivery(ctx, validID(id))
}

// Ping sends a ping event to the subscription now (whether or not it is
// active) and returns the delivery with the outcome; a failed ping is not
// retried. Forbidden, not_found.
func (s *Service) Ping(ctx context.Context, id string) (*Delivery, error) {
	if _, err := manager(ctx); err != nil {
		return nil, err
	}
	sub, err := s.store.Subscription(ctx, validID(id))
	if err != nil {
		return nil, err
	}
	now := s.now()
	payload := fmt.Sprintf(`{"webhook_id":%q,"message":"Skillgate webhook test"}`, sub.ID)
	lease := s.queue.LeaseFrom(now) // the ping is created claimed by this request
	d := &Delivery{ID: uuid.NewString(), SubscriptionID: sub.ID, EventID: uuid.NewString(), EventType: PingEvent,
		OccurredAt: now, Payload: []byte(payload), Status: Sending, NextAttemptAt: &lease, CreatedAt: now, UpdatedAt: now}
	if err := insertDelivery(s.db.WithContext(ctx), d); err != nil {
		return nil, fmt.Errorf("webhook: ping: %w", err)
	}
	if err := s.attempt(ctx, d, sub, lease, true); err != nil {
		return nil, err
	}
	return s.store.Delivery(ctx, d.ID)
}

// ReplayDelivery sends a delivery again now, with the same event id, and
// returns it with the outcome; when that attempt fails, the retry schedule
// starts over. Audited as webhook.replay. Forbidden, not_found, conflict
// while a worker is sending it.
func (s *Service) ReplayDelivery(ctx context.Context, id string) (*Delivery, error) {
	p, err := manager(ctx)
	if err != nil {
		return nil, err
	}
	id = validID(id)
	var (
		d     Delivery
		lease time.Time
	)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d, lease, err = s.queue.ClaimNow(tx, id)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err != nil {
			exists, err := deliveryExists(tx, id)
			if err != nil {
				return err
			}
			if !exists {
				return apperr.NotFoundf("webhook delivery")
			}
			return apperr.E(apperr.Conflict, "the delivery is being sent right now; look again in a moment")
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "webhook.replay",
			SubjectType: "webhook", SubjectID: d.SubscriptionID, After: map[string]any{"delivery_id": d.ID, "event_id": d.EventID}})
	})
	if err != nil {
		return nil, fmt.Errorf("webhook: replay delivery: %w", err)
	}
	sub, err := s.store.Subscription(ctx, d.SubscriptionID)
	if err != nil {
		return nil, err
	}
	if err := s.attempt(ctx, &d, sub, lease, d.EventType == PingEvent); err != nil {
		return nil, err
	}
	return s.store.Delivery(ctx, d.ID)
}

// MaxReplayEvents bounds one range replay.
const MaxReplayEvents = 10000

// ReplayRange queues again every outbox event of the subscription's types
// that occurred in [from, to), due now with the same event ids, and returns
// how many. Audited as webhook.replay. Invalid for a bad range or more than
// MaxReplayEvents events; forbidden, not_found.
func (s *Service) ReplayRange(ctx context.Context, id string, from, to time.Time) (int, error) {
	p, err := manager(ctx)
	if err != nil {
		return 0, err
	}
	if !from.Before(to) {
		return 0, apperr.Invalidf("to", "must be after from")
	}
	now := s.now()
	n := 0
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sub, err := subscriptionByID(tx, validID(id), true)
		if err != nil {
			return err
		}
		es, err := eventsInRange(tx, sub.EventTypes, from, to, MaxReplayEvents+1)
		if err != nil {
			return err
		}
		if len(es) > MaxReplayEvents {
			return apperr.Invalidf("to", "the range holds more than %d events: replay a shorter one", MaxReplayEvents)
		}
		// Events without a delivery for the webhook get one; every delivery
		// of the events then starts its schedule over, due now (one a
		// worker is sending right now is left to finish).
		ds := make([]Delivery, 0, len(es))
		eventIDs := make([]string, 0, len(es))
		for _, e := range es {
			seq := e.Seq
			ds = append(ds, Delivery{ID: uuid.NewString(), SubscriptionID: sub.ID, EventID: e.ID, EventType: e.Type,
				EventSeq: &seq, ClientID: e.ClientID, OccurredAt: e.OccurredAt, Payload: e.Payload, Status: Pending,
				NextAttemptAt: &now, CreatedAt: e.OccurredAt, UpdatedAt: now})
			eventIDs = append(eventIDs, e.ID)
		}
		if err := insertDeliveries(tx, ds); err != nil {
			return err
		}
		ids, err := deliveryIDs(tx, sub.ID, eventIDs)
		if err != nil {
			return err
		}
		if err := s.queue.Requeue(tx, ids); err != nil {
			return err
		}
		n = len(es)
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "webhook.replay",
			SubjectType: "webhook", SubjectID: sub.ID, After: map[string]any{"from": from, "to": to, "events": n}})
	})
	if err != nil {
		return 0, fmt.Errorf("webhook: replay range: %w", err)
	}
	return n, nil
}
