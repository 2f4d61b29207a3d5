package auth

import (
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/db"
)

// identity is one row of user_identities: a subject at a provider, linked
// to a user.
type identity struct {
	Issuer       string     `gorm:"column:issuer"`
	Subject      string     `gorm:"column:subject"`
	UserID       string     `gorm:"column:user_id"`
	Email        string     `gorm:"column:email"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	LastSignInAt *time.Time `gorm:"column:last_sign_in_at"`
}

func (identity) TableName() string { return "user_identities" }

// lockIdentity returns the identity (issuer, subject), locked, in tx.
// Errors: not_found.
func lockIdentity(tx *gorm.DB, issuer, subject string) (*identity, error) {
	var id identity
	err := tx.Clauses(lockingForUpdate).Where("issuer = ? AND subject = ?", issuer, subject).Take(&id).Error
	if err != nil {
		return nil, db.Translate(err, "identity")
	}
	return &id, nil
}

// lockUserByEmail returns the user with the (normalized) email, locked, in
// tx. Errors: not_found.
func lockUserByEmail(tx *gorm.DB, email string) (*User, error) {
	var u User
	if err := tx.Clauses(lockingForUpdate).Where("email = ?", email).Take(&u).Error; err != nil {
		return nil, db.Translate(err, "user")
	}
	if err := loadMemberships(tx, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// hasIdentityAt reports whether the user has an identity at issuer.
func hasIdentityAt(tx *gorm.DB, userID, issuer string) (bool, error) {
	var n int64
	if err := tx.Model(&identity{}).Where("user_id = ? AND issuer = ?", userID, issuer).Count(&n).Error; err != nil {
		return false, db.Translate(err, "identity")
	}
	return n > 0, nil
}

// insertIdentity links an identity, in tx.
func insertIdentity(tx *gorm.DB, id *identity) error {
	return db.Translate(tx.Create(id).Error, "identity")
}

// touchIdentity records a sign-in with the identity, in tx.
func touchIdentity(tx *gorm.DB, issuer, subject string, now time.Time) error {
	err := tx.Model(&identity{}).Where("issuer = ? AND subject = ?", issuer, subject).Update("last_sign_in_at", now).Error
	return db.Translate(err, "identity")
}

// claimSource marks a password account as claimed by source (an account
// provisioned by SCIM stays "scim"), in tx.
func claimSource(tx *gorm.DB, userID string, source Source, now time.Time) error {
	q := tx.Model(&User{}).Where("id = ?", userID)
	if source == SourceOIDC {
		q = q.Where("source = ?", SourcePassword)
	}
	return db.Translate(q.Updates(map[string]any{"source": source, "updated_at": now}).Error, "user")
}

// saveRole writes a user's role, in tx.
func saveRole(tx *gorm.DB, userID string, role Role, now time.Time) error {
	return db.Translate(updateUser(tx, userID, map[string]any{"role": role, "updated_at": now}), "user")
}
