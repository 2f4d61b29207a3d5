package auth

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// store is identity's SQL. Methods taking tx run inside the caller's
// transaction.
type store struct {
	db *gorm.DB
}

var lockingForUpdate = clause.Locking{Strength: clause.LockingStrengthUpdate}

// loadMemberships fills ClientIDs (by id) and Clients (by name) of each user.
func loadMemberships(tx *gorm.DB, users ...*User) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]string, len(users))
	byID := map[string]*User{}
	for i, u := range users {
		ids[i] = u.ID
		u.ClientIDs, u.Clients = []string{}, []ClientRef{}
		byID[u.ID] = u
	}
	const q = `
SELECT m.user_id, m.client_id, c.name FROM memberships m JOIN clients c ON c.id = m.client_id
WHERE m.user_id IN ? ORDER BY m.client_id`
	var ms []struct {
		UserID   string `gorm:"column:user_id"`
		ClientID string `gorm:"column:client_id"`
		Name     string `gorm:"column:name"`
	}
	if err := tx.Raw(q, ids).Scan(&ms).Error; err != nil {
		return db.Translate(err, "memberships")
	}
	for _, m := range ms {
		u := byID[m.UserID]
		u.ClientIDs = append(u.ClientIDs, m.ClientID)
		u.Clients = append(u.Clients, ClientRef{ID: m.ClientID, Name: m.Name})
	}
	for _, u := range users {
		slices.SortStableFunc(u.Clients, func(a, b ClientRef) int { return strings.Compare(a.Name, b.Name) })
	}
	return nil
}

// peopleByID reads the email and name of each user among ids; ids that
// name no user (or are not uuids) are left out.
func (s *store) peopleByID(ctx context.Context, ids []string) ([]Person, error) {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if uuid.Validate(id) == nil {
			valid = append(valid, id)
		}
	}
	out := []Person{}
	if len(valid) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Model(&User{}).Select("id", "email", "display_name").Where("id IN ?", valid).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("auth: people by id: %w", err)
	}
	return out, nil
}

func (s *store) userByID(ctx context.Context, tx *gorm.DB, id string, forUpdate bool) (*User, error) {
	if tx == nil {
		tx = s.db
	}
	if uuid.Validate(id) != nil {
		return nil, db.Translate(gorm.ErrRecordNotFound, "user")
	}
	q := tx.WithContext(ctx)
	if forUpdate {
		q = q.Clauses(lockingForUpdate)
	}
	var u User
	if err := q.Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, db.Translate(err, "user")
	}
	if err := loadMemberships(tx.WithContext(ctx), &u); err != nil {
		return nil, err
	}
	return &u, nil
}

func (s *store) userByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := s.db.WithContext(ctx).Where("email = ?", email).Take(&u).Error; err != nil {
		return nil, db.Translate(err, "user")
	}
	return &u, nil
}

// listUsers returns users matching f, ordered by email. When within is not
// nil only members of those clients are listed.
func (s *store) listUsers(ctx context.Context, f UserFilter, within []string) ([]*User, error) {
	q := s.db.WithContext(ctx).Model(&User{})
	if f.ClientID != "" {
		q = q.Where("id IN (SELECT user_id FROM memberships WHERE client_id = ?)", f.ClientID)
	}
	if within != nil {
		q = q.Where("id IN (SELECT user_id FROM memberships WHERE client_id IN ?)", append(within, uuid.Nil.String()))
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if f.Query != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(f.Query)) + "%"
		q = q.Where("(email LIKE ? OR lower(display_name) LIKE ? OR external_id = ?)", like, like, f.Query)
	}
	if f.After != "" {
		q = q.Where("email > ?", f.After)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	var users []*User
	if err := q.Order("email").Limit(limit).Find(&users).Error; err != nil {
		return nil, db.Translate(err, "users")
	}
	if err := loadMemberships(s.db.WithContext(ctx), users...); err != nil {
		return nil, err
	}
	return users, nil
}

// setMemberships replaces the user's memberships with clientIDs.
func setMemberships(tx *gorm.DB, userID string, clientIDs []string, now time.Time) error {
	if err := tx.Where("user_id = ?", userID).Delete(&membership{}).Error; err != nil {
		return db.Translate(err, "memberships")
	}
	if len(clientIDs) == 0 {
		return nil
	}
	rows := make([]membership, len(clientIDs))
	for i, c := range clientIDs {
		rows[i] = membership{UserID: userID, ClientID: c, CreatedAt: now}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return db.Translate(err, "membership (unknown client)")
	}
	return nil
}

// revokeUserSessions ends every live session of the user.
func revokeUserSessions(tx *gorm.DB, userID, reason string, now time.Time) error {
	err := tx.Model(&session{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		Updates(map[string]any{"revoked_at": now, "revoke_reason": reason}).Error
	return db.Translate(err, "sessions")
}

func revokeSession(tx *gorm.DB, id, reason string, now time.Time) error {
	err := tx.Model(&session{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": now, "revoke_reason": reason}).Error
	return db.Translate(err, "session")
}

// refreshRow is a refresh token with its session and user, locked.
type refreshRow struct {
	ID               string     `gorm:"column:id"`
	SessionID        string     `gorm:"column:session_id"`
	ExpiresAt        time.Time  `gorm:"column:expires_at"`
	UsedAt           *time.Time `gorm:"column:used_at"`
	SessionExpiresAt time.Time  `gorm:"column:session_expires_at"`
	SessionRevoked   *time.Time `gorm:"column:session_revoked_at"`
	UserID           string     `gorm:"column:user_id"`
	UserActive       bool       `gorm:"column:user_active"`
}

const refreshForUpdate = `
SELECT rt.id, rt.session_id, rt.expires_at, rt.used_at,
       s.expires_at AS session_expires_at, s.revoked_at AS session_revoked_at,
       u.id AS user_id, u.active AS user_active
FROM refresh_tokens rt
JOIN sessions s ON s.id = rt.session_id
JOIN users u ON u.id = s.user_id
WHERE rt.token_hash = ?
FOR UPDATE OF rt, s`

func findRefresh(tx *gorm.DB, hash string) (*refreshRow, error) {
	var rows []refreshRow
	if err := tx.Raw(refreshForUpdate, hash).Scan(&rows).Error; err != nil {
		return nil, db.Translate(err, "refresh token")
	}
	if len(rows) == 0 {
		return nil, apperr.NotFoundf("refresh token")
	}
	return &rows[0], nil
}

// principalRow is what one authenticated request needs to know.
type principalRow struct {
	ID        string    `gorm:"column:id"`
	Email     string    `gorm:"column:email"`
	Role      Role      `gorm:"column:role"`
	ClientIDs TextArray `gorm:"column:client_ids"`
	ExpiresAt time.Time `gorm:"column:expires_at"` // the session's
}

// principalForSession is the one query per request: the session is live,
// the user is active, and the user's memberships.
const principalForSession = `
SELECT u.id, u.email, u.role,
       ARRAY(SELECT m.client_id::text FROM memberships m WHERE m.user_id = u.id ORDER BY m.client_id) AS client_ids,
       s.expires_at
FROM sessions s
JOIN users u ON u.id = s.user_id
WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.active`

func (s *store) principalForSession(ctx context.Context, sessionID, userID string, now time.Time) (*principalRow, error) {
	if uuid.Validate(sessionID) != nil || uuid.Validate(userID) != nil {
		return nil, apperr.NotFoundf("session")
	}
	var rows []principalRow
	if err := s.db.WithContext(ctx).Raw(principalForSession, sessionID, userID, now).Scan(&rows).Error; err != nil {
		return nil, db.Translate(err, "session")
	}
	if len(rows) == 0 {
		return nil, apperr.NotFoundf("session")
	}
	return &rows[0], nil
}

// apiKeyByPrefix finds a key by its readable prefix.
func (s *store) apiKeyByPrefix(ctx context.Context, prefix string) (*APIKey, error) {
	var keys []APIKey
	if err := s.db.WithContext(ctx).Where("prefix = ?", prefix).Limit(1).Find(&keys).Error; err != nil {
		return nil, db.Translate(err, "API key")
	}
	if len(keys) == 0 {
		return nil, apperr.NotFoundf("API key")
	}
	return &keys[0], nil
}

// touchAPIKey records use, at most once a minute per key.
const touchAPIKey = `
UPDATE api_keys SET last_used_at = ?
WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`

func (s *store) touchAPIKey(ctx context.Context, id string, now time.Time) error {
	err := s.db.WithContext(ctx).Exec(touchAPIKey, now, id, now.Add(-time.Minute)).Error
	return db.Translate(err, "API key")
}

// lockKeys takes transaction-scoped advisory locks on the throttle keys, in
// a fixed order so that two logins never deadlock.
const lockThrottleKey = `SELECT pg_advisory_xact_lock(hashtextextended(?, 7365))`

// attemptsInWindow counts a key's attempts since a moment and returns the
// time of the limit-th newest, when the key frees a slot.
const attemptsInWindow = `
SELECT count(*) AS n,
       (SELECT at FROM login_attempts WHERE key = ? AND at > ? ORDER BY at DESC OFFSET ? LIMIT 1) AS nth
FROM login_attempts WHERE key = ? AND at > ?`

type throttleKey struct {
	key   string
	limit int
}

// reserveAttempt counts a login attempt against each key, unless one is at
// its limit, in which case it returns when to retry and reserves nothing.
// The reserved rows' ids are returned so a successful login can release them.
func (s *store) reserveAttempt(ctx context.Context, keys []throttleKey, window time.Duration, now time.Time) (ids []string, retryAt time.Time, err error) {
	sort.Slice(keys, func(i, j int) bool { return keys[i].key < keys[j].key })
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		since := now.Add(-window)
		for _, k := range keys {
			if err := tx.Exec(lockThrottleKey, k.key).Error; err != nil {
				return err
			}
			if err := tx.Exec(`DELETE FROM login_attempts WHERE key = ? AND at <= ?`, k.key, since).Error; err != nil {
				return err
			}
			var c struct {
				N   int        `gorm:"column:n"`
				Nth *time.Time `gorm:"column:nth"`
			}
			if err := tx.Raw(attemptsInWindow, k.key, since, k.limit-1, k.key, since).Scan(&c).Error; err != nil {
				return err
			}
			if c.N >= k.limit && c.Nth != nil {
				if at := c.Nth.Add(window); at.After(retryAt) {
					retryAt = at
				}
			}
		}
		if !retryAt.IsZero() {
			return nil
		}
		for _, k := range keys {
			id := uuid.NewString()
			if err := tx.Exec(`INSERT INTO login_attempts (id, key, at) VALUES (?, ?, ?)`, id, k.key, now).Error; err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("auth: throttle: %w", db.Translate(err, "login attempts"))
	}
	return ids, retryAt, nil
}

// releaseAttempts forgets attempts after a successful login: the reserved
// rows, and every earlier failure counted against the account.
func (s *store) releaseAttempts(ctx context.Context, ids []string, accountKey string) error {
	err := s.db.WithContext(ctx).Exec(`DELETE FROM login_attempts WHERE id IN ? OR key = ?`, append(ids, uuid.Nil.String()), accountKey).Error
	return db.Translate(err, "login attempts")
}

// takenIdentity is a user's email and external id.
type takenIdentity struct {
	Email      string  `gorm:"column:email"`
	ExternalID *string `gorm:"column:external_id"`
}

// takenIdentities returns the users that have one of the emails or
// external ids.
func (s *store) takenIdentities(ctx context.Context, emails, externalIDs []string) ([]takenIdentity, error) {
	const q = `SELECT email, external_id FROM users WHERE email IN ? OR external_id IN ?`
	var taken []takenIdentity
	if err := s.db.WithContext(ctx).Raw(q, append(emails, ""), append(externalIDs, "")).Scan(&taken).Error; err != nil {
		return nil, db.Translate(err, "users")
	}
	return taken, nil
}

// reactivateWithMemberships makes a user active again (when not) and adds
// the memberships it lacks, in tx.
func reactivateWithMemberships(tx *gorm.DB, userID string, clientIDs []string, now time.Time) error {
	if err := tx.Model(&User{}).Where("id = ? AND NOT active", userID).
		Updates(map[string]any{"active": true, "deactivated_at": nil, "updated_at": now}).Error; err != nil {
		return err
	}
	for _, c := range clientIDs {
		if err := tx.Exec(`INSERT INTO memberships (user_id, client_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, userID, c, now).Error; err != nil {
			return err
		}
	}
	return nil
}

// updateUser writes the columns of the user in tx; the error is GORM's, for
// the caller to translate (a unique violation means another user has the
// email or external id).
func updateUser(tx *gorm.DB, id string, columns map[string]any) error {
	return tx.Model(&User{}).Where("id = ?", id).Updates(columns).Error
}

// markRefreshUsed records, in tx, that the refresh token was used.
func markRefreshUsed(tx *gorm.DB, id string, now time.Time) error {
	if err := tx.Model(&refreshToken{}).Where("id = ?", id).Update("used_at", now).Error; err != nil {
		return db.Translate(err, "refresh token")
	}
	return nil
}

// listAPIKeys returns every API key, newest first.
func (s *store) listAPIKeys(ctx context.Context) ([]APIKey, error) {
	keys := []APIKey{}
	if err := s.db.WithContext(ctx).Order("created_at DESC, id").Find(&keys).Error; err != nil {
		return nil, db.Translate(err, "API keys")
	}
	return keys, nil
}

// lockAPIKey locks and returns the API key in tx. Errors: not_found.
func lockAPIKey(tx *gorm.DB, id string) (*APIKey, error) {
	var k APIKey
	if err := tx.Clauses(lockingForUpdate).Where("id = ?", id).Take(&k).Error; err != nil {
		return nil, db.Translate(err, "API key")
	}
	return &k, nil
}

// revokeAPIKey marks the API key revoked at now, in tx.
func revokeAPIKey(tx *gorm.DB, id string, now time.Time) error {
	if err := tx.Model(&APIKey{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
		return db.Translate(err, "API key")
	}
	return nil
}
