package auth

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// Password rules.
const (
	MinPasswordLength = 12  // characters
	MaxPasswordLength = 256 // characters; never truncated, longer is refused
)

// Argon2Params are argon2id's cost parameters.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is OWASP's recommended minimum for argon2id: 19 MiB, two
// passes, one lane.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Hasher hashes and checks passwords with argon2id. At most a fixed number
// of hashes run at once, so memory stays bounded (each takes MemoryKiB)
// however many logins arrive together.
type Hasher struct {
	params Argon2Params
	slots  chan struct{}
	// dummy is a hash of a random password, checked when the user does not
	// exist so that the answer takes as long as a wrong password.
	dummyOnce sync.Once
	dummy     string
}

// NewHasher returns a hasher with params that runs at most concurrency
// hashes at once (at least one).
func NewHasher(params Argon2Params, concurrency int) *Hasher {
	return &Hasher{params: params, slots: make(chan struct{}, max(concurrency, 1))}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("auth: wait to hash: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC-form argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded, comparing in constant
// time. An empty or malformed encoded hash never matches, but still costs a
// full hash so that its timing gives nothing away.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	p, salt, want, ok := parsePHC(encoded)
	if !ok {
		made := false
		h.dummyOnce.Do(func() {
			// Computed once; a failure leaves "" and the fallback below still hashes.
			b := make([]byte, 24)
			_, _ = rand.Read(b)
			h.dummy, _ = h.Hash(ctx, base64.RawStdEncoding.EncodeToString(b))
			made = h.dummy != ""
		})
		if made {
			// Making the dummy was this call's one hash: a second would
			// make the first unknown email slower than a wrong password.
			return false, nil
		}
		p, salt, want, ok = parsePHC(h.dummy)
		if !ok {
			p, salt, want = h.params, make([]byte, saltLen), make([]byte, keyLen)
		}
		encoded = ""
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1 && encoded != "", nil
}

// parsePHC reads $argon2id$v=19$m=..,t=..,p=..$salt$key.
func parsePHC(s string) (Argon2Params, []byte, []byte, bool) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return Argon2Params{}, nil, nil, false
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return Argon2Params{}, nil, nil, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) < 16 || p.Time == 0 || p.Threads == 0 || p.MemoryKiB == 0 {
		return Argon2Params{}, nil, nil, false
	}
	return p, salt, key, true
}

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords holds the shipped list, lower-cased.
var commonPasswords = func() map[string]struct{} {
	m := map[string]struct{}{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = struct{}{}
		}
	}
	return m
}()

// CheckPassword enforces the password policy: 12 to 256 characters, not on
// the common-password list, not one character repeated, and not the user's
// email address. It returns an invalid error naming field.
func CheckPassword(field, password, email string) error {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	switch {
	case !utf8.ValidString(password):
		return apperr.Invalidf(field, "must be valid UTF-8 text")
	case n < MinPasswordLength:
		return apperr.Invalidf(field, "must be at least %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		return apperr.Invalidf(field, "must be at most %d characters", MaxPasswordLength)
	case isCommon(lower):
		return apperr.Invalidf(field, "is one of the most common passwords; choose another")
	case strings.Count(lower, string([]rune(lower)[0])) == len(lower):
		return apperr.Invalidf(field, "must not be one character repeated")
	case email != "" && (lower == strings.ToLower(email) || lower == strings.ToLower(strings.Split(email, "@")[0])):
		return apperr.Invalidf(field, "must not be your email address")
	}
	return nil
}

func isCommon(lower string) bool {
	if _, ok := commonPasswords[lower]; ok {
		return true
	}
	// "password" followed or preceded by digits or punctuation only.
	trimmed := strings.TrimFunc(lower, func(r rune) bool { return r < 'a' || r > 'z' })
	_, ok := commonPasswords[trimmed]
	return ok && len(trimmed) >= 4
}
