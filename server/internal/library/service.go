package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
)

// People names users by id (display name, or email when it has none).
type People func(ctx context.Context, ids []string) (map[string]string, error)

// Drafts is the library drafts' service: a draft is one library file held
// in the database; checking and publishing it run the real importer on the
// client's exported library with the draft's file laid over it.
type Drafts struct {
	store    *Store
	catalog  *catalog.Service
	exporter Exporter
	importer Importer
	clock    clock.Clock
	people   People
}

// NewDrafts returns the service.
func NewDrafts(store *Store, c *catalog.Service, exporter Exporter, importer Importer, clk clock.Clock, people People) *Drafts {
	return &Drafts{store: store, catalog: c, exporter: exporter, importer: importer, clock: clk, people: people}
}

// NewDraft starts a draft of the client's file at Path, of Kind; Body nil
// starts from the published file.
type NewDraft struct {
	Client string
	Kind   string
	Path   string
	Body   *string
}

// authorize decides whether the principal may author the client's files
// (catalog.MayAuthor): core content admins only; a client the principal is
// no member of is not_found; a client that does not exist yet (a new
// client.yaml) admins only.
func (s *Drafts) authorize(ctx context.Context, client string) error {
	p := auth.FromContext(ctx)
	if client == CoreClient {
		return catalog.MayAuthor(p, "")
	}
	if !catalog.ValidSlug(client) {
		return apperr.Invalidf("client", "a client's slug, or %s", CoreClient)
	}
	cl, err := s.catalog.ClientBySlug(ctx, client)
	if apperr.Is(err, apperr.NotFound) {
		if err := catalog.MayAuthor(p, ""); err == nil {
			return nil // an admin writing a new client
		}
		return apperr.NotFoundf("client %q", client)
	}
	if err != nil {
		return err
	}
	if p == nil || !p.MemberOf(cl.ID) {
		return apperr.NotFoundf("client %q", client)
	}
	return catalog.MayAuthor(p, cl.ID)
}

// clientExists reports whether the client's slug names a client.
func (s *Drafts) clientExists(ctx context.Context, client string) (bool, error) {
	if client == CoreClient {
		return false, nil
	}
	_, err := s.catalog.ClientBySlug(ctx, client)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// libraryOf is the library a draft of the client is published into: the
// client's export (its own files and the core ones it uses), or the whole
// library for core content and for a client that does not exist yet.
func (s *Drafts) libraryOf(ctx context.Context, client string) ([]catalog.LibraryFile, error) {
	ok, err := s.clientExists(ctx, client)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.exporter(ctx, "")
	}
	return s.exporter(ctx, client)
}

// publishedFile is the text of the published file at path, and whether
// there is one.
func publishedFile(files []catalog.LibraryFile, path string) (string, bool) {
	i := slices.IndexFunc(files, func(f catalog.LibraryFile) bool { return f.Path == path })
	if i < 0 {
		return "", false
	}
	return string(files[i].Data), true
}

// checkPath refuses a path that is no file of the client of that kind.
func checkPath(client, kind, path string) error {
	c, k, ok := PathInfo(path)
	switch {
	case !ok:
		return apperr.Invalidf("path", "not a library file a draft can hold: content/<client>/client.yaml, content/<client>/<program>/program.yaml, or quizzes/<client>/…/<name>.quiz.yaml, .roleplay.yaml, .gift, .xml or .aiken.txt, every name a slug")
	case c != client:
		return apperr.Invalidf("path", "%s belongs to %s, not %s", path, c, client)
	case k != kind:
		return apperr.Invalidf("path", "%s is a %s file, not a %s", path, k, kind)
	}
	return nil
}

// Start opens a draft of the file, returning it and whether it was created
// (a file's open draft is shared: starting again returns it). Errors:
// invalid (client, kind, path, body), not_found (a client the principal
// does not author, no published file to start from), forbidden.
func (s *Drafts) Start(ctx context.Context, in NewDraft) (*Draft, bool, error) {
	if !slices.Contains(Kinds, in.Kind) {
		return nil, false, apperr.Invalidf("kind", "one of %s", strings.Join(Kinds, ", "))
	}
	if in.Client != CoreClient && !catalog.ValidSlug(in.Client) {
		return nil, false, apperr.Invalidf("client", "a client's slug, or %s", CoreClient)
	}
	if err := checkPath(in.Client, in.Kind, in.Path); err != nil {
		return nil, false, err
	}
	if err := s.authorize(ctx, in.Client); err != nil {
		return nil, false, err
	}
	if d, err := s.store.DraftAt(ctx, in.Client, in.Path); err == nil {
		return d, false, s.decorate(ctx, []*Draft{d})
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, false, err
	}
	var body string
	if in.Body != nil {
		body = *in.Body
	} else {
		files, err := s.libraryOf(ctx, in.Client)
		if err != nil {
			return nil, false, err
		}
		text, ok := publishedFile(files, in.Path)
		if !ok {
			return nil, false, apperr.NotFoundf("a published file at %s to start from: send its body to write a new one", in.Path)
		}
		body = text
	}
	if err := checkBody(body); err != nil {
		return nil, false, err
	}
	p := auth.FromContext(ctx)
	now := s.clock.Now()
	d := &Draft{ID: uuid.NewString(), Client: in.Client, Kind: in.Kind, Path: in.Path, Body: body, Revision: 1,
		CreatedBy: p.UserID, UpdatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	err := s.store.Transaction(ctx, func(tx *gorm.DB) error { return insertDraft(tx, d) })
	if apperr.Is(err, apperr.Conflict) {
		// Started by someone else meanwhile: theirs is the file's draft.
		if cur, err := s.store.DraftAt(ctx, in.Client, in.Path); err == nil {
			return cur, false, s.decorate(ctx, []*Draft{cur})
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("library: start draft: %w", err)
	}
	return d, true, s.decorate(ctx, []*Draft{d})
}

func checkBody(body string) error {
	if len(body) > MaxDraftBytes {
		return apperr.Invalidf("body", "at most %d KiB", MaxDraftBytes>>10)
	}
	if strings.ContainsRune(body, 0) {
		return apperr.Invalidf("body", "text only: it holds a NUL character")
	}
	return nil
}

// decorate fills the drafts' ETag, whether a published file exists at
// their path, and their last editor's name.
func (s *Drafts) decorate(ctx context.Context, ds []*Draft) error {
	libs := map[string][]catalog.LibraryFile{}
	var ids []string
	for _, d := range ds {
		d.Tag = d.ETag()
		files, ok := libs[d.Client]
		if !ok {
			var err error
			if files, err = s.libraryOf(ctx, d.Client); err != nil {
				return err
			}
			libs[d.Client] = files
		}
		_, d.Published = publishedFile(files, d.Path)
		ids = append(ids, d.UpdatedBy)
	}
	if s.people == nil || len(ids) == 0 {
		return nil
	}
	names, err := s.people(ctx, ids)
	if err != nil {
		return err
	}
	for _, d := range ds {
		d.UpdatedByName = names[d.UpdatedBy]
	}
	return nil
}

// authored returns the draft when the principal may author it. Errors:
// not_found (also another client's draft), forbidden.
func (s *Drafts) authored(ctx context.Context, id string) (*Draft, error) {
	d, err := s.store.DraftByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, d.Client); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.NotFoundf("draft")
		}
		return nil, err
	}
	return d, nil
}

// Get returns a draft the principal may author.
func (s *Drafts) Get(ctx context.Context, id string) (*Draft, error) {
	d, err := s.authored(ctx, id)
	if err != nil {
		return nil, err
	}
	return d, s.decorate(ctx, []*Draft{d})
}

// List lists the drafts the principal may author, of one client and kind
// when given, newest first.
func (s *Drafts) List(ctx context.Context, client, kind string) ([]*Draft, error) {
	if client != "" && client != CoreClient && !catalog.ValidSlug(client) {
		return nil, apperr.Invalidf("client", "a client's slug, or %s", CoreClient)
	}
	if kind != "" && !slices.Contains(Kinds, kind) {
		return nil, apperr.Invalidf("kind", "one of %s", strings.Join(Kinds, ", "))
	}
	all, err := s.store.ListDrafts(ctx, client, kind)
	if err != nil {
		return nil, err
	}
	may := map[string]bool{}
	out := []*Draft{}
	for i := range all {
		d := &all[i]
		ok, seen := may[d.Client]
		if !seen {
			err := s.authorize(ctx, d.Client)
			if err != nil && !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Forbidden) {
				return nil, err
			}
			ok = err == nil
			may[d.Client] = ok
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, s.decorate(ctx, out)
}

// File returns the published text of the client's file at path. Errors:
// invalid (path), not_found (no such file, or a client the principal does
// not author), forbidden.
func (s *Drafts) File(ctx context.Context, client, path string) (string, error) {
	c, _, ok := PathInfo(path)
	if !ok || c != client {
		return "", apperr.Invalidf("path", "not a draftable library file of %s", client)
	}
	if err := s.authorize(ctx, client); err != nil {
		return "", err
	}
	files, err := s.libraryOf(ctx, client)
	if err != nil {
		return "", err
	}
	text, ok := publishedFile(files, path)
	if !ok {
		return "", apperr.NotFoundf("a published file at %s", path)
	}
	return text, nil
}

// LibraryEntry is one published file of a client's library, with its
// title when it has one (a module's, a quiz's or a role-play's), for the
// editors' pickers.
type LibraryEntry struct {
	Path  string `json:"path"`
	Title string `json:"title,omitempty"`
}

// Files lists the client's published library (its export: its own files
// and the core ones). Errors: not_found, forbidden.
func (s *Drafts) Files(ctx context.Context, client string) ([]LibraryEntry, error) {
	if err := s.authorize(ctx, client); err != nil {
		return nil, err
	}
	files, err := s.libraryOf(ctx, client)
	if err != nil {
		return nil, err
	}
	out := make([]LibraryEntry, 0, len(files))
	for _, f := range files {
		out = append(out, LibraryEntry{Path: f.Path, Title: titleOf(f.Data)})
	}
	return out, nil
}

// titleOf is the value of a top-level "title:" line among a file's first
// lines, unquoted; "" when there is none.
func titleOf(data []byte) string {
	lines := strings.SplitN(string(data), "\n", 60)
	for _, l := range lines[:min(len(lines), 59)] {
		if v, ok := strings.CutPrefix(l, "title:"); ok {
			v = strings.TrimSpace(v)
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return ""
}

// checkRevision refuses a write to d based on another revision than its
// current one (catalog.DraftBase's errors), with a conflict naming the file
// lines that changed since the caller's revision.
func checkRevision(tx *gorm.DB, d *Draft, ifMatch string) error {
	rev, err := catalog.DraftBase(d.ID, d.Revision, ifMatch)
	if err != nil || rev == d.Revision {
		return err
	}
	old, err := revisionOf(tx, d.ID, rev)
	if err != nil {
		return err
	}
	return catalog.DraftConflict(rev, d.Revision, d.UpdatedAt, changedLines(d.Path, old.Body, d.Body))
}

// changedLines names the lines of after that differ from before, keyed
// "<path>:<line>" (the first line of each changed block).
func changedLines(path, before, after string) map[string]string {
	out := map[string]string{}
	for _, h := range catalog.DiffHunks(before, after) {
		first, _, removedAt := h.Span()
		if first == 0 {
			first = removedAt
		}
		out[fmt.Sprintf("%s:%d", path, first)] = h.Where(0)
	}
	return out
}

// Save saves body as the draft's next version; ifMatch must be the ETag of
// the version the caller edited. Errors: not_found, forbidden,
// precondition_required (no If-Match), invalid, conflict (stale).
func (s *Drafts) Save(ctx context.Context, id, ifMatch, body string) (*Draft, error) {
	d, err := s.authored(ctx, id)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(ifMatch) == "" {
		return nil, catalog.ErrNoIfMatch
	}
	if err := checkBody(body); err != nil {
		return nil, err
	}
	by := auth.FromContext(ctx).UserID
	err = s.store.Transaction(ctx, func(tx *gorm.DB) error {
		locked, err := lockDraft(tx, d.ID)
		if err != nil {
			return err
		}
		if err := checkRevision(tx, locked, ifMatch); err != nil {
			return err
		}
		d = locked
		if body == d.Body {
			return nil
		}
		return saveDraft(tx, d, body, by, s.clock.Now())
	})
	if err != nil {
		return nil, fmt.Errorf("library: save draft: %w", err)
	}
	return d, s.decorate(ctx, []*Draft{d})
}

// Discard deletes the draft; with ifMatch, only that version. Errors:
// not_found, forbidden, conflict.
func (s *Drafts) Discard(ctx context.Context, id, ifMatch string) error {
	d, err := s.authored(ctx, id)
	if err != nil {
		return err
	}
	return s.store.Transaction(ctx, func(tx *gorm.DB) error {
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

// Check runs the importer as a dry run on the client's library with the
// draft laid over it (and the drafts named in with, of the same client:
// a new quiz with the program.yaml that lists it).
func (s *Drafts) Check(ctx context.Context, id string, with []string) (*CheckResult, error) {
	d, err := s.authored(ctx, id)
	if err != nil {
		return nil, err
	}
	others, err := s.companions(ctx, d, with)
	if err != nil {
		return nil, err
	}
	rep, probs, err := s.run(ctx, append([]*Draft{d}, others...), true, nil)
	if err != nil {
		return nil, err
	}
	return &CheckResult{OK: len(probs) == 0, Problems: probs, Report: rep}, nil
}

// companions returns the drafts named in with, which must be the same
// client's and the principal's to author. Errors: invalid (with),
// not_found, forbidden.
func (s *Drafts) companions(ctx context.Context, d *Draft, with []string) ([]*Draft, error) {
	var out []*Draft
	for _, id := range with {
		if id == d.ID || slices.ContainsFunc(out, func(o *Draft) bool { return o.ID == id }) {
			continue
		}
		o, err := s.authored(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Invalidf("with", "no draft %s of yours", id)
		}
		if err != nil {
			return nil, err
		}
		if o.Client != d.Client {
			return nil, apperr.Invalidf("with", "%s is a draft of %s, not %s: publish it on its own", o.Path, o.Client, d.Client)
		}
		out = append(out, o)
	}
	return out, nil
}

// ProblemsError is a publish refused by the importer: invalid, with every
// problem at its file and line.
type ProblemsError struct {
	Err      error
	Problems []Problem
}

func (e *ProblemsError) Error() string { return e.Err.Error() }
func (e *ProblemsError) Unwrap() error { return e.Err }

// Publish imports the draft's version named by ifMatch on the client's
// library, as `skillgate import` would (new versions, material changes
// sending certified agents to refreshers, audit entries as the caller),
// and deletes the draft in the same transaction. Errors: not_found,
// forbidden, precondition_required, conflict (stale version, published
// meanwhile), *ProblemsError (invalid).
func (s *Drafts) Publish(ctx context.Context, id, ifMatch string, with []string) (*catalog.Report, error) {
	d, err := s.authored(ctx, id)
	if err != nil {
		return nil, err
	}
	if rev, err := catalog.DraftBase(d.ID, d.Revision, ifMatch); err != nil {
		return nil, err
	} else if rev != d.Revision {
		return nil, s.store.Transaction(ctx, func(tx *gorm.DB) error { return checkRevision(tx, d, ifMatch) })
	}
	others, err := s.companions(ctx, d, with)
	if err != nil {
		return nil, err
	}
	all := append([]*Draft{d}, others...)
	part := &publishPart{}
	for _, x := range all {
		part.drafts = append(part.drafts, pinned{x.ID, x.Revision})
	}
	rep, probs, err := s.run(ctx, all, false, part)
	if err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return nil, &ProblemsError{Err: problemsAppErr(probs), Problems: probs}
	}
	return rep, nil
}

func problemsAppErr(probs []Problem) error {
	ps := make(catalog.Problems, len(probs))
	for i, p := range probs {
		ps[i] = catalog.Problem{File: p.File, Line: p.Line, Message: p.Message}
	}
	return ps.AppErr()
}

// run lays the draft over the client's exported library in a folder of
// its own and imports it (a dry run when dry), with part applied in the
// import's transaction. The importer's problems come back with their files
// as library paths.
func (s *Drafts) run(ctx context.Context, ds []*Draft, dry bool, part catalog.Part) (*catalog.Report, []Problem, error) {
	files, err := s.libraryOf(ctx, ds[0].Client)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ds {
		files = slices.DeleteFunc(files, func(f catalog.LibraryFile) bool { return f.Path == d.Path })
		files = append(files, catalog.LibraryFile{Path: d.Path, Data: []byte(d.Body)})
	}
	dir, err := os.MkdirTemp("", "skillgate-draft-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	if err := catalog.WriteLibrary(dir, files); err != nil {
		return nil, nil, fmt.Errorf("library: lay out the draft: %w", err)
	}
	for _, sub := range []string{"content", "quizzes"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, nil, err
		}
	}
	opts := catalog.ImportOptions{DryRun: dry, Actor: auth.FromContext(ctx).Actor()}
	if part != nil {
		opts.Parts = []catalog.Part{part}
	}
	rep, err := s.importer(ctx, filepath.Join(dir, "content"), filepath.Join(dir, "quizzes"), opts)
	var ps catalog.Problems
	if errors.As(err, &ps) {
		out := make([]Problem, 0, len(ps))
		for _, p := range ps {
			msg := strings.ReplaceAll(p.Message, dir+string(filepath.Separator), "")
			out = append(out, Problem{File: inArchive(dir, p.File), Line: p.Line, Message: msg})
		}
		return nil, out, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return rep, []Problem{}, nil
}

// publishPart deletes the published drafts in the import's transaction,
// after the library is written: a draft saved or published meanwhile
// (another version, or gone) rolls the whole import back.
type publishPart struct {
	drafts []pinned
}

// pinned is a draft at the version being published.
type pinned struct {
	id       string
	revision int
}

func (p *publishPart) Load(*catalog.Library) catalog.Problems { return nil }

func (p *publishPart) Apply(_ context.Context, tx *gorm.DB, _ *catalog.ImportRun) error {
	for _, x := range p.drafts {
		d, err := lockDraft(tx, x.id)
		if err != nil {
			return apperr.NotFoundf("draft (published meanwhile)")
		}
		if d.Revision != x.revision {
			return apperr.E(apperr.Conflict, "the draft of %s was saved by someone else while publishing (version %d, you published %d): reload it", d.Path, d.Revision, x.revision)
		}
		if err := deleteDraft(tx, d.ID); err != nil {
			return err
		}
	}
	return nil
}
