package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/db"
)

// ceLibraryRow is the stored CE library.
type ceLibraryRow struct {
	Document   []byte    `gorm:"column:document"`
	Hash       string    `gorm:"column:hash"`
	ImportedAt time.Time `gorm:"column:imported_at"`
}

// ceLibraryHash returns, in tx, the stored library's hash ("" when none).
func ceLibraryHash(tx *gorm.DB) (string, error) {
	var hashes []string
	if err := tx.Raw(`SELECT hash FROM ce_library WHERE id = 1`).Scan(&hashes).Error; err != nil {
		return "", fmt.Errorf("licensing: CE library: %w", err)
	}
	if len(hashes) == 0 {
		return "", nil
	}
	return hashes[0], nil
}

// saveCELibrary writes the library document in tx.
const saveCELibraryQuery = `INSERT INTO ce_library (id, document, hash, imported_at) VALUES (1, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, hash = EXCLUDED.hash, imported_at = EXCLUDED.imported_at`

func saveCELibrary(tx *gorm.DB, doc []byte, hash string, now time.Time) error {
	if err := tx.Exec(saveCELibraryQuery, string(doc), hash, now).Error; err != nil {
		return fmt.Errorf("licensing: save CE library: %w", err)
	}
	return nil
}

// CELibrary returns the stored CE library, empty when none was imported.
func (s *Store) CELibrary(ctx context.Context) (*CELibrary, error) {
	var row ceLibraryRow
	err := s.db.WithContext(ctx).Raw(`SELECT document, hash, imported_at FROM ce_library WHERE id = 1`).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &CELibrary{Requirements: []CERequirement{}, Courses: []CECourse{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("licensing: CE library: %w", err)
	}
	var lib CELibrary
	if err := json.Unmarshal(row.Document, &lib); err != nil {
		return nil, fmt.Errorf("licensing: decode CE library: %w", err)
	}
	at := row.ImportedAt.UTC()
	lib.ImportedAt = &at
	return &lib, nil
}

// insertCECredit inserts a credit in tx.
func insertCECredit(tx *gorm.DB, c *CECredit) error {
	if err := tx.Create(c).Error; err != nil {
		return db.Translate(err, "CE credit")
	}
	return nil
}

// insertCourseCredit inserts a course credit in tx unless that course's
// credit for the certification is on record; it reports whether it did.
func insertCourseCredit(tx *gorm.DB, c *CECredit) (bool, error) {
	const q = `INSERT INTO ce_credits (id, user_id, jurisdiction, hours, category, completed_on, source, program_id, title,
  approval_number, evidence, recorded_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, 'course', ?, ?, ?, '', ?, ?)
ON CONFLICT (user_id, program_id, jurisdiction, completed_on) WHERE source = 'course' DO NOTHING`
	res := tx.Exec(q, c.ID, c.UserID, c.Jurisdiction, c.Hours, c.Category, c.CompletedOn, c.ProgramID, c.Title,
		c.ApprovalNumber, c.RecordedBy, c.CreatedAt)
	if res.Error != nil {
		return false, fmt.Errorf("licensing: course credit: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// CECredits returns the users' CE credits, newest first.
func (s *Store) CECredits(ctx context.Context, userIDs []string) ([]CECredit, error) {
	cs := []CECredit{}
	err := s.db.WithContext(ctx).Where("user_id IN ?", append(userIDs, "00000000-0000-0000-0000-000000000000")).
		Order("completed_on DESC, created_at DESC, id").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("licensing: CE credits: %w", err)
	}
	return cs, nil
}
