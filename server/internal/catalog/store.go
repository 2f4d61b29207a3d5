package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Store is the catalog's SQL. Read methods use the store's pool; write
// helpers take the transaction they run in.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// ClientBySlug returns the client with the slug, or not_found.
func (s *Store) ClientBySlug(ctx context.Context, slug string) (*Client, error) {
	return first[Client](s.db.WithContext(ctx).Where("slug = ?", slug), "client "+strconv.Quote(slug))
}

// ClientByID returns the client, or not_found.
func (s *Store) ClientByID(ctx context.Context, id string) (*Client, error) {
	return byID[Client](s.db.WithContext(ctx), id, "client")
}

// ListClients returns every client by name.
func (s *Store) ListClients(ctx context.Context) ([]Client, error) {
	var out []Client
	err := s.db.WithContext(ctx).Order("name, slug").Find(&out).Error
	return out, db.Translate(err, "clients")
}

// ClientIDsBySlug maps every client's slug to its id.
func (s *Store) ClientIDsBySlug(ctx context.Context) (map[string]string, error) {
	var rows []struct {
		ID   string `gorm:"column:id"`
		Slug string `gorm:"column:slug"`
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id::text AS id, slug FROM clients`).Scan(&rows).Error; err != nil {
		return nil, db.Translate(err, "clients")
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.Slug] = r.ID
	}
	return m, nil
}

// ExistingClients returns which of ids are clients, read in tx (the store's
// own pool when tx is nil).
func (s *Store) ExistingClients(ctx context.Context, tx *gorm.DB, ids []string) (map[string]bool, error) {
	found := map[string]bool{}
	if len(ids) == 0 {
		return found, nil
	}
	if tx == nil {
		tx = s.db.WithContext(ctx)
	}
	var got []string
	if err := tx.Raw(`SELECT id::text FROM clients WHERE id IN ?`, ids).Scan(&got).Error; err != nil {
		return nil, db.Translate(err, "clients")
	}
	for _, id := range got {
		found[id] = true
	}
	return found, nil
}

// ProgramByID returns the program, or not_found.
func (s *Store) ProgramByID(ctx context.Context, id string) (*Program, error) {
	return byID[Program](s.db.WithContext(ctx), id, "program")
}

// ProgramBySlug returns the client's program with the slug, or not_found.
func (s *Store) ProgramBySlug(ctx context.Context, clientID, slug string) (*Program, error) {
	return first[Program](s.db.WithContext(ctx).Where("client_id = ? AND slug = ?", clientID, slug), "program "+strconv.Quote(slug))
}

// ListAllPrograms returns every program by client and name.
func (s *Store) ListAllPrograms(ctx context.Context) ([]Program, error) {
	var out []Program
	err := s.db.WithContext(ctx).Order("client_id, name, slug").Find(&out).Error
	return out, db.Translate(err, "programs")
}

// ProgramScope returns the clients of the programs and the modules they
// list (an agent's view of the catalog).
func (s *Store) ProgramScope(ctx context.Context, programIDs []string) (clientIDs, moduleIDs []string, err error) {
	clientIDs, moduleIDs = []string{}, []string{}
	if len(programIDs) == 0 {
		return clientIDs, moduleIDs, nil
	}
	tx := s.db.WithContext(ctx)
	if err := tx.Table("programs").Where("id IN ?", programIDs).Distinct().Order("client_id").Pluck("client_id", &clientIDs).Error; err != nil {
		return nil, nil, db.Translate(err, "programs")
	}
	if err := tx.Table("program_modules").Where("program_id IN ?", programIDs).Distinct().Order("module_id").Pluck("module_id", &moduleIDs).Error; err != nil {
		return nil, nil, db.Translate(err, "program modules")
	}
	return clientIDs, moduleIDs, nil
}

// ListPrograms returns the client's programs by name.
func (s *Store) ListPrograms(ctx context.Context, clientID string) ([]Program, error) {
	var out []Program
	err := s.db.WithContext(ctx).Where("client_id = ?", clientID).Order("name, slug").Find(&out).Error
	return out, db.Translate(err, "programs")
}

// ModuleByID returns the module, or not_found.
func (s *Store) ModuleByID(ctx context.Context, id string) (*Module, error) {
	return byID[Module](s.db.WithContext(ctx), id, "module")
}

// moduleListingQuery reads a module and the programs that list it: one
// statement on the module read's hot path, when the readers' cache misses.
const moduleListingQuery = `SELECT m.id, m.client_id, m.slug, m.kind, m.current_version, m.created_at, m.updated_at,
  ARRAY(SELECT pm.program_id::text FROM program_modules pm WHERE pm.module_id = m.id ORDER BY pm.program_id)
FROM modules m WHERE m.id = $1`

// ModuleListing returns the module and the ids of the programs that list
// it (what decides whether an agent may read it), in one statement through
// database/sql rather than GORM (the module read's hot path). Errors:
// not_found.
func (s *Store) ModuleListing(ctx context.Context, id string) (*Module, []string, error) {
	if uuid.Validate(id) != nil {
		return nil, nil, apperr.NotFoundf("module")
	}
	var (
		m      Module
		listed StringList
	)
	err := s.db.Statement.ConnPool.QueryRowContext(ctx, moduleListingQuery, id).
		Scan(&m.ID, &m.ClientID, &m.Slug, &m.Kind, &m.CurrentVersion, &m.CreatedAt, &m.UpdatedAt, &listed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.NotFoundf("module")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("catalog: module listing: %w", err)
	}
	return &m, []string(listed), nil
}

// ListModules returns every module (without text), core modules first, then
// by client and slug.
func (s *Store) ListModules(ctx context.Context) ([]Module, error) {
	var out []Module
	err := s.db.WithContext(ctx).Order("client_id NULLS FIRST, slug").Find(&out).Error
	return out, db.Translate(err, "modules")
}

// ModuleBySlug returns the client's module with the slug (clientID "" for
// a core module), or not_found.
func (s *Store) ModuleBySlug(ctx context.Context, clientID, slug string) (*Module, error) {
	return moduleBySlug(s.db.WithContext(ctx), clientID, slug)
}

func moduleBySlug(tx *gorm.DB, clientID, slug string) (*Module, error) {
	q := tx.Where("slug = ?", slug)
	if clientID == "" {
		q = q.Where("client_id IS NULL")
	} else {
		q = q.Where("client_id = ?", clientID)
	}
	return first[Module](q, "module "+strconv.Quote(slug))
}

// Version returns a module version with its text, or not_found.
func (s *Store) Version(ctx context.Context, moduleID string, number int) (*ModuleVersion, error) {
	if uuid.Validate(moduleID) != nil {
		return nil, apperr.NotFoundf("module")
	}
	v, err := first[ModuleVersion](s.db.WithContext(ctx).Where("module_id = ? AND number = ?", moduleID, number),
		"version "+strconv.Itoa(number)+" of the module")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(v.TOCJSON, &v.TOC); err != nil {
		return nil, fmt.Errorf("catalog: version toc: %w", err)
	}
	return v, nil
}

const summaryColumns = `module_id, number, title, summary, minutes, change_kind, content_hash, created_at, published_kind, published_by`

// ListVersions returns the module's versions, newest first, without text.
func (s *Store) ListVersions(ctx context.Context, moduleID string) ([]VersionSummary, error) {
	var out []VersionSummary
	err := s.db.WithContext(ctx).Table("module_versions").Select(summaryColumns).
		Where("module_id = ?", moduleID).Order("number DESC").Scan(&out).Error
	return out, db.Translate(err, "module versions")
}

// ProgramIDsListingModule returns the programs that require the module
// (for visibility: agents assigned to one of them may read it).
func (s *Store) ProgramIDsListingModule(ctx context.Context, moduleID string) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Table("program_modules").Where("module_id = ?", moduleID).
		Order("program_id").Pluck("program_id", &ids).Error
	return ids, db.Translate(err, "programs")
}

// requirementLists reads every requirement of the program @id, each list as
// a JSON array in position order (NULL when the program has none).
const requirementLists = `
  (SELECT json_agg(json_build_object('module_id', m.id, 'slug', m.slug, 'core', m.client_id IS NULL,
            'current_version', m.current_version, 'kind', m.kind, 'title', v.title, 'minutes', v.minutes) ORDER BY pm.position)
     FROM program_modules pm
     JOIN modules m ON m.id = pm.module_id
     JOIN module_versions v ON v.module_id = m.id AND v.number = m.current_version
    WHERE pm.program_id = @id) AS modules,
  (SELECT json_agg(quiz_slug ORDER BY position) FROM program_quizzes WHERE program_id = @id) AS quizzes,
  (SELECT json_agg(json_build_object('quiz', quiz_slug, 'module_ids', opens_after) ORDER BY position)
     FROM program_quizzes WHERE program_id = @id AND opens_after IS NOT NULL) AS quiz_gates,
  (SELECT json_agg(json_build_object('slug', roleplay_slug, 'signoff', signoff) ORDER BY position)
     FROM program_roleplays WHERE program_id = @id) AS roleplays,
  (SELECT json_agg(json_build_object('class', class, 'lines', lines, 'states', states, 'appointment', appointment) ORDER BY position)
     FROM program_licenses WHERE program_id = @id) AS licenses,
  (SELECT json_agg(json_build_object('day', day, 'kind', item_kind, 'slug', item_slug, 'module_id', module_id) ORDER BY position)
     FROM program_onboarding WHERE program_id = @id) AS onboarding,
  (SELECT json_agg(json_build_object('slug', item_slug, 'module_id', module_id) ORDER BY position)
     FROM program_refresher WHERE program_id = @id) AS refresher`

// requirements reads a program's requirements in one round trip;
// programRequirements reads the program's row with them.
const (
	requirements        = `SELECT ` + requirementLists
	programRequirements = `SELECT p.*, ` + requirementLists + ` FROM programs p WHERE p.id = @id`
)

// requirementRows is the requirements query's row.
type requirementRows struct {
	Modules    []byte `gorm:"column:modules"`
	Quizzes    []byte `gorm:"column:quizzes"`
	QuizGates  []byte `gorm:"column:quiz_gates"`
	Roleplays  []byte `gorm:"column:roleplays"`
	Licenses   []byte `gorm:"column:licenses"`
	Onboarding []byte `gorm:"column:onboarding"`
	Refresher  []byte `gorm:"column:refresher"`
}

// Requirements returns what the program requires (the program must exist).
// Modules decode by RequiredModule's JSON names. Modules and quizzes are empty lists when there are none; role-plays,
// licenses and onboarding are nil, and so is the refresher when program.yaml declares none.
func (s *Store) Requirements(ctx context.Context, p *Program) (*Requirements, error) {
	var row requirementRows
	if err := s.db.WithContext(ctx).Raw(requirements, sql.Named("id", p.ID)).Scan(&row).Error; err != nil {
		return nil, db.Translate(err, "program requirements")
	}
	return row.decode(p)
}

// ProgramAndRequirements returns the program and what it requires, as
// ProgramByID and Requirements do, in one round trip. Returns not_found.
func (s *Store) ProgramAndRequirements(ctx context.Context, id string) (*Program, *Requirements, error) {
	if uuid.Validate(id) != nil {
		return nil, nil, apperr.NotFoundf("program")
	}
	var row struct {
		Program Program         `gorm:"embedded"`
		Lists   requirementRows `gorm:"embedded"`
	}
	res := s.db.WithContext(ctx).Raw(programRequirements, sql.Named("id", id)).Scan(&row)
	if res.Error != nil {
		return nil, nil, db.Translate(res.Error, "program requirements")
	}
	if res.RowsAffected == 0 {
		return nil, nil, apperr.NotFoundf("program")
	}
	r, err := row.Lists.decode(&row.Program)
	if err != nil {
		return nil, nil, err
	}
	return &row.Program, r, nil
}

// decode turns the requirement lists of p into its Requirements.
func (row requirementRows) decode(p *Program) (*Requirements, error) {
	r := &Requirements{Modules: []RequiredModule{}, Quizzes: []string{},
		Policy: CertificationPolicy{p.ValidDays, p.RefresherWindowDays, p.MaterialChangeGraceDays}}
	var rps []struct {
		Slug    string `json:"slug"`
		Signoff bool   `json:"signoff"`
	}
	var lics []struct {
		Class       string   `json:"class"`
		Lines       []string `json:"lines"`
		States      []string `json:"states"`
		Appointment bool     `json:"appointment"`
	}
	var items []struct {
		Day      int     `json:"day"`
		Kind     string  `json:"kind"`
		Slug     string  `json:"slug"`
		ModuleID *string `json:"module_id"`
	}
	var refresher []struct {
		Slug     string  `json:"slug"`
		ModuleID *string `json:"module_id"`
	}
	for _, f := range []struct {
		raw  []byte
		into any
	}{{row.Modules, &r.Modules}, {row.Quizzes, &r.Quizzes}, {row.QuizGates, &r.QuizGates}, {row.Roleplays, &rps}, {row.Licenses, &lics}, {row.Onboarding, &items},
		{row.Refresher, &refresher}} {
		if f.raw == nil {
			continue
		}
		if err := json.Unmarshal(f.raw, f.into); err != nil {
			return nil, fmt.Errorf("catalog: requirements of program %s: %w", p.ID, err)
		}
	}
	for _, x := range rps {
		r.Roleplays = append(r.Roleplays, RoleplayReq{Slug: x.Slug, Signoff: x.Signoff})
	}
	for _, x := range lics {
		r.Licenses = append(r.Licenses, LicenseReq{Class: x.Class, Lines: x.Lines, States: x.States, Appointment: x.Appointment})
	}
	for _, x := range items {
		it := OnboardingItem{Day: x.Day, Kind: x.Kind, Slug: x.Slug}
		if x.ModuleID != nil {
			it.ModuleID = *x.ModuleID
		}
		r.Onboarding = append(r.Onboarding, it)
	}
	for _, x := range refresher {
		if r.Refresher == nil {
			r.Refresher = &RefresherPlan{Modules: []RefresherModule{}}
		}
		if x.ModuleID != nil {
			r.Refresher.Modules = append(r.Refresher.Modules, RefresherModule{ModuleID: *x.ModuleID, Slug: x.Slug})
		} else {
			r.Refresher.Quiz = x.Slug
		}
	}
	return r, nil
}

// replaceRequirements rewrites the program's requirement rows in tx.
// moduleIDs maps each of the program's module references to its id.
func replaceRequirements(tx *gorm.DB, programID string, p *ProgramFile, moduleIDs map[string]string) error {
	for _, t := range []string{"program_modules", "program_quizzes", "program_roleplays", "program_licenses", "program_onboarding", "program_refresher"} {
		if err := tx.Exec("DELETE FROM "+t+" WHERE program_id = ?", programID).Error; err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	var rows []map[string]any
	insert := func(table string) error {
		if len(rows) == 0 {
			return nil
		}
		err := tx.Table(table).Create(rows).Error
		rows = nil
		if err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		return nil
	}
	for i, r := range p.Modules {
		rows = append(rows, map[string]any{"program_id": programID, "position": i + 1, "module_id": moduleIDs[r.String()]})
	}
	if err := insert("program_modules"); err != nil {
		return err
	}
	for i, q := range p.Quizzes {
		row := map[string]any{"program_id": programID, "position": i + 1, "quiz_slug": q, "opens_after": nil}
		for _, g := range p.QuizGates {
			if g.Quiz == q {
				ids := make(StringList, len(g.Modules))
				for j, m := range g.Modules {
					ids[j] = moduleIDs[m.String()]
				}
				row["opens_after"] = ids
			}
		}
		rows = append(rows, row)
	}
	if err := insert("program_quizzes"); err != nil {
		return err
	}
	for i, r := range p.Roleplays {
		rows = append(rows, map[string]any{"program_id": programID, "position": i + 1, "roleplay_slug": r.Slug, "signoff": r.Signoff})
	}
	if err := insert("program_roleplays"); err != nil {
		return err
	}
	for i, l := range p.Licenses {
		rows = append(rows, map[string]any{"program_id": programID, "position": i + 1, "class": l.Class,
			"lines": StringList(l.Lines), "states": StringList(l.States), "appointment": l.Appointment})
	}
	if err := insert("program_licenses"); err != nil {
		return err
	}
	for i, it := range p.Onboarding {
		row := map[string]any{"program_id": programID, "position": i + 1, "day": it.Day, "item_kind": it.Kind, "item_slug": it.Slug, "module_id": nil}
		if it.Kind == ItemModule {
			row["module_id"] = moduleIDs[it.Slug]
		}
		rows = append(rows, row)
	}
	if err := insert("program_onboarding"); err != nil {
		return err
	}
	if r := p.Refresher; r != nil {
		for i, m := range r.Modules {
			rows = append(rows, map[string]any{"program_id": programID, "position": i + 1, "item_kind": ItemModule,
				"item_slug": m.String(), "module_id": moduleIDs[m.String()]})
		}
		rows = append(rows, map[string]any{"program_id": programID, "position": len(r.Modules) + 1, "item_kind": ItemQuiz,
			"item_slug": r.Quiz, "module_id": nil})
	}
	return insert("program_refresher")
}

// lockModule reads the module for update in tx, or not_found.
func lockModule(tx *gorm.DB, id string) (*Module, error) {
	return first[Module](tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id), "module")
}

// currentHash is the content hash of the module's current version.
func currentHash(tx *gorm.DB, m *Module) (string, error) {
	var h string
	err := tx.Table("module_versions").Where("module_id = ? AND number = ?", m.ID, m.CurrentVersion).
		Pluck("content_hash", &h).Error
	return h, err
}

const searchQuery = `
SELECT m.id AS module_id, m.slug, v.number, v.title,
       ts_rank(v.search, q) AS rank,
       ts_headline('english', v.body_text, q, ?) AS snippet
FROM modules m
JOIN module_versions v ON v.module_id = m.id AND v.number = m.current_version,
     websearch_to_tsquery('english', ?) q
WHERE m.id IN ? AND v.search @@ q
ORDER BY rank DESC, v.title, m.id
LIMIT ?`

var headlineOptions = fmt.Sprintf(`StartSel="%s", StopSel="%s", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`,
	SnippetStart, SnippetEnd)

// Search ranks the current versions of the given modules against a web
// search style query ("quoted phrases", -excluded, or).
func (s *Store) Search(ctx context.Context, moduleIDs []string, query string, limit int) ([]SearchHit, error) {
	out := []SearchHit{}
	if len(moduleIDs) == 0 || strings.TrimSpace(query) == "" {
		return out, nil
	}
	err := s.db.WithContext(ctx).Raw(searchQuery, headlineOptions, query, moduleIDs, limit).Scan(&out).Error
	return out, db.Translate(err, "search")
}

const changesSince = `
SELECT ` + summaryColumns + `
FROM module_versions v
JOIN unnest(?::uuid[], ?::int[]) AS p(mid, seen) ON v.module_id = p.mid AND v.number > p.seen
WHERE NOT ? OR v.change_kind = 'material'
ORDER BY v.module_id, v.number`

// ChangesSince returns the versions published after each pinned version,
// only material ones when materialOnly, ordered by module and number.
func (s *Store) ChangesSince(ctx context.Context, pins []Pin, materialOnly bool) ([]VersionSummary, error) {
	out := []VersionSummary{}
	if len(pins) == 0 {
		return out, nil
	}
	ids := make(StringList, len(pins))
	nums := make([]string, len(pins))
	for i, p := range pins {
		ids[i], nums[i] = p.ModuleID, strconv.Itoa(p.Version)
	}
	err := s.db.WithContext(ctx).Raw(changesSince, ids, "{"+strings.Join(nums, ",")+"}", materialOnly).Scan(&out).Error
	return out, db.Translate(err, "module versions")
}

const openProgressQuery = `
INSERT INTO module_progress (user_id, module_id, version, opened_at)
VALUES (?, ?, ?, ?)
ON CONFLICT (user_id, module_id, version) DO UPDATE SET opened_at = module_progress.opened_at
RETURNING user_id, module_id, version, opened_at, completed_at`

const completeProgressQuery = `
INSERT INTO module_progress (user_id, module_id, version, opened_at, completed_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (user_id, module_id, version) DO UPDATE
    SET completed_at = COALESCE(module_progress.completed_at, EXCLUDED.completed_at)
RETURNING user_id, module_id, version, opened_at, completed_at`

// ListProgress returns the user's progress rows for the modules (all of the
// user's rows when moduleIDs is nil), by module and version.
func (s *Store) ListProgress(ctx context.Context, userID string, moduleIDs []string) ([]Progress, error) {
	return s.ListProgressOf(ctx, []string{userID}, moduleIDs)
}

// GateModule is one module a gated quiz waits for, with whether the agent
// asked about completed it (at any version).
type GateModule struct {
	ModuleID string `gorm:"column:module_id" json:"module_id"`
	Title    string `gorm:"column:title" json:"title"`
	Done     bool   `gorm:"column:done" json:"done"`
}

// QuizGate returns the modules that open the program's quiz (program.yaml
// opens_after), in the order written, each marked done when userID
// completed it; none when the quiz opens from the start. One statement, for
// the hot path of starting an attempt.
func (s *Store) QuizGate(ctx context.Context, programID, quizSlug, userID string) ([]GateModule, error) {
	const q = `
SELECT m.id::text AS module_id, v.title,
       EXISTS (SELECT 1 FROM module_progress p
               WHERE p.user_id = @user AND p.module_id = m.id AND p.completed_at IS NOT NULL) AS done
FROM program_quizzes pq
CROSS JOIN LATERAL unnest(pq.opens_after) WITH ORDINALITY AS g(module_id, n)
JOIN modules m ON m.id = g.module_id
JOIN module_versions v ON v.module_id = m.id AND v.number = m.current_version
WHERE pq.program_id = @program AND pq.quiz_slug = @quiz
ORDER BY g.n`
	out := []GateModule{}
	err := s.db.WithContext(ctx).Raw(q, map[string]any{"user": userID, "program": programID, "quiz": quizSlug}).Scan(&out).Error
	return out, db.Translate(err, "quiz gate")
}

// ListProgressOf is ListProgress of several users in one read, by user,
// module and version.
func (s *Store) ListProgressOf(ctx context.Context, userIDs, moduleIDs []string) ([]Progress, error) {
	out := []Progress{}
	if len(userIDs) == 0 || (moduleIDs != nil && len(moduleIDs) == 0) {
		return out, nil
	}
	q := s.db.WithContext(ctx).Where("user_id IN ?", userIDs)
	if moduleIDs != nil {
		q = q.Where("module_id IN ?", moduleIDs)
	}
	err := q.Order("user_id, module_id, version").Find(&out).Error
	return out, db.Translate(err, "progress")
}

// byID returns the row of T with the id, or not_found (also for an id that
// is not a UUID, so a malformed id reads as a missing one).
func byID[T any](tx *gorm.DB, id, what string) (*T, error) {
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("%s", what)
	}
	return first[T](tx.Where("id = ?", id), what)
}

// first returns the first row of q as a T, or not_found naming what.
func first[T any](q *gorm.DB, what string) (*T, error) {
	var v T
	if err := q.Take(&v).Error; err != nil {
		return nil, db.Translate(err, what)
	}
	return &v, nil
}

// openProgress records that the user opened the module's version (the first
// opening is kept) and returns the progress row.
func (s *Store) openProgress(ctx context.Context, userID, moduleID string, version int, now time.Time) (*Progress, error) {
	var p Progress
	if err := s.db.WithContext(ctx).Raw(openProgressQuery, userID, moduleID, version, now).Scan(&p).Error; err != nil {
		return nil, db.Translate(err, "progress")
	}
	return &p, nil
}

// completeProgress records, in tx, that the user finished reading the
// version (the first completion is kept) and returns the progress row.
func completeProgress(tx *gorm.DB, userID, moduleID string, version int, now time.Time) (*Progress, error) {
	var p Progress
	if err := tx.Raw(completeProgressQuery, userID, moduleID, version, now, now).Scan(&p).Error; err != nil {
		return nil, db.Translate(err, "progress")
	}
	return &p, nil
}

// importLock serializes imports for the length of their transaction.
const importLock = `SELECT pg_advisory_xact_lock(7365636173) -- "content import"`

// lockImport takes the import lock in tx: one import at a time.
func lockImport(tx *gorm.DB) error {
	return tx.Exec(importLock).Error
}

// insertImport records an import run (its columns) in tx.
func insertImport(tx *gorm.DB, columns map[string]any) error {
	return tx.Table("content_imports").Create(columns).Error
}

// clientBySlug returns, in tx, the client with the slug. Errors: not_found.
func clientBySlug(tx *gorm.DB, slug string) (*Client, error) {
	return first[Client](tx.Where("slug = ?", slug), "client")
}

// programBySlug returns, in tx, the client's program with the slug.
// Errors: not_found.
func programBySlug(tx *gorm.DB, clientID, slug string) (*Program, error) {
	return first[Program](tx.Where("client_id = ? AND slug = ?", clientID, slug), "program")
}

// insertProgram inserts a program (its columns) in tx; the error is GORM's.
func insertProgram(tx *gorm.DB, columns map[string]any) error {
	return tx.Table("programs").Create(columns).Error
}

// updateProgram writes the program's columns in tx; the error is GORM's.
func updateProgram(tx *gorm.DB, id string, columns map[string]any) error {
	return tx.Table("programs").Where("id = ?", id).Updates(columns).Error
}

// ModuleCompletion is the latest time a user completed a module, at any
// version.
type ModuleCompletion struct {
	UserID      string    `gorm:"column:user_id"`
	ModuleID    string    `gorm:"column:module_id"`
	CompletedAt time.Time `gorm:"column:completed_at"`
}

// LatestModuleCompletions returns, for each user who completed one of the
// modules, the latest completion of each (for continuing education credit).
func (s *Store) LatestModuleCompletions(ctx context.Context, moduleIDs []string) ([]ModuleCompletion, error) {
	const q = `
SELECT user_id::text AS user_id, module_id::text AS module_id, max(completed_at) AS completed_at
FROM module_progress
WHERE module_id IN ? AND completed_at IS NOT NULL
GROUP BY user_id, module_id
ORDER BY user_id, module_id`
	out := []ModuleCompletion{}
	if len(moduleIDs) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Raw(q, moduleIDs).Scan(&out).Error
	return out, db.Translate(err, "module completions")
}
