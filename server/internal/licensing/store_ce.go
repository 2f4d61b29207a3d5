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
	Document   []byte     `gorm:"column:document"`
	Hash       string     `gorm:"column:hash"`
	FileHash   *string    `gorm:"column:file_hash"`
	ImportedAt time.Time  `gorm:"column:imported_at"`
	EditedAt   *time.Time `gorm:"column:edited_at"`
	EditedBy   string     `gorm:"column:edited_by"`
}

// decode returns the row's library.
func (row *ceLibraryRow) decode() (*CELibrary, error) {
	var lib CELibrary
	if err := json.Unmarshal(row.Document, &lib); err != nil {
		return nil, fmt.Errorf("licensing: decode CE library: %w", err)
	}
	at := row.ImportedAt.UTC()
	lib.ImportedAt = &at
	if row.EditedAt != nil {
		e := row.EditedAt.UTC()
		lib.EditedAt, lib.EditedBy = &e, row.EditedBy
	}
	if lib.Requirements == nil {
		lib.Requirements = []CERequirement{}
	}
	if lib.Courses == nil {
		lib.Courses = []CECourse{}
	}
	return &lib, nil
}

const ceLibraryColumns = `SELECT document, hash, file_hash, imported_at, edited_at, edited_by FROM ce_library WHERE id = 1`

// lockCELibrary returns, in tx, the stored library row locked for update
// (nil when none was imported).
func lockCELibrary(tx *gorm.DB) (*ceLibraryRow, error) {
	var rows []ceLibraryRow
	if err := tx.Raw(ceLibraryColumns + ` FOR UPDATE`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("licensing: CE library: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// importCELibrary writes the library read from the file in tx: its hash is
// the file's, and edits made in the app are forgotten.
const importCELibraryQuery = `INSERT INTO ce_library (id, document, hash, file_hash, imported_at, edited_at, edited_by)
VALUES (1, ?, ?, ?, ?, NULL, '')
ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, hash = EXCLUDED.hash, file_hash = EXCLUDED.file_hash,
    imported_at = EXCLUDED.imported_at, edited_at = NULL, edited_by = ''`

func importCELibrary(tx *gorm.DB, doc []byte, hash string, now time.Time) error {
	if err := tx.Exec(importCELibraryQuery, string(doc), hash, hash, now).Error; err != nil {
		return fmt.Errorf("licensing: save CE library: %w", err)
	}
	return nil
}

// editCELibrary writes, in tx, the library as edited in the app by actor.
func editCELibrary(tx *gorm.DB, doc []byte, hash string, now time.Time, actor string) error {
	const q = `UPDATE ce_library SET document = ?, hash = ?, edited_at = ?, edited_by = ? WHERE id = 1`
	if err := tx.Exec(q, string(doc), hash, now, actor).Error; err != nil {
		return fmt.Errorf("licensing: edit CE library: %w", err)
	}
	return nil
}

// CELibrary returns the stored CE library, empty when none was imported.
func (s *Store) CELibrary(ctx context.Context) (*CELibrary, error) {
	var row ceLibraryRow
	err := s.db.WithContext(ctx).Raw(ceLibraryColumns).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &CELibrary{Requirements: []CERequirement{}, Courses: []CECourse{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("licensing: CE library: %w", err)
	}
	return row.decode()
}

// insertCECredit inserts a credit in tx.
func insertCECredit(tx *gorm.DB, c *CECredit) error {
	if err := tx.Create(c).Error; err != nil {
		return db.Translate(err, "CE credit")
	}
	return nil
}

// insertCourseCredit inserts a course credit in tx unless that course's
// credit for the certification (a program) or the completion (a module) is
// on record; it reports whether it did.
func insertCourseCredit(tx *gorm.DB, c *CECredit) (bool, error) {
	// Either unique index (a program's, a module's) keeps the credit once.
	const q = `INSERT INTO ce_credits (id, user_id, jurisdiction, hours, category, completed_on, source, program_id, module_id,
  title, approval_number, evidence, recorded_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, 'course', ?, ?, ?, ?, '', ?, ?)
ON CONFLICT DO NOTHING`
	res := tx.Exec(q, c.ID, c.UserID, c.Jurisdiction, c.Hours, c.Category, c.CompletedOn, c.ProgramID, c.ModuleID, c.Title,
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
