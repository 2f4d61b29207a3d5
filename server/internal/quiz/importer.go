package quiz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
)

// Importer is the quizzes' part of `skillgate import` (a catalog.Part): it
// loads quizzes/ with LoadDir, checks each quiz against the content library,
// and writes every quiz whose content changed as a new immutable version.
type Importer struct {
	audit *audit.Recorder
	clock clock.Clock

	mu     sync.Mutex
	loaded map[*catalog.Library]*Library // between Load and Apply of one run
}

// NewImporter returns the quiz import part.
func NewImporter(rec *audit.Recorder, clk clock.Clock) *Importer {
	return &Importer{audit: rec, clock: clk, loaded: map[*catalog.Library]*Library{}}
}

// Load reads lib.QuizRoot and checks every quiz: its file parses, its banks
// are its own client's, its draws are possible, its client and program
// exist in the content library, and the program's program.yaml lists it.
// A missing quizzes folder imports no quizzes.
func (im *Importer) Load(lib *catalog.Library) catalog.Problems {
	root := lib.QuizRoot
	ql := &Library{}
	if root != "" {
		if _, err := os.Stat(root); err == nil {
			var err error
			if ql, err = LoadDir(os.DirFS(root)); err != nil {
				return toCatalog(root, problemsOf(err))
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return catalog.Problems{{File: root, Message: fmt.Sprintf("cannot read the folder: %v", err)}}
		}
	}
	var ps Problems
	for _, qz := range ql.Quizzes {
		prog := lib.Program(qz.Client, qz.Program)
		switch {
		case prog == nil:
			ps.Add(qz.Source, 1, "no program %s/%s in the content library (content/%s/%s/program.yaml)", qz.Client, qz.Program, qz.Client, qz.Program)
		case !slices.Contains(prog.Quizzes, qz.Slug) && (prog.Refresher == nil || prog.Refresher.Quiz != qz.Slug):
			ps.Add(qz.Source, 1, "%s does not list the quiz %s under quizzes: (or as refresher: quiz:)", prog.File, qz.Slug)
		}
	}
	if len(ps) > 0 {
		return toCatalog(root, ps)
	}
	if ps := checkRereads(lib, ql); len(ps) > 0 {
		return toCatalog(root, ps)
	}
	im.mu.Lock()
	im.loaded[lib] = ql
	im.mu.Unlock()
	return nil
}

// checkRereads checks that the reread of every question a quiz can draw
// names a section its agents can open (catalog.SectionChecker). A bank
// question is checked for every program whose quizzes draw it. Each
// problem names the question's file and line.
func checkRereads(lib *catalog.Library, ql *Library) Problems {
	sections := lib.SectionChecker()
	var ps Problems
	seen := map[string]bool{}
	for _, qz := range ql.Quizzes {
		pool, _ := qz.Pool(ql.BanksOf(qz.Client))
		for _, q := range pool {
			if q.Reread == "" {
				continue
			}
			msg := sections.Problem(qz.Client, qz.Program, q.Reread)
			file, line := splitSource(q.Source)
			if key := q.Source + "\x00" + msg; msg != "" && !seen[key] {
				seen[key] = true
				ps.Add(file, line, "question %s: reread %s: %s", q.ID, q.Reread, msg)
			}
		}
	}
	ps.Sort()
	return ps
}

// splitSource splits a question's "file:line".
func splitSource(source string) (string, int) {
	i := strings.LastIndex(source, ":")
	if i < 0 {
		return source, 1
	}
	line, err := strconv.Atoi(source[i+1:])
	if err != nil {
		return source, 1
	}
	return source[:i], line
}

// toCatalog turns quiz problems (paths relative to root) into the import's
// problems.
func toCatalog(root string, ps Problems) catalog.Problems {
	out := make(catalog.Problems, len(ps))
	for i, p := range ps {
		out[i] = catalog.Problem{File: filepath.Join(root, p.File), Line: p.Line, Message: p.Message}
	}
	return out
}

// versionContent is what a quiz version stores and what its hash covers.
type versionContent struct {
	Quiz *Quiz      `json:"quiz"`
	Pool []Question `json:"pool"`
}

// hash identifies the content without where it is written: moving a
// question down a line is not a new version.
func (vc versionContent) hash() (string, error) {
	qz := *vc.Quiz
	qz.Source = ""
	qz.Questions = withoutSources(qz.Questions)
	raw, err := json.Marshal(versionContent{Quiz: &qz, Pool: withoutSources(vc.Pool)})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}

func withoutSources(qs []Question) []Question {
	out := make([]Question, len(qs))
	for i, q := range qs {
		q.Source = ""
		out[i] = q
	}
	return out
}

// Apply writes the loaded quizzes in tx: a quiz is created with version 1,
// gets its next version when its content (settings, questions, or the bank
// questions it draws) changed, and is left alone otherwise. Each created or
// changed quiz is reported and audited as quiz.publish; GIFT items that
// cannot be represented are reported as skipped.
func (im *Importer) Apply(ctx context.Context, tx *gorm.DB, run *catalog.ImportRun) error {
	im.mu.Lock()
	ql := im.loaded[run.Library]
	delete(im.loaded, run.Library)
	im.mu.Unlock()
	if ql == nil {
		return errors.New("quiz: import: Apply without Load")
	}
	for _, sk := range toCatalog(run.Library.QuizRoot, ql.Skipped) {
		run.Report.Skipped = append(run.Report.Skipped, sk.String())
	}
	for _, w := range toCatalog(run.Library.QuizRoot, ql.Warnings) {
		run.Report.Warnings = append(run.Report.Warnings, w.String())
	}
	now := im.clock.Now().UTC().Truncate(time.Microsecond)
	for _, qz := range ql.Quizzes {
		pool, ps := qz.Pool(ql.BanksOf(qz.Client))
		if len(ps) > 0 { // LoadDir has checked this
			return fmt.Errorf("quiz: import %s: %w", qz.Source, ps)
		}
		if err := im.applyQuiz(ctx, tx, run, qz, pool, now); err != nil {
			return fmt.Errorf("quiz: import %s: %w", qz.Source, err)
		}
	}
	return nil
}

func (im *Importer) applyQuiz(ctx context.Context, tx *gorm.DB, run *catalog.ImportRun, qz *Quiz, pool []Question, now time.Time) error {
	key := qz.Client + "/" + qz.Program
	clientID, programID := run.ClientIDs[qz.Client], run.ProgramIDs[key]
	if clientID == "" || programID == "" {
		return fmt.Errorf("program %s was not imported", key)
	}
	if err := insertFiles(tx, pool, now); err != nil {
		return err
	}
	pool = withoutFileData(pool) // the version names its files by hash
	vc := versionContent{Quiz: qz, Pool: pool}
	hash, err := vc.hash()
	if err != nil {
		return err
	}
	rawQuiz, err := json.Marshal(qz)
	if err != nil {
		return err
	}
	rawPool, err := json.Marshal(pool)
	if err != nil {
		return err
	}
	cur, err := lockQuizBySlug(tx, programID, qz.Slug)
	outcome, number := catalog.OutcomeCreated, 1
	switch {
	case apperr.Is(err, apperr.NotFound):
		cur = &StoredQuiz{ID: uuid.NewString(), ClientID: clientID, ProgramID: programID, Slug: qz.Slug, Title: qz.Title,
			CurrentVersion: 1, CreatedAt: now, UpdatedAt: now}
		if err := insertQuiz(tx, cur); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		curHash, err := versionHash(tx, cur.ID, cur.CurrentVersion)
		if err != nil {
			return err
		}
		if curHash == hash {
			run.Report.Add("quiz", key+"/"+qz.Slug, catalog.OutcomeUnchanged, cur.CurrentVersion)
			return nil
		}
		outcome, number = catalog.OutcomeChanged, cur.CurrentVersion+1
	}
	versionID := uuid.NewString()
	err = insertVersion(tx, map[string]any{"id": versionID, "quiz_id": cur.ID, "number": number,
		"content_hash": hash, "quiz": string(rawQuiz), "pool": string(rawPool), "created_at": now})
	if err != nil {
		return err
	}
	if outcome == catalog.OutcomeChanged {
		if err := publishVersion(tx, cur, number, qz.Title, now); err != nil {
			return err
		}
	}
	run.Report.Add("quiz", key+"/"+qz.Slug, outcome, number)
	return im.audit.Record(ctx, tx, audit.Entry{Actor: run.Actor, Action: "quiz.publish", SubjectType: "quiz",
		SubjectID: cur.ID, ClientID: clientID, After: map[string]any{
			"slug": qz.Slug, "program_id": programID, "version": number, "version_id": versionID,
			"content_hash": hash, "pool_size": len(pool),
		}})
}
