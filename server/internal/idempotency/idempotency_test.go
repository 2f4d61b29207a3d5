package idempotency_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/idempotency"
)

func licenseBody(number string) map[string]any {
	return map[string]any{
		"npn": "1234567", "jurisdiction": "TX", "license_number": number, "class": "insurance-producer",
		"lines_of_authority": []string{"life"}, "resident": true,
		"issue_date": "2025-01-10", "effective_date": "2025-01-15", "expiry_date": "2027-01-31",
	}
}

func licenses(t *testing.T, env *apitest.Env, userID string) int {
	t.Helper()
	var n int
	if err := env.DB.Raw(`SELECT count(*) FROM licenses WHERE user_id = ?`, userID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSameKeyConcurrentlyHasOneEffectAndOneAnswer(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.User("agent@idem.test", auth.RoleAgent)
	token := env.Login("agent@idem.test")
	const n = 100
	res := make([]*apitest.Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res[i] = env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses", Token: token,
				Header: map[string]string{idempotency.Header: "same-key-1"}, Body: licenseBody("L-100")})
		}()
	}
	close(start)
	wg.Wait()
	replayed := 0
	for i, r := range res {
		if r.Status != 201 {
			t.Fatalf("request %d: got %d %s, want 201 for every duplicate", i, r.Status, r.Body)
		}
		if !bytes.Equal(r.Body, res[0].Body) {
			t.Fatalf("request %d answered %s, want the first answer %s", i, r.Body, res[0].Body)
		}
		if r.Header.Get(idempotency.ReplayedHeader) == "true" {
			replayed++
		}
	}
	if replayed != n-1 {
		t.Errorf("got %d replayed answers, want %d (all but the one that ran)", replayed, n-1)
	}
	if got := licenses(t, env, u.ID); got != 1 {
		t.Errorf("got %d licenses, want exactly 1", got)
	}
	if got := env.AuditCount("license.submit"); got != 1 {
		t.Errorf("got %d license.submit audit entries, want 1", got)
	}
}

func TestKeyRefusals(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := env.User("a@idem.test", auth.RoleAgent)
	b := env.User("b@idem.test", auth.RoleAgent)
	ta, tb := env.Login("a@idem.test"), env.Login("b@idem.test")
	post := func(token, key string, body any) *apitest.Response {
		return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses", Token: token,
			Header: map[string]string{idempotency.Header: key}, Body: body})
	}
	if r := post(ta, "k1", licenseBody("L-1")); r.Status != 201 {
		t.Fatalf("first: got %d %s", r.Status, r.Body)
	}

	t.Run("same key, different body", func(t *testing.T) {
		r := post(ta, "k1", licenseBody("L-2"))
		var body struct {
			Code    string
			Fields  map[string]string
			Details map[string]string
		}
		r.JSON(t, &body)
		if r.Status != 409 || body.Details["reason"] != idempotency.ReasonMismatch || body.Fields[idempotency.Header] == "" {
			t.Errorf("got %d %s, want 409 with reason %s naming the header", r.Status, r.Body, idempotency.ReasonMismatch)
		}
	})
	t.Run("keys are per principal", func(t *testing.T) {
		r := post(tb, "k1", licenseBody("L-1"))
		if r.Status != 201 || r.Header.Get(idempotency.ReplayedHeader) != "" {
			t.Fatalf("got %d %s (replayed %q), want a fresh 201 for another user", r.Status, r.Body, r.Header.Get(idempotency.ReplayedHeader))
		}
		if licenses(t, env, a.ID) != 1 || licenses(t, env, b.ID) != 1 {
			t.Errorf("want one license each")
		}
	})
	t.Run("bad keys", func(t *testing.T) {
		for _, k := range []string{"has space", string(bytes.Repeat([]byte("k"), 256)), "tab\there"} {
			r := post(ta, k, licenseBody("L-3"))
			if r.Status != 400 || r.Code() != "invalid" || !bytes.Contains(r.Body, []byte(idempotency.Header)) {
				t.Errorf("key %q: got %d %s, want 400 naming %s", k, r.Status, r.Body, idempotency.Header)
			}
		}
	})
	t.Run("a 4xx answer is kept too", func(t *testing.T) {
		bad := licenseBody("L-4")
		delete(bad, "class")
		first, second := post(ta, "k4", bad), post(ta, "k4", bad)
		if first.Status != 400 || second.Status != 400 || second.Header.Get(idempotency.ReplayedHeader) != "true" {
			t.Errorf("got %d then %d (replayed %q), want 400 then the kept 400", first.Status, second.Status, second.Header.Get(idempotency.ReplayedHeader))
		}
	})
	t.Run("without a key nothing changes", func(t *testing.T) {
		r := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses", Token: ta, Body: licenseBody("L-1")})
		if r.Status != 409 {
			t.Errorf("got %d %s, want the service's own 409 for a duplicate license", r.Status, r.Body)
		}
	})
}

func TestCleanupDeletesExpiredKeys(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.User("agent@idem.test", auth.RoleAgent)
	token := env.Login("agent@idem.test")
	for i := range 3 {
		r := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses", Token: token,
			Header: map[string]string{idempotency.Header: fmt.Sprintf("key-%d", i)}, Body: licenseBody(fmt.Sprintf("L-%d", i))})
		if r.Status != 201 {
			t.Fatalf("got %d %s", r.Status, r.Body)
		}
	}
	count := func() int {
		var n int
		env.DB.Raw(`SELECT count(*) FROM idempotency_keys`).Scan(&n)
		return n
	}
	if n, err := env.App.Idempotency.RunOnce(context.Background()); err != nil || n != 0 || count() != 3 {
		t.Fatalf("before expiry: deleted %d (%v), %d left; want 0 deleted, 3 left", n, err, count())
	}
	env.Clock.Advance(24*time.Hour + time.Second)
	if n, err := env.App.Idempotency.RunOnce(context.Background()); err != nil || n != 3 || count() != 0 {
		t.Fatalf("after expiry: deleted %d (%v), %d left; want 3 deleted, none left", n, err, count())
	}
	// An expired key is a new key again.
	token = env.Login("agent@idem.test")
	r := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses", Token: token,
		Header: map[string]string{idempotency.Header: "key-0"}, Body: licenseBody("L-new")})
	if r.Status != 201 || r.Header.Get(idempotency.ReplayedHeader) != "" {
		t.Errorf("got %d %s, want a fresh 201", r.Status, r.Body)
	}
}
