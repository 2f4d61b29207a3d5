package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/changefeed"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/xapi"
)

// Service is the catalog's rules: importing the library, publishing and
// previewing modules, reading, searching and recording progress.
type Service struct {
	*Store
	db          *gorm.DB
	clock       clock.Clock
	audit       *audit.Recorder
	renderer    *Renderer
	enrollments Enrollments
	listener    ChangeListener
	learning    LearningRecorder
	rendered    *renderedCache
	// The readers' caches, kept current from the change feed (ReaderCaches).
	enrolled *changefeed.Cache[string, []string] // agent → programs enrolled in
	listings *changefeed.Cache[string, *listing] // module → it and the programs listing it
}

// Bounds of the readers' caches: a center's agents, and its library.
const (
	maxCachedEnrollments = 100_000
	maxCachedListings    = 10_000
)

// ReaderCaches are the caches a module read answers from: each agent's
// enrollments and each module with the programs that list it. The app hands
// them the change feed's reads (routing.Service.OnFeed); they answer only
// while the last read began less than changefeed.MaxLag ago, so a revoked
// enrollment or a module taken off a program is refused on every replica
// within that bound. Without feed reads every read goes to the database.
func (s *Service) ReaderCaches() []changefeed.Listener {
	return []changefeed.Listener{s.enrolled, s.listings}
}

// ChangeListener hears of changes that may move certifications (the
// certification service): the Mark methods run inside the transaction that
// makes the change, the others after it commits.
type ChangeListener interface {
	// MarkEvidence: the user completed a module.
	MarkEvidence(ctx context.Context, tx *gorm.DB, userID, programID string) error
	EvidenceChanged(ctx context.Context, userID, programID string)
	// MarkModuleChanged: a material version of the module was published.
	MarkModuleChanged(ctx context.Context, tx *gorm.DB, moduleID string) error
	ModulesChanged(ctx context.Context)
}

// SetListener makes l hear of module completions and material versions (nil:
// nobody hears). The app passes the listener to NewService; this setter
// stays for the test that switches evaluation off on a running app.
func (s *Service) SetListener(l ChangeListener) { s.listener = l }

// LearningRecorder queues learning records (xAPI statements) inside the
// transaction of the learning event (the xapi service).
type LearningRecorder interface {
	Record(ctx context.Context, tx *gorm.DB, e xapi.Experience) error
}

// Enrollments tells which programs an agent is enrolled in (the
// certification service); it decides what an agent may see.
type Enrollments interface {
	ProgramIDsForUser(ctx context.Context, userID string) ([]string, error)
}

// NewService returns the catalog service over g. enrollments may be nil in
// tools that never serve agents (agents then see no client material).
func NewService(g *gorm.DB, clk clock.Clock, rec *audit.Recorder, enrollments Enrollments, listener ChangeListener,
	learning LearningRecorder) *Service {
	return &Service{Store: NewStore(g), db: g, clock: clk, audit: rec, renderer: NewRenderer(), enrollments: enrollments,
		listener: listener, learning: learning, rendered: newRenderedCache(renderedCacheSize),
		enrolled: changefeed.New[string, []string](maxCachedEnrollments),
		listings: changefeed.New[string, *listing](maxCachedListings)}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Preview renders a module body without saving anything.
func (s *Service) Preview(markdown string) (Rendered, error) {
	return s.renderer.Render(markdown)
}

// ModuleWithCurrent returns the module and its current version, or not_found.
func (s *Service) ModuleWithCurrent(ctx context.Context, moduleID string) (*ModuleWithVersion, error) {
	m, err := s.ModuleByID(ctx, moduleID)
	if err != nil {
		return nil, err
	}
	v, err := s.Version(ctx, m.ID, m.CurrentVersion)
	if err != nil {
		return nil, err
	}
	return &ModuleWithVersion{Module: *m, Version: *v}, nil
}

// ProgramRequirements returns what the program requires, or not_found.
func (s *Service) ProgramRequirements(ctx context.Context, programID string) (*Requirements, error) {
	p, err := s.ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	return s.Requirements(ctx, p)
}

// VersionDiff is the line diff between two versions of a module.
type VersionDiff struct {
	ModuleID string     `json:"module_id"`
	From     int        `json:"from"`
	To       int        `json:"to"`
	Unified  string     `json:"unified"` // diff -u of the module files, "" when identical
	Hunks    []DiffHunk `json:"hunks"`   // the same diff, structured
	Added    int        `json:"added"`
	Removed  int        `json:"removed"`
}

// Diff compares two versions of a module file (front matter and body). It
// returns not_found when either version does not exist.
func (s *Service) Diff(ctx context.Context, moduleID string, from, to int) (*VersionDiff, error) {
	a, err := s.Version(ctx, moduleID, from)
	if err != nil {
		return nil, err
	}
	b, err := s.Version(ctx, moduleID, to)
	if err != nil {
		return nil, err
	}
	d := &VersionDiff{ModuleID: moduleID, From: from, To: to, Hunks: DiffHunks(a.Source, b.Source)}
	d.Unified, d.Added, d.Removed = formatUnified("version "+strconv.Itoa(from), "version "+strconv.Itoa(to), d.Hunks)
	return d, nil
}

// MaxSearchResults caps Search's limit.
const MaxSearchResults = 50

// Search ranks the current versions of the given modules (the ones the
// caller may see) against query, best first, with snippets. It returns
// invalid for a module id that is not a UUID.
func (s *Service) Search(ctx context.Context, moduleIDs []string, query string, limit int) ([]SearchHit, error) {
	for _, id := range moduleIDs {
		if uuid.Validate(id) != nil {
			return nil, apperr.Invalidf("module_ids", "%q is not a module id", id)
		}
	}
	if limit <= 0 || limit > MaxSearchResults {
		limit = MaxSearchResults
	}
	return s.Store.Search(ctx, moduleIDs, query, limit)
}

// OpenModule records that the user opened the module's current version
// (the first opening is kept) and returns that progress row. It returns
// not_found when the module does not exist.
func (s *Service) OpenModule(ctx context.Context, userID, moduleID string) (*Progress, error) {
	m, err := s.ModuleByID(ctx, moduleID)
	if err != nil {
		return nil, err
	}
	return s.Store.openProgress(ctx, userID, m.ID, m.CurrentVersion, s.now())
}

// CompleteModule records that the user finished reading the version (the
// first completion is kept) and returns the progress row. It returns
// not_found when the version does not exist.
func (s *Service) CompleteModule(ctx context.Context, userID, moduleID string, version int) (*Progress, error) {
	v, err := s.Version(ctx, moduleID, version)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var p *Progress
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		done, err := completeProgress(tx, userID, moduleID, version, now)
		if err != nil {
			return err
		}
		p = done
		if s.learning != nil && p.CompletedAt != nil {
			completion := true
			err := s.learning.Record(ctx, tx, xapi.Experience{
				Source: fmt.Sprintf("module-completed:%s:%s:%d", userID, moduleID, version), UserID: userID,
				Verb: xapi.VerbCompleted, Activity: xapi.Activity{Kind: xapi.Module, ID: moduleID, Name: v.Title},
				Result: &xapi.Result{Completion: &completion}, At: *p.CompletedAt})
			if err != nil {
				return err
			}
		}
		if s.listener != nil {
			return s.listener.MarkEvidence(ctx, tx, userID, "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.listener != nil {
		s.listener.EvidenceChanged(ctx, userID, "")
	}
	return p, nil
}

// Publish makes markdown (a module file: front matter and body) the
// module's next version, with change kind changeKind; the front matter's
// own change, if present, must agree. Who may publish is MayAuthor's rule
// (admins; trainers of the module's client; core modules admins only).
// It returns forbidden, not_found, invalid (fields keyed "<slug>.md:line")
// or conflict when the text is the same as the current version's.
func (s *Service) Publish(ctx context.Context, p *auth.Principal, moduleID, markdown, changeKind string) (*ModuleVersion, error) {
	if changeKind != ChangeMinor && changeKind != ChangeMaterial {
		return nil, apperr.Invalidf("change", "must be %s or %s", ChangeMinor, ChangeMaterial)
	}
	var out *ModuleVersion
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := lockModule(tx, moduleID)
		if err != nil {
			return err
		}
		_, out, err = s.publishText(ctx, tx, p, m, m.ClientID, m.Slug, markdown, changeKind)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: publish: %w", err)
	}
	if changeKind == ChangeMaterial && s.listener != nil {
		s.listener.ModulesChanged(ctx)
	}
	return out, nil
}

// publishText checks markdown as the importer checks a module file and
// makes it the next version of m (locked in tx), or the first version of a
// new module with slug of clientID (nil: core) when m is nil. Who may is
// MayAuthor's rule. It returns the module and the new version. Errors:
// forbidden, invalid (fields keyed "<slug>.md:line"), conflict (the text of
// the current version; a new module's slug taken).
func (s *Service) publishText(ctx context.Context, tx *gorm.DB, p *auth.Principal, m *Module, clientID *string, slug, markdown, changeKind string) (*Module, *ModuleVersion, error) {
	owner := ""
	if clientID != nil {
		owner = *clientID
	}
	if err := MayAuthor(p, owner); err != nil {
		return nil, nil, err
	}
	mf, probs := parseModule(slug+".md", markdown, slug, clientID == nil, false)
	if mf.Change != "" && mf.Change != changeKind {
		probs.add(mf.File, 0, "the front matter says change: %s but the edit is published as %s", mf.Change, changeKind)
	}
	if len(probs) > 0 {
		probs.sort()
		return nil, nil, probs.AppErr()
	}
	withChange(mf, changeKind)
	mf.Change = changeKind
	outcome, v, err := s.saveModule(ctx, tx, m, clientID, mf, p.Actor())
	if err != nil {
		return nil, nil, err
	}
	if outcome == OutcomeUnchanged {
		return nil, nil, apperr.E(apperr.Conflict, "the module already has this text (version %d)", m.CurrentVersion)
	}
	if m == nil {
		if m, err = byID[Module](tx, v.ModuleID, "module"); err != nil {
			return nil, nil, err
		}
	}
	return m, v, nil
}

// saveModule writes mf as the module's next version when its text differs
// from the current one (m nil: a new module with version 1), auditing the
// publication. It returns the outcome and the new version (nil when unchanged).
func (s *Service) saveModule(ctx context.Context, tx *gorm.DB, m *Module, clientID *string, mf *ModuleFile, actor audit.Actor) (string, *ModuleVersion, error) {
	now := s.now()
	outcome, before := OutcomeCreated, map[string]any(nil)
	if m == nil {
		m = &Module{ID: uuid.NewString(), ClientID: clientID, Slug: mf.Slug, Kind: mf.Kind, CurrentVersion: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(m).Error; err != nil {
			return "", nil, db.Translate(err, "module "+strconv.Quote(mf.Slug))
		}
	} else {
		hash, err := currentHash(tx, m)
		if err != nil {
			return "", nil, fmt.Errorf("current version: %w", err)
		}
		if hash == mf.Hash() {
			return OutcomeUnchanged, nil, nil
		}
		outcome, before = OutcomeChanged, map[string]any{"version": m.CurrentVersion, "kind": m.Kind}
		m.CurrentVersion++
		m.Kind, m.UpdatedAt = mf.Kind, now
		err = tx.Model(m).Updates(map[string]any{"current_version": m.CurrentVersion, "kind": m.Kind, "updated_at": now}).Error
		if err != nil {
			return "", nil, db.Translate(err, "module "+strconv.Quote(mf.Slug))
		}
	}
	r, err := s.renderer.Render(mf.Body)
	if err != nil {
		return "", nil, err
	}
	toc, err := json.Marshal(r.TOC)
	if err != nil {
		return "", nil, err
	}
	v := &ModuleVersion{
		ID: uuid.NewString(),
		VersionSummary: VersionSummary{
			ModuleID: m.ID, Number: m.CurrentVersion, Title: mf.Title, Summary: mf.Summary, Minutes: mf.Minutes,
			ChangeKind: mf.Change, ContentHash: mf.Hash(), CreatedAt: now, PublishedKind: actor.Kind, PublishedBy: actor.ID,
		},
		Source: mf.Source, Markdown: mf.Body, HTML: r.HTML, TOCJSON: toc, TOC: r.TOC, BodyText: r.Text,
	}
	if err := tx.Create(v).Error; err != nil {
		return "", nil, db.Translate(err, "module version")
	}
	if outcome == OutcomeChanged && v.ChangeKind == ChangeMaterial && s.listener != nil {
		if err := s.listener.MarkModuleChanged(ctx, tx, m.ID); err != nil {
			return "", nil, err
		}
	}
	client := ""
	if m.ClientID != nil {
		client = *m.ClientID
	}
	err = s.audit.Record(ctx, tx, audit.Entry{
		Actor: actor, Action: "module.publish", SubjectType: "module", SubjectID: m.ID, ClientID: client,
		Before: before,
		After:  map[string]any{"slug": m.Slug, "kind": m.Kind, "version": v.Number, "change": v.ChangeKind, "title": v.Title, "content_hash": v.ContentHash},
	})
	return outcome, v, err
}

// moduleKey is how program.yaml refers to a module: "slug" within the
// client, "core/slug" for a core module.
func moduleKey(clientID *string, slug string) string {
	if clientID == nil {
		return corePrefix + slug
	}
	return slug
}
