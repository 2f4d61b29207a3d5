package httpx

import (
	"strconv"
	"testing"
	"time"
)

func TestRateLimiterPerKeyAndWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := NewRateLimiter(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := r.Allow("a"); !ok {
			t.Fatalf("request %d: refused, want allowed", i+1)
		}
	}
	now = now.Add(20 * time.Second)
	if ok, wait := r.Allow("a"); ok || wait != 40*time.Second {
		t.Errorf("4th request: got %v, wait %s; want refused, 40s", ok, wait)
	}
	if ok, _ := r.Allow("b"); !ok {
		t.Error("another key: refused, want allowed")
	}
	now = now.Add(40 * time.Second)
	if ok, _ := r.Allow("a"); !ok {
		t.Error("next window: refused, want allowed")
	}
}

func TestRateLimiterForgetsOldKeys(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := NewRateLimiter(1, time.Minute, func() time.Time { return now })
	for i := 0; i < MaxKeys; i++ {
		r.Allow(strconv.Itoa(i))
	}
	now = now.Add(time.Second)
	r.Allow("new") // full, nothing over: the oldest goes
	if len(r.seen) != MaxKeys {
		t.Fatalf("got %d keys, want at most %d", len(r.seen), MaxKeys)
	}
	if ok, _ := r.Allow("new"); ok {
		t.Error("the new key's second request: allowed, want refused")
	}
	now = now.Add(time.Minute)
	r.Allow("newer") // the windows are over: they go
	if len(r.seen) > 2 {
		t.Errorf("got %d keys after their windows ended, want the live ones only", len(r.seen))
	}
}
