package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Import outcomes, per item.
const (
	OutcomeCreated   = "created"
	OutcomeChanged   = "changed"
	OutcomeUnchanged = "unchanged"
)

// ReportItem is what an import did with one thing.
type ReportItem struct {
	Kind    string `json:"kind"`              // "client", "program", "module", or a part's own kind
	Key     string `json:"key"`               // e.g. "northbank", "northbank/card-services", "core/staying-calm"
	Outcome string `json:"outcome"`           // OutcomeCreated, OutcomeChanged or OutcomeUnchanged
	Version int    `json:"version,omitempty"` // modules: the current version after the import
}

// Report is what an import did (or, in a dry run, would have done).
type Report struct {
	ImportID  string       `json:"import_id,omitempty"` // empty in a dry run
	DryRun    bool         `json:"dry_run"`
	Items     []ReportItem `json:"items"`
	Created   int          `json:"created"`
	Changed   int          `json:"changed"`
	Unchanged int          `json:"unchanged"`
	// Skipped lists, as "file:line: why", what the files hold that cannot
	// be imported and was left out on purpose (GIFT essay and description
	// items).
	Skipped []string `json:"skipped,omitempty"`
	// Warnings list, as "file:line: what", what was imported differently
	// from how it is written, as Moodle would read it (a short answer
	// written twice in different case merged, a repeated GIFT title
	// numbered).
	Warnings []string `json:"warnings,omitempty"`
}

// Add records an item's outcome.
func (r *Report) Add(kind, key, outcome string, version int) {
	r.Items = append(r.Items, ReportItem{Kind: kind, Key: key, Outcome: outcome, Version: version})
	switch outcome {
	case OutcomeCreated:
		r.Created++
	case OutcomeChanged:
		r.Changed++
	default:
		r.Unchanged++
	}
}

// Part is more content imported in the same run and transaction as the
// library: the quiz and role-play importers implement it.
type Part interface {
	// Load reads and validates the part's files, with the parsed library
	// (lib.QuizRoot is the quizzes folder) at hand. Problems abort the run.
	Load(lib *Library) Problems
	// Apply writes the part in tx, after the library, reporting each item
	// in run.Report and auditing as run.Actor.
	Apply(ctx context.Context, tx *gorm.DB, run *ImportRun) error
}

// ImportRun is the state of one import, shared with its parts.
type ImportRun struct {
	Library *Library
	Actor   audit.Actor
	Report  *Report
	// ClientIDs and ProgramIDs map slugs ("client", "client/program") to ids
	// once the library is written.
	ClientIDs  map[string]string
	ProgramIDs map[string]string
	// ModuleIDs maps module references ("client/module", "core/module")
	// to ids once the library is written.
	ModuleIDs map[string]string
}

// ImportOptions tune an import.
type ImportOptions struct {
	DryRun bool        // validate and report, write nothing
	Actor  audit.Actor // who runs it; audit.System("import") when empty
	Parts  []Part      // more content to import in the same transaction
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// Import loads the content tree at contentRoot (quizzes and role-plays at
// quizRoot) and writes it in one transaction: clients and programs are
// upserted by slug, a module whose text changed gets its next version.
// Every created or changed client, program and module version is audited.
// When the tree has problems it writes nothing and returns them as
// Problems; a dry run returns the report of what would happen, writing
// nothing.
func (s *Service) Import(ctx context.Context, contentRoot, quizRoot string, opts ImportOptions) (*Report, error) {
	lib, probs := LoadLibrary(contentRoot, quizRoot)
	for _, p := range opts.Parts {
		probs = append(probs, p.Load(lib)...)
	}
	if len(probs) > 0 {
		probs.sort()
		return nil, probs
	}
	if opts.Actor.Kind == "" {
		opts.Actor = audit.System("import")
	}
	run := &ImportRun{Library: lib, Actor: opts.Actor, Report: &Report{DryRun: opts.DryRun, Items: []ReportItem{}},
		ClientIDs: map[string]string{}, ProgramIDs: map[string]string{}, ModuleIDs: map[string]string{}}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One import at a time (several replicas may import on start): the
		// second waits, then finds the first's work and reports it unchanged.
		if err := lockImport(tx); err != nil {
			return err
		}
		if err := s.applyLibrary(ctx, tx, run); err != nil {
			return err
		}
		for _, p := range opts.Parts {
			if err := p.Apply(ctx, tx, run); err != nil {
				return err
			}
		}
		if opts.DryRun {
			return errDryRun
		}
		return s.recordImport(tx, run)
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, fmt.Errorf("catalog: import: %w", err)
	}
	if !opts.DryRun && s.listener != nil {
		s.listener.ModulesChanged(ctx)
	}
	return run.Report, nil
}

func (s *Service) recordImport(tx *gorm.DB, run *ImportRun) error {
	r := run.Report
	items, err := json.Marshal(r.Items)
	if err != nil {
		return err
	}
	r.ImportID = uuid.NewString()
	return insertImport(tx, map[string]any{
		"id": r.ImportID, "at": s.now(), "actor_kind": run.Actor.Kind, "actor_id": run.Actor.ID,
		"created": r.Created, "changed": r.Changed, "unchanged": r.Unchanged, "items": string(items),
	})
}

func (s *Service) applyLibrary(ctx context.Context, tx *gorm.DB, run *ImportRun) error {
	core, err := s.applyModules(ctx, tx, run, nil, "", run.Library.Core)
	if err != nil {
		return err
	}
	for k, v := range core {
		run.ModuleIDs[k] = v
	}
	for _, c := range run.Library.Clients {
		id, err := s.applyClient(ctx, tx, run, c)
		if err != nil {
			return err
		}
		run.ClientIDs[c.Slug] = id
		ids, err := s.applyModules(ctx, tx, run, &id, c.Slug, c.Modules)
		if err != nil {
			return err
		}
		for k, v := range ids {
			run.ModuleIDs[c.Slug+"/"+k] = v
		}
		for k, v := range core {
			ids[k] = v
		}
		for _, p := range c.Programs {
			pid, err := s.applyProgram(ctx, tx, run, id, c.Slug, p, ids)
			if err != nil {
				return err
			}
			run.ProgramIDs[c.Slug+"/"+p.Slug] = pid
		}
	}
	return nil
}

// applyModules saves each module file and returns their ids by module key.
func (s *Service) applyModules(ctx context.Context, tx *gorm.DB, run *ImportRun, clientID *string, clientSlug string, files []*ModuleFile) (map[string]string, error) {
	ids := map[string]string{}
	for _, mf := range files {
		cid := ""
		if clientID != nil {
			cid = *clientID
		}
		m, err := moduleBySlug(tx, cid, mf.Slug)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		outcome, v, err := s.saveModule(ctx, tx, m, clientID, mf, run.Actor)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mf.File, err)
		}
		key := moduleKey(clientID, mf.Slug)
		version := 0
		if v != nil {
			ids[key], version = v.ModuleID, v.Number
		} else {
			ids[key], version = m.ID, m.CurrentVersion
		}
		reportKey := key
		if clientID != nil {
			reportKey = clientSlug + "/" + key
		}
		run.Report.Add("module", reportKey, outcome, version)
	}
	return ids, nil
}

func (s *Service) applyClient(ctx context.Context, tx *gorm.DB, run *ImportRun, c *ClientFile) (string, error) {
	cur, err := clientBySlug(tx, c.Slug)
	switch {
	case isNotFound(err):
		row, err := s.insertClient(ctx, tx, run.Actor, ClientInput{Slug: c.Slug, Name: c.Name, Industry: c.Industry, Description: c.Description})
		if err != nil {
			return "", err
		}
		run.Report.Add("client", c.Slug, OutcomeCreated, 0)
		return row.ID, nil
	case err != nil:
		return "", err
	}
	changed, err := s.updateClient(ctx, tx, run.Actor, cur, c.Name, c.Industry, c.Description)
	if err != nil {
		return "", err
	}
	outcome := OutcomeUnchanged
	if changed {
		outcome = OutcomeChanged
	}
	run.Report.Add("client", c.Slug, outcome, 0)
	return cur.ID, nil
}

// programSpec is the part of a program.yaml that makes the program; its
// hash tells whether a program changed.
type programSpec struct {
	Name        string              `json:"name"`
	Description string              `json:"description"`
	Channels    []string            `json:"channels"`
	Modules     []string            `json:"modules"`
	Quizzes     []string            `json:"quizzes"`
	Roleplays   []RoleplayReq       `json:"roleplays"`
	Licenses    []LicenseReq        `json:"licenses"`
	Policy      CertificationPolicy `json:"certification"`
	Onboarding  []OnboardingItem    `json:"onboarding"`
	Refresher   *refresherSpec      `json:"refresher,omitempty"`
	// QuizGates is omitted when empty, so programs without gates keep
	// the hash they had before gates existed.
	QuizGates map[string][]string `json:"quiz_gates,omitempty"`
	// ServesOnlyListedStates is omitted when false, likewise.
	ServesOnlyListedStates bool `json:"serves_only_listed_states,omitempty"`
}

type refresherSpec struct {
	Modules []string `json:"modules"`
	Quiz    string   `json:"quiz"`
}

func specOf(p *ProgramFile) programSpec {
	sp := programSpec{Name: p.Name, Description: p.Description, Channels: p.Channels, Quizzes: p.Quizzes,
		Roleplays: p.Roleplays, Licenses: p.Licenses, Policy: p.Policy, Onboarding: p.Onboarding,
		ServesOnlyListedStates: p.ServesOnlyListedStates}
	for _, r := range p.Modules {
		sp.Modules = append(sp.Modules, r.String())
	}
	for _, g := range p.QuizGates {
		if sp.QuizGates == nil {
			sp.QuizGates = map[string][]string{}
		}
		for _, r := range g.Modules {
			sp.QuizGates[g.Quiz] = append(sp.QuizGates[g.Quiz], r.String())
		}
	}
	if p.Refresher != nil {
		sp.Refresher = &refresherSpec{Modules: []string{}, Quiz: p.Refresher.Quiz}
		for _, r := range p.Refresher.Modules {
			sp.Refresher.Modules = append(sp.Refresher.Modules, r.String())
		}
	}
	return sp
}

func (s *Service) applyProgram(ctx context.Context, tx *gorm.DB, run *ImportRun, clientID, clientSlug string, p *ProgramFile, moduleIDs map[string]string) (string, error) {
	spec := specOf(p)
	raw, err := json.Marshal(spec)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	key := clientSlug + "/" + p.Slug
	now := s.now()
	cols := map[string]any{
		"name": p.Name, "description": p.Description, "channels": StringList(p.Channels),
		"valid_days": p.Policy.ValidDays, "refresher_window_days": p.Policy.RefresherWindowDays,
		"material_change_grace_days": p.Policy.MaterialChangeGraceDays, "spec_hash": hash, "updated_at": now,
		"serves_only_listed_states": p.ServesOnlyListedStates,
	}
	cur, err := programBySlug(tx, clientID, p.Slug)
	var id, action, outcome string
	var before any
	switch {
	case isNotFound(err):
		id, action, outcome = uuid.NewString(), "program.create", OutcomeCreated
		cols["id"], cols["client_id"], cols["slug"], cols["created_at"] = id, clientID, p.Slug, now
		err = insertProgram(tx, cols)
	case err != nil:
		return "", err
	case cur.SpecHash == hash:
		run.Report.Add("program", key, OutcomeUnchanged, 0)
		return cur.ID, nil
	default:
		id, action, outcome = cur.ID, "program.update", OutcomeChanged
		before = map[string]any{"spec_hash": cur.SpecHash}
		err = updateProgram(tx, id, cols)
	}
	if err != nil {
		return "", db.Translate(err, "program "+strconv.Quote(key))
	}
	if err := replaceRequirements(tx, id, p, moduleIDs); err != nil {
		return "", fmt.Errorf("%s: %w", p.File, err)
	}
	run.Report.Add("program", key, outcome, 0)
	return id, s.audit.Record(ctx, tx, audit.Entry{Actor: run.Actor, Action: action, SubjectType: "program",
		SubjectID: id, ClientID: clientID, Before: before, After: map[string]any{"slug": p.Slug, "spec": spec, "spec_hash": hash}})
}

func isNotFound(err error) bool { return apperr.Is(err, apperr.NotFound) }
