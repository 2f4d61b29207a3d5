package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/changefeed"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Config tunes the identity service.
type Config struct {
	// JWTSecret signs access tokens (HS256); at least 32 bytes.
	JWTSecret []byte
	// SecureCookies marks the refresh cookie Secure (everywhere but development).
	SecureCookies bool
	// Argon2 and HashConcurrency tune password hashing; zero values take
	// DefaultArgon2 and 4.
	Argon2          Argon2Params
	HashConcurrency int
	// Login throttling: at most AccountAttempts failed logins per account
	// and IPAttempts per client IP within ThrottleWindow. Zero values take
	// 10, 100 and 15 minutes.
	AccountAttempts int
	IPAttempts      int
	ThrottleWindow  time.Duration
	// AccessTokenTTL is how long an access token lives; zero takes
	// AccessTokenTTL (15 minutes). Shorter lifetimes exist for tests of
	// token refresh (the ACCESS_TOKEN_TTL development setting).
	AccessTokenTTL time.Duration
	// APIKeyCacheTTL is how long a replica trusts an API key it has read
	// (a revocation elsewhere shows within it); zero takes APIKeyCacheTTL,
	// a negative value turns the cache off.
	APIKeyCacheTTL time.Duration
	// LookupTimeout bounds reading a credential (an API key, a session)
	// within the request's own deadline; zero takes LookupTimeout.
	LookupTimeout time.Duration
	Log           *slog.Logger
	// Clients answers which clients exist; memberships name them. The
	// catalog's store implements it. Without it, a change that names a
	// client fails with an internal error.
	Clients Clients
	// Password says who may sign in with a password; the zero value lets
	// everyone.
	Password PasswordPolicy
	// Groups maps the identity provider's groups, as SCIM pushes them, to
	// roles and memberships (IDP_GROUP_MAP).
	Groups GroupMap
	// ProviderName names the identity provider people may sign in with
	// ("" when none is configured), for the login page.
	ProviderName string
}

// Clients is what identity needs to know of the catalog's clients; the
// catalog owns the clients table, and its store implements this.
type Clients interface {
	// ClientIDsBySlug maps every client's slug to its id.
	ClientIDsBySlug(ctx context.Context) (map[string]string, error)
	// ExistingClients returns which of ids are clients, read in tx (the
	// store's own pool when tx is nil).
	ExistingClients(ctx context.Context, tx *gorm.DB, ids []string) (map[string]bool, error)
}

// noClients is the Clients of a service built without one.
type noClients struct{}

var errNoClients = errors.New("auth: no client directory configured")

func (noClients) ClientIDsBySlug(context.Context) (map[string]string, error) {
	return nil, errNoClients
}
func (noClients) ExistingClients(_ context.Context, _ *gorm.DB, ids []string) (map[string]bool, error) {
	if len(ids) == 0 {
		return map[string]bool{}, nil
	}
	return nil, errNoClients
}

// LookupTimeout is how long authenticating a request may wait for the
// database unless configured: a silent database makes the request answer
// 503 unavailable after it, never hang.
const LookupTimeout = 2 * time.Second

// Service holds identity's rules: sign-in, sessions, users, memberships and
// API keys.
type Service struct {
	db       *gorm.DB
	store    *store
	clock    clock.Clock
	hasher   *Hasher
	signer   *tokenSigner
	recorder *audit.Recorder
	keys     *keyCache
	sessions *changefeed.Cache[string, *principalRow]
	cfg      Config
}

// NewService returns the identity service over g.
func NewService(g *gorm.DB, clk clock.Clock, rec *audit.Recorder, cfg Config) *Service {
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2
	}
	if cfg.HashConcurrency <= 0 {
		cfg.HashConcurrency = 4
	}
	if cfg.AccountAttempts <= 0 {
		cfg.AccountAttempts = 10
	}
	if cfg.IPAttempts <= 0 {
		cfg.IPAttempts = 100
	}
	if cfg.ThrottleWindow <= 0 {
		cfg.ThrottleWindow = 15 * time.Minute
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = AccessTokenTTL
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.LookupTimeout <= 0 {
		cfg.LookupTimeout = LookupTimeout
	}
	if cfg.Clients == nil {
		cfg.Clients = noClients{}
	}
	if cfg.APIKeyCacheTTL == 0 {
		cfg.APIKeyCacheTTL = APIKeyCacheTTL
	}
	return &Service{
		db: g, store: &store{db: g}, clock: clk, recorder: rec, cfg: cfg, keys: newKeyCache(cfg.APIKeyCacheTTL),
		sessions: changefeed.New[string, *principalRow](maxCachedSessions),
		hasher:   NewHasher(cfg.Argon2, cfg.HashConcurrency),
		signer:   newTokenSigner(cfg.JWTSecret, clk, cfg.AccessTokenTTL),
	}
}

// errLogin is the one answer to a wrong email, a wrong password, a user
// without a password and a deactivated user alike.
var errLogin = apperr.E(apperr.Unauthorized, "the email address or password is wrong")

// normalizeEmail lower-cases and checks an email address.
func normalizeEmail(field, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", apperr.Invalidf(field, "must be an email address such as name@example.com")
	}
	return s, nil
}

// Login checks an email and password and starts a session. It returns
// unauthorized for any wrong credential (the same answer, after the same
// work, whether or not the user exists), too_many_requests with a retry time
// when the account or the client IP has failed too often, and invalid for a
// malformed request.
func (s *Service) Login(ctx context.Context, in LoginInput) (*Tokens, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if email == "" || in.Password == "" {
		return nil, apperr.InvalidFields("email and password are required", map[string]string{"email": "is required", "password": "is required"})
	}
	if len(in.Password) > 4*MaxPasswordLength {
		return nil, errLogin
	}
	// Decided by the address alone, before any lookup: the answer says
	// nothing of whether an account exists.
	if !s.cfg.Password.allows(email) {
		return nil, errPasswordOff
	}
	now := s.clock.Now()
	accountKey := "account:" + email
	reserved, retryAt, err := s.store.reserveAttempt(ctx, []throttleKey{
		{accountKey, s.cfg.AccountAttempts}, {"ip:" + in.ClientIP, s.cfg.IPAttempts},
	}, s.cfg.ThrottleWindow, now)
	if err != nil {
		return nil, err
	}
	if !retryAt.IsZero() {
		s.cfg.Log.WarnContext(ctx, "login throttled", "client_ip", in.ClientIP)
		return nil, &apperr.Error{Code: apperr.TooManyRequests, Message: "too many failed sign-ins; try again later", RetryAfter: retryAt.Sub(now)}
	}

	u, err := s.store.userByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.hasher.Verify(ctx, in.Password, hash)
	if err != nil {
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	// A break-glass address that is not an admin's may not use a password.
	breakGlassNonAdmin := s.cfg.Password.Off && u != nil && u.Role != RoleAdmin
	if !ok || u == nil || !u.Active || breakGlassNonAdmin {
		reason, actor, subject := "wrong password", audit.System("login"), ""
		switch {
		case u == nil:
			reason = "unknown email"
		case ok && u.Active && breakGlassNonAdmin:
			reason, actor, subject = "password sign-in off; not an admin", audit.Actor{Kind: audit.ActorUser, ID: u.ID}, u.ID
		case !u.Active:
			reason, actor, subject = "deactivated", audit.Actor{Kind: audit.ActorUser, ID: u.ID}, u.ID
		default:
			actor, subject = audit.Actor{Kind: audit.ActorUser, ID: u.ID}, u.ID
		}
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return s.recorder.Record(ctx, tx, audit.Entry{
				Actor: actor, Action: "auth.login_failed", SubjectType: "user", SubjectID: subject,
				After: map[string]any{"email": email, "client_ip": in.ClientIP, "reason": reason},
			})
		})
		if err != nil {
			return nil, fmt.Errorf("auth: login: %w", err)
		}
		return nil, errLogin
	}

	var tokens *Tokens
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sess := session{ID: uuid.NewString(), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(SessionMaxAge)}
		if err := tx.Create(&sess).Error; err != nil {
			return db.Translate(err, "session")
		}
		var err error
		if tokens, err = s.issue(tx, u.ID, sess, now); err != nil {
			return err
		}
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: audit.Actor{Kind: audit.ActorUser, ID: u.ID}, Action: "auth.login",
			SubjectType: "session", SubjectID: sess.ID,
			After: map[string]any{"method": "password", "client_ip": in.ClientIP},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	if err := s.store.releaseAttempts(ctx, reserved, accountKey); err != nil {
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	if err := loadMemberships(s.db.WithContext(ctx), u); err != nil {
		return nil, err
	}
	tokens.User = u
	return tokens, nil
}

// issue stores a new refresh token in the session and signs an access token.
func (s *Service) issue(tx *gorm.DB, userID string, sess session, now time.Time) (*Tokens, error) {
	raw := randomToken("rt_", 32)
	exp := now.Add(RefreshTokenTTL)
	if sess.ExpiresAt.Before(exp) {
		exp = sess.ExpiresAt
	}
	rt := refreshToken{ID: uuid.NewString(), SessionID: sess.ID, TokenHash: sha256Hex(raw), CreatedAt: now, ExpiresAt: exp}
	if err := tx.Create(&rt).Error; err != nil {
		return nil, db.Translate(err, "refresh token")
	}
	access, accessExp, err := s.signer.issue(userID, sess.ID)
	if err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access, AccessExpiresAt: accessExp, RefreshToken: raw, RefreshExpires: exp}, nil
}

// Refresh spends a refresh token and returns a new access token and a new
// refresh token in the same session. A token that was already spent means it
// leaked: the whole session is revoked. Every failure is unauthorized.
func (s *Service) Refresh(ctx context.Context, raw string) (*Tokens, error) {
	if raw == "" || len(raw) > 200 {
		return nil, errBadToken
	}
	now := s.clock.Now()
	var tokens *Tokens
	reused := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rt, err := findRefresh(tx, sha256Hex(raw))
		if apperr.Is(err, apperr.NotFound) {
			return errBadToken
		}
		if err != nil {
			return err
		}
		switch {
		case rt.UsedAt != nil:
			reused = true
			if err := revokeSession(tx, rt.SessionID, "refresh token reused", now); err != nil {
				return err
			}
			return s.recorder.Record(ctx, tx, audit.Entry{
				Actor: audit.Actor{Kind: audit.ActorUser, ID: rt.UserID}, Action: "auth.refresh_reused",
				SubjectType: "session", SubjectID: rt.SessionID,
				After: map[string]any{"revoked": true},
			})
		case rt.SessionRevoked != nil, !rt.UserActive, !now.Before(rt.ExpiresAt), !now.Before(rt.SessionExpiresAt):
			return errBadToken
		}
		if err := markRefreshUsed(tx, rt.ID, now); err != nil {
			return err
		}
		tokens, err = s.issue(tx, rt.UserID, session{ID: rt.SessionID, ExpiresAt: rt.SessionExpiresAt}, now)
		return err
	})
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			return nil, err
		}
		return nil, fmt.Errorf("auth: refresh: %w", err)
	}
	if reused {
		return nil, errBadToken
	}
	return tokens, nil
}

// Logout ends the session that refresh token belongs to, and the session
// of the current access token if there is one. Unknown tokens are ignored:
// logging out is always successful.
func (s *Service) Logout(ctx context.Context, refresh string) error {
	now := s.clock.Now()
	var ids []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ids = ids[:0]
		if p := FromContext(ctx); p != nil && p.SessionID != "" {
			ids = append(ids, p.SessionID)
		}
		if refresh != "" && len(refresh) <= 200 {
			rt, err := findRefresh(tx, sha256Hex(refresh))
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			if err == nil && !slices.Contains(ids, rt.SessionID) {
				ids = append(ids, rt.SessionID)
			}
		}
		for _, id := range ids {
			if err := revokeSession(tx, id, "logout", now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	// This replica refuses the sessions at once; the others within the
	// session cache's bound.
	for _, id := range ids {
		s.sessions.Drop(id)
	}
	return nil
}

// ChangePassword replaces the signed-in user's password after checking the
// current one, and ends every session of the user. It returns unauthorized
// when signed out, forbidden for an API key, invalid for a wrong current
// password or a new password that breaks the policy, and too_many_requests
// after too many wrong current passwords.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	p := FromContext(ctx)
	switch {
	case p == nil:
		return apperr.E(apperr.Unauthorized, "sign in first")
	case p.IsMachine():
		return apperr.E(apperr.Forbidden, "API keys have no password")
	}
	u, err := s.store.userByID(ctx, nil, p.UserID, false)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if err := CheckPassword("new_password", next, u.Email); err != nil {
		return err
	}
	now := s.clock.Now()
	accountKey := "account:" + u.Email
	reserved, retryAt, err := s.store.reserveAttempt(ctx, []throttleKey{{accountKey, s.cfg.AccountAttempts}}, s.cfg.ThrottleWindow, now)
	if err != nil {
		return err
	}
	if !retryAt.IsZero() {
		return &apperr.Error{Code: apperr.TooManyRequests, Message: "too many wrong passwords; try again later", RetryAfter: retryAt.Sub(now)}
	}
	ok, err := s.hasher.Verify(ctx, current, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if !ok {
		return apperr.Invalidf("current_password", "is wrong")
	}
	if err := s.store.releaseAttempts(ctx, reserved, accountKey); err != nil {
		return err
	}
	return s.setPassword(ctx, p.Actor(), u.ID, next)
}

// setPassword hashes and stores a password and revokes every session.
func (s *Service) setPassword(ctx context.Context, actor audit.Actor, userID, password string) error {
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.storePassword(ctx, tx, actor, userID, hash)
	})
	if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	s.forgetSessions(userID)
	return nil
}

// forgetSessions makes this replica read the user's sessions again at
// once after it changed them (the others learn it from the change feed).
func (s *Service) forgetSessions(userID string) { s.sessions.Forget(changefeed.User(userID)) }

// storePassword saves a password hash, ends every session of the user and
// audits the change, inside tx.
func (s *Service) storePassword(ctx context.Context, tx *gorm.DB, actor audit.Actor, userID, hash string) error {
	now := s.clock.Now()
	if err := updateUser(tx, userID, map[string]any{"password_hash": hash, "updated_at": now}); err != nil {
		return db.Translate(err, "user")
	}
	if err := revokeUserSessions(tx, userID, "password changed", now); err != nil {
		return err
	}
	return s.recorder.Record(ctx, tx, audit.Entry{
		Actor: actor, Action: "user.password_change", SubjectType: "user", SubjectID: userID,
		After: map[string]any{"sessions_revoked": true},
	})
}

// Authenticate turns a bearer credential (an access JWT or an API key) into
// a principal. It returns unauthorized for anything invalid, expired,
// revoked, oversize or belonging to a deactivated user, and unavailable
// when the database does not answer within Config.LookupTimeout (or ctx's
// deadline, if sooner).
func (s *Service) Authenticate(ctx context.Context, credential string) (*Principal, error) {
	if len(credential) > maxCredentialBytes {
		return nil, errBadToken
	}
	now := s.clock.Now()
	if strings.HasPrefix(credential, "sk_") {
		return s.authenticateAPIKey(ctx, credential, now)
	}
	claims, err := s.signer.parse(credential)
	if err != nil {
		return nil, err
	}
	row, cached := s.sessions.Get(claims.SessionID, now)
	if !cached || row.ID != claims.Subject || !now.Before(row.ExpiresAt) {
		// The lookup's own bound, set only when the database is asked (a
		// timer per request would be a visible share of a cached one).
		ctx, cancel := context.WithTimeout(ctx, s.cfg.LookupTimeout)
		defer cancel()
		gen := s.sessions.Begin()
		row, err = s.store.principalForSession(ctx, claims.SessionID, claims.Subject, now)
		if apperr.Is(err, apperr.NotFound) {
			return nil, errBadToken
		}
		if err != nil {
			return nil, fmt.Errorf("auth: authenticate: %w", err)
		}
		s.sessions.Put(claims.SessionID, row, changefeed.User(row.ID), gen)
	}
	return &Principal{UserID: row.ID, Email: row.Email, Role: row.Role, ClientIDs: slices.Clone([]string(row.ClientIDs)),
		SessionID: claims.SessionID}, nil
}

// maxCachedSessions bounds the session cache (about 200 bytes an entry).
const maxCachedSessions = 100_000

// SessionCache is the cache of live sessions, kept current from the change
// feed (the app hands it the eligibility view's reads): a request whose
// session was read less than changefeed.MaxLag ago by a feed read's measure
// is authenticated from memory. A session revoked, expired by an update, or
// whose user was deactivated, changed role or membership, is refused on
// every replica within that bound; with no feed reads the cache answers
// nothing and every request reads the database.
func (s *Service) SessionCache() changefeed.Listener { return s.sessions }

func (s *Service) authenticateAPIKey(ctx context.Context, credential string, now time.Time) (*Principal, error) {
	prefix, secret, ok := splitAPIKey(credential)
	if !ok {
		return nil, errBadToken
	}
	// The cache is keyed by the hash of the whole credential, so a hit
	// proves the secret as well as the stored hash does.
	hash := sha256Hex(credential)
	k, cached := s.keys.get(hash)
	if !cached {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.LookupTimeout)
		defer cancel()
		found, err := s.store.apiKeyByPrefix(ctx, prefix)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, fmt.Errorf("auth: authenticate: %w", err)
		}
		want := strings.Repeat("0", 64)
		if found != nil {
			want = found.SecretHash
		}
		if !constantTimeEqual(sha256Hex(secret), want) || found == nil {
			return nil, errBadToken
		}
		k = *found
		s.keys.put(hash, k)
	}
	if k.RevokedAt != nil || (k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)) {
		return nil, errBadToken
	}
	if k.LastUsedAt == nil || k.LastUsedAt.Before(now.Add(-time.Minute)) {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.LookupTimeout)
		defer cancel()
		if err := s.store.touchAPIKey(ctx, k.ID, now); err != nil {
			s.cfg.Log.WarnContext(ctx, "could not record API key use", "api_key_id", k.ID, "err", err)
		} else {
			s.keys.touched(hash, now)
		}
	}
	return &Principal{APIKeyID: k.ID, Scopes: slices.Clone([]string(k.Scopes))}, nil
}

// splitAPIKey reads sk_<prefix>_<secret>.
func splitAPIKey(s string) (prefix, secret string, ok bool) {
	rest, found := strings.CutPrefix(s, "sk_")
	if !found {
		return "", "", false
	}
	prefix, secret, found = strings.Cut(rest, "_")
	if !found || len(prefix) != apiKeyPrefixLen || len(secret) < 32 {
		return "", "", false
	}
	return "sk_" + prefix, secret, true
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
