package library

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Store holds the library drafts' SQL.
type Store struct{ db *gorm.DB }

// NewStore returns the store on g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// Transaction runs fn in one transaction.
func (s *Store) Transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// DraftByID returns the draft, or not_found.
func (s *Store) DraftByID(ctx context.Context, id string) (*Draft, error) {
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("draft")
	}
	var d Draft
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&d).Error; err != nil {
		return nil, db.Translate(err, "draft")
	}
	return &d, nil
}

// DraftAt returns the open draft of the client's file at path, or
// not_found.
func (s *Store) DraftAt(ctx context.Context, client, path string) (*Draft, error) {
	var d Draft
	if err := s.db.WithContext(ctx).Where("client = ? AND path = ?", client, path).Take(&d).Error; err != nil {
		return nil, db.Translate(err, "draft")
	}
	return &d, nil
}

// ListDrafts lists the drafts, of one client and kind when given, newest
// first.
func (s *Store) ListDrafts(ctx context.Context, client, kind string) ([]Draft, error) {
	q := s.db.WithContext(ctx).Order("updated_at DESC, id")
	if client != "" {
		q = q.Where("client = ?", client)
	}
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	out := []Draft{}
	return out, db.Translate(q.Find(&out).Error, "drafts")
}

// insertDraft writes a new draft and its first revision in tx; a draft of
// the same file started meanwhile is a conflict.
func insertDraft(tx *gorm.DB, d *Draft) error {
	if err := tx.Create(d).Error; err != nil {
		return db.Translate(err, "a draft of "+d.Path)
	}
	return tx.Create(&draftRevision{DraftID: d.ID, Revision: d.Revision, Body: d.Body, SavedBy: d.UpdatedBy, SavedAt: d.UpdatedAt}).Error
}

// lockDraft reads the draft for update in tx, or not_found.
func lockDraft(tx *gorm.DB, id string) (*Draft, error) {
	var d Draft
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&d).Error; err != nil {
		return nil, db.Translate(err, "draft")
	}
	return &d, nil
}

// revisionOf returns one saved revision of the draft, or not_found.
func revisionOf(tx *gorm.DB, draftID string, revision int) (*draftRevision, error) {
	var r draftRevision
	if err := tx.Where("draft_id = ? AND revision = ?", draftID, revision).Take(&r).Error; err != nil {
		return nil, db.Translate(err, "revision of the draft")
	}
	return &r, nil
}

// saveDraft writes d's next revision (body, by, at) in tx.
func saveDraft(tx *gorm.DB, d *Draft, body, by string, at time.Time) error {
	d.Revision++
	d.Body, d.UpdatedBy, d.UpdatedAt = body, by, at
	err := tx.Model(&Draft{}).Where("id = ?", d.ID).
		Updates(map[string]any{"body": body, "revision": d.Revision, "updated_by": by, "updated_at": at}).Error
	if err != nil {
		return db.Translate(err, "draft")
	}
	return tx.Create(&draftRevision{DraftID: d.ID, Revision: d.Revision, Body: body, SavedBy: by, SavedAt: at}).Error
}

// deleteDraft removes the draft (and its revisions) in tx, or not_found.
func deleteDraft(tx *gorm.DB, id string) error {
	res := tx.Exec("DELETE FROM library_drafts WHERE id = ?", id)
	if res.Error != nil {
		return db.Translate(res.Error, "draft")
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("draft")
	}
	return nil
}
