package catalog

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// ModuleDraft is a module being written or changed in the app; agents never
// see it. Revision is its ETag: every save makes the next one.
type ModuleDraft struct {
	ID          string    `gorm:"column:id" json:"id"`
	ModuleID    *string   `gorm:"column:module_id" json:"module_id"`   // nil: a new module
	ClientID    *string   `gorm:"column:client_id" json:"client_id"`   // nil: core
	ProgramID   *string   `gorm:"column:program_id" json:"program_id"` // a new client module's program
	Slug        string    `gorm:"column:slug" json:"slug"`
	BaseVersion *int      `gorm:"column:base_version" json:"base_version"` // the version the draft started from
	Source      string    `gorm:"column:source" json:"source"`
	Revision    int       `gorm:"column:revision" json:"revision"`
	CreatedBy   string    `gorm:"column:created_by" json:"created_by"`
	UpdatedBy   string    `gorm:"column:updated_by" json:"updated_by"`
	CreatedAt   time.Time `gorm:"column:created_at" json:"created_at"`
	UpdatedAt   time.Time `gorm:"column:updated_at" json:"updated_at"`
}

// TableName is the drafts' table.
func (ModuleDraft) TableName() string { return "module_drafts" }

// draftRevision is one saved revision of a draft.
type draftRevision struct {
	DraftID  string    `gorm:"column:draft_id"`
	Revision int       `gorm:"column:revision"`
	Source   string    `gorm:"column:source"`
	SavedBy  string    `gorm:"column:saved_by"`
	SavedAt  time.Time `gorm:"column:saved_at"`
}

func (draftRevision) TableName() string { return "module_draft_revisions" }

// DraftByID returns the draft, or not_found.
func (s *Store) DraftByID(ctx context.Context, id string) (*ModuleDraft, error) {
	return byID[ModuleDraft](s.db.WithContext(ctx), id, "module draft")
}

// DraftOfModule returns the module's draft, or not_found.
func (s *Store) DraftOfModule(ctx context.Context, moduleID string) (*ModuleDraft, error) {
	return first[ModuleDraft](s.db.WithContext(ctx).Where("module_id = ?", moduleID), "module draft")
}

// ListDrafts lists the drafts of the given clients (and core drafts when
// core), newest first; all drafts when all.
func (s *Store) ListDrafts(ctx context.Context, all, core bool, clientIDs []string) ([]ModuleDraft, error) {
	q := s.db.WithContext(ctx).Order("updated_at DESC, id")
	if !all {
		if core {
			q = q.Where("client_id IS NULL OR client_id IN ?", append(clientIDs, uuid.Nil.String()))
		} else {
			q = q.Where("client_id IN ?", append(clientIDs, uuid.Nil.String()))
		}
	}
	out := []ModuleDraft{}
	return out, db.Translate(q.Find(&out).Error, "module drafts")
}

// insertDraft writes a new draft and its first revision in tx.
func insertDraft(tx *gorm.DB, d *ModuleDraft) error {
	if err := tx.Create(d).Error; err != nil {
		return db.Translate(err, "a draft of module "+d.Slug)
	}
	return tx.Create(&draftRevision{DraftID: d.ID, Revision: d.Revision, Source: d.Source, SavedBy: d.UpdatedBy, SavedAt: d.UpdatedAt}).Error
}

// lockDraft reads the draft for update in tx, or not_found.
func lockDraft(tx *gorm.DB, id string) (*ModuleDraft, error) {
	return byID[ModuleDraft](tx.Clauses(clause.Locking{Strength: "UPDATE"}), id, "module draft")
}

// draftRevisionOf returns one saved revision of the draft, or not_found.
func draftRevisionOf(tx *gorm.DB, draftID string, revision int) (*draftRevision, error) {
	return first[draftRevision](tx.Where("draft_id = ? AND revision = ?", draftID, revision), "revision of the draft")
}

// saveDraft writes d's next revision (source, by, at) in tx.
func saveDraft(tx *gorm.DB, d *ModuleDraft, source, by string, at time.Time) error {
	d.Revision++
	d.Source, d.UpdatedBy, d.UpdatedAt = source, by, at
	err := tx.Model(d).Updates(map[string]any{"source": source, "revision": d.Revision, "updated_by": by, "updated_at": at}).Error
	if err != nil {
		return db.Translate(err, "module draft")
	}
	return tx.Create(&draftRevision{DraftID: d.ID, Revision: d.Revision, Source: source, SavedBy: by, SavedAt: at}).Error
}

// deleteDraft removes the draft (and its revisions) in tx.
func deleteDraft(tx *gorm.DB, id string) error {
	res := tx.Exec("DELETE FROM module_drafts WHERE id = ?", id)
	if res.Error != nil {
		return db.Translate(res.Error, "module draft")
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("module draft")
	}
	return nil
}

// appendProgramModule lists the module last in the program's reading order,
// in tx.
func appendProgramModule(tx *gorm.DB, programID, moduleID string) error {
	const q = `INSERT INTO program_modules (program_id, position, module_id)
SELECT @program, COALESCE(max(position), 0) + 1, @module FROM program_modules WHERE program_id = @program`
	err := tx.Exec(q, map[string]any{"program": programID, "module": moduleID}).Error
	return db.Translate(err, "the program's module list")
}

// setProgramSpecHash records the program's spec hash after a change made
// in the app, in tx.
func setProgramSpecHash(tx *gorm.DB, programID, hash string, at time.Time) error {
	err := tx.Exec("UPDATE programs SET spec_hash = ?, updated_at = ? WHERE id = ?", hash, at, programID).Error
	return db.Translate(err, "program")
}
