package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/clock"
)

// Token settings.
const (
	AccessTokenTTL  = 15 * time.Minute
	RefreshTokenTTL = 14 * 24 * time.Hour
	// SessionMaxAge is how long one sign-in may be kept alive by refreshing.
	SessionMaxAge = 30 * 24 * time.Hour

	tokenIssuer   = "skillgate"
	tokenAudience = "skillgate-api"
	typAccess     = "access"

	// maxCredentialBytes bounds the Authorization header: anything longer
	// is refused before it is parsed.
	maxCredentialBytes = 4096
)

// accessClaims are the claims of an access JWT. Typ is "access"; nothing
// else Skillgate signs carries that value.
type accessClaims struct {
	jwt.RegisteredClaims
	Typ       string `json:"typ"`
	SessionID string `json:"sid"`
}

// tokenSigner issues and checks access JWTs (HS256).
type tokenSigner struct {
	key    []byte
	clock  clock.Clock
	ttl    time.Duration
	parser *jwt.Parser

	// verified holds the claims of access tokens whose signature, algorithm,
	// issuer, audience and type have been checked, by the token's exact
	// text: those checks depend on nothing else, so they are done once per
	// token. The time claims are checked on every use (see parse).
	mu       sync.RWMutex
	verified map[string]*accessClaims
}

// maxVerifiedTokens bounds the verified tokens (emptied when full): about
// one per signed-in user within AccessTokenTTL.
const maxVerifiedTokens = 100_000

func newTokenSigner(key []byte, clk clock.Clock, ttl time.Duration) *tokenSigner {
	return &tokenSigner{
		key:      key,
		clock:    clk,
		ttl:      ttl,
		verified: map[string]*accessClaims{},
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuer(tokenIssuer),
			jwt.WithAudience(tokenAudience),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(clk.Now),
			jwt.WithStrictDecoding(),
		),
	}
}

// issue signs an access token for the user's session.
func (s *tokenSigner) issue(userID, sessionID string) (string, time.Time, error) {
	now := s.clock.Now()
	exp := now.Add(s.ttl)
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   userID,
			Audience:  jwt.ClaimStrings{tokenAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Typ:       typAccess,
		SessionID: sessionID,
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign access token: %w", err)
	}
	return tok, exp, nil
}

// errBadToken is the one answer for every unusable credential: it does not
// say what was wrong with it.
var errBadToken = apperr.E(apperr.Unauthorized, "the credentials are invalid or expired; sign in again")

// parse checks an access token and returns its claims. Every failure is an
// unauthorized error.
func (s *tokenSigner) parse(raw string) (*accessClaims, error) {
	s.mu.RLock()
	c := s.verified[raw]
	s.mu.RUnlock()
	if c != nil {
		// What the parser checks of time, as it checks it (no leeway).
		now := s.clock.Now()
		if !now.Before(c.ExpiresAt.Time) || now.Before(c.NotBefore.Time) || (c.IssuedAt != nil && now.Before(c.IssuedAt.Time)) {
			return nil, errBadToken
		}
		return c, nil
	}
	claims, err := s.verify(raw)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.verified) >= maxVerifiedTokens {
		clear(s.verified)
	}
	s.verified[raw] = claims
	s.mu.Unlock()
	return claims, nil
}

// verify checks an access token in full (signature and claims).
func (s *tokenSigner) verify(raw string) (*accessClaims, error) {
	var claims accessClaims
	_, err := s.parser.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return s.key, nil })
	if err != nil {
		return nil, apperr.Wrap(apperr.Unauthorized, err, "%s", errBadToken.Message)
	}
	if claims.Typ != typAccess || claims.Subject == "" || claims.SessionID == "" || claims.NotBefore == nil {
		return nil, apperr.Wrap(apperr.Unauthorized, errors.New("not an access token"), "%s", errBadToken.Message)
	}
	return &claims, nil
}

// randomToken returns prefix followed by n random bytes in URL-safe base64.
func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// sha256Hex is the stored form of high-entropy secrets (refresh tokens, API
// key secrets): they need no slow hash.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
