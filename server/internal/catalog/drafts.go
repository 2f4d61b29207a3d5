package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// MaxDraftBytes bounds a draft's text (a module file).
const MaxDraftBytes = 512 << 10

// DraftView is a draft as its authors see it: the text, what publishing
// would refuse in it now (Problems, keyed like the importer's "file:line"),
// and the version it would become.
type DraftView struct {
	ModuleDraft
	// Problems lists what publishing would refuse, as "<slug>.md:line" →
	// message; empty when the draft is ready.
	Problems map[string]string `json:"problems"`
	// PublishedVersion is the module's current version (0 for a new
	// module): publishing makes the next one.
	PublishedVersion int `json:"published_version"`
}

// ETag is the draft revision's entity tag.
func (d *ModuleDraft) ETag() string { return DraftETag(d.ID, d.Revision) }

// NewDraft is what starts a draft: of an existing module (ModuleID), of a
// new module listed in a program (ProgramID and Slug), or of a new core
// module (Core and Slug). Markdown is the starting text; empty means the
// module's current text, or a skeleton for a new module.
type NewDraft struct {
	ModuleID  string
	ProgramID string
	Core      bool
	Slug      string
	Markdown  string
}

// draftClient is the client owning a draft ("" for core).
func draftClient(d *ModuleDraft) string {
	if d.ClientID == nil {
		return ""
	}
	return *d.ClientID
}

// StartDraft opens a draft, returning it and whether it was created (an
// existing module's draft is shared: asking again returns the one there
// is). Who may is MayAuthor's rule. Errors: not_found (a module or
// program the principal does not see), forbidden, invalid (slug, or a
// request naming neither a module nor a program nor core), conflict (a
// module or draft with the new slug exists).
func (s *Service) StartDraft(ctx context.Context, in NewDraft) (*DraftView, bool, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, false, err
	}
	p := auth.FromContext(ctx)
	now := s.now()
	d := &ModuleDraft{ID: uuid.NewString(), Revision: 1, CreatedBy: p.UserID, UpdatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	switch {
	case in.ModuleID != "":
		m, err := s.visibleModule(ctx, v, in.ModuleID)
		if err != nil {
			return nil, false, err
		}
		if err := mayAuthorModule(p, m); err != nil {
			return nil, false, err
		}
		if cur, err := s.DraftOfModule(ctx, m.ID); err == nil {
			view, err := s.draftView(ctx, cur)
			return view, false, err
		} else if !isNotFound(err) {
			return nil, false, err
		}
		ver, err := s.Version(ctx, m.ID, m.CurrentVersion)
		if err != nil {
			return nil, false, err
		}
		d.ModuleID, d.ClientID, d.Slug, d.BaseVersion, d.Source = &m.ID, m.ClientID, m.Slug, &m.CurrentVersion, withoutChange(ver.Source)
	case in.ProgramID != "" || in.Core:
		if !ValidSlug(in.Slug) {
			return nil, false, apperr.Invalidf("slug", "lowercase letters, digits and hyphens, at most 63 characters")
		}
		kind := KindCoreSkill
		if in.ProgramID != "" {
			prog, err := s.ProgramByID(ctx, in.ProgramID)
			if err != nil || !v.seesProgram(prog) {
				return nil, false, apperr.NotFoundf("program")
			}
			d.ClientID, d.ProgramID, kind = &prog.ClientID, &prog.ID, KindProduct
		}
		if err := MayAuthor(p, draftClient(d)); err != nil {
			return nil, false, err
		}
		if _, err := s.ModuleBySlug(ctx, draftClient(d), in.Slug); err == nil {
			return nil, false, &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("a module %q exists already: open it to change it", in.Slug),
				Fields: map[string]string{"slug": "taken by an existing module"}}
		} else if !isNotFound(err) {
			return nil, false, err
		}
		d.Slug, d.Source = in.Slug, skeleton(in.Slug, kind)
	default:
		return nil, false, apperr.Invalidf("module_id", "name the module to change, or the program (or core) and slug of a new one")
	}
	if in.Markdown != "" {
		d.Source = normalize(in.Markdown)
	}
	if len(d.Source) > MaxDraftBytes {
		return nil, false, apperr.Invalidf("markdown", "at most %d KiB", MaxDraftBytes>>10)
	}
	if err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return insertDraft(tx, d) }); err != nil {
		return nil, false, fmt.Errorf("catalog: start draft: %w", err)
	}
	view, err := s.draftView(ctx, d)
	return view, true, err
}

// withoutChange drops the front matter's change line from a module file:
// it described the published version, and the draft's author picks the
// next one's when publishing.
func withoutChange(src string) string {
	lines := strings.SplitAfter(src, "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], "\n") != "---" {
		return src
	}
	for i := 1; i < len(lines); i++ {
		t := strings.TrimRight(lines[i], "\n")
		if t == "---" || t == "..." {
			break
		}
		if strings.HasPrefix(t, "change:") {
			return strings.Join(slices.Delete(lines, i, i+1), "")
		}
	}
	return src
}

// withChange writes change: kind as the last line of mf's front matter
// when it has none, so every published version is a file the importer
// takes as it is.
func withChange(mf *ModuleFile, kind string) {
	if mf.Change != "" || mf.BodyLine < 2 {
		return
	}
	lines := strings.SplitAfter(mf.Source, "\n")
	at := mf.BodyLine - 2 // the closing --- line
	mf.Source = strings.Join(slices.Insert(lines, at, "change: "+kind+"\n"), "")
}

// skeleton is the text a new module's draft starts from.
func skeleton(slug, kind string) string {
	return "---\nslug: " + slug + "\ntitle: New module\nkind: " + kind + "\nsummary: One sentence on what the agent learns.\nminutes: 5\n---\n\n# New module\n\nWrite the lesson here.\n"
}

// draftView checks the draft as publishing would and adds the published
// version's number.
func (s *Service) draftView(ctx context.Context, d *ModuleDraft) (*DraftView, error) {
	view := &DraftView{ModuleDraft: *d, Problems: map[string]string{}}
	if d.ModuleID != nil {
		m, err := s.ModuleByID(ctx, *d.ModuleID)
		if err != nil {
			return nil, err
		}
		view.PublishedVersion = m.CurrentVersion
	}
	_, probs := parseModule(d.Slug+".md", d.Source, d.Slug, d.ClientID == nil, false)
	for _, pr := range probs {
		k := pr.File + ":" + strconv.Itoa(pr.Line)
		if view.Problems[k] != "" {
			view.Problems[k] += "; "
		}
		view.Problems[k] += pr.Message
	}
	return view, nil
}

// authorDraft returns the draft when the principal may author it (a draft
// of a client the principal does not see is not_found). Errors:
// not_found, forbidden.
func (s *Service) authorDraft(ctx context.Context, id string) (*ModuleDraft, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.DraftByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.ClientID != nil && !v.seesClient(*d.ClientID) {
		return nil, apperr.NotFoundf("module draft")
	}
	return d, MayAuthor(auth.FromContext(ctx), draftClient(d))
}

// Draft returns a draft its reader may author. Errors: not_found, forbidden.
func (s *Service) Draft(ctx context.Context, id string) (*DraftView, error) {
	d, err := s.authorDraft(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.draftView(ctx, d)
}

// ListDraftsFor lists the drafts the principal may author, newest first.
func (s *Service) ListDraftsFor(ctx context.Context) ([]ModuleDraft, error) {
	p := auth.FromContext(ctx)
	if _, err := s.viewerOf(ctx); err != nil {
		return nil, err
	}
	switch {
	case p.Is(auth.RoleAdmin):
		return s.ListDrafts(ctx, true, true, nil)
	case p.Is(auth.RoleTrainer):
		return s.ListDrafts(ctx, false, false, p.ClientIDs)
	}
	return nil, apperr.E(apperr.Forbidden, "only trainers and admins author training content")
}

// DraftDiff is the line diff from a module's published version (From; 0
// and nothing for a new module) to its draft.
type DraftDiff struct {
	DraftID string     `json:"draft_id"`
	From    int        `json:"from"`
	Unified string     `json:"unified"` // diff -u, "" when the draft is the published text
	Hunks   []DiffHunk `json:"hunks"`
	Added   int        `json:"added"`
	Removed int        `json:"removed"`
}

// DiffDraft compares the draft with the published version. Errors:
// not_found, forbidden.
func (s *Service) DiffDraft(ctx context.Context, id string) (*DraftDiff, error) {
	d, err := s.authorDraft(ctx, id)
	if err != nil {
		return nil, err
	}
	published, from := "", 0
	if d.ModuleID != nil {
		m, err := s.ModuleByID(ctx, *d.ModuleID)
		if err != nil {
			return nil, err
		}
		ver, err := s.Version(ctx, m.ID, m.CurrentVersion)
		if err != nil {
			return nil, err
		}
		published, from = ver.Source, m.CurrentVersion
	}
	out := &DraftDiff{DraftID: d.ID, From: from, Hunks: DiffHunks(published, d.Source)}
	out.Unified, out.Added, out.Removed = formatUnified("version "+strconv.Itoa(from), "draft", out.Hunks)
	return out, nil
}

// checkRevision refuses a write to d based on another revision than its
// current one (DraftBase's errors), with a conflict naming the front matter
// fields and body lines that changed since the caller's revision.
func checkRevision(tx *gorm.DB, d *ModuleDraft, ifMatch string) error {
	rev, err := DraftBase(d.ID, d.Revision, ifMatch)
	if err != nil || rev == d.Revision {
		return err
	}
	old, err := draftRevisionOf(tx, d.ID, rev)
	if err != nil {
		return err
	}
	return DraftConflict(rev, d.Revision, d.UpdatedAt, changedSince(d.Slug, old.Source, d.Source))
}

// changedSince names what differs between two texts of a module file: each
// front matter field that changed, and the body's changed lines.
func changedSince(slug, before, after string) map[string]string {
	out := map[string]string{}
	a, _ := parseModule(slug+".md", before, slug, false, false)
	b, _ := parseModule(slug+".md", after, slug, false, false)
	for _, f := range []struct{ name, x, y string }{
		{"title", a.Title, b.Title}, {"summary", a.Summary, b.Summary}, {"kind", a.Kind, b.Kind},
		{"minutes", strconv.Itoa(a.Minutes), strconv.Itoa(b.Minutes)}, {"change", a.Change, b.Change},
	} {
		if f.x != f.y {
			out[f.name] = fmt.Sprintf("now %q (was %q)", f.y, f.x)
		}
	}
	if a.Body != b.Body {
		var at []string
		for _, h := range DiffHunks(a.Body, b.Body) {
			at = append(at, h.Where(b.BodyLine-1))
		}
		out["body"] = "changed at " + strings.Join(at, ", ")
	}
	if len(out) == 0 && before != after {
		out["front matter"] = "changed"
	}
	return out
}

// SaveDraft saves markdown as the draft's next revision. ifMatch must be
// the ETag of the revision the caller edited. Errors: not_found,
// forbidden, precondition_required (no If-Match), invalid (If-Match,
// markdown), conflict (a stale revision, naming what changed since).
func (s *Service) SaveDraft(ctx context.Context, id, ifMatch, markdown string) (*DraftView, error) {
	d, err := s.authorDraft(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(markdown) > MaxDraftBytes {
		return nil, apperr.Invalidf("markdown", "at most %d KiB", MaxDraftBytes>>10)
	}
	p := auth.FromContext(ctx)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		locked, err := lockDraft(tx, d.ID)
		if err != nil {
			return err
		}
		if err := checkRevision(tx, locked, ifMatch); err != nil {
			return err
		}
		d = locked
		if normalize(markdown) == d.Source {
			return nil
		}
		return saveDraft(tx, d, normalize(markdown), p.UserID, s.now())
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: save draft: %w", err)
	}
	return s.draftView(ctx, d)
}

// DiscardDraft deletes a draft; with ifMatch set, only that revision.
// Errors: not_found, forbidden, conflict (stale If-Match).
func (s *Service) DiscardDraft(ctx context.Context, id, ifMatch string) error {
	d, err := s.authorDraft(ctx, id)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		locked, err := lockDraft(tx, d.ID)
		if err != nil {
			return err
		}
		if ifMatch != "" {
			if err := checkRevision(tx, locked, ifMatch); err != nil {
				return err
			}
		}
		return deleteDraft(tx, d.ID)
	})
}

// PublishDraft publishes the draft's revision named by ifMatch as the
// module's next version (changeKind minor or material; a new module's
// first version), with the same checks, audit and effects as Publish and
// an import; a new client module is also listed last in its program.
// The draft is deleted. Errors: not_found, forbidden,
// precondition_required (no If-Match), invalid (fields keyed
// "<slug>.md:line", change, If-Match), conflict (stale revision,
// the text of the current version, a slug taken since).
func (s *Service) PublishDraft(ctx context.Context, id, ifMatch, changeKind string) (*ModuleRead, error) {
	d, err := s.authorDraft(ctx, id)
	if err != nil {
		return nil, err
	}
	if changeKind != ChangeMinor && changeKind != ChangeMaterial {
		return nil, apperr.Invalidf("change", "must be %s or %s", ChangeMinor, ChangeMaterial)
	}
	p := auth.FromContext(ctx)
	var out *ModuleRead
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		locked, err := lockDraft(tx, d.ID)
		if err != nil {
			return err
		}
		if err := checkRevision(tx, locked, ifMatch); err != nil {
			return err
		}
		d = locked
		var m *Module
		if d.ModuleID != nil {
			if m, err = lockModule(tx, *d.ModuleID); err != nil {
				return err
			}
		}
		mod, v, err := s.publishText(ctx, tx, p, m, d.ClientID, d.Slug, d.Source, changeKind)
		if err != nil {
			return err
		}
		if m == nil && d.ProgramID != nil {
			if err := s.listInProgram(ctx, tx, p.Actor(), *d.ProgramID, mod); err != nil {
				return err
			}
		}
		out = moduleRead(mod, v)
		return deleteDraft(tx, d.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: publish draft: %w", err)
	}
	if s.listener != nil && (changeKind == ChangeMaterial || d.ModuleID == nil) {
		s.listener.ModulesChanged(ctx)
	}
	return out, nil
}

// rehashProgram sets the program's spec hash to what its exported
// program.yaml would have, after a change made in the app (in tx), so that
// importing an export reports it unchanged and importing an older file
// reports it changed.
func (s *Service) rehashProgram(ctx context.Context, tx *gorm.DB, programID string) error {
	prog, err := byID[Program](tx, programID, "program")
	if err != nil {
		return err
	}
	r, err := NewStore(tx).Requirements(ctx, prog)
	if err != nil {
		return err
	}
	hash, err := specHash(specOf(programFileOf(prog, r)))
	if err != nil {
		return err
	}
	return setProgramSpecHash(tx, programID, hash, s.now())
}

// listInProgram lists a new module last in the program's reading order,
// audited as a program update.
func (s *Service) listInProgram(ctx context.Context, tx *gorm.DB, actor audit.Actor, programID string, m *Module) error {
	if err := appendProgramModule(tx, programID, m.ID); err != nil {
		return err
	}
	if err := s.rehashProgram(ctx, tx, programID); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "program.update", SubjectType: "program",
		SubjectID: programID, ClientID: *m.ClientID, After: map[string]any{"module_added": m.Slug, "module_id": m.ID}})
}
