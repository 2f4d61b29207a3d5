package quiz

import (
	"context"
	"encoding/json"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
)

// The formats a bank file may be uploaded in.
const (
	UploadGIFT      = "gift"
	UploadMoodleXML = "moodle-xml"
	UploadAiken     = "aiken"
)

// MaxBankUpload is the largest bank file the app takes (images included).
const MaxBankUpload = 16 << 20

// uploadFormats are the readers of each upload format, with the file
// ending they are read as.
var uploadFormats = map[string]struct {
	suffix string
	parse  func(string, []byte) (*Bank, error)
}{
	UploadGIFT:      {GIFTSuffix, ParseGIFT},
	UploadMoodleXML: {MoodleXMLSuffix, ParseMoodleXML},
	UploadAiken:     {AikenSuffix, ParseAiken},
}

// BankSummary is a bank of a client as imported: the questions the
// client's current quiz versions hold, and the quizzes that draw it.
type BankSummary struct {
	Name      string        `json:"name"`
	Questions int           `json:"questions"`
	Quizzes   []BankQuizRef `json:"quizzes"`
}

// BankQuizRef is a quiz that draws a bank.
type BankQuizRef struct {
	ID        string `json:"id"`
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	ProgramID string `json:"program_id"`
}

// BankImportReport is what uploading a bank file does (or did, when
// Applied): each question created, changed, unchanged or removed, each
// quiz that draws the bank changed (a new version) or unchanged, and what
// the file holds that cannot be imported (Problems, "file:line: message";
// nothing is applied while there are any), is skipped or read differently
// (Warnings).
type BankImportReport struct {
	Bank      string               `json:"bank"`
	File      string               `json:"file"`
	Applied   bool                 `json:"applied"`
	Questions []BankQuestionChange `json:"questions"`
	Quizzes   []BankQuizChange     `json:"quizzes"`
	Problems  []string             `json:"problems"`
	Warnings  []string             `json:"warnings"`
	Skipped   []string             `json:"skipped"`
}

// BankQuestionChange is what an upload does to one question of the bank.
type BankQuestionChange struct {
	ID      string `json:"id"`
	Type    Type   `json:"type"`
	Outcome string `json:"outcome"` // created | changed | unchanged | removed
	// Line is where the question is written in the uploaded file (0 for a
	// removed question).
	Line int `json:"line,omitempty"`
}

// BankQuizChange is what an upload does to a quiz that draws the bank.
type BankQuizChange struct {
	BankQuizRef
	Outcome string `json:"outcome"` // changed | unchanged
	// Version is the version the quiz has after the upload.
	Version int `json:"version"`
}

// Question outcomes of a bank upload (quizzes are changed or unchanged).
const (
	outcomeCreated   = "created"
	outcomeChanged   = "changed"
	outcomeUnchanged = "unchanged"
	outcomeRemoved   = "removed"
)

// bankAuthor checks that the signed-in user may change the client's banks:
// the client's trainers and admins (banks always belong to one client;
// there are no shared banks). Trainers of other clients get not_found.
func bankAuthor(ctx context.Context, clientID string) (*audit.Actor, error) {
	if err := exporter(ctx, clientID); err != nil {
		return nil, err
	}
	p, _ := principal(ctx)
	a := p.Actor()
	return &a, nil
}

// Banks lists the client's banks: each bank a current quiz version draws,
// with its questions and the quizzes that draw it, by name. Errors:
// unauthorized, forbidden, not_found.
func (s *Service) Banks(ctx context.Context, clientID string) ([]BankSummary, error) {
	if uuid.Validate(clientID) != nil {
		return nil, apperr.NotFoundf("client")
	}
	if err := exporter(ctx, clientID); err != nil {
		return nil, err
	}
	vs, err := s.store.CurrentVersionsOfClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	quizzes, err := s.store.quizzesByID(ctx, versionQuizIDs(vs))
	if err != nil {
		return nil, err
	}
	byName := map[string]*BankSummary{}
	for _, v := range vs {
		for _, ref := range v.Quiz.Banks {
			b := byName[ref.Name]
			if b == nil {
				b = &BankSummary{Name: ref.Name, Questions: len(bankQuestions(vs, ref.Name)), Quizzes: []BankQuizRef{}}
				byName[ref.Name] = b
			}
			q := quizzes[v.QuizID]
			if !slices.ContainsFunc(b.Quizzes, func(r BankQuizRef) bool { return r.ID == q.ID }) {
				b.Quizzes = append(b.Quizzes, BankQuizRef{ID: q.ID, Slug: q.Slug, Title: q.Title, ProgramID: q.ProgramID})
			}
		}
	}
	out := make([]BankSummary, 0, len(byName))
	for _, b := range byName {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func versionQuizIDs(vs []*Version) []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.QuizID
	}
	return ids
}

// bankQuestions are the questions of the bank that the versions hold,
// each once, in the order of the bank's file.
func bankQuestions(vs []*Version, bank string) []Question {
	seen := map[string]bool{}
	var qs []Question
	for _, v := range vs {
		for _, q := range v.Pool {
			if q.Bank == bank && !seen[q.ID] {
				seen[q.ID] = true
				qs = append(qs, q)
			}
		}
	}
	sort.SliceStable(qs, func(i, j int) bool {
		_, a := splitSource(qs[i].Source)
		_, b := splitSource(qs[j].Source)
		return a < b
	})
	return qs
}

// ImportBank reads data, a bank file in format (UploadGIFT,
// UploadMoodleXML or UploadAiken) named file, as the new content of the
// client's bank, and reports what that does: to the bank's questions and
// to every quiz of the client that draws it (its pool rebuilt with the
// new questions, its draws checked). With apply, and nothing wrong, each
// quiz whose content changed gets its next version (audited quiz.publish),
// all in one transaction; without, nothing is written (a dry run).
//
// A bank lives in the quizzes that draw it, so a bank no quiz draws is not
// found. A question's reread may name only a section one of the client's
// current quizzes already points to (the sections themselves are checked
// when content is imported). Errors: unauthorized, forbidden, not_found,
// invalid (format; with apply, the file's problems, each "file:line" in
// the fields), conflict (a quiz changed while applying).
func (s *Service) ImportBank(ctx context.Context, clientID, bank, format, file string, data []byte, apply bool) (*BankImportReport, error) {
	if uuid.Validate(clientID) != nil || !slugRe.MatchString(bank) {
		return nil, apperr.NotFoundf("bank")
	}
	rd, ok := uploadFormats[format]
	if !ok {
		return nil, apperr.Invalidf("format", "format %q is not one of %s, %s, %s", format, UploadGIFT, UploadMoodleXML, UploadAiken)
	}
	actor, err := bankAuthor(ctx, clientID)
	if err != nil {
		return nil, err
	}
	file = path.Base(strings.ReplaceAll(strings.TrimSpace(file), `\`, "/"))
	if file == "" || file == "." || file == "/" {
		file = bank + rd.suffix
	}
	var rep *BankImportReport
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		rep, err = s.importBank(ctx, tx, clientID, bank, file, rd.suffix, rd.parse, data, apply, *actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (s *Service) importBank(ctx context.Context, tx *gorm.DB, clientID, bank, file, suffix string,
	parse func(string, []byte) (*Bank, error), data []byte, apply bool, actor audit.Actor) (*BankImportReport, error) {
	rep := &BankImportReport{Bank: bank, File: file, Questions: []BankQuestionChange{}, Quizzes: []BankQuizChange{},
		Problems: []string{}, Warnings: []string{}, Skipped: []string{}}
	// Lock the client's quizzes first, so what is checked is what is
	// written: an import or another upload waits.
	quizzes, err := lockQuizzesOfClient(tx, clientID)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.CurrentVersionsOfClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	var drawing []*Version
	for _, v := range vs {
		if slices.ContainsFunc(v.Quiz.Banks, func(r BankRef) bool { return r.Name == bank }) {
			drawing = append(drawing, v)
		}
	}
	if len(drawing) == 0 {
		return nil, apperr.E(apperr.NotFound, "no quiz of the client draws the bank %q: a bank is imported with the quizzes that draw it", bank)
	}
	// The parsers name the bank and its client from the path; problems
	// name the uploaded file.
	parsed, err := parse(drawing[0].Quiz.Client+"/upload/"+bank+suffix, data)
	named := func(ps Problems) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			if strings.HasSuffix(p.File, "/upload/"+bank+suffix) {
				p.File = file
			}
			out[i] = p.String()
		}
		return out
	}
	if err != nil {
		rep.Problems = named(problemsOf(err))
		return rep, refuse(rep, apply)
	}
	rep.Warnings, rep.Skipped = named(parsed.Warnings), named(parsed.Skipped)
	for i := range parsed.Questions {
		parsed.Questions[i].Source = file + parsed.Questions[i].Source[strings.LastIndex(parsed.Questions[i].Source, ":"):]
	}
	var ps Problems
	known := map[string]bool{}
	for _, v := range vs {
		for _, q := range v.Pool {
			known[q.Reread] = true
		}
	}
	for _, q := range parsed.Questions {
		if q.Reread != "" && !known[q.Reread] {
			_, line := splitSource(q.Source)
			ps.Add(file, line, "question %s: reread %s: an uploaded question may name only a section the client's quizzes already point to; import the bank with its content (skillgate import) to point to a new one", q.ID, q.Reread)
		}
	}
	rep.Questions = questionChanges(bankQuestions(vs, bank), parsed.Questions)

	type change struct {
		v    *Version
		pool []Question
		hash string
	}
	var changes []change
	for _, v := range drawing {
		banks := map[string]*Bank{}
		for _, ref := range v.Quiz.Banks {
			if ref.Name == bank {
				banks[ref.Name] = parsed
				continue
			}
			var kept []Question
			for _, q := range v.Pool {
				if q.Bank == ref.Name {
					kept = append(kept, q)
				}
			}
			banks[ref.Name] = &Bank{Client: v.Quiz.Client, Name: ref.Name, Questions: kept}
		}
		pool, pps := v.Quiz.Pool(banks)
		ps = append(ps, pps...)
		if len(pps) == 0 {
			ps = append(ps, CheckDraw(v.Quiz, pool)...)
		}
		hash, err := versionContent{Quiz: v.Quiz, Pool: withoutFileData(pool)}.hash()
		if err != nil {
			return nil, err
		}
		cur, err := versionHash(tx, v.QuizID, v.Number)
		if err != nil {
			return nil, err
		}
		q := quizzes[v.QuizID]
		ref := BankQuizRef{ID: q.ID, Slug: q.Slug, Title: q.Title, ProgramID: q.ProgramID}
		switch {
		case q.CurrentVersion != v.Number:
			return nil, apperr.E(apperr.Conflict, "the quiz %s changed meanwhile: upload the file again", q.Slug)
		case cur == hash:
			rep.Quizzes = append(rep.Quizzes, BankQuizChange{BankQuizRef: ref, Outcome: outcomeUnchanged, Version: v.Number})
		default:
			rep.Quizzes = append(rep.Quizzes, BankQuizChange{BankQuizRef: ref, Outcome: outcomeChanged, Version: v.Number + 1})
			changes = append(changes, change{v: v, pool: pool, hash: hash})
		}
	}
	if len(ps) > 0 {
		ps.Sort()
		rep.Problems = named(ps)
		return rep, refuse(rep, apply)
	}
	if !apply {
		return rep, nil
	}
	now := s.now()
	for _, c := range changes {
		q := quizzes[c.v.QuizID]
		if err := insertFiles(tx, c.pool, now); err != nil {
			return nil, err
		}
		pool := withoutFileData(c.pool)
		rawQuiz, err := json.Marshal(c.v.Quiz)
		if err != nil {
			return nil, err
		}
		rawPool, err := json.Marshal(pool)
		if err != nil {
			return nil, err
		}
		number, versionID := q.CurrentVersion+1, uuid.NewString()
		err = insertVersion(tx, map[string]any{"id": versionID, "quiz_id": q.ID, "number": number,
			"content_hash": c.hash, "quiz": string(rawQuiz), "pool": string(rawPool), "created_at": now})
		if err != nil {
			return nil, err
		}
		if err := publishVersion(tx, q, number, q.Title, now); err != nil {
			return nil, err
		}
		err = s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "quiz.publish", SubjectType: "quiz",
			SubjectID: q.ID, ClientID: q.ClientID, After: map[string]any{
				"slug": q.Slug, "program_id": q.ProgramID, "version": number, "version_id": versionID,
				"content_hash": c.hash, "pool_size": len(pool), "bank": bank, "uploaded_file": rep.File,
			}})
		if err != nil {
			return nil, err
		}
	}
	rep.Applied = true
	return rep, nil
}

// refuse is the error of an upload with problems: none for a dry run (the
// report lists them), invalid when applying.
func refuse(rep *BankImportReport, apply bool) error {
	if !apply {
		return nil
	}
	fields := map[string]string{}
	for _, p := range rep.Problems {
		at, msg := p, ""
		if i := strings.Index(p, ": "); i >= 0 {
			at, msg = p[:i], p[i+2:]
		}
		if prev, ok := fields[at]; ok {
			msg = prev + "; " + msg
		}
		fields[at] = msg
	}
	return apperr.InvalidFields("the file cannot be imported: "+strings.Join(rep.Problems, "; "), fields)
}

// questionChanges compares a bank's questions before and after an upload,
// by id and content (not where they are written).
func questionChanges(before, after []Question) []BankQuestionChange {
	old := map[string]Question{}
	for _, q := range before {
		old[q.ID] = q
	}
	same := func(a, b Question) bool {
		a.Source, b.Source = "", ""
		x, _ := json.Marshal(withoutFileData([]Question{a}))
		y, _ := json.Marshal(withoutFileData([]Question{b}))
		return string(x) == string(y)
	}
	out := []BankQuestionChange{}
	seen := map[string]bool{}
	for _, q := range after {
		seen[q.ID] = true
		_, line := splitSource(q.Source)
		c := BankQuestionChange{ID: q.ID, Type: q.Type, Outcome: outcomeCreated, Line: line}
		if o, ok := old[q.ID]; ok {
			c.Outcome = outcomeChanged
			if same(o, q) {
				c.Outcome = outcomeUnchanged
			}
		}
		out = append(out, c)
	}
	for _, q := range before {
		if !seen[q.ID] {
			out = append(out, BankQuestionChange{ID: q.ID, Type: q.Type, Outcome: outcomeRemoved})
		}
	}
	return out
}
