package auth

import (
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/clock"
)

// TestVerifiedTokensKeepTheirTimeChecks: a token verified once is taken
// from the verified tokens after, but its time claims are checked on every
// use: refused once expired, and before it was issued (a clock set back);
// a token altered by one character is verified afresh and refused.
func TestVerifiedTokensKeepTheirTimeChecks(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clk := clock.NewManual(t0)
	s := newTokenSigner([]byte("test-secret-test-secret-test-secret!"), clk, 15*time.Minute)
	tok, _, err := s.issue("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.parse(tok); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if len(s.verified) != 1 {
		t.Fatalf("got %d verified tokens after a use, want 1", len(s.verified))
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"within its life", t0.Add(15*time.Minute - time.Second), true},
		{"at its expiry", t0.Add(15 * time.Minute), false},
		{"before it was issued", t0.Add(-time.Second), false},
		{"at its issue", t0, true},
	} {
		clk.Set(tc.at)
		if _, err := s.parse(tok); (err == nil) != tc.ok {
			t.Errorf("%s: got error %v, want accepted %v", tc.name, err, tc.ok)
		}
	}
	i := len(tok) - 5 // inside the signature, away from its padding bits
	other := "A"
	if tok[i] == 'A' {
		other = "B"
	}
	if _, err := s.parse(tok[:i] + other + tok[i+1:]); err == nil {
		t.Error("a token with its signature altered was accepted, want refused")
	}
}
