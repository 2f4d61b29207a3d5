package quiz

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// An author's preview of a quiz (or of question banks) being written: the
// quiz file's text and the texts of banks it draws from are parsed with the
// importer's own readers, the pool is resolved (given bank texts override
// the client's published banks), and one attempt is drawn as the real draw
// does, shown as an agent sees it. CheckPreview grades answers to it with
// the real grader. Nothing is stored: a preview is never an attempt.

// MaxPreviewBanks is how many bank texts one preview may carry.
const MaxPreviewBanks = 20

// PreviewRequest is a quiz file's text (and banks' texts) to preview.
type PreviewRequest struct {
	Client  string `json:"client" binding:"required"`
	Program string `json:"program" binding:"required"`
	// Slug names the quiz file (<slug>.quiz.yaml), "preview" when empty.
	Slug string `json:"slug"`
	// Quiz is the quiz.yaml text; empty for a preview of banks only.
	Quiz string `json:"quiz"`
	// Banks are bank files' texts by file name (card-fees.gift,
	// fees.xml, basics.aiken.txt, or the path
	// quizzes/<client>/<program>/<file>); each overrides the client's
	// published bank of that name.
	Banks map[string]string `json:"banks"`
	// Seed picks the draw (the same seed and texts give the same draw);
	// random when absent.
	Seed *int64 `json:"seed"`
}

// PreviewCheckRequest is a preview's texts with answers to the questions
// a preview drew.
type PreviewCheckRequest struct {
	PreviewRequest
	// QuestionIDs are the ids of the questions drawn (PublicQuestion.ID),
	// in the order shown.
	QuestionIDs []string            `json:"question_ids"`
	Answers     map[string]Response `json:"answers"`
}

// Preview is what the author sees of a quiz being written. Problems in the
// texts (each with file and line) are part of a preview, not an error, so
// an editor can show them while the author types; OK is false then and no
// questions are drawn.
type Preview struct {
	OK       bool      `json:"ok"`
	Problems []Problem `json:"problems"`
	// Warnings are what the bank readers read differently from how it is
	// written (as Moodle does), and items skipped.
	Warnings []Problem `json:"warnings"`
	// Settings are the quiz's settings; nil for a preview of banks only,
	// or when the quiz file could not be read at all.
	Settings *PreviewSettings `json:"settings"`
	// Questions are one drawn attempt exactly as an agent sees it (no
	// answer key); for banks only, every question of the banks.
	Questions []PublicQuestion `json:"questions"`
	Seed      int64            `json:"seed"`
	Draw      DrawReport       `json:"draw"`
	// Banks are the banks the pool is drawn from (or the banks previewed),
	// with their questions in full, answer key included: for the author.
	Banks []PreviewBank `json:"banks"`
}

// PreviewSettings are a quiz's settings as read from its file.
type PreviewSettings struct {
	Title               string        `json:"title"`
	PassPercent         int           `json:"pass_percent"`
	QuestionsPerAttempt int           `json:"questions_per_attempt"`
	Quotas              []TagQuota    `json:"quotas"`
	ShuffleQuestions    bool          `json:"shuffle_questions"`
	ShuffleOptions      bool          `json:"shuffle_options"`
	TimeLimitSeconds    int64         `json:"time_limit_seconds"`
	AttemptsAllowed     int           `json:"attempts_allowed"`
	WaitBetweenSeconds  int64         `json:"wait_between_attempts_seconds"`
	Grading             GradingMethod `json:"grading"`
	Review              ReviewPolicy  `json:"review"`
}

// DrawReport says whether every attempt can be drawn: the pool's size
// against the questions per attempt, and each tag quota's need against
// the questions with its tag.
type DrawReport struct {
	Feasible bool `json:"feasible"`
	PoolSize int  `json:"pool_size"`
	// QuestionsPerAttempt is what an attempt draws (the pool's size when
	// the quiz says 0).
	QuestionsPerAttempt int           `json:"questions_per_attempt"`
	Quotas              []QuotaReport `json:"quotas"`
	// Problems are CheckDraw's, with the quiz file's lines.
	Problems []Problem `json:"problems"`
}

// QuotaReport is one tag quota: questions needed and available.
type QuotaReport struct {
	Tag       string `json:"tag"`
	Needed    int    `json:"needed"`
	Available int    `json:"available"`
}

// PreviewBank is a bank of a preview: from the request ("draft") or the
// client's current quiz versions ("published").
type PreviewBank struct {
	Name      string     `json:"name"`
	File      string     `json:"file"`
	Origin    string     `json:"origin"`
	Questions []Question `json:"questions"`
}

// PreviewCheck is the grading of a preview's answers, for the author:
// Result shows everything (marks, correct answers, feedback); AgentSees is
// what an agent would be shown under the quiz's review policy.
type PreviewCheck struct {
	Review    ReviewPolicy `json:"review"`
	Result    Result       `json:"result"`
	AgentSees Result       `json:"agent_sees"`
}

// The origins of a preview's banks.
const (
	OriginDraft     = "draft"
	OriginPublished = "published"
)

// previewScope checks that the signed-in user may author the client's
// content (catalog.MayAuthor) and finds the program. Trainers of another
// client (or of none) get not_found, so clients cannot be probed; other
// roles forbidden; core content (_core) has no programs, so an admin gets
// not_found for it. Errors: unauthorized, forbidden, not_found.
func (s *Service) previewScope(ctx context.Context, clientSlug, programSlug string) (*catalog.Program, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if clientSlug == catalog.CoreFolder {
		if err := catalog.MayAuthor(p, ""); err != nil {
			return nil, err
		}
		return nil, apperr.NotFoundf("program: core content has no programs; a quiz belongs to a client's program")
	}
	if !p.Is(auth.RoleTrainer, auth.RoleAdmin) {
		return nil, catalog.MayAuthor(p, "")
	}
	if !slugRe.MatchString(clientSlug) {
		return nil, apperr.NotFoundf("client")
	}
	c, err := s.programs.ClientBySlug(ctx, clientSlug)
	if err != nil {
		return nil, err
	}
	if err := catalog.MayAuthor(p, c.ID); err != nil {
		return nil, apperr.NotFoundf("client")
	}
	if !slugRe.MatchString(programSlug) {
		return nil, apperr.NotFoundf("program")
	}
	return s.programs.ProgramBySlug(ctx, c.ID, programSlug)
}

// previewed is a preview's texts read: the quiz (nil for banks only), its
// pool, the banks used, and every problem.
type previewed struct {
	quiz     *Quiz
	pool     []Question
	banks    []PreviewBank
	problems Problems
	warnings Problems
}

// read parses the request's texts and resolves the pool. The files are
// named as in the library (quizzes/<client>/<program>/<file>), so
// problems name the file and line a draft of that path has.
func (s *Service) read(ctx context.Context, prog *catalog.Program, req *PreviewRequest) (*previewed, error) {
	if strings.TrimSpace(req.Quiz) == "" && len(req.Banks) == 0 {
		return nil, apperr.Invalidf("quiz", "give the quiz file's text, bank texts, or both")
	}
	if len(req.Banks) > MaxPreviewBanks {
		return nil, apperr.Invalidf("banks", "at most %d banks in one preview", MaxPreviewBanks)
	}
	dir := req.Client + "/" + req.Program + "/"
	out := &previewed{}
	given := map[string]*Bank{}
	names := make([]string, 0, len(req.Banks))
	for k := range req.Banks {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, key := range names {
		base := path.Base(key)
		if strings.Contains(key, "/") && key != "quizzes/"+dir+base && key != dir+base {
			return nil, apperr.Invalidf("banks", "%s: a bank of this preview is a file name, or quizzes/%s<file>", key, dir)
		}
		parse := bankParser(base)
		if parse == nil {
			return nil, apperr.Invalidf("banks", "%s: a bank file ends in %s, %s or %s", key, GIFTSuffix, MoodleXMLSuffix, AikenSuffix)
		}
		b, err := parse(dir+base, []byte(req.Banks[key]))
		if err != nil {
			out.problems = append(out.problems, problemsOf(err)...)
			continue
		}
		if prev, dup := given[b.Name]; dup {
			out.problems.Add(b.Source, 1, "the preview has two files for the bank %q (%s)", b.Name, prev.Source)
			continue
		}
		given[b.Name] = b
		out.warnings = append(out.warnings, b.Skipped...)
		out.warnings = append(out.warnings, b.Warnings...)
		if strings.TrimSpace(req.Quiz) == "" {
			out.banks = append(out.banks, PreviewBank{Name: b.Name, File: "quizzes/" + b.Source, Origin: OriginDraft, Questions: b.Questions})
			out.pool = append(out.pool, b.Questions...)
		}
	}
	if strings.TrimSpace(req.Quiz) == "" {
		return out, nil
	}
	slug := req.Slug
	if slug == "" {
		slug = "preview"
	}
	qz, ps := readQuiz(dir+slug+QuizFileSuffix, []byte(req.Quiz))
	out.quiz = qz
	out.problems = append(out.problems, ps...)
	if len(out.problems) > 0 {
		return out, nil
	}
	banks := map[string]*Bank{}
	var published []*Version
	for _, ref := range qz.Banks {
		if b, ok := given[ref.Name]; ok {
			banks[ref.Name] = b
			out.banks = append(out.banks, PreviewBank{Name: b.Name, File: "quizzes/" + b.Source, Origin: OriginDraft, Questions: b.Questions})
			continue
		}
		if published == nil {
			var err error
			if published, err = s.store.CurrentVersionsOfClient(ctx, prog.ClientID); err != nil {
				return nil, err
			}
		}
		if qs := bankQuestions(published, ref.Name); len(qs) > 0 {
			file, _ := splitSource(qs[0].Source)
			banks[ref.Name] = &Bank{Client: req.Client, Name: ref.Name, Source: file, Questions: qs}
			out.banks = append(out.banks, PreviewBank{Name: ref.Name, File: "quizzes/" + file, Origin: OriginPublished, Questions: qs})
		}
	}
	pool, ps := qz.Pool(banks)
	out.pool = pool
	out.problems = append(out.problems, ps...)
	return out, nil
}

// Preview parses a quiz (or banks) being written and draws one attempt as
// an agent would see it, recording nothing. Problems of the texts are in
// the preview (OK false), not an error. Only the client's trainers and
// admins (catalog.MayAuthor). Errors: unauthorized, forbidden, not_found,
// invalid (the request itself: no text, a bank file name).
func (s *Service) Preview(ctx context.Context, req PreviewRequest) (*Preview, error) {
	prog, err := s.previewScope(ctx, req.Client, req.Program)
	if err != nil {
		return nil, err
	}
	r, err := s.read(ctx, prog, &req)
	if err != nil {
		return nil, err
	}
	seed := rand.Int64N(1 << 53) // exact in JavaScript
	if req.Seed != nil {
		seed = *req.Seed
	}
	pv := &Preview{Problems: inQuizzes(r.problems), Warnings: inQuizzes(r.warnings), Questions: []PublicQuestion{}, Seed: seed,
		Banks: r.banks, Draw: DrawReport{Quotas: []QuotaReport{}, Problems: []Problem{}}}
	if pv.Banks == nil {
		pv.Banks = []PreviewBank{}
	}
	qz := r.quiz
	if qz == nil { // banks only: every question, as written
		pv.OK = len(r.problems) == 0
		pv.Draw.PoolSize, pv.Draw.QuestionsPerAttempt, pv.Draw.Feasible = len(r.pool), len(r.pool), pv.OK
		if pv.OK {
			pv.Questions = PublicQuestions(r.pool)
		}
		return pv, nil
	}
	pv.Settings = settingsOf(qz)
	if len(r.problems) > 0 {
		return pv, nil
	}
	pv.Draw = drawReport(qz, r.pool)
	pv.OK = pv.Draw.Feasible
	if !pv.OK {
		return pv, nil
	}
	qs, err := Draw(qz, r.pool, uint64(seed))
	if err != nil { // CheckDraw said it can be drawn
		return nil, fmt.Errorf("quiz: preview draw: %w", err)
	}
	pv.Questions = PublicQuestions(qs)
	return pv, nil
}

// CheckPreview grades answers to questions of a preview with the grader
// of attempts (Grade), recording nothing: the result in full for the
// author, and what an agent would see under the quiz's review policy.
// Only the client's trainers and admins (catalog.MayAuthor). Errors:
// unauthorized, forbidden, not_found, invalid (the texts' problems with
// their file:line, a question id the pool does not have, an answer that
// does not fit its question).
func (s *Service) CheckPreview(ctx context.Context, req PreviewCheckRequest) (*PreviewCheck, error) {
	prog, err := s.previewScope(ctx, req.Client, req.Program)
	if err != nil {
		return nil, err
	}
	r, err := s.read(ctx, prog, &req.PreviewRequest)
	if err != nil {
		return nil, err
	}
	if len(r.problems) > 0 {
		return nil, inQuizzes(r.problems).Err()
	}
	if len(req.QuestionIDs) == 0 {
		return nil, apperr.Invalidf("question_ids", "name the questions answered (the ids of the preview's questions)")
	}
	byKey := map[string]Question{}
	for _, q := range r.pool {
		byKey[q.Key()] = q
	}
	qs := make([]Question, 0, len(req.QuestionIDs))
	seen := map[string]bool{}
	for _, id := range req.QuestionIDs {
		q, ok := byKey[id]
		if !ok || seen[id] {
			return nil, apperr.Invalidf("question_ids", "%q is not a question of this quiz's pool, or is named twice", id)
		}
		seen[id] = true
		qs = append(qs, q)
	}
	fields := map[string]string{}
	for id, resp := range req.Answers {
		q, ok := byKey[id]
		switch {
		case !ok || !seen[id]:
			fields["answers."+id] = "not one of question_ids"
		default:
			if err := q.CheckResponse(resp); err != nil {
				fields["answers."+id] = err.Error()
			}
		}
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("some answers do not fit their questions", fields)
	}
	pass, review := 100, ReviewFeedback
	if r.quiz != nil {
		pass, review = r.quiz.PassPercent, r.quiz.Review
	}
	g := Grade(qs, req.Answers, pass)
	return &PreviewCheck{Review: review, Result: g.View(ReviewFeedback), AgentSees: g.View(review)}, nil
}

// inQuizzes names the problems' files as the library does
// (quizzes/<client>/<program>/<file>), sorted; never nil.
func inQuizzes(ps Problems) Problems {
	out := make(Problems, len(ps))
	for i, p := range ps {
		p.File = "quizzes/" + p.File
		out[i] = p
	}
	out.Sort()
	return out
}

func settingsOf(qz *Quiz) *PreviewSettings {
	quotas := qz.Quotas
	if quotas == nil {
		quotas = []TagQuota{}
	}
	return &PreviewSettings{Title: qz.Title, PassPercent: qz.PassPercent, QuestionsPerAttempt: qz.QuestionsPerAttempt,
		Quotas: quotas, ShuffleQuestions: qz.ShuffleQuestions, ShuffleOptions: qz.ShuffleOptions,
		TimeLimitSeconds: int64(qz.TimeLimit / time.Second), AttemptsAllowed: qz.AttemptsAllowed,
		WaitBetweenSeconds: int64(qz.WaitBetweenAttempts / time.Second), Grading: qz.Grading, Review: qz.Review}
}

// drawReport checks the draw of qz from pool (CheckDraw) and counts, per
// quota, the questions with its tag.
func drawReport(qz *Quiz, pool []Question) DrawReport {
	n := qz.QuestionsPerAttempt
	if n == 0 {
		n = len(pool)
	}
	rep := DrawReport{PoolSize: len(pool), QuestionsPerAttempt: n, Quotas: []QuotaReport{},
		Problems: inQuizzes(CheckDraw(qz, pool))}
	for _, qt := range qz.Quotas {
		have := 0
		for i := range pool {
			if pool[i].HasTag(qt.Tag) {
				have++
			}
		}
		rep.Quotas = append(rep.Quotas, QuotaReport{Tag: qt.Tag, Needed: qt.Count, Available: have})
	}
	rep.Feasible = len(rep.Problems) == 0 && len(pool) > 0
	if len(pool) == 0 {
		rep.Problems = append(rep.Problems, Problem{File: "quizzes/" + qz.Source, Line: 1, Message: "the pool has no questions"})
	}
	return rep
}
