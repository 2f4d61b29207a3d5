package roleplay

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/contentfile"
)

// importer is the role-play part of a content import (catalog.Part).
type importer struct {
	svc    *Service
	mu     sync.Mutex
	loaded map[*catalog.Library][]*Scenario // between Load and Apply, per import run
}

// Importer returns the catalog.Part that imports the scenarios under the
// library's quizzes folder: each client scenario becomes a new immutable
// version when its resolved content changed (audited as roleplay.publish).
func (s *Service) Importer() catalog.Part {
	return &importer{svc: s, loaded: map[*catalog.Library][]*Scenario{}}
}

// Load parses and checks every scenario, that each lives in a program's
// folder, and that every program's roleplays: entry names one.
func (im *importer) Load(lib *catalog.Library) catalog.Problems {
	if lib.QuizRoot == "" {
		return nil
	}
	scenarios, _, ps := LoadDir(lib.QuizRoot)
	byKey := map[string]bool{}
	for _, s := range scenarios {
		byKey[s.Key()] = true
	}
	programs := map[string]bool{}
	for _, c := range lib.Clients {
		for _, p := range c.Programs {
			programs[c.Slug+"/"+p.Slug] = true
			for _, r := range p.Roleplays {
				if !byKey[c.Slug+"/"+p.Slug+"/"+r.Slug] && len(ps) == 0 {
					ps = append(ps, contentfile.Problem{File: p.File, Line: 1, Message: fmt.Sprintf("role-play %q is not a scenario", r.Slug)})
				}
			}
		}
	}
	sections := lib.SectionChecker()
	for _, s := range scenarios {
		if !programs[s.Client+"/"+s.Program] {
			ps = append(ps, contentfile.Problem{File: s.File, Line: 1, Message: fmt.Sprintf("no program %s/%s in the content library for this scenario", s.Client, s.Program)})
			continue
		}
		ps = append(ps, checkRereads(sections, s)...)
	}
	out := make(catalog.Problems, len(ps))
	for i, p := range ps {
		out[i] = catalog.Problem(p)
	}
	if len(out) == 0 {
		im.mu.Lock()
		im.loaded[lib] = scenarios
		im.mu.Unlock()
	}
	return out
}

// checkRereads checks that every reread of the scenario names a section
// the agents of its program can open (catalog.SectionChecker). A reread
// inherited from a core scenario is reported at the core file, naming the
// program it fails for.
func checkRereads(sections *catalog.SectionChecker, s *Scenario) contentfile.Problems {
	var ps contentfile.Problems
	for _, r := range s.Reread {
		msg := sections.Problem(s.Client, s.Program, r.Target)
		if msg == "" {
			continue
		}
		if r.File != s.File {
			msg = fmt.Sprintf("for %s/%s/%s: %s", s.Client, s.Program, s.Slug, msg)
		}
		ps = append(ps, contentfile.Problem{File: r.File, Line: r.Line, Message: fmt.Sprintf("reread %s: %s: %s", r.Competency, r.Target, msg)})
	}
	return ps
}

// Apply writes the loaded scenarios in tx.
func (im *importer) Apply(ctx context.Context, tx *gorm.DB, ir *catalog.ImportRun) error {
	im.mu.Lock()
	scenarios := im.loaded[ir.Library]
	delete(im.loaded, ir.Library)
	im.mu.Unlock()
	for _, s := range scenarios {
		if err := im.svc.save(ctx, tx, ir, s); err != nil {
			return fmt.Errorf("roleplay: import %s: %w", s.File, err)
		}
	}
	return nil
}

func (s *Service) save(ctx context.Context, tx *gorm.DB, ir *catalog.ImportRun, sc *Scenario) error {
	hash, raw, err := sc.hash()
	if err != nil {
		return err
	}
	key := sc.Key()
	programID, clientID := ir.ProgramIDs[sc.Client+"/"+sc.Program], ir.ClientIDs[sc.Client]
	now := s.now()
	rp, err := lockRoleplayBySlug(tx, programID, sc.Slug)
	outcome := catalog.OutcomeChanged
	switch {
	case err != nil && !apperr.Is(err, apperr.NotFound):
		return err
	case err != nil:
		outcome = catalog.OutcomeCreated
		rp = &Roleplay{ID: uuid.NewString(), ClientID: clientID, ProgramID: programID, Slug: sc.Slug, CurrentVersion: 1, CreatedAt: now, UpdatedAt: now}
		if err := insertRoleplay(tx, rp, key); err != nil {
			return err
		}
		rp.CurrentVersion = 0
	default:
		cur, err := versionOf(tx, rp.ID, rp.CurrentVersion)
		if err != nil {
			return err
		}
		if cur.ContentHash == hash {
			ir.Report.Add("roleplay", key, catalog.OutcomeUnchanged, rp.CurrentVersion)
			return nil
		}
	}
	number := rp.CurrentVersion + 1
	err = publishVersion(tx, rp.ID, number, map[string]any{
		"roleplay_id": rp.ID, "number": number, "title": sc.Title, "scenario": string(raw), "content_hash": hash,
		"source": sc.File, "created_at": now, "published_kind": ir.Actor.Kind, "published_by": ir.Actor.ID,
	}, now)
	if err != nil {
		return err
	}
	ir.Report.Add("roleplay", key, outcome, number)
	return s.audit.Record(ctx, tx, audit.Entry{Actor: ir.Actor, Action: "roleplay.publish", SubjectType: "roleplay",
		SubjectID: rp.ID, ClientID: clientID, After: map[string]any{"key": key, "version": number, "content_hash": hash}})
}
