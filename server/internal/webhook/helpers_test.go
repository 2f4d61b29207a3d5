package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/outbox"
	"github.com/skillgate/skillgate/server/internal/webhook"
)

// received is one request the test receiver got.
type received struct {
	Header http.Header
	Body   []byte
	Env    webhook.Envelope
}

// receiver is a real local HTTP server that records every delivery and
// answers with the next status of its script (200 once the script is used up).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	statuses []int
	inFlight map[string]int
	overlap  bool // the same event was being received twice at once
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses, inFlight: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var env webhook.Envelope
		_ = json.Unmarshal(body, &env)
		r.mu.Lock()
		r.inFlight[env.ID]++
		if r.inFlight[env.ID] > 1 {
			r.overlap = true
		}
		r.got = append(r.got, received{Header: req.Header.Clone(), Body: body, Env: env})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.inFlight[env.ID]--
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "status "+strconv.Itoa(status))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// verify checks a delivery the way the README tells receivers to: the HMAC
// of timestamp + "." + body with the secret, and a timestamp at most five
// minutes from now. It does not call package webhook on purpose.
func verify(secret string, h http.Header, body []byte, now time.Time) string {
	ts, err := strconv.ParseInt(h.Get("Skillgate-Timestamp"), 10, 64)
	if err != nil {
		return "bad timestamp"
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return "old timestamp"
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10) + "."))
	mac.Write(body)
	if !hmac.Equal([]byte(h.Get("Skillgate-Signature")), []byte("v1="+hex.EncodeToString(mac.Sum(nil)))) {
		return "bad signature"
	}
	return ""
}

// fixture is an app with an admin and a webhook pointing at a receiver.
type fixture struct {
	*apitest.Env
	admin  string // admin's token
	recv   *receiver
	hookID string
	secret string
}

func newFixture(t *testing.T, types []string, statuses ...int) *fixture {
	t.Helper()
	env := apitest.New(t)
	env.User("admin@example.com", auth.RoleAdmin)
	f := &fixture{Env: env, admin: env.Login("admin@example.com"), recv: newReceiver(t, statuses...)}
	var hook webhook.WithSecret
	f.must(t, "POST", "/api/v1/webhooks", map[string]any{"url": f.recv.URL + "/hook", "event_types": types}, 201).JSON(t, &hook)
	f.hookID, f.secret = hook.ID, hook.Secret
	return f
}

func (f *fixture) must(t *testing.T, method, path string, body any, want int) *apitest.Response {
	t.Helper()
	res := f.Do(apitest.Request{Method: method, Path: path, Body: body, Token: f.admin})
	if res.Status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, res.Status, res.Body, want)
	}
	return res
}

// enqueue writes an outbox event now, as a domain's transaction would.
func (f *fixture) enqueue(t *testing.T, typ string, payload any) string {
	t.Helper()
	var id string
	err := f.DB.Transaction(func(tx *gorm.DB) error {
		var err error
		id, err = outbox.Enqueue(context.Background(), tx, f.Clock.Now(), typ, "", "test:1", payload)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) run(t *testing.T) webhook.RunResult {
	t.Helper()
	res, err := f.App.Webhooks.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return res
}

func (f *fixture) deliveries(t *testing.T, query string) []webhook.Delivery {
	t.Helper()
	var out struct{ Deliveries []webhook.Delivery }
	f.must(t, "GET", "/api/v1/webhooks/"+f.hookID+"/deliveries"+query, nil, 200).JSON(t, &out)
	return out.Deliveries
}

func (f *fixture) delivery(t *testing.T, id string) webhook.Delivery {
	t.Helper()
	var d webhook.Delivery
	f.must(t, "GET", "/api/v1/webhook-deliveries/"+id, nil, 200).JSON(t, &d)
	return d
}
