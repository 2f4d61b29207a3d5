package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh signing secret: "whsec_" and 32 random bytes in
// unpadded base64url. The whole string is the HMAC key.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// Sign returns the Skillgate-Signature header value for a body sent at
// timestamp (Unix seconds): "v1=" and the hex HMAC-SHA256, keyed with the
// secret, of the timestamp, a dot and the body.
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a delivery as a receiver should: the signature must be the
// one Sign makes for the timestamp header and body, and the timestamp within
// tolerance of now (which refuses replays of captured old requests). It is
// the function the README's example spells out.
func Verify(secret, timestampHeader, signatureHeader string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestampHeader, 10, 64)
	if err != nil {
		return errors.New("webhook: the timestamp is not a number")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook: the timestamp is too old or in the future")
	}
	if !hmac.Equal([]byte(signatureHeader), []byte(Sign(secret, ts, body))) {
		return errors.New("webhook: the signature does not match")
	}
	return nil
}

// sealer encrypts signing secrets at rest with AES-256-GCM, bound to the
// subscription id so a ciphertext cannot be moved to another row.
type sealer struct{ aead cipher.AEAD }

// newSealer derives the AES key from key material (WEBHOOK_KEY, or the JWT
// secret) with HKDF-SHA256, so the key is never the material itself.
func newSealer(material []byte) (*sealer, error) {
	if len(material) < 32 {
		return nil, errors.New("webhook: the key material must be at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, material, nil, "skillgate webhook secrets v1", 32)
	if err != nil {
		return nil, fmt.Errorf("webhook: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("webhook: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webhook: gcm: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(subscriptionID, secret string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(secret), []byte(subscriptionID))
}

// errUnsealable means the stored secret cannot be decrypted with this
// server's key (WEBHOOK_KEY or JWT_SECRET changed): rotate the secret.
var errUnsealable = errors.New("the signing secret cannot be decrypted with this server's key (did WEBHOOK_KEY or JWT_SECRET change?): rotate the secret")

func (s *sealer) open(subscriptionID string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errUnsealable
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(subscriptionID))
	if err != nil {
		return "", errUnsealable
	}
	return string(plain), nil
}
