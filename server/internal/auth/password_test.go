package auth

import (
	"context"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, password, email string
		ok                    bool
	}{
		{"long enough and uncommon", "correct-pony-staple-42", "a@b.test", true},
		{"64 characters", strings.Repeat("abcdefgh", 8), "", true},
		{"256 characters", strings.Repeat("xyzw", 64), "", true},
		{"too short", "short-pass1", "", false},
		{"too long", strings.Repeat("ab", 129), "", false},
		{"common", "qwertyuiop123", "", false},
		{"common base word with digits", "Password1234!", "", false},
		{"common base word with season", "Summer2024!!", "", false},
		{"one character repeated", "aaaaaaaaaaaaaa", "", false},
		{"email as password", "jane.doe@example.com", "jane.doe@example.com", false},
		{"twelve multibyte characters", "ééééééééééé漢", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPassword("password", tc.password, tc.email)
			if (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestDemoPasswordsPassThePolicy(t *testing.T) {
	t.Parallel()
	for _, d := range DemoAccounts {
		if err := CheckPassword("password", d.Password, d.Email); err != nil {
			t.Errorf("%s: got %v, want the demo password accepted", d.Email, err)
		}
	}
}

func TestHasher(t *testing.T) {
	t.Parallel()
	h := NewHasher(DefaultArgon2, 2)
	ctx := context.Background()
	long := strings.Repeat("0123456789", 10) // 100 characters: nothing may be truncated
	enc, err := h.Hash(ctx, long)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("got %q, want argon2id with m=19456,t=2,p=1", enc)
	}
	cases := []struct {
		name, password, encoded string
		want                    bool
	}{
		{"right password", long, enc, true},
		{"last character differs", long[:99] + "x", enc, false},
		{"prefix only", long[:72], enc, false},
		{"empty hash never matches", "", "", false},
		{"malformed hash never matches", long, "$argon2id$garbage", false},
	}
	for _, tc := range cases {
		ok, err := h.Verify(ctx, tc.password, tc.encoded)
		if err != nil || ok != tc.want {
			t.Errorf("%s: got %v, %v; want %v", tc.name, ok, err, tc.want)
		}
	}
}

func TestHasherBoundsConcurrency(t *testing.T) {
	t.Parallel()
	h := NewHasher(DefaultArgon2, 1)
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "a-long-enough-password"); err == nil {
		t.Errorf("got a hash while every slot was taken, want the wait to end with the context")
	}
	h.release()
	if _, err := h.Hash(context.Background(), "a-long-enough-password"); err != nil {
		t.Errorf("got %v after the slot was released, want a hash", err)
	}
}
