package library

import (
	"path"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

// The kinds of library file a draft can be.
const (
	KindClient   = "client"
	KindProgram  = "program"
	KindQuiz     = "quiz"
	KindBank     = "bank"
	KindRoleplay = "roleplay"
)

// Kinds lists the draft kinds.
var Kinds = []string{KindClient, KindProgram, KindQuiz, KindBank, KindRoleplay}

// CoreClient names core content (catalog.CoreFolder) where a draft names
// its client.
const CoreClient = catalog.CoreFolder

// MaxDraftBytes bounds a draft's text.
const MaxDraftBytes = 512 << 10

// Draft is one library file being written or changed in the app; agents
// never see it. Revision is its version and its ETag.
type Draft struct {
	ID            string    `gorm:"column:id" json:"id"`
	Client        string    `gorm:"column:client" json:"client"`
	Kind          string    `gorm:"column:kind" json:"kind"`
	Path          string    `gorm:"column:path" json:"path"`
	Body          string    `gorm:"column:body" json:"body"`
	Revision      int       `gorm:"column:revision" json:"version"`
	CreatedBy     string    `gorm:"column:created_by" json:"created_by"`
	UpdatedBy     string    `gorm:"column:updated_by" json:"updated_by"`
	CreatedAt     time.Time `gorm:"column:created_at" json:"-"`
	UpdatedAt     time.Time `gorm:"column:updated_at" json:"updated_at"`
	Tag           string    `gorm:"-" json:"etag"`
	Published     bool      `gorm:"-" json:"published"`
	UpdatedByName string    `gorm:"-" json:"updated_by_name"`
}

// TableName is the drafts' table.
func (Draft) TableName() string { return "library_drafts" }

// ETag is the draft revision's entity tag.
func (d *Draft) ETag() string { return catalog.DraftETag(d.ID, d.Revision) }

// draftRevision is one saved revision of a draft.
type draftRevision struct {
	DraftID  string    `gorm:"column:draft_id"`
	Revision int       `gorm:"column:revision"`
	Body     string    `gorm:"column:body"`
	SavedBy  string    `gorm:"column:saved_by"`
	SavedAt  time.Time `gorm:"column:saved_at"`
}

func (draftRevision) TableName() string { return "library_draft_revisions" }

// PathInfo reads a library path: the client it belongs to and the kind of
// file it is. ok is false for a path that is no draftable file (a module,
// a README, a name that is not a slug, a path escaping the library).
func PathInfo(p string) (client, kind string, ok bool) {
	if p == "" || len(p) > 400 || strings.Contains(p, "\\") || path.Clean(p) != p {
		return "", "", false
	}
	parts := strings.Split(p, "/")
	if len(parts) < 3 || !slugOrCore(parts[1]) {
		return "", "", false
	}
	client, name := parts[1], parts[len(parts)-1]
	for _, dir := range parts[2 : len(parts)-1] {
		if !catalog.ValidSlug(dir) {
			return "", "", false
		}
	}
	switch parts[0] {
	case "content":
		switch {
		case client == CoreClient:
			return "", "", false
		case len(parts) == 3 && name == "client.yaml":
			return client, KindClient, true
		case len(parts) == 4 && name == "program.yaml":
			return client, KindProgram, true
		}
	case "quizzes":
		if len(parts) > 6 {
			return "", "", false
		}
		for _, s := range []struct{ ext, kind string }{
			{".quiz.yaml", KindQuiz}, {".roleplay.yaml", KindRoleplay},
			{".gift", KindBank}, {".xml", KindBank}, {".aiken.txt", KindBank},
		} {
			if base, ok := strings.CutSuffix(name, s.ext); ok && catalog.ValidSlug(base) {
				return client, s.kind, true
			}
		}
	}
	return "", "", false
}

func slugOrCore(s string) bool { return s == CoreClient || catalog.ValidSlug(s) }

// Problem is one thing the importer refuses, at its file (the path in the
// library) and line.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// CheckResult is what a check of a draft found: ok when it would publish,
// the problems otherwise, and the importer's dry-run report when it ran.
type CheckResult struct {
	OK       bool            `json:"ok"`
	Problems []Problem       `json:"problems"`
	Report   *catalog.Report `json:"report"`
}
