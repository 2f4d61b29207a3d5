// Package oidc is sign-in with the center's identity provider: OpenID
// Connect's authorization code flow with PKCE. It proves who signed in —
// the ID token's signature, issuer, audience, nonce and expiry — and hands
// the identity to auth, which matches it to a user and starts Skillgate's
// own session, as a password sign-in does.
package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
)

// Config is the identity provider Skillgate trusts and how.
type Config struct {
	// Issuer is the provider's issuer URL; its discovery document is read
	// from Issuer + "/.well-known/openid-configuration".
	Issuer string
	// ClientID and ClientSecret are Skillgate's registration at the provider.
	ClientID, ClientSecret string
	// Name is the provider as the login page names it ("Okta").
	Name string
	// RedirectURL is Skillgate's callback, registered at the provider:
	// PUBLIC_URL + CallbackPath.
	RedirectURL string
	AppURL      string
	// Scopes are the scopes asked for (nil: openid, email and profile).
	Scopes []string
	// GroupsClaim names the ID token claim that lists the user's groups.
	GroupsClaim string
	// CreateUsers creates an account on the first sign-in of a verified
	// address that has none (off: an admin or SCIM creates accounts).
	CreateUsers bool
	// Groups maps the provider's groups to roles and memberships.
	Groups auth.GroupMap
	// SecureCookies marks the state cookie Secure.
	SecureCookies bool
	// HTTPClient talks to the provider (nil: one with a 10-second timeout).
	HTTPClient *http.Client
	Log        *slog.Logger
}

// Paths of the flow, under /api/v1.
const (
	StartPath    = "/auth/oidc/start"
	CallbackPath = "/auth/oidc/callback"
)

// StateTTL is how long a started sign-in may take at the provider.
const StateTTL = 10 * time.Minute

// SignIn is what the flow needs of identity.
type SignIn interface {
	SignInExternal(ctx context.Context, in auth.ExternalSignIn) (*auth.Tokens, error)
	ExternalSignInFailed(ctx context.Context, issuer, reason, clientIP string) error
}

// Service runs the flow.
type Service struct {
	cfg   Config
	store *store
	clock clock.Clock
	users SignIn

	mu       sync.Mutex
	provider *gooidc.Provider
}

// NewService returns the flow for cfg over g.
func NewService(g *gorm.DB, clk clock.Clock, users SignIn, cfg Config) *Service {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{gooidc.ScopeOpenID, "email", "profile"}
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	return &Service{cfg: cfg, store: &store{db: g}, clock: clk, users: users}
}

// clientContext carries the provider's HTTP client to go-oidc and oauth2.
func (s *Service) clientContext(ctx context.Context) context.Context {
	return gooidc.ClientContext(ctx, s.cfg.HTTPClient)
}

// discover reads the provider's discovery document once it answers; until
// then every sign-in tries again, so a provider down when Skillgate starts
// does not stop it. Errors: unavailable.
func (s *Service) discover(ctx context.Context) (*gooidc.Provider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider != nil {
		return s.provider, nil
	}
	p, err := gooidc.NewProvider(s.clientContext(ctx), s.cfg.Issuer)
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "the identity provider does not answer; try again later")
	}
	s.provider = p
	return p, nil
}

func (s *Service) oauth2Config(p *gooidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret, RedirectURL: s.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: s.cfg.Scopes,
	}
}

// Start begins a sign-in: it keeps the nonce and the PKCE verifier under
// the state's hash for StateTTL and returns the state (for the browser's
// cookie) and the provider's authorization URL. Errors: unavailable.
func (s *Service) Start(ctx context.Context) (state, authURL string, err error) {
	p, err := s.discover(ctx)
	if err != nil {
		return "", "", err
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	now := s.clock.Now()
	if err := s.store.save(ctx, &pending{StateHash: hashState(state), Nonce: nonce, CodeVerifier: verifier,
		CreatedAt: now, ExpiresAt: now.Add(StateTTL)}, now); err != nil {
		return "", "", fmt.Errorf("oidc: start: %w", err)
	}
	authURL = s.oauth2Config(p).AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return state, authURL, nil
}

// Failure is a sign-in that did not prove who signed in; Reason is a short
// code the login page explains (see docs/identity-provider.md).
type Failure struct {
	Reason string
	Err    error
}

func (f *Failure) Error() string { return "oidc: " + f.Reason + ": " + f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

// The reasons of failures.
const (
	ReasonState      = "state"       // no, unknown, spent or expired state, or not this browser's
	ReasonProvider   = "provider"    // the provider answered with an error, or not at all
	ReasonToken      = "token"       // the ID token failed a check (signature, issuer, audience, expiry, nonce)
	ReasonNotLinked  = "not_linked"  // no account matches
	ReasonUnverified = "unverified"  // the provider has not verified the email address
	ReasonInactive   = "deactivated" // the account is deactivated
)

func fail(reason string, err error) error { return &Failure{Reason: reason, Err: err} }

// Callback finishes a sign-in: it spends the state (once: a replay finds
// nothing), checks it is this browser's (cookieState), exchanges the code
// with the PKCE verifier, verifies the ID token and its nonce, and signs the
// identity in through auth. Every failure is a *Failure, audited.
func (s *Service) Callback(ctx context.Context, state, cookieState, code, providerError, clientIP string) (*auth.Tokens, error) {
	tokens, err := s.callback(ctx, state, cookieState, code, providerError, clientIP)
	var f *Failure
	if errors.As(err, &f) && f.Reason != ReasonNotLinked && f.Reason != ReasonUnverified && f.Reason != ReasonInactive {
		// Auth audits the refusals it decides; these are the flow's.
		s.cfg.Log.WarnContext(ctx, "identity provider sign-in refused", "reason", f.Reason, "err", f.Err)
		if aerr := s.users.ExternalSignInFailed(ctx, s.cfg.Issuer, f.Reason+": "+f.Err.Error(), clientIP); aerr != nil {
			return nil, aerr
		}
	}
	return tokens, err
}

func (s *Service) callback(ctx context.Context, state, cookieState, code, providerError, clientIP string) (*auth.Tokens, error) {
	if state == "" || len(state) > 200 {
		return nil, fail(ReasonState, errors.New("no state"))
	}
	p, err := s.store.take(ctx, hashState(state))
	if apperr.Is(err, apperr.NotFound) {
		return nil, fail(ReasonState, errors.New("unknown or spent state"))
	}
	if err != nil {
		return nil, fmt.Errorf("oidc: callback: %w", err)
	}
	now := s.clock.Now()
	switch {
	case !now.Before(p.ExpiresAt):
		return nil, fail(ReasonState, errors.New("expired state"))
	case subtle.ConstantTimeCompare([]byte(state), []byte(cookieState)) != 1:
		return nil, fail(ReasonState, errors.New("the state is not this browser's"))
	case providerError != "":
		return nil, fail(ReasonProvider, fmt.Errorf("the provider answered %q", providerError))
	case code == "":
		return nil, fail(ReasonProvider, errors.New("no code"))
	}
	prov, err := s.discover(ctx)
	if err != nil {
		return nil, fail(ReasonProvider, err)
	}
	tok, err := s.oauth2Config(prov).Exchange(s.clientContext(ctx), code, oauth2.VerifierOption(p.CodeVerifier))
	if err != nil {
		return nil, fail(ReasonProvider, fmt.Errorf("code exchange: %w", err))
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fail(ReasonToken, errors.New("no id_token in the token response"))
	}
	idt, err := prov.Verifier(&gooidc.Config{ClientID: s.cfg.ClientID, Now: s.clock.Now}).Verify(s.clientContext(ctx), raw)
	if err != nil {
		return nil, fail(ReasonToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.Nonce)) != 1 {
		return nil, fail(ReasonToken, errors.New("nonce does not match this sign-in's"))
	}
	id, err := s.identity(idt)
	if err != nil {
		return nil, fail(ReasonToken, err)
	}
	tokens, err := s.users.SignInExternal(ctx, auth.ExternalSignIn{Identity: id, CreateUsers: s.cfg.CreateUsers, Groups: s.cfg.Groups, ClientIP: clientIP})
	switch {
	case err == nil:
		return tokens, nil
	case apperr.Is(err, apperr.Unauthorized):
		return nil, fail(refusalReason(err), err)
	default:
		return nil, err
	}
}

// refusalReason names auth's refusal for the login page.
func refusalReason(err error) string {
	switch {
	case errors.Is(err, auth.ErrExternalUnverified):
		return ReasonUnverified
	case errors.Is(err, auth.ErrExternalInactive):
		return ReasonInactive
	}
	return ReasonNotLinked
}

// claims are the ID token claims Skillgate reads besides the standard ones.
type claims struct {
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
	Name          string `json:"name"`
}

// identity reads who signed in from a verified ID token.
func (s *Service) identity(idt *gooidc.IDToken) (auth.ExternalIdentity, error) {
	var c claims
	if err := idt.Claims(&c); err != nil {
		return auth.ExternalIdentity{}, fmt.Errorf("read claims: %w", err)
	}
	var all map[string]any
	if err := idt.Claims(&all); err != nil {
		return auth.ExternalIdentity{}, fmt.Errorf("read claims: %w", err)
	}
	// Some providers send email_verified as the string "true".
	verified := c.EmailVerified == true || c.EmailVerified == "true"
	return auth.ExternalIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Email: c.Email, EmailVerified: verified,
		Name: c.Name, Groups: stringList(all[s.cfg.GroupsClaim])}, nil
}

// stringList reads a claim that is a list of strings or one string; nil
// when the claim is absent.
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// randomString is 32 random bytes, URL-safe.
func randomString() string { return oauth2.GenerateVerifier() }

// hashState is the stored form of a state.
func hashState(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}
