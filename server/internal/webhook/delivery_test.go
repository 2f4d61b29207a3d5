package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/outbox"
	"github.com/skillgate/skillgate/server/internal/webhook"
)

func TestDeliveryIsSignedAsDocumented(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged})
	eventID := f.enqueue(t, outbox.LicenseChanged, map[string]any{"license_id": "l1", "status": "verified"})
	f.enqueue(t, outbox.CertificationChanged, map[string]any{"state": "certified"}) // not subscribed
	if res := f.run(t); res.Events != 2 || res.Attempts != 1 || res.Succeeded != 1 {
		t.Fatalf("got %+v, want 2 events fanned out into 1 successful attempt", res)
	}
	got := f.recv.requests()
	if len(got) != 1 {
		t.Fatalf("got %d requests, want 1", len(got))
	}
	r := got[0]
	if problem := verify(f.secret, r.Header, r.Body, f.Clock.Now()); problem != "" {
		t.Errorf("the receiver's check failed: %s", problem)
	}
	if err := webhook.Verify(f.secret, r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), r.Body, f.Clock.Now(), 5*time.Minute); err != nil {
		t.Errorf("webhook.Verify: %v", err)
	}
	tampered := append([]byte(nil), r.Body...)
	tampered[len(tampered)-2] = ' '
	for name, tc := range map[string]struct {
		secret string
		body   []byte
		now    time.Time
		want   string
	}{
		"tampered body":    {f.secret, tampered, f.Clock.Now(), "bad signature"},
		"other secret":     {webhook.NewSecret(), r.Body, f.Clock.Now(), "bad signature"},
		"replayed later":   {f.secret, r.Body, f.Clock.Now().Add(6 * time.Minute), "old timestamp"},
		"still acceptable": {f.secret, r.Body, f.Clock.Now().Add(4 * time.Minute), ""},
	} {
		if got := verify(tc.secret, r.Header, tc.body, tc.now); got != tc.want {
			t.Errorf("%s: got %q, want %q", name, got, tc.want)
		}
	}
	if r.Header.Get("Skillgate-Event-Id") != eventID || r.Env.ID != eventID {
		t.Errorf("got event id %q / %q, want the outbox event's %q", r.Header.Get("Skillgate-Event-Id"), r.Env.ID, eventID)
	}
	if r.Header.Get("Skillgate-Event-Type") != outbox.LicenseChanged || r.Env.Type != outbox.LicenseChanged {
		t.Errorf("got type %q / %q, want %q", r.Header.Get("Skillgate-Event-Type"), r.Env.Type, outbox.LicenseChanged)
	}
	if !r.Env.OccurredAt.Equal(f.Clock.Now()) || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("got occurred_at %s, content type %q, want %s and application/json", r.Env.OccurredAt, r.Header.Get("Content-Type"), f.Clock.Now())
	}
	var data map[string]string
	if err := json.Unmarshal(r.Env.Data, &data); err != nil || data["license_id"] != "l1" || data["status"] != "verified" {
		t.Errorf("got data %s, want the event's payload", r.Env.Data)
	}
}

func TestRetriesWithBackoffThenSucceeds(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.EligibilityChanged}, 500, 503)
	eventID := f.enqueue(t, outbox.EligibilityChanged, map[string]any{"agent_id": "a", "eligible": true})
	start := f.Clock.Now()

	f.run(t)
	ds := f.deliveries(t, "")
	if len(ds) != 1 || ds[0].Status != webhook.Pending || ds[0].Attempts != 1 || ds[0].LastStatusCode == nil || *ds[0].LastStatusCode != 500 {
		t.Fatalf("after the first attempt got %+v, want one pending delivery, 1 attempt, last status 500", ds)
	}
	within := func(got *time.Time, base time.Duration) {
		t.Helper()
		lo, hi := f.Clock.Now().Add(base), f.Clock.Now().Add(base+base/10)
		if got == nil || got.Before(lo) || got.After(hi) {
			t.Fatalf("got next attempt at %v, want between %s and %s", got, lo, hi)
		}
	}
	within(ds[0].NextAttemptAt, 10*time.Second)

	f.Clock.Advance(9 * time.Second)
	if res := f.run(t); res.Attempts != 0 {
		t.Fatalf("9 s later got %d attempts, want none before the backoff", res.Attempts)
	}
	f.Clock.Set(*ds[0].NextAttemptAt)
	f.run(t)
	d := f.delivery(t, ds[0].ID)
	if d.Attempts != 2 || d.Status != webhook.Pending {
		t.Fatalf("got %d attempts, %s, want 2, pending", d.Attempts, d.Status)
	}
	within(d.NextAttemptAt, 30*time.Second)

	f.Clock.Set(*d.NextAttemptAt)
	f.run(t)
	d = f.delivery(t, ds[0].ID)
	if d.Status != webhook.Succeeded || d.Attempts != 3 || d.NextAttemptAt != nil || d.LastError != "" || *d.LastStatusCode != 200 {
		t.Errorf("got %+v, want succeeded after 3 attempts", d)
	}
	if d.History == nil || len(*d.History) != 3 {
		t.Fatalf("got history %v, want 3 attempts", d.History)
	}
	h := *d.History
	wantCodes := []int{500, 503, 200}
	for i, a := range h {
		if a.StatusCode == nil || *a.StatusCode != wantCodes[i] {
			t.Errorf("attempt %d: got status %v, want %d", i+1, a.StatusCode, wantCodes[i])
		}
	}
	if h[0].Error == "" || h[2].Error != "" || h[0].ResponseExcerpt != "status 500" {
		t.Errorf("got errors %q, %q and excerpt %q, want the failures explained and the receiver's answer kept", h[0].Error, h[2].Error, h[0].ResponseExcerpt)
	}
	if gap := h[1].At.Sub(h[0].At); gap < 10*time.Second || gap > 11*time.Second {
		t.Errorf("got %s between attempts 1 and 2, want 10 s plus at most 10%% jitter", gap)
	}
	if gap := h[2].At.Sub(start); gap < 40*time.Second || gap > 44*time.Second {
		t.Errorf("got %s from first to third attempt, want 10 s + 30 s plus jitter", gap)
	}
	got := f.recv.requests()
	if len(got) != 3 {
		t.Fatalf("got %d requests, want 3", len(got))
	}
	for i, r := range got {
		if r.Env.ID != eventID || r.Header.Get("Skillgate-Event-Id") != eventID {
			t.Errorf("request %d: got event id %q, want the same %q on every retry", i+1, r.Env.ID, eventID)
		}
		if problem := verify(f.secret, r.Header, r.Body, h[i].At); problem != "" {
			t.Errorf("request %d: %s (each retry is signed with its own timestamp)", i+1, problem)
		}
	}
}

func TestGivesUpAfterTheLastAttempt(t *testing.T) {
	t.Parallel()
	statuses := make([]int, 20)
	for i := range statuses {
		statuses[i] = 500
	}
	f := newFixture(t, []string{outbox.CertificationChanged}, statuses...)
	f.enqueue(t, outbox.CertificationChanged, map[string]any{"state": "certified"})
	for range 12 {
		f.run(t)
		f.Clock.Advance(14 * time.Hour) // longer than any wait, jitter included
	}
	f.admin = f.Login("admin@example.com") // the clock moved past the token's life
	want := len(webhook.DefaultSchedule) + 1
	if got := len(f.recv.requests()); got != want {
		t.Errorf("got %d requests, want %d (one attempt and %d retries)", got, want, want-1)
	}
	ds := f.deliveries(t, "?status=failed")
	if len(ds) != 1 || ds[0].Attempts != want || ds[0].NextAttemptAt != nil || ds[0].LastError == "" {
		t.Fatalf("got %+v, want one failed delivery with %d attempts and no next attempt", ds, want)
	}
	if pending := f.deliveries(t, "?status=pending"); len(pending) != 0 {
		t.Errorf("got %d pending deliveries, want none", len(pending))
	}
}

func TestReplaysKeepTheEventID(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged, outbox.CertificationChanged})
	from := f.Clock.Now()
	e1 := f.enqueue(t, outbox.LicenseChanged, map[string]any{"n": 1})
	f.Clock.Advance(time.Minute)
	e2 := f.enqueue(t, outbox.CertificationChanged, map[string]any{"n": 2})
	f.Clock.Advance(time.Hour)
	f.enqueue(t, outbox.LicenseChanged, map[string]any{"n": 3}) // outside the range replayed below
	f.run(t)
	if got := len(f.recv.requests()); got != 3 {
		t.Fatalf("got %d requests, want 3", got)
	}
	f.admin = f.Login("admin@example.com") // the clock moved past the token's life

	ds := f.deliveries(t, "")
	var first webhook.Delivery
	for _, d := range ds {
		if d.EventID == e1 {
			first = d
		}
	}
	var replayed webhook.Delivery
	f.must(t, "POST", "/api/v1/webhook-deliveries/"+first.ID+"/replay", nil, 200).JSON(t, &replayed)
	got := f.recv.requests()
	if len(got) != 4 || got[3].Env.ID != e1 || got[3].Header.Get("Skillgate-Event-Id") != e1 {
		t.Fatalf("after replaying got %d requests (last %q), want a 4th with event id %q", len(got), got[len(got)-1].Env.ID, e1)
	}
	if replayed.Status != webhook.Succeeded || replayed.History == nil || len(*replayed.History) != 2 {
		t.Errorf("got %s with history %v, want succeeded with both attempts", replayed.Status, replayed.History)
	}

	var q struct{ Queued int }
	f.must(t, "POST", "/api/v1/webhooks/"+f.hookID+"/replay",
		map[string]any{"from": from, "to": from.Add(30 * time.Minute)}, 202).JSON(t, &q)
	if q.Queued != 2 {
		t.Errorf("got %d queued, want the 2 events in the range", q.Queued)
	}
	f.run(t)
	got = f.recv.requests()[4:]
	if len(got) != 2 || got[0].Env.ID != e1 || got[1].Env.ID != e2 {
		t.Errorf("got %d replayed requests, want e1 then e2 with their original ids", len(got))
	}
	if n := len(f.deliveries(t, "")); n != 3 {
		t.Errorf("got %d deliveries, want still 3: a replay re-sends, it does not duplicate", n)
	}
	if n := f.AuditCount("webhook.replay"); n != 2 {
		t.Errorf("got %d webhook.replay audit entries, want 2", n)
	}
	f.must(t, "POST", "/api/v1/webhooks/"+f.hookID+"/replay", map[string]any{"from": from, "to": from}, 400)
	f.must(t, "POST", "/api/v1/webhook-deliveries/"+"00000000-0000-0000-0000-000000000001"+"/replay", nil, 404)
}

func TestTwoWorkersNeverSendADeliveryTwice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged})
	const events = 60
	for i := range events {
		f.enqueue(t, outbox.LicenseChanged, map[string]any{"n": i})
	}
	// A second replica: its own service over the same database.
	other, err := webhook.NewService(f.DB, audit.NewRecorder(f.Clock), f.Clock,
		webhook.Options{Key: f.App.Config.JWTSecret, AllowPrivate: true, Batch: 7})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]webhook.RunResult, 4)
	errs := make([]error, 4)
	for i := range 4 {
		svc := f.App.Webhooks
		if i%2 == 1 {
			svc = other
		}
		wg.Go(func() { results[i], errs[i] = svc.RunOnce(context.Background()) })
	}
	wg.Wait()
	attempts, fanned := 0, 0
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i, errs[i])
		}
		attempts += results[i].Attempts
		fanned += results[i].Events
	}
	if attempts != events || fanned != events {
		t.Errorf("got %d attempts and %d events fanned out across the workers, want %d each", attempts, fanned, events)
	}
	seen := map[string]int{}
	for _, r := range f.recv.requests() {
		seen[r.Env.ID]++
	}
	if len(seen) != events {
		t.Errorf("got %d distinct events, want %d", len(seen), events)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s: got %d deliveries, want 1", id, n)
		}
	}
	if f.recv.overlap {
		t.Error("an event was received twice at the same moment")
	}
}

func TestEventsAreAttemptedInOrderAndAFailureDoesNotBlock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.EligibilityChanged}, 500) // the first request fails
	var ids []string
	for i := range 3 {
		ids = append(ids, f.enqueue(t, outbox.EligibilityChanged, map[string]any{"n": i}))
		f.Clock.Advance(time.Second)
	}
	f.run(t)
	got := f.recv.requests()
	if len(got) != 3 {
		t.Fatalf("got %d requests, want all 3 attempted though the first failed", len(got))
	}
	for i, r := range got {
		if r.Env.ID != ids[i] {
			t.Errorf("request %d: got event %s, want %s (event order)", i+1, r.Env.ID, ids[i])
		}
	}
	if !got[0].Env.OccurredAt.Before(got[1].Env.OccurredAt) {
		t.Errorf("got occurred_at %s then %s, want increasing so receivers can order", got[0].Env.OccurredAt, got[1].Env.OccurredAt)
	}
	f.Clock.Advance(11 * time.Second)
	f.run(t)
	got = f.recv.requests()
	if len(got) != 4 || got[3].Env.ID != ids[0] {
		t.Errorf("got %d requests, want the failed first event retried last", len(got))
	}
}

func TestFanOutOnlyToActiveSubscribersOfTheType(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged})
	// An event that occurred before the webhook existed is not its business.
	f.Clock.Advance(-time.Hour)
	f.enqueue(t, outbox.LicenseChanged, map[string]any{"old": true})
	f.Clock.Advance(time.Hour)
	f.must(t, "PATCH", "/api/v1/webhooks/"+f.hookID, map[string]any{"active": false}, 200)
	f.enqueue(t, outbox.LicenseChanged, map[string]any{"while": "inactive"})
	if res := f.run(t); res.Events != 2 || res.Attempts != 0 {
		t.Fatalf("got %+v, want both events taken and nothing sent", res)
	}
	f.must(t, "PATCH", "/api/v1/webhooks/"+f.hookID, map[string]any{"active": true, "event_types": []string{"license.changed", "eligibility.changed"}}, 200)
	id := f.enqueue(t, outbox.EligibilityChanged, map[string]any{"now": "active"})
	f.run(t)
	got := f.recv.requests()
	if len(got) != 1 || got[0].Env.ID != id {
		t.Errorf("got %d requests, want only the event after reactivation", len(got))
	}
	if res := f.run(t); res.Events != 0 || res.Attempts != 0 {
		t.Errorf("a second run got %+v, want nothing left to do", res)
	}
}

func TestAnEventRolledBackWithItsChangeIsNeverDelivered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged})
	errChange := errors.New("the license change failed")
	err := f.DB.Transaction(func(tx *gorm.DB) error {
		if _, err := outbox.Enqueue(context.Background(), tx, f.Clock.Now(), outbox.LicenseChanged, "", "license:1", map[string]any{"n": 1}); err != nil {
			return err
		}
		if res := f.run(t); res.Events != 0 || res.Attempts != 0 {
			t.Errorf("while the change was open a worker got %+v, want nothing to do", res)
		}
		return errChange
	})
	if !errors.Is(err, errChange) {
		t.Fatalf("got %v, want the change's failure", err)
	}
	if res := f.run(t); res.Events != 0 || res.Attempts != 0 || len(f.recv.requests()) != 0 {
		t.Errorf("after the rollback got %+v and %d requests, want nothing delivered", res, len(f.recv.requests()))
	}
	if ds := f.deliveries(t, ""); len(ds) != 0 {
		t.Errorf("got %d deliveries, want none", len(ds))
	}
}
