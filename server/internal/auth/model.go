package auth

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// User is a person who signs in. Users are deactivated, never deleted.
type User struct {
	ID          string  `gorm:"column:id" json:"id"`
	Email       string  `gorm:"column:email" json:"email"`
	DisplayName string  `gorm:"column:display_name" json:"display_name"`
	Role        Role    `gorm:"column:role" json:"role"`
	ExternalID  *string `gorm:"column:external_id" json:"external_id"`
	// SCIMExternalID is the identity provider's id for a user it
	// provisions over SCIM (SCIM's externalId).
	SCIMExternalID *string `gorm:"column:scim_external_id" json:"-"`
	// SCIMDeletedAt is when the identity provider deleted the user over
	// SCIM: the account stays, deactivated, but SCIM no longer shows it,
	// and only the provider brings it back (by creating it again).
	SCIMDeletedAt *time.Time `gorm:"column:scim_deleted_at" json:"scim_deleted_at,omitempty"`
	// Source is where the account comes from (see Source).
	Source        Source     `gorm:"column:source" json:"source"`
	PasswordHash  string     `gorm:"column:password_hash" json:"-"`
	Active        bool       `gorm:"column:active" json:"active"`
	DeactivatedAt *time.Time `gorm:"column:deactivated_at" json:"deactivated_at,omitempty"`
	CreatedAt     time.Time  `gorm:"column:created_at" json:"created_at"`
	UpdatedAt     time.Time  `gorm:"column:updated_at" json:"updated_at"`
	// ClientIDs are the user's memberships (filled by the store, not a column).
	ClientIDs []string `gorm:"-" json:"client_ids"`
	// Clients names the memberships, by name (filled with ClientIDs).
	Clients []ClientRef `gorm:"-" json:"clients,omitempty"`
}

// Source is where an account comes from.
type Source string

// The sources of accounts.
const (
	// SourcePassword: created in Skillgate (by an admin, a CSV import or
	// the command line).
	SourcePassword Source = "password"
	// SourceOIDC: created by, or since claimed by, an OpenID Connect sign-in.
	SourceOIDC Source = "oidc"
	// SourceSCIM: provisioned by the identity provider over SCIM.
	SourceSCIM Source = "scim"
)

// ClientRef names a client.
type ClientRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TableName names the table.
func (User) TableName() string { return "users" }

// HasPassword reports whether the user can sign in with a password.
func (u *User) HasPassword() bool { return u.PasswordHash != "" }

// summary is the user as an audit entry records it: never a secret.
func (u *User) summary() map[string]any {
	return map[string]any{
		"email": u.Email, "display_name": u.DisplayName, "role": u.Role,
		"external_id": u.ExternalID, "active": u.Active, "client_ids": u.ClientIDs, "source": u.Source,
	}
}

// membership is one row of memberships.
type membership struct {
	UserID    string    `gorm:"column:user_id"`
	ClientID  string    `gorm:"column:client_id"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (membership) TableName() string { return "memberships" }

// session is one sign-in: the family of its refresh tokens.
type session struct {
	ID           string     `gorm:"column:id"`
	UserID       string     `gorm:"column:user_id"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	ExpiresAt    time.Time  `gorm:"column:expires_at"`
	RevokedAt    *time.Time `gorm:"column:revoked_at"`
	RevokeReason string     `gorm:"column:revoke_reason"`
}

func (session) TableName() string { return "sessions" }

// refreshToken is a stored (hashed) refresh token.
type refreshToken struct {
	ID        string     `gorm:"column:id"`
	SessionID string     `gorm:"column:session_id"`
	TokenHash string     `gorm:"column:token_hash"`
	CreatedAt time.Time  `gorm:"column:created_at"`
	ExpiresAt time.Time  `gorm:"column:expires_at"`
	UsedAt    *time.Time `gorm:"column:used_at"`
}

func (refreshToken) TableName() string { return "refresh_tokens" }

// APIKey is a machine credential. The secret is shown once, at creation;
// only its SHA-256 is kept.
type APIKey struct {
	ID         string     `gorm:"column:id" json:"id"`
	Name       string     `gorm:"column:name" json:"name"`
	Prefix     string     `gorm:"column:prefix" json:"prefix"`
	SecretHash string     `gorm:"column:secret_hash" json:"-"`
	Scopes     TextArray  `gorm:"column:scopes" json:"scopes"`
	CreatedBy  *string    `gorm:"column:created_by" json:"created_by,omitempty"`
	CreatedAt  time.Time  `gorm:"column:created_at" json:"created_at"`
	ExpiresAt  *time.Time `gorm:"column:expires_at" json:"expires_at,omitempty"`
	RevokedAt  *time.Time `gorm:"column:revoked_at" json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `gorm:"column:last_used_at" json:"last_used_at,omitempty"`
}

// TableName names the table.
func (APIKey) TableName() string { return "api_keys" }

// TextArray is a Postgres text[] of plain tokens such as scopes or ids
// ("eligibility:read"), whose array literal needs no quoting.
type TextArray []string

// Value implements driver.Valuer.
func (s TextArray) Value() (driver.Value, error) {
	return "{" + strings.Join(s, ",") + "}", nil
}

// Scan implements sql.Scanner.
func (s *TextArray) Scan(src any) error {
	var str string
	switch v := src.(type) {
	case string:
		str = v
	case []byte:
		str = string(v)
	default:
		return fmt.Errorf("auth: scan scopes from %T", src)
	}
	str = strings.Trim(str, "{}")
	*s = TextArray{}
	if str != "" {
		*s = strings.Split(str, ",")
	}
	return nil
}

// Scopes lists every API key scope.
var Scopes = []string{ScopeEligibilityRead, ScopeWebhooksManage, ScopeSCIMProvision}

// Tokens is what a successful login or refresh hands back.
type Tokens struct {
	AccessToken     string
	AccessExpiresAt time.Time
	RefreshToken    string
	RefreshExpires  time.Time
	User            *User
}

// LoginInput is a login attempt.
type LoginInput struct {
	Email    string
	Password string
	ClientIP string
}

// CreateUserInput creates a user. Password is optional: without one the
// user cannot sign in until an admin sets one.
type CreateUserInput struct {
	Email       string   `json:"email" binding:"required,max=254"`
	DisplayName string   `json:"display_name" binding:"max=200"`
	Role        Role     `json:"role" binding:"required"`
	ExternalID  string   `json:"external_id" binding:"max=200"`
	Password    string   `json:"password"`
	ClientIDs   []string `json:"client_ids" binding:"omitempty,dive,uuid"`
	// source is where the account comes from; "" is SourcePassword. Only
	// identity's own provisioning paths set it.
	source Source
}

// UpdateUserInput changes a user; nil fields are left alone. Password, when
// set, replaces the password and ends every session of the user.
type UpdateUserInput struct {
	Email       *string `json:"email" binding:"omitempty,max=254"`
	DisplayName *string `json:"display_name" binding:"omitempty,max=200"`
	Role        *Role   `json:"role"`
	ExternalID  *string `json:"external_id" binding:"omitempty,max=200"`
	Password    *string `json:"password"`
}

// UserFilter selects users for listing.
type UserFilter struct {
	ClientID string `form:"client_id" binding:"omitempty,uuid"`
	Role     Role   `form:"role"`
	Active   *bool  `form:"active"`
	Query    string `form:"q" binding:"max=200"`
	After    string `form:"after" binding:"max=254"` // keyset: emails after this one
	Limit    int    `form:"limit" binding:"omitempty,min=1,max=500"`
}

// CreateAPIKeyInput creates an API key.
type CreateAPIKeyInput struct {
	Name      string     `json:"name" binding:"required,max=200"`
	Scopes    []string   `json:"scopes" binding:"required,min=1"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// NewAPIKey is a created key with its secret, shown this once.
type NewAPIKey struct {
	APIKey
	Key string `json:"key"`
}

// Person is a user as others name them: id, email and display name.
type Person struct {
	ID          string `gorm:"column:id" json:"id"`
	Email       string `gorm:"column:email" json:"email"`
	DisplayName string `gorm:"column:display_name" json:"display_name"`
}
