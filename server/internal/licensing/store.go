package licensing

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/db"
)

// Store reads and writes licenses and their history.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

var lockForUpdate = clause.Locking{Strength: "UPDATE"}

// byID returns a license (locked for update when tx is a transaction that
// asks for it). Returns not_found.
func byID(tx *gorm.DB, id string) (*License, error) {
	var l License
	if err := tx.Where("id = ?", id).Take(&l).Error; err != nil {
		return nil, db.Translate(err, "license")
	}
	return &l, nil
}

// Find returns a license by id. Returns not_found.
func (s *Store) Find(ctx context.Context, id string) (*License, error) {
	return byID(s.db.WithContext(ctx), id)
}

// List returns the licenses matching f (today is the date that
// ExpiringWithinDays counts from), soonest expiry first.
func (s *Store) List(ctx context.Context, f Filter, today Date) ([]License, error) {
	q := s.db.WithContext(ctx).Model(&License{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Jurisdiction != "" {
		q = q.Where("jurisdiction = ?", f.Jurisdiction)
	}
	if f.ExpiringWithinDays > 0 {
		q = q.Where("status = ? AND expiry_date > ? AND expiry_date <= ?", Verified, today, today.AddDays(f.ExpiringWithinDays))
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	if f.Offset > 0 {
		q = q.Offset(f.Offset)
	}
	ls := []License{}
	if err := q.Order("expiry_date, jurisdiction, id").Find(&ls).Error; err != nil {
		return nil, fmt.Errorf("licensing: list: %w", err)
	}
	return ls, nil
}

// Queue returns the pending licenses, oldest submission first.
func (s *Store) Queue(ctx context.Context) ([]License, error) {
	ls := []License{}
	if err := s.db.WithContext(ctx).Where("status = ?", Pending).Order("submitted_at, id").Find(&ls).Error; err != nil {
		return nil, fmt.Errorf("licensing: queue: %w", err)
	}
	return ls, nil
}

// ForUsers returns every license of the users, by user and jurisdiction
// (one query on the licenses_user index).
func (s *Store) ForUsers(ctx context.Context, userIDs []string) ([]License, error) {
	ls := []License{}
	if len(userIDs) == 0 {
		return ls, nil
	}
	err := s.db.WithContext(ctx).Where("user_id IN ?", userIDs).
		Order("user_id, jurisdiction, class, expiry_date DESC, id").Find(&ls).Error
	if err != nil {
		return nil, fmt.Errorf("licensing: licenses of users: %w", err)
	}
	return ls, nil
}

// History returns a license's events, oldest first.
func (s *Store) History(ctx context.Context, licenseID string) ([]Event, error) {
	es := []Event{}
	if err := s.db.WithContext(ctx).Where("license_id = ?", licenseID).Order("seq").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("licensing: history: %w", err)
	}
	return es, nil
}

// activeKey identifies an active (pending or verified) license.
type activeKey struct {
	UserID        string `gorm:"column:user_id"`
	Jurisdiction  string `gorm:"column:jurisdiction"`
	Class         string `gorm:"column:class"`
	LicenseNumber string `gorm:"column:license_number"`
}

// activeKeys returns the keys of the users' pending and verified licenses.
func (s *Store) activeKeys(ctx context.Context, userIDs []string) (map[activeKey]bool, error) {
	var ks []activeKey
	err := s.db.WithContext(ctx).Model(&License{}).Select("user_id, jurisdiction, class, license_number").
		Where("user_id IN ? AND status IN ?", append(userIDs, "00000000-0000-0000-0000-000000000000"), []Status{Pending, Verified}).
		Scan(&ks).Error
	if err != nil {
		return nil, fmt.Errorf("licensing: active licenses: %w", err)
	}
	m := make(map[activeKey]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m, nil
}

// dueForExpiry locks up to limit verified licenses whose expiry date has
// come, skipping rows another replica holds.
func dueForExpiry(tx *gorm.DB, today Date, limit int) ([]License, error) {
	ls := []License{}
	err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
		Where("status = ? AND expiry_date <= ?", Verified, today).Order("expiry_date, id").Limit(limit).Find(&ls).Error
	if err != nil {
		return nil, fmt.Errorf("licensing: due for expiry: %w", err)
	}
	return ls, nil
}
