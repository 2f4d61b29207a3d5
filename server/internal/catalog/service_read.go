package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// The methods in this file act for the request's principal
// (auth.FromContext) and show only what viewerOf lets them see. Something
// hidden answers not_found, exactly like something missing, so ids cannot
// be probed. Every method also returns unauthorized (no principal) and
// forbidden (API keys).

// ProgramView is a program with its requirements.
type ProgramView struct {
	Program
	Requirements Requirements `json:"requirements"`
}

// ProgramDetail returns a visible program and what it requires. Errors:
// not_found.
func (s *Service) ProgramDetail(ctx context.Context, id string) (*ProgramView, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.visibleProgram(ctx, v, id)
	if err != nil {
		return nil, err
	}
	r, err := s.Requirements(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("catalog: program detail: %w", err)
	}
	r.normalize()
	return &ProgramView{Program: *p, Requirements: *r}, nil
}

// normalize turns missing lists into empty ones (JSON [] rather than null).
func (r *Requirements) normalize() {
	r.Modules = nonNil(r.Modules)
	r.Quizzes = nonNil(r.Quizzes)
	r.QuizGates = nonNil(r.QuizGates)
	r.Roleplays = nonNil(r.Roleplays)
	r.Licenses = nonNil(r.Licenses)
	r.Onboarding = nonNil(r.Onboarding)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Reading states of a required module, as ModuleProgress.Status.
const (
	ReadingNotStarted = "not_started" // never opened
	ReadingOpened     = "opened"      // opened, no version completed
	ReadingCompleted  = "completed"   // a version completed, no material change since
	ReadingOutdated   = "outdated"    // completed, but a material version was published since
)

// ModuleProgress is where the reader stands with one required module.
type ModuleProgress struct {
	ModuleID       string `json:"module_id"`
	Slug           string `json:"slug"`
	Title          string `json:"title"`
	Kind           string `json:"kind"`
	Core           bool   `json:"core"`
	Minutes        int    `json:"minutes"`
	CurrentVersion int    `json:"current_version"`
	Status         string `json:"status"`
	// OpenedVersion is the newest version the reader opened.
	OpenedVersion *int `json:"opened_version"`
	// CompletedVersion is the newest version the reader completed, and
	// CompletedAt when.
	CompletedVersion *int       `json:"completed_version"`
	CompletedAt      *time.Time `json:"completed_at"`
	// NewerMaterial says a material version was published after
	// CompletedVersion: the reader must read the module again.
	NewerMaterial bool `json:"newer_material"`
}

// ProgramProgress is the reader's progress through a program's modules.
type ProgramProgress struct {
	ProgramID string           `json:"program_id"`
	UserID    string           `json:"user_id"`
	Completed int              `json:"completed"` // modules in status completed
	Total     int              `json:"total"`
	Modules   []ModuleProgress `json:"modules"`
}

// ProgramProgress returns the signed-in user's reading progress through a
// visible program's required modules, in reading order. Errors: not_found.
func (s *Service) ProgramProgress(ctx context.Context, programID string) (*ProgramProgress, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.visibleProgram(ctx, v, programID)
	if err != nil {
		return nil, err
	}
	r, err := s.Requirements(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("catalog: program progress: %w", err)
	}
	userID := auth.FromContext(ctx).UserID
	ids := make([]string, len(r.Modules))
	for i, m := range r.Modules {
		ids[i] = m.ModuleID
	}
	rows, err := s.ListProgress(ctx, userID, ids)
	if err != nil {
		return nil, fmt.Errorf("catalog: program progress: %w", err)
	}
	out := &ProgramProgress{ProgramID: p.ID, UserID: userID, Total: len(r.Modules), Modules: make([]ModuleProgress, len(r.Modules))}
	byModule := map[string]*ModuleProgress{}
	for i, m := range r.Modules {
		out.Modules[i] = ModuleProgress{ModuleID: m.ModuleID, Slug: m.Slug, Title: m.Title, Kind: m.Kind, Core: m.Core,
			Minutes: m.Minutes, CurrentVersion: m.CurrentVersion, Status: ReadingNotStarted}
		byModule[m.ModuleID] = &out.Modules[i]
	}
	for _, row := range rows { // by module and version, so the newest wins
		mp := byModule[row.ModuleID]
		mp.OpenedVersion = &row.Version
		if row.CompletedAt != nil {
			mp.CompletedVersion, mp.CompletedAt = &row.Version, row.CompletedAt
		}
	}
	var pins []Pin
	for i := range out.Modules {
		mp := &out.Modules[i]
		switch {
		case mp.CompletedVersion != nil:
			mp.Status = ReadingCompleted
			pins = append(pins, Pin{ModuleID: mp.ModuleID, Version: *mp.CompletedVersion})
		case mp.OpenedVersion != nil:
			mp.Status = ReadingOpened
		}
	}
	material, err := s.ChangesSince(ctx, pins, true)
	if err != nil {
		return nil, fmt.Errorf("catalog: program progress: %w", err)
	}
	for _, c := range material {
		mp := byModule[c.ModuleID]
		mp.NewerMaterial, mp.Status = true, ReadingOutdated
	}
	for _, mp := range out.Modules {
		if mp.Status == ReadingCompleted {
			out.Completed++
		}
	}
	return out, nil
}

// ModuleRead is a module with one of its versions, as readers see it.
type ModuleRead struct {
	ID       string  `json:"id"`
	ClientID *string `json:"client_id"` // nil for core modules
	Slug     string  `json:"slug"`
	Kind     string  `json:"kind"`
	Core     bool    `json:"core"`
	// Source is the whole module file (front matter and markdown): what a
	// trainer edits and publishes back.
	Source  string        `json:"source"`
	Version ModuleVersion `json:"version"`
}

// moduleRead is what a reader sees of module m at version v (rendered by
// RenderedModuleRead).
func moduleRead(m *Module, v *ModuleVersion) *ModuleRead {
	return &ModuleRead{ID: m.ID, ClientID: m.ClientID, Slug: m.Slug, Kind: m.Kind, Core: m.IsCore(), Source: v.Source, Version: *v}
}

// ReadModuleVersions lists a visible module's versions, newest first.
// Errors: not_found.
func (s *Service) ReadModuleVersions(ctx context.Context, id string) ([]VersionSummary, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.visibleModule(ctx, v, id)
	if err != nil {
		return nil, err
	}
	return s.ListVersions(ctx, m.ID)
}

// ReadDiff compares two versions of a visible module. to 0 means the
// current version, from 0 the one before to. Errors: not_found (module or
// either version).
func (s *Service) ReadDiff(ctx context.Context, id string, from, to int) (*VersionDiff, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.visibleModule(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if to == 0 {
		to = m.CurrentVersion
	}
	if from == 0 {
		from = max(to-1, 1)
	}
	return s.Diff(ctx, m.ID, from, to)
}

// SearchResult is one module found by SearchVisible.
type SearchResult struct {
	ModuleID string  `json:"module_id"`
	Slug     string  `json:"slug"`
	Version  int     `json:"version"`
	Title    string  `json:"title"`
	Rank     float64 `json:"rank"`
	// SnippetHTML is escaped text with the matches in <mark> elements.
	SnippetHTML string `json:"snippet_html"`
}

// SearchVisible ranks the current versions of the modules the principal
// may read against query (web search syntax: "phrases", -not, or), best
// first, at most limit (capped at MaxSearchResults).
func (s *Service) SearchVisible(ctx context.Context, query string, limit int) ([]SearchResult, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := s.visibleModuleIDs(ctx, v)
	if err != nil {
		return nil, fmt.Errorf("catalog: search: %w", err)
	}
	hits, err := s.Search(ctx, ids, query, limit)
	if err != nil {
		return nil, fmt.Errorf("catalog: search: %w", err)
	}
	out := make([]SearchResult, len(hits))
	for i, h := range hits {
		out[i] = SearchResult{ModuleID: h.ModuleID, Slug: h.Slug, Version: h.Version, Title: h.Title, Rank: h.Rank,
			SnippetHTML: HighlightHTML(h.Snippet)}
	}
	return out, nil
}

// PublishVersion publishes markdown (a whole module file) as the next
// version of a visible module; see Publish for the rules. Errors:
// not_found, forbidden, invalid (fields keyed "<slug>.md:line", or
// "change"), conflict (same text as the current version).
func (s *Service) PublishVersion(ctx context.Context, id, markdown, change string) (*ModuleRead, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.visibleModule(ctx, v, id); err != nil {
		return nil, err
	}
	ver, err := s.Publish(ctx, auth.FromContext(ctx), id, markdown, change)
	if err != nil {
		return nil, err
	}
	m, err := s.ModuleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return moduleRead(m, ver), nil
}

// PreviewResult is a module text rendered without saving. Title, Summary,
// Kind and Minutes come from the front matter when a module file was
// previewed.
type PreviewResult struct {
	HTML    string     `json:"html"`
	TOC     []TOCEntry `json:"toc"`
	Title   string     `json:"title,omitempty"`
	Summary string     `json:"summary,omitempty"`
	Kind    string     `json:"kind,omitempty"`
	Minutes int        `json:"minutes,omitempty"`
}

// PreviewModule renders markdown without saving anything. With moduleID
// empty, markdown is a module body; otherwise it is a whole file for that
// (visible) module, checked as publishing would check it, for those who
// may author it (MayAuthor). Errors: not_found, forbidden, invalid (fields keyed "<slug>.md:line").
func (s *Service) PreviewModule(ctx context.Context, moduleID, markdown string) (*PreviewResult, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	out, body := &PreviewResult{}, markdown
	if moduleID != "" {
		m, err := s.visibleModule(ctx, v, moduleID)
		if err != nil {
			return nil, err
		}
		if err := mayAuthorModule(auth.FromContext(ctx), m); err != nil {
			return nil, err
		}
		mf, probs := parseModule(m.Slug+".md", markdown, m.Slug, m.IsCore(), false)
		if len(probs) > 0 {
			probs.sort()
			return nil, probs.AppErr()
		}
		out.Title, out.Summary, out.Kind, out.Minutes, body = mf.Title, mf.Summary, mf.Kind, mf.Minutes, mf.Body
	}
	r, err := s.Preview(body)
	if err != nil {
		return nil, err
	}
	out.HTML, out.TOC = r.HTML, r.TOC
	return out, nil
}

// RecordOpen records that the signed-in user opened a visible module's
// current version (the first opening is kept). Errors: not_found.
func (s *Service) RecordOpen(ctx context.Context, moduleID string) (*Progress, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.visibleModule(ctx, v, moduleID)
	if err != nil {
		return nil, err
	}
	return s.OpenModule(ctx, auth.FromContext(ctx).UserID, m.ID)
}

// RecordComplete records that the signed-in user finished reading version
// of a visible module, the version they had on screen; repeating it keeps
// the first completion. Errors: not_found (module), invalid (no such
// version).
func (s *Service) RecordComplete(ctx context.Context, moduleID string, version int) (*Progress, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.visibleModule(ctx, v, moduleID)
	if err != nil {
		return nil, err
	}
	if version < 1 || version > m.CurrentVersion {
		return nil, apperr.Invalidf("version", "the module has versions 1 to %d", m.CurrentVersion)
	}
	return s.CompleteModule(ctx, auth.FromContext(ctx).UserID, m.ID, version)
}
