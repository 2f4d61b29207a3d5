package quiz

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Store reads and writes quizzes, their versions and attempts.
type Store struct {
	db *gorm.DB
	// versions caches decoded versions by id, and numbered by quiz id and
	// number (versionKey): they are immutable.
	versions sync.Map
	numbered sync.Map
}

// versionKey names a quiz's version by number.
type versionKey struct {
	quizID string
	number int
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

var lockForUpdate = clause.Locking{Strength: "UPDATE"}

// QuizByID returns the quiz, or not_found.
func (s *Store) QuizByID(ctx context.Context, id string) (*StoredQuiz, error) {
	var q StoredQuiz
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&q).Error; err != nil {
		return nil, db.Translate(err, "quiz")
	}
	return &q, nil
}

// QuizzesOfProgram returns a program's quizzes by slug.
func (s *Store) QuizzesOfProgram(ctx context.Context, programID string) ([]StoredQuiz, error) {
	qs := []StoredQuiz{}
	if err := s.db.WithContext(ctx).Where("program_id = ?", programID).Order("slug").Find(&qs).Error; err != nil {
		return nil, fmt.Errorf("quiz: quizzes of program: %w", err)
	}
	return qs, nil
}

// versionRow is a quiz_versions row with its quiz's client and program.
type versionRow struct {
	ID          string          `gorm:"column:id"`
	QuizID      string          `gorm:"column:quiz_id"`
	ClientID    string          `gorm:"column:client_id"`
	ProgramID   string          `gorm:"column:program_id"`
	Number      int             `gorm:"column:number"`
	ContentHash string          `gorm:"column:content_hash"`
	Quiz        json.RawMessage `gorm:"column:quiz"`
	Pool        json.RawMessage `gorm:"column:pool"`
}

const selectVersion = `
SELECT v.id, v.quiz_id, q.client_id, q.program_id, v.number, v.content_hash, v.quiz, v.pool
FROM quiz_versions v JOIN quizzes q ON q.id = v.quiz_id`

// VersionByID returns a quiz version, from memory when it was read before.
// Returns not_found.
func (s *Store) VersionByID(ctx context.Context, id string) (*Version, error) {
	if v, ok := s.versions.Load(id); ok {
		return v.(*Version), nil
	}
	return s.loadVersion(ctx, selectVersion+` WHERE v.id = ?`, id)
}

// CurrentVersion returns the quiz's current version. Returns not_found.
func (s *Store) CurrentVersion(ctx context.Context, q *StoredQuiz) (*Version, error) {
	key := versionKey{q.ID, q.CurrentVersion}
	if v, ok := s.numbered.Load(key); ok {
		return v.(*Version), nil
	}
	var id string
	err := s.db.WithContext(ctx).Raw(`SELECT id FROM quiz_versions WHERE quiz_id = ? AND number = ?`, q.ID, q.CurrentVersion).Scan(&id).Error
	if err != nil {
		return nil, fmt.Errorf("quiz: current version: %w", err)
	}
	if id == "" {
		return nil, db.Translate(gorm.ErrRecordNotFound, "quiz version")
	}
	v, err := s.VersionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	s.numbered.Store(key, v)
	return v, nil
}

// CurrentVersionsOfClient returns the current version of each of the
// client's quizzes, by quiz slug.
func (s *Store) CurrentVersionsOfClient(ctx context.Context, clientID string) ([]*Version, error) {
	var rows []versionRow
	err := s.db.WithContext(ctx).Raw(selectVersion+` WHERE q.client_id = ? AND v.number = q.current_version ORDER BY q.slug, q.id`, clientID).
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("quiz: current versions of client: %w", err)
	}
	vs := make([]*Version, 0, len(rows))
	for _, row := range rows {
		v, err := s.decodeVersion(row)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}

func (s *Store) loadVersion(ctx context.Context, q string, args ...any) (*Version, error) {
	var row versionRow
	if err := s.db.WithContext(ctx).Raw(q, args...).Take(&row).Error; err != nil {
		return nil, db.Translate(err, "quiz version")
	}
	return s.decodeVersion(row)
}

// decodeVersion decodes a version row, caching it by id.
func (s *Store) decodeVersion(row versionRow) (*Version, error) {
	if v, ok := s.versions.Load(row.ID); ok {
		return v.(*Version), nil
	}
	v := &Version{ID: row.ID, QuizID: row.QuizID, ClientID: row.ClientID, ProgramID: row.ProgramID, Number: row.Number, Quiz: &Quiz{}}
	if err := json.Unmarshal(row.Quiz, v.Quiz); err != nil {
		return nil, fmt.Errorf("quiz: version %s: %w", row.ID, err)
	}
	if err := json.Unmarshal(row.Pool, &v.Pool); err != nil {
		return nil, fmt.Errorf("quiz: version %s pool: %w", row.ID, err)
	}
	actual, _ := s.versions.LoadOrStore(v.ID, v)
	return actual.(*Version), nil
}

// lockUserQuiz serializes starts of one agent on one quiz for the rest of
// tx (a transaction-scoped advisory lock, so it holds across replicas).
func lockUserQuiz(tx *gorm.DB, userID, quizID string) error {
	const q = `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`
	if err := tx.Exec(q, "quiz-attempts:"+userID+":"+quizID).Error; err != nil {
		return fmt.Errorf("quiz: lock attempts: %w", err)
	}
	return nil
}

// attemptsOf returns an agent's attempts at a quiz, oldest first.
func attemptsOf(tx *gorm.DB, userID, quizID string) ([]Attempt, error) {
	as := []Attempt{}
	err := tx.Where("user_id = ? AND quiz_id = ?", userID, quizID).Order("number").Find(&as).Error
	if err != nil {
		return nil, fmt.Errorf("quiz: attempts: %w", err)
	}
	return as, nil
}

// attemptsOfUsersIn returns the agents' attempts at the quizzes, by agent,
// quiz and number.
func (s *Store) attemptsOfUsersIn(ctx context.Context, userIDs, quizIDs []string) ([]Attempt, error) {
	as := []Attempt{}
	if len(userIDs) == 0 || len(quizIDs) == 0 {
		return as, nil
	}
	err := s.db.WithContext(ctx).Omit("answers", "result").Where("user_id IN ? AND quiz_id IN ?", userIDs, quizIDs).
		Order("user_id, quiz_id, number").Find(&as).Error
	if err != nil {
		return nil, fmt.Errorf("quiz: attempts of user: %w", err)
	}
	return as, nil
}

// AttemptByID returns an attempt, or not_found.
func (s *Store) AttemptByID(ctx context.Context, id string) (*Attempt, error) {
	return attemptByID(s.db.WithContext(ctx), id)
}

func attemptByID(tx *gorm.DB, id string) (*Attempt, error) {
	var a Attempt
	if err := tx.Where("id = ?", id).Take(&a).Error; err != nil {
		return nil, db.Translate(err, "attempt")
	}
	return &a, nil
}

// ListAttempts returns a quiz's attempts matching f, newest first, with the
// agents' emails and names.
func (s *Store) ListAttempts(ctx context.Context, quizID string, f AttemptFilter) ([]AttemptRow, error) {
	// Each filter is off when its argument is NULL, so one statement serves
	// every combination.
	const q = `
SELECT a.id, a.user_id, u.email, u.display_name, a.number, v.number AS quiz_version, a.started_at, a.deadline,
       a.submitted_at, a.auto_submitted, a.percent, a.passed
FROM quiz_attempts a
JOIN users u ON u.id = a.user_id
JOIN quiz_versions v ON v.id = a.quiz_version_id
WHERE a.quiz_id = @quiz
  AND (CAST(@user AS uuid) IS NULL OR a.user_id = CAST(@user AS uuid))
  AND (CAST(@state AS text) IS NULL
       OR (@state = 'open' AND a.submitted_at IS NULL)
       OR (@state = 'submitted' AND a.submitted_at IS NOT NULL))
  AND (CAST(@passed AS boolean) IS NULL OR a.passed = CAST(@passed AS boolean))
ORDER BY a.started_at DESC, a.id`
	args := map[string]any{"quiz": quizID, "user": nil, "state": nil, "passed": nil}
	if f.UserID != "" {
		args["user"] = f.UserID
	}
	if f.State != "" {
		args["state"] = f.State
	}
	if f.Passed != nil {
		args["passed"] = *f.Passed
	}
	rows := []AttemptRow{}
	if err := s.db.WithContext(ctx).Raw(q, args).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("quiz: list attempts: %w", err)
	}
	return rows, nil
}

// attemptItem is one drawn question of a graded attempt, an element of the
// attempt's items column: written once when it is graded, read by item
// analysis.
type attemptItem struct {
	QuestionKey string      `json:"key"`
	Position    int         `json:"position"`
	Answered    bool        `json:"answered"`
	Mark        json.Number `json:"mark"` // exact to 8 places, as FloatString(8) wrote it
	Wrong       []string    `json:"wrong"`
}

// itemAggregate is item analysis straight from SQL.
type itemAggregate struct {
	QuestionKey  string  `gorm:"column:question_key"`
	Drawn        int     `gorm:"column:drawn"`
	Answered     int     `gorm:"column:answered"`
	MeanMark     float64 `gorm:"column:mean_mark"`
	FullyCorrect int     `gorm:"column:fully_correct"`
}

// wrongCount is how often a wrong option of a question was chosen.
type wrongCount struct {
	QuestionKey string `gorm:"column:question_key"`
	OptionID    string `gorm:"column:option_id"`
	Count       int    `gorm:"column:n"`
}

// itemAnalysis aggregates a quiz's graded items per question.
func (s *Store) itemAnalysis(ctx context.Context, quizID string) (attempts int, items []itemAggregate, wrong []wrongCount, err error) {
	const qAttempts = `SELECT count(*) FROM quiz_attempts WHERE quiz_id = ? AND submitted_at IS NOT NULL`
	const qItems = `
SELECT it.key AS question_key, count(*) AS drawn, count(*) FILTER (WHERE it.answered) AS answered,
       avg(it.mark)::float8 AS mean_mark, count(*) FILTER (WHERE it.mark = 1) AS fully_correct
FROM quiz_attempts a, jsonb_to_recordset(a.items) AS it (key text, answered boolean, mark numeric)
WHERE a.quiz_id = ? AND a.submitted_at IS NOT NULL
GROUP BY it.key ORDER BY it.key`
	const qWrong = `
SELECT it.key AS question_key, c AS option_id, count(*) AS n
FROM quiz_attempts a, jsonb_to_recordset(a.items) AS it (key text, wrong text[]), unnest(it.wrong) AS c
WHERE a.quiz_id = ? AND a.submitted_at IS NOT NULL
GROUP BY it.key, c ORDER BY it.key, n DESC, c`
	g := s.db.WithContext(ctx)
	if err = g.Raw(qAttempts, quizID).Scan(&attempts).Error; err != nil {
		return 0, nil, nil, fmt.Errorf("quiz: analysis: %w", err)
	}
	if err = g.Raw(qItems, quizID).Scan(&items).Error; err != nil {
		return 0, nil, nil, fmt.Errorf("quiz: analysis: %w", err)
	}
	if err = g.Raw(qWrong, quizID).Scan(&wrong).Error; err != nil {
		return 0, nil, nil, fmt.Errorf("quiz: analysis: %w", err)
	}
	return attempts, items, wrong, nil
}

// PassedQuizzes returns the quizzes of a program the agent has passed, each
// with the attempt that counts under the quiz's grading method (of its
// current version): the best graded attempt (highest; the earliest of equal
// scores) or the last one (last). A quiz whose counting attempt failed is
// left out. This is what certification records as quiz evidence.
func (s *Store) PassedQuizzes(ctx context.Context, userID, programID string) ([]PassedQuiz, error) {
	_, passed, err := s.Standings(ctx, userID, programID)
	return passed, err
}

// Standings returns, from one read of the program's quizzes and the agent's
// attempts at them, both AttemptStats (every quiz of the program, by slug)
// and PassedQuizzes.
func (s *Store) Standings(ctx context.Context, userID, programID string) ([]AttemptStats, []PassedQuiz, error) {
	all, err := s.StandingsOf(ctx, []string{userID}, programID)
	if err != nil {
		return nil, nil, err
	}
	return all[userID].Stats, all[userID].Passed, nil
}

// Standing is an agent's standing with a program's quizzes (Standings).
type Standing struct {
	Stats  []AttemptStats
	Passed []PassedQuiz
}

// StandingsOf is Standings of several agents, from one read of the
// program's quizzes with the agents' graded attempts at them, by agent.
func (s *Store) StandingsOf(ctx context.Context, userIDs []string, programID string) (map[string]Standing, error) {
	quizzes, attempts, err := s.gradedAttemptsAt(ctx, userIDs, programID)
	if err != nil {
		return nil, err
	}
	byUser := map[string][]Attempt{}
	for _, a := range attempts {
		byUser[a.UserID] = append(byUser[a.UserID], a)
	}
	out := make(map[string]Standing, len(userIDs))
	for _, u := range userIDs {
		st, err := s.standing(ctx, quizzes, byUser[u])
		if err != nil {
			return nil, err
		}
		out[u] = st
	}
	return out, nil
}

// gradedAttempts joins a program's quizzes (by slug) to the agents' graded
// attempts at them (by agent and number), NULL where a quiz has none.
const gradedAttempts = `
SELECT q.*, a.id AS attempt_id, a.user_id AS attempt_user_id, a.quiz_version_id AS attempt_quiz_version_id,
       a.number AS attempt_number, a.submitted_at AS attempt_submitted_at, a.auto_submitted AS attempt_auto_submitted,
       a.score AS attempt_score, a.percent AS attempt_percent, a.passed AS attempt_passed
FROM quizzes q
LEFT JOIN quiz_attempts a ON a.quiz_id = q.id AND a.user_id IN @users AND a.submitted_at IS NOT NULL
WHERE q.program_id = @program
ORDER BY q.slug, q.id, a.user_id, a.number`

// gradedAttemptsAt returns the program's quizzes by slug and the agents'
// graded attempts at them (without answers or result) by quiz, agent and
// number, in one round trip.
func (s *Store) gradedAttemptsAt(ctx context.Context, userIDs []string, programID string) ([]StoredQuiz, []Attempt, error) {
	var rows []struct {
		Quiz    StoredQuiz `gorm:"embedded"`
		Attempt struct {
			ID            *string    `gorm:"column:id"`
			UserID        string     `gorm:"column:user_id"`
			QuizVersionID string     `gorm:"column:quiz_version_id"`
			Number        int        `gorm:"column:number"`
			SubmittedAt   *time.Time `gorm:"column:submitted_at"`
			AutoSubmitted bool       `gorm:"column:auto_submitted"`
			Score         *string    `gorm:"column:score"`
			Percent       *float64   `gorm:"column:percent"`
			Passed        *bool      `gorm:"column:passed"`
		} `gorm:"embedded;embeddedPrefix:attempt_"`
	}
	err := s.db.WithContext(ctx).Raw(gradedAttempts, sql.Named("users", userIDs), sql.Named("program", programID)).Scan(&rows).Error
	if err != nil {
		return nil, nil, fmt.Errorf("quiz: graded attempts of program: %w", err)
	}
	quizzes, attempts := []StoredQuiz{}, []Attempt{}
	for _, r := range rows {
		if len(quizzes) == 0 || quizzes[len(quizzes)-1].ID != r.Quiz.ID {
			quizzes = append(quizzes, r.Quiz)
		}
		if a := r.Attempt; a.ID != nil {
			attempts = append(attempts, Attempt{ID: *a.ID, UserID: a.UserID, QuizID: r.Quiz.ID, QuizVersionID: a.QuizVersionID,
				Number: a.Number, SubmittedAt: a.SubmittedAt, AutoSubmitted: a.AutoSubmitted, Score: a.Score,
				Percent: a.Percent, Passed: a.Passed})
		}
	}
	return quizzes, attempts, nil
}

// standing measures one agent's attempts (in number order) at the quizzes.
func (s *Store) standing(ctx context.Context, quizzes []StoredQuiz, attempts []Attempt) (Standing, error) {
	st := Standing{Stats: make([]AttemptStats, 0, len(quizzes)), Passed: []PassedQuiz{}}
	for i := range quizzes {
		q := &quizzes[i]
		st.Stats = append(st.Stats, statsOf(q, attempts))
		v, err := s.CurrentVersion(ctx, q)
		if err != nil {
			return st, err
		}
		a := countingAttempt(attempts, q.ID, v.Quiz.Grading)
		if a == nil || a.Passed == nil || !*a.Passed {
			continue
		}
		av, err := s.VersionByID(ctx, a.QuizVersionID)
		if err != nil {
			return st, err
		}
		st.Passed = append(st.Passed, PassedQuiz{QuizID: q.ID, QuizSlug: q.Slug, Version: av.Number, AttemptID: a.ID,
			PassedAt: *a.SubmittedAt, Percent: *a.Percent, Score: *a.Score, PassPercent: av.Quiz.PassPercent})
	}
	return st, nil
}

// statsOf sums up the agent's graded attempts at q.
func statsOf(q *StoredQuiz, attempts []Attempt) AttemptStats {
	st := AttemptStats{QuizID: q.ID, Slug: q.Slug}
	for i := range attempts {
		a := &attempts[i]
		if a.QuizID != q.ID || !a.Submitted() {
			continue
		}
		st.Graded++
		if a.Percent != nil && (st.BestPercent == nil || *a.Percent > *st.BestPercent) {
			p := *a.Percent
			st.BestPercent = &p
		}
		if a.Passed != nil && *a.Passed && (st.LastPassAt == nil || a.SubmittedAt.After(*st.LastPassAt)) {
			t := *a.SubmittedAt
			st.LastPassAt = &t
		}
	}
	return st
}

// countingAttempt is the graded attempt of the quiz that counts under
// grading, nil when there is none. attempts are in number order.
func countingAttempt(attempts []Attempt, quizID string, grading GradingMethod) *Attempt {
	var pick *Attempt
	var best *big.Rat
	for i := range attempts {
		a := &attempts[i]
		if a.QuizID != quizID || !a.Submitted() || a.Score == nil {
			continue
		}
		if grading == GradeLast {
			pick = a
			continue
		}
		score, ok := new(big.Rat).SetString(*a.Score)
		if ok && (best == nil || score.Cmp(best) > 0) {
			pick, best = a, score
		}
	}
	return pick
}

// overdueAttempts locks up to limit open attempts past their deadline by
// more than grace, skipping those another transaction holds.
func overdueAttempts(tx *gorm.DB, cutoff time.Time, limit int) ([]Attempt, error) {
	as := []Attempt{}
	err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
		Where("submitted_at IS NULL AND deadline IS NOT NULL AND deadline < ?", cutoff).
		Order("deadline").Limit(limit).Find(&as).Error
	if err != nil {
		return nil, fmt.Errorf("quiz: overdue attempts: %w", err)
	}
	return as, nil
}

// AttemptStats is an agent's graded attempts at one quiz.
type AttemptStats struct {
	QuizID      string     `gorm:"column:quiz_id"`
	Slug        string     `gorm:"column:slug"`
	Graded      int        `gorm:"column:graded"`
	BestPercent *float64   `gorm:"column:best_percent"`
	LastPassAt  *time.Time `gorm:"column:last_pass_at"` // the latest passing submission
}

// versionHash returns the content hash of the quiz's version, read in tx
// ("" when there is no such version).
func versionHash(tx *gorm.DB, quizID string, number int) (string, error) {
	var hash string
	err := tx.Raw(`SELECT content_hash FROM quiz_versions WHERE quiz_id = ? AND number = ?`, quizID, number).Scan(&hash).Error
	return hash, err
}

// saveAnswers writes the attempt's answers (JSON) and sequence number seq,
// in g, if the attempt is still open at the sequence number it was read
// at; saved is false when it is not.
func saveAnswers(g *gorm.DB, a *Attempt, answers []byte, seq int) (saved bool, err error) {
	res := g.Model(&Attempt{}).Where("id = ? AND seq = ? AND submitted_at IS NULL", a.ID, a.Seq).
		Updates(map[string]any{"answers": string(answers), "seq": seq})
	if res.Error != nil {
		return false, db.Translate(res.Error, "attempt")
	}
	return res.RowsAffected > 0, nil
}

// saveGrade writes the grade's columns into the attempt, in tx, if it is
// still open; graded is false when it was graded already.
func saveGrade(tx *gorm.DB, a *Attempt, columns map[string]any) (graded bool, err error) {
	upd := tx.Model(a).Where("submitted_at IS NULL").Updates(columns)
	if upd.Error != nil {
		return false, db.Translate(upd.Error, "attempt")
	}
	return upd.RowsAffected == 1, nil
}

// lockQuizBySlug locks and returns, in tx, the program's quiz with the slug.
// Errors: not_found.
func lockQuizBySlug(tx *gorm.DB, programID, slug string) (*StoredQuiz, error) {
	var cur StoredQuiz
	if err := tx.Clauses(lockForUpdate).Where("program_id = ? AND slug = ?", programID, slug).Take(&cur).Error; err != nil {
		return nil, db.Translate(err, "quiz "+slug)
	}
	return &cur, nil
}

// insertQuiz inserts a quiz in tx. Errors: conflict.
func insertQuiz(tx *gorm.DB, q *StoredQuiz) error {
	if err := tx.Create(q).Error; err != nil {
		return db.Translate(err, "quiz "+q.Slug)
	}
	return nil
}

// insertVersion inserts a quiz version's row (its columns) in tx.
func insertVersion(tx *gorm.DB, columns map[string]any) error {
	if err := tx.Table("quiz_versions").Create(columns).Error; err != nil {
		return db.Translate(err, "quiz version")
	}
	return nil
}

// publishVersion makes number the quiz's current version, with its title,
// in tx.
func publishVersion(tx *gorm.DB, q *StoredQuiz, number int, title string, now time.Time) error {
	if err := tx.Model(q).Updates(map[string]any{"current_version": number, "title": title, "updated_at": now}).Error; err != nil {
		return db.Translate(err, "quiz "+q.Slug)
	}
	return nil
}

// insertFiles stores the bytes of the questions' files in tx, once per
// content: a file already stored (same hash) is left as it is.
func insertFiles(tx *gorm.DB, qs []Question, now time.Time) error {
	const q = `INSERT INTO question_files (sha256, content_type, size, data, created_at)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`
	for _, qn := range qs {
		for _, f := range qn.Files {
			if len(f.Data) != f.Size {
				return fmt.Errorf("quiz: store file %s of %s: its content is not loaded", f.Name, qn.Key())
			}
			if err := tx.Exec(q, f.SHA256, f.ContentType, f.Size, f.Data, now).Error; err != nil {
				return db.Translate(err, "question file")
			}
		}
	}
	return nil
}

// FileByHash returns a stored question file with its content, or
// not_found.
func (s *Store) FileByHash(ctx context.Context, sha string) (*QuestionFile, error) {
	var rows []struct {
		ContentType string
		Size        int
		Data        []byte
	}
	const q = `SELECT content_type, size, data FROM question_files WHERE sha256 = ?`
	if err := s.db.WithContext(ctx).Raw(q, sha).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("quiz: question file: %w", err)
	}
	if len(rows) == 0 {
		return nil, apperr.NotFoundf("question file")
	}
	return &QuestionFile{ContentType: rows[0].ContentType, Size: rows[0].Size, SHA256: sha, Data: rows[0].Data}, nil
}

// LoadFileData returns qs with the content of their files loaded from the
// database (for an export); qs themselves are not changed. A file whose
// content is missing is an error.
func (s *Store) LoadFileData(ctx context.Context, qs []Question) ([]Question, error) {
	out := slices.Clone(qs)
	for i := range out {
		if len(out[i].Files) == 0 {
			continue
		}
		out[i].Files = slices.Clone(out[i].Files)
		for j := range out[i].Files {
			f, err := s.FileByHash(ctx, out[i].Files[j].SHA256)
			if err != nil {
				return nil, fmt.Errorf("quiz: load file %s of %s: %w", out[i].Files[j].Name, out[i].Key(), err)
			}
			out[i].Files[j].Data = f.Data
		}
	}
	return out, nil
}

// lockQuizzesOfClient locks the client's quizzes in tx (FOR UPDATE) and
// returns them by id.
func lockQuizzesOfClient(tx *gorm.DB, clientID string) (map[string]*StoredQuiz, error) {
	var qs []StoredQuiz
	if err := tx.Clauses(lockForUpdate).Where("client_id = ?", clientID).Order("id").Find(&qs).Error; err != nil {
		return nil, fmt.Errorf("quiz: lock quizzes of client: %w", err)
	}
	out := make(map[string]*StoredQuiz, len(qs))
	for i := range qs {
		out[qs[i].ID] = &qs[i]
	}
	return out, nil
}

// quizzesByID returns the quizzes with the ids, by id.
func (s *Store) quizzesByID(ctx context.Context, ids []string) (map[string]*StoredQuiz, error) {
	var qs []StoredQuiz
	if err := s.db.WithContext(ctx).Where("id IN ?", append(ids, "00000000-0000-0000-0000-000000000000")).Find(&qs).Error; err != nil {
		return nil, fmt.Errorf("quiz: quizzes by id: %w", err)
	}
	out := make(map[string]*StoredQuiz, len(qs))
	for i := range qs {
		out[qs[i].ID] = &qs[i]
	}
	return out, nil
}
