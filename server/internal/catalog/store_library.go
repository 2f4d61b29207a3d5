package catalog

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/db"
)

// libraryFiles returns the kept library files, by path.
func (s *Store) libraryFiles(ctx context.Context) ([]LibraryFile, error) {
	var rows []struct {
		Path    string `gorm:"column:path"`
		Content []byte `gorm:"column:content"`
	}
	err := s.db.WithContext(ctx).Table("library_files").Select("path, content").Order("path").Find(&rows).Error
	if err != nil {
		return nil, db.Translate(err, "library files")
	}
	out := make([]LibraryFile, len(rows))
	for i, r := range rows {
		out[i] = LibraryFile{Path: r.Path, Data: r.Content}
	}
	return out, nil
}

// upsertLibraryFiles keeps files (by path) as of import importID, in tx.
func upsertLibraryFiles(tx *gorm.DB, files []LibraryFile, importID string, at time.Time) error {
	const q = `INSERT INTO library_files (path, content, import_id, imported_at) VALUES (?, ?, ?, ?)
ON CONFLICT (path) DO UPDATE SET content = EXCLUDED.content, import_id = EXCLUDED.import_id, imported_at = EXCLUDED.imported_at`
	for _, f := range files {
		if err := tx.Exec(q, f.Path, f.Data, importID, at).Error; err != nil {
			return db.Translate(err, "library file "+f.Path)
		}
	}
	return nil
}
