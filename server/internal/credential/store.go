package credential

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/db"
)

// Store reads and writes certificates.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// insertCertificate writes c in tx, numbering it (SG-<year of issue>-<serial>)
// and giving it the next status list index; it fills both into c.
func insertCertificate(tx *gorm.DB, c *Certificate) error {
	const q = `INSERT INTO certificates (id, certification_id, user_id, program_id, client_id, verify_id, number,
		status_index, holder_name, program_name, client_name, issued_at, expires_at, reason, identity_salt)
	VALUES (?, ?, ?, ?, ?, ?,
		'SG-' || to_char(?::timestamptz AT TIME ZONE 'UTC', 'YYYY') || '-' || lpad(nextval('certificate_numbers')::text, 6, '0'),
		nextval('credential_status_indexes'), ?, ?, ?, ?, ?, ?, ?)
	RETURNING number, status_index`
	var out struct {
		Number      string `gorm:"column:number"`
		StatusIndex int64  `gorm:"column:status_index"`
	}
	err := tx.Raw(q, c.ID, c.CertificationID, c.UserID, c.ProgramID, c.ClientID, c.VerifyID, c.IssuedAt,
		c.HolderName, c.ProgramName, c.ClientName, c.IssuedAt, c.ExpiresAt, c.Reason, c.IdentitySalt).Scan(&out).Error
	if err != nil {
		return db.Translate(err, "certificate")
	}
	c.Number, c.StatusIndex = out.Number, out.StatusIndex
	return nil
}

// clearRefresherDue clears the refresher mark of the record's certificates
// in tx (a new certificate supersedes them, or the refresher was done).
func clearRefresherDue(tx *gorm.DB, certificationID string) error {
	err := tx.Model(&Certificate{}).Where("certification_id = ? AND refresher_due", certificationID).
		Update("refresher_due", false).Error
	if err != nil {
		return fmt.Errorf("credential: clear refresher mark: %w", err)
	}
	return nil
}

// markRefresherDue marks the record's current certificate (the newest that
// has neither ended nor been revoked) refresher due, in tx.
func markRefresherDue(tx *gorm.DB, certificationID string) error {
	const q = `UPDATE certificates SET refresher_due = true WHERE id = (
		SELECT id FROM certificates WHERE certification_id = ? AND ended_at IS NULL AND revoked_at IS NULL
		ORDER BY issued_at DESC, number DESC LIMIT 1)`
	if err := tx.Exec(q, certificationID).Error; err != nil {
		return fmt.Errorf("credential: mark refresher due: %w", err)
	}
	return nil
}

// endCertificates ends, in tx, the record's certificates that have neither
// ended nor been revoked (the certification expired).
func endCertificates(tx *gorm.DB, certificationID string, at time.Time) error {
	err := tx.Model(&Certificate{}).Where("certification_id = ? AND ended_at IS NULL AND revoked_at IS NULL", certificationID).
		Updates(map[string]any{"ended_at": at, "refresher_due": false}).Error
	if err != nil {
		return fmt.Errorf("credential: end certificates: %w", err)
	}
	return nil
}

// revokeCertificates revokes, in tx, every certificate of the record not
// revoked yet.
func revokeCertificates(tx *gorm.DB, certificationID string, at time.Time) error {
	err := tx.Model(&Certificate{}).Where("certification_id = ? AND revoked_at IS NULL", certificationID).
		Updates(map[string]any{"revoked_at": at, "refresher_due": false}).Error
	if err != nil {
		return fmt.Errorf("credential: revoke certificates: %w", err)
	}
	return nil
}

// latestOf returns the record's newest certificate in tx, or not_found.
func latestOf(tx *gorm.DB, certificationID string) (*Certificate, error) {
	var c Certificate
	err := tx.Where("certification_id = ?", certificationID).Order("issued_at DESC, number DESC").Take(&c).Error
	if err != nil {
		return nil, db.Translate(err, "certificate")
	}
	return &c, nil
}

// ByVerifyID returns the certificate with the public id, or not_found.
func (s *Store) ByVerifyID(ctx context.Context, verifyID string) (*Certificate, error) {
	var c Certificate
	if err := s.db.WithContext(ctx).Where("verify_id = ?", verifyID).Take(&c).Error; err != nil {
		return nil, db.Translate(err, "certificate")
	}
	return &c, nil
}

// ByID returns the certificate, or not_found.
func (s *Store) ByID(ctx context.Context, id string) (*Certificate, error) {
	var c Certificate
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, db.Translate(err, "certificate")
	}
	return &c, nil
}

// ListForCertification returns the record's certificates, newest first.
func (s *Store) ListForCertification(ctx context.Context, certificationID string) ([]Certificate, error) {
	cs := []Certificate{}
	err := s.db.WithContext(ctx).Where("certification_id = ?", certificationID).Order("issued_at DESC, number DESC").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("credential: list certificates: %w", err)
	}
	return cs, nil
}

// ListForUser returns the holder's certificates, newest first.
func (s *Store) ListForUser(ctx context.Context, userID string) ([]Certificate, error) {
	cs := []Certificate{}
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("issued_at DESC, number DESC").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("credential: list certificates: %w", err)
	}
	return cs, nil
}

// SetBits returns the status list indexes in [from, to) whose bit is set at
// now: revoked, ended, or past the certificate's expiry.
func (s *Store) SetBits(ctx context.Context, from, to int64, now time.Time) ([]int64, error) {
	const q = `SELECT status_index FROM certificates WHERE status_index >= ? AND status_index < ?
		AND (revoked_at IS NOT NULL OR ended_at IS NOT NULL OR expires_at <= ?) ORDER BY status_index`
	out := []int64{}
	if err := s.db.WithContext(ctx).Raw(q, from, to, now).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("credential: status list: %w", err)
	}
	return out, nil
}

// MaxStatusIndex returns the highest status index given out (-1: none).
func (s *Store) MaxStatusIndex(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Raw(`SELECT coalesce(max(status_index), -1) FROM certificates`).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("credential: status lists: %w", err)
	}
	return n, nil
}

// devKey returns the development signing key, making it with generate and
// storing it on first use (the first of several replicas to store it wins).
func (s *Store) devKey(ctx context.Context, generate func() ed25519.PrivateKey, now time.Time) (ed25519.PrivateKey, error) {
	const ins = `INSERT INTO credential_dev_key (id, private_key, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`
	var row struct {
		PrivateKey []byte `gorm:"column:private_key"`
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(ins, generate().Seed(), now).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT private_key FROM credential_dev_key WHERE id = 1`).Scan(&row).Error
	})
	seed := row.PrivateKey
	if err != nil {
		return nil, fmt.Errorf("credential: development key: %w", err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("credential: development key: stored key has %d bytes", len(seed))
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
