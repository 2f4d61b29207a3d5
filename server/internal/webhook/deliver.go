package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// responseExcerptBytes is how much of a receiver's answer is read and kept.
const responseExcerptBytes = 1024

// RunResult counts what one RunOnce did.
type RunResult struct {
	// Events is how many outbox events were fanned out.
	Events int
	// Attempts is how many deliveries were attempted, and Succeeded how
	// many of them a receiver accepted.
	Attempts, Succeeded int
}

// RunOnce fans every new outbox event out into deliveries for the active
// subscriptions of its type (created at or before the event occurred), then
// attempts every delivery that is due, until none is left. Several workers
// (replicas) may run it at once: events are claimed with FOR UPDATE SKIP
// LOCKED and deliveries through the job queue (server/internal/queue), so no
// delivery is sent by two workers at once.
func (s *Service) RunOnce(ctx context.Context) (RunResult, error) {
	var res RunResult
	for {
		n, err := s.fanOut(ctx)
		if err != nil {
			return res, err
		}
		res.Events += n
		if n < s.opts.Batch {
			break
		}
	}
	_, err := s.queue.Drain(ctx, func(ctx context.Context, ds []Delivery, lease time.Time) error {
		ok, err := s.sendAll(ctx, ds, lease)
		res.Attempts += len(ds)
		res.Succeeded += ok
		return err
	})
	return res, err
}

// fanOut turns one batch of new outbox events into deliveries and marks
// the events, in one transaction; it returns how many events it took.
func (s *Service) fanOut(ctx context.Context) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		es, err := pendingEvents(tx, s.opts.Batch)
		if err != nil || len(es) == 0 {
			return err
		}
		subs, err := activeSubscriptions(tx)
		if err != nil {
			return err
		}
		now := s.now()
		var ds []Delivery
		seqs := make([]int64, 0, len(es))
		for _, e := range es {
			seqs = append(seqs, e.Seq)
			for _, sub := range subs {
				if !slices.Contains(sub.EventTypes, e.Type) || e.OccurredAt.Before(sub.CreatedAt) {
					continue
				}
				seq := e.Seq
				ds = append(ds, Delivery{ID: uuid.NewString(), SubscriptionID: sub.ID, EventID: e.ID, EventType: e.Type,
					EventSeq: &seq, ClientID: e.ClientID, OccurredAt: e.OccurredAt, Payload: e.Payload, Status: Pending,
					NextAttemptAt: &now, CreatedAt: e.OccurredAt, UpdatedAt: now})
			}
		}
		if err := insertDeliveries(tx, ds); err != nil {
			return err
		}
		n = len(es)
		return markFannedOut(tx, seqs, now)
	})
	if err != nil {
		return 0, fmt.Errorf("webhook: fan out: %w", err)
	}
	return n, nil
}

// sendAll attempts deliveries claimed with the lease ending at lease: one
// subscription's in event order, different subscriptions at the same time,
// so one slow receiver does not hold up the others. It returns how many
// succeeded.
func (s *Service) sendAll(ctx context.Context, ds []Delivery, lease time.Time) (int, error) {
	bySub := map[string][]*Delivery{}
	for i := range ds {
		bySub[ds[i].SubscriptionID] = append(bySub[ds[i].SubscriptionID], &ds[i])
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ok   int
		errs []error
	)
	for subID, queue := range bySub {
		slices.SortFunc(queue, func(a, b *Delivery) int {
			if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
				return c
			}
			return cmpSeq(a.EventSeq, b.EventSeq)
		})
		wg.Go(func() {
			sub, err := s.store.Subscription(ctx, subID)
			if apperr.Is(err, apperr.NotFound) {
				return // deleted meanwhile, and its deliveries with it
			}
			for _, d := range queue {
				if err == nil {
					err = s.attempt(ctx, d, sub, lease, false)
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if d.Status == Succeeded {
					ok++
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return ok, errors.Join(errs...)
}

func cmpSeq(a, b *int64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	case *a < *b:
		return -1
	case *a > *b:
		return 1
	}
	return 0
}

// attempt sends a delivery claimed with the lease ending at lease once and
// records the outcome through the queue: 2xx is succeeded; otherwise it
// waits for its next retry, or is failed when the attempts are used up (or
// at once when final). An error means the outcome could not be recorded;
// the lease then runs out and it is sent again.
func (s *Service) attempt(ctx context.Context, d *Delivery, sub *Subscription, lease time.Time, final bool) error {
	at := s.now()
	started := time.Now()
	code, excerpt, sendErr := s.send(ctx, d, sub, at)
	a := &Attempt{ID: uuid.NewString(), DeliveryID: d.ID, At: at, DurationMS: int(time.Since(started).Milliseconds()),
		StatusCode: code, ResponseExcerpt: excerpt}
	if sendErr != nil {
		a.Error = sendErr.Error()
	} else if *code < 200 || *code > 299 {
		a.Error = "the receiver answered " + strconv.Itoa(*code) + ", not 2xx"
	}
	o := queue.Outcome{Permanent: final, Set: map[string]any{"last_attempt_at": at, "last_status_code": code},
		Also: func(tx *gorm.DB) error { return insertAttempt(tx, a) },
		Log:  []any{"webhook_id", sub.ID, "event_id", d.EventID}}
	if a.Error != "" {
		o.Err = errors.New(a.Error)
	}
	r, err := s.queue.Finish(ctx, *d, lease, o)
	if err != nil {
		return fmt.Errorf("webhook: record attempt of %s: %w", d.ID, err)
	}
	d.Status, d.Attempts, d.NextAttemptAt, d.LastError = Status(r.Status), r.Attempts, r.NextAttemptAt, r.LastError
	d.LastAttemptAt, d.LastStatusCode, d.UpdatedAt = &at, code, at
	return nil
}

// send POSTs the delivery's envelope, signed, and returns the status code
// (nil when no answer came) and the start of the answer's body.
func (s *Service) send(ctx context.Context, d *Delivery, sub *Subscription, at time.Time) (*int, string, error) {
	secret, err := s.sealer.open(sub.ID, sub.SecretCiphertext)
	if err != nil {
		return nil, "", err
	}
	u, problem := s.policy.checkSyntax(sub.URL)
	if problem != "" {
		return nil, "", errors.New("the URL " + problem)
	}
	if err := s.policy.checkAddress(ctx, u); err != nil {
		return nil, "", err
	}
	body, err := json.Marshal(Envelope{ID: d.EventID, Type: d.EventType, OccurredAt: d.OccurredAt.UTC(), Data: d.Payload})
	if err != nil {
		return nil, "", fmt.Errorf("encode the body: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, "", fmt.Errorf("build the request: %w", err)
	}
	ts := at.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Skillgate-Webhooks/1")
	req.Header.Set(HeaderEventID, d.EventID)
	req.Header.Set(HeaderEventType, d.EventType)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the log already
		}
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, responseExcerptBytes))
	code := resp.StatusCode
	// PostgreSQL text holds valid UTF-8 without NUL bytes.
	excerpt := strings.ReplaceAll(string(bytes.ToValidUTF8(b, []byte("\uFFFD"))), "\x00", "")
	return &code, excerpt, nil
}

// RunJob is RunOnce for the job runner: it counts the delivery attempts.
func (s *Service) RunJob(ctx context.Context) (int, error) {
	r, err := s.RunOnce(ctx)
	return r.Events + r.Attempts, err
}
