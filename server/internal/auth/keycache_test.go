package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

// fakeNow is a settable wall clock for a key cache.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func TestKeyCache(t *testing.T) {
	t.Parallel()
	wall := &fakeNow{t: time.Unix(1_000_000, 0)}
	c := newKeyCache(time.Second)
	c.now = wall.now
	c.put("h1", APIKey{ID: "k1"})
	c.put("h2", APIKey{ID: "k1"})
	c.put("h3", APIKey{ID: "k2"})
	if k, ok := c.get("h1"); !ok || k.ID != "k1" {
		t.Fatalf("got %v %v, want k1 cached", k, ok)
	}
	at := wall.now()
	c.touched("h1", at)
	if k, _ := c.get("h1"); k.LastUsedAt == nil || !k.LastUsedAt.Equal(at) {
		t.Errorf("got last use %v, want %v", k.LastUsedAt, at)
	}
	c.drop("k1")
	if _, ok := c.get("h1"); ok {
		t.Error("h1 survived dropping its key")
	}
	if _, ok := c.get("h2"); ok {
		t.Error("h2 survived dropping its key")
	}
	wall.add(999 * time.Millisecond)
	if _, ok := c.get("h3"); !ok {
		t.Error("h3 expired before its TTL")
	}
	wall.add(time.Millisecond)
	if _, ok := c.get("h3"); ok {
		t.Error("h3 outlived its TTL")
	}
	off := newKeyCache(-1)
	off.put("h", APIKey{ID: "k"})
	if _, ok := off.get("h"); ok {
		t.Error("a disabled cache returned a key")
	}
}

// TestKeyRevocationAcrossReplicas: two services over one database stand
// for two replicas. A key revoked on one is refused there at once, and on
// the other as soon as its cached copy is older than the TTL.
func TestKeyRevocationAcrossReplicas(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	clk := clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cfg := Config{JWTSecret: []byte("test-secret-test-secret-test-secret!"), APIKeyCacheTTL: APIKeyCacheTTL}
	a := NewService(g, clk, audit.NewRecorder(clk), cfg)
	b := NewService(g, clk, audit.NewRecorder(clk), cfg)
	wall := &fakeNow{t: time.Unix(1_000_000, 0)}
	b.keys.now = wall.now

	ctx := context.Background()
	admin, err := a.CreateUserAs(ctx, audit.System("test"), CreateUserInput{Email: "admin@x.test", Role: RoleAdmin, Password: "correct horse battery staple 9"})
	if err != nil {
		t.Fatal(err)
	}
	actx := WithPrincipal(ctx, &Principal{UserID: admin.ID, Role: RoleAdmin})
	k, err := a.CreateAPIKey(actx, CreateAPIKeyInput{Name: "acd", Scopes: []string{ScopeEligibilityRead}})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*Service{"a": a, "b": b} {
		if p, err := s.Authenticate(ctx, k.Key); err != nil || p.APIKeyID != k.ID {
			t.Fatalf("replica %s: got %v, %v; want the key", name, p, err)
		}
	}
	if _, err := a.Authenticate(ctx, k.Key[:len(k.Key)-1]+"x"); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("a wrong secret: got %v, want unauthorized", err)
	}
	if err := a.RevokeAPIKey(actx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, k.Key); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("replica a after revoking: got %v, want unauthorized at once", err)
	}
	if _, err := b.Authenticate(ctx, k.Key); err != nil {
		t.Errorf("replica b within the TTL: got %v, want its cached copy (stale at most %s)", err, APIKeyCacheTTL)
	}
	wall.add(APIKeyCacheTTL)
	if _, err := b.Authenticate(ctx, k.Key); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("replica b after the TTL: got %v, want unauthorized", err)
	}
}
