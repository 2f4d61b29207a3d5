package roleplay

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/db"
)

// Roleplay is an imported scenario of a program; its content is in versions.
type Roleplay struct {
	ID             string    `gorm:"column:id" json:"id"`
	ClientID       string    `gorm:"column:client_id" json:"client_id"`
	ProgramID      string    `gorm:"column:program_id" json:"program_id"`
	Slug           string    `gorm:"column:slug" json:"slug"`
	CurrentVersion int       `gorm:"column:current_version" json:"current_version"`
	CreatedAt      time.Time `gorm:"column:created_at" json:"created_at"`
	UpdatedAt      time.Time `gorm:"column:updated_at" json:"updated_at"`
}

// TableName names the table.
func (Roleplay) TableName() string { return "roleplays" }

// version is one immutable content of a scenario.
type version struct {
	RoleplayID  string          `gorm:"column:roleplay_id"`
	Number      int             `gorm:"column:number"`
	Title       string          `gorm:"column:title"`
	Scenario    json.RawMessage `gorm:"column:scenario"`
	ContentHash string          `gorm:"column:content_hash"`
}

func (version) TableName() string { return "roleplay_versions" }

// Run states.
const (
	StateInProgress    = "in_progress"
	StateFinished      = "finished"
	StatePendingReview = "pending_review"
	StateApproved      = "approved"
	StateSentBack      = "sent_back"
)

// run is a stored play-through.
type run struct {
	ID              string          `gorm:"column:id"`
	RoleplayID      string          `gorm:"column:roleplay_id"`
	Version         int             `gorm:"column:version"`
	UserID          string          `gorm:"column:user_id"`
	ClientID        string          `gorm:"column:client_id"`
	ProgramID       string          `gorm:"column:program_id"`
	State           string          `gorm:"column:state"`
	Seq             int             `gorm:"column:seq"`
	CurrentTurn     string          `gorm:"column:current_turn"`
	Mood            int             `gorm:"column:mood"`
	Steps           json.RawMessage `gorm:"column:steps"`
	SignoffRequired bool            `gorm:"column:signoff_required"`
	StartedAt       time.Time       `gorm:"column:started_at"`
	FinishedAt      *time.Time      `gorm:"column:finished_at"`
	Ending          *string         `gorm:"column:ending"`
	Outcome         *string         `gorm:"column:outcome"`
	Score           json.RawMessage `gorm:"column:score"`
	Overall         *float64        `gorm:"column:overall"`
	Passed          *bool           `gorm:"column:passed"`
	ReviewedBy      *string         `gorm:"column:reviewed_by"`
	ReviewedAt      *time.Time      `gorm:"column:reviewed_at"`
	ReviewNote      *string         `gorm:"column:review_note"`
}

func (run) TableName() string { return "roleplay_runs" }

func (r *run) steps() ([]Step, error) {
	var out []Step
	if err := json.Unmarshal(r.Steps, &out); err != nil {
		return nil, fmt.Errorf("roleplay: run %s steps: %w", r.ID, err)
	}
	return out, nil
}

func (r *run) score() (*Score, error) {
	if len(r.Score) == 0 {
		return nil, nil
	}
	var sc Score
	if err := json.Unmarshal(r.Score, &sc); err != nil {
		return nil, fmt.Errorf("roleplay: run %s score: %w", r.ID, err)
	}
	return &sc, nil
}

// Comment is a reviewer's note on one turn of a run.
type Comment struct {
	ID        string    `gorm:"column:id" json:"id"`
	RunID     string    `gorm:"column:run_id" json:"run_id"`
	TurnIndex int       `gorm:"column:turn_index" json:"turn_index"`
	AuthorID  string    `gorm:"column:author_id" json:"author_id"`
	Text      string    `gorm:"column:text" json:"text"`
	CreatedAt time.Time `gorm:"column:created_at" json:"created_at"`
}

// TableName names the table.
func (Comment) TableName() string { return "roleplay_comments" }

// PassedRun is a passing run, the evidence certification records.
type PassedRun struct {
	UserID     string    `gorm:"column:user_id" json:"user_id"`
	RoleplayID string    `gorm:"column:roleplay_id" json:"roleplay_id"`
	Slug       string    `gorm:"column:slug" json:"slug"`
	Version    int       `gorm:"column:version" json:"version"`
	RunID      string    `gorm:"column:run_id" json:"run_id"`
	PassedAt   time.Time `gorm:"column:passed_at" json:"passed_at"`
	Overall    float64   `gorm:"column:overall" json:"overall"`
	// SignoffRequired says the program wants a supervisor's sign-off on the
	// run; SignedOff that a supervisor approved it.
	SignoffRequired bool `gorm:"column:signoff_required" json:"signoff_required"`
	SignedOff       bool `gorm:"column:signed_off" json:"signed_off"`
}

// Store is the role-play SQL.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

const passedScenariosQuery = `
SELECT r.user_id, r.roleplay_id, rp.slug, r.version, r.id AS run_id, COALESCE(r.reviewed_at, r.finished_at) AS passed_at,
       r.overall, r.signoff_required, r.state = 'approved' AS signed_off
FROM roleplay_runs r JOIN roleplays rp ON rp.id = r.roleplay_id
WHERE r.user_id IN ? AND r.program_id = ? AND r.passed AND r.state IN ('finished', 'pending_review', 'approved')
ORDER BY r.user_id, passed_at, r.id`

// PassedScenarios lists the agent's passing runs of a program's scenarios,
// oldest first: runs that passed on their own, runs awaiting a sign-off
// (SignedOff false) and approved runs (SignedOff true). Runs sent back are
// not listed. Certification decides which count.
func (s *Store) PassedScenarios(ctx context.Context, userID, programID string) ([]PassedRun, error) {
	return s.PassedScenariosOf(ctx, []string{userID}, programID)
}

// PassedScenariosOf is PassedScenarios of several agents in one read, by
// agent and then oldest first.
func (s *Store) PassedScenariosOf(ctx context.Context, userIDs []string, programID string) ([]PassedRun, error) {
	out := []PassedRun{}
	if len(userIDs) == 0 {
		return out, nil
	}
	if err := s.db.WithContext(ctx).Raw(passedScenariosQuery, userIDs, programID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("roleplay: passed scenarios: %w", err)
	}
	return out, nil
}

// RoleplayByID returns a scenario, or not_found.
func (s *Store) RoleplayByID(ctx context.Context, id string) (*Roleplay, error) {
	var rp Roleplay
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&rp).Error; err != nil {
		return nil, db.Translate(err, "role-play")
	}
	return &rp, nil
}

// scenario loads a version's scenario.
func scenarioAt(tx *gorm.DB, roleplayID string, number int) (*Scenario, error) {
	var v version
	if err := tx.Where("roleplay_id = ? AND number = ?", roleplayID, number).Take(&v).Error; err != nil {
		return nil, db.Translate(err, "role-play version")
	}
	var sc Scenario
	if err := json.Unmarshal(v.Scenario, &sc); err != nil {
		return nil, fmt.Errorf("roleplay: version %s/%d: %w", roleplayID, number, err)
	}
	return &sc, nil
}

func findRun(tx *gorm.DB, id string, lock bool) (*run, error) {
	if lock {
		tx = tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r run
	if err := tx.Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, db.Translate(err, "run")
	}
	return &r, nil
}

// lockAttempts serializes run starts of one agent on one scenario.
const lockAttempts = `SELECT pg_advisory_xact_lock(hashtextextended(? || '/' || ?, 8008))`

// attemptHistory is what the attempt limits look at.
type attemptHistory struct {
	Used         int        `gorm:"column:used"`
	OpenRunID    *string    `gorm:"column:open_run_id"`
	LastFinished *time.Time `gorm:"column:last_finished"`
}

const attemptHistoryQuery = `
SELECT count(*) AS used,
       (SELECT id FROM roleplay_runs WHERE user_id = ? AND roleplay_id = ? AND state = 'in_progress' LIMIT 1) AS open_run_id,
       max(finished_at) AS last_finished
FROM roleplay_runs WHERE user_id = ? AND roleplay_id = ?`

func history(tx *gorm.DB, userID, roleplayID string) (*attemptHistory, error) {
	var h attemptHistory
	if err := tx.Raw(attemptHistoryQuery, userID, roleplayID, userID, roleplayID).Scan(&h).Error; err != nil {
		return nil, fmt.Errorf("roleplay: attempts: %w", err)
	}
	return &h, nil
}

// ReviewItem is a run awaiting a supervisor's sign-off.
type ReviewItem struct {
	RunID      string    `gorm:"column:run_id" json:"run_id"`
	RoleplayID string    `gorm:"column:roleplay_id" json:"roleplay_id"`
	Slug       string    `gorm:"column:slug" json:"slug"`
	Title      string    `gorm:"column:title" json:"title"` // of the version played
	Version    int       `gorm:"column:version" json:"version"`
	ClientID   string    `gorm:"column:client_id" json:"client_id"`
	ProgramID  string    `gorm:"column:program_id" json:"program_id"`
	UserID     string    `gorm:"column:user_id" json:"user_id"`
	UserEmail  string    `gorm:"column:email" json:"user_email"`
	UserName   string    `gorm:"column:display_name" json:"user_name"`
	FinishedAt time.Time `gorm:"column:finished_at" json:"finished_at"`
	Overall    float64   `gorm:"column:overall" json:"overall"`
}

// pendingReviews lists runs awaiting review, oldest first: of clientIDs
// (all clients when nil), never excludeUser's own.
func (s *Store) pendingReviews(ctx context.Context, clientIDs []string, excludeUser string) ([]ReviewItem, error) {
	q := s.db.WithContext(ctx).Table("roleplay_runs r").
		Select("r.id AS run_id, r.roleplay_id, rp.slug, v.title, r.version, r.client_id, r.program_id, r.user_id, u.email, u.display_name, r.finished_at, r.overall").
		Joins("JOIN roleplays rp ON rp.id = r.roleplay_id").Joins("JOIN users u ON u.id = r.user_id").
		Joins("JOIN roleplay_versions v ON v.roleplay_id = r.roleplay_id AND v.number = r.version").
		Where("r.state = ? AND r.user_id <> ?", StatePendingReview, excludeUser)
	if clientIDs != nil {
		q = q.Where("r.client_id IN ?", append(clientIDs, "00000000-0000-0000-0000-000000000000"))
	}
	out := []ReviewItem{}
	if err := q.Order("r.finished_at, r.id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("roleplay: pending reviews: %w", err)
	}
	return out, nil
}

func (s *Store) comments(ctx context.Context, runID string) ([]Comment, error) {
	out := []Comment{}
	if err := s.db.WithContext(ctx).Where("run_id = ?", runID).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("roleplay: comments: %w", err)
	}
	return out, nil
}

// signoffRequired reports whether the program wants a sign-off on the scenario.
func signoffRequired(tx *gorm.DB, programID, slug string) (bool, error) {
	var n int64
	err := tx.Table("program_roleplays").Where("program_id = ? AND roleplay_slug = ? AND signoff", programID, slug).Count(&n).Error
	return n > 0, err
}

// SentBackRun is a run a supervisor sent back, with the scenario's title.
type SentBackRun struct {
	RunID      string    `gorm:"column:run_id"`
	UserID     string    `gorm:"column:user_id"`
	ProgramID  string    `gorm:"column:program_id"`
	RoleplayID string    `gorm:"column:roleplay_id"`
	Title      string    `gorm:"column:title"`
	Note       string    `gorm:"column:note"`
	ReviewedAt time.Time `gorm:"column:reviewed_at"`
}

const sentBackSinceQuery = `
SELECT r.id AS run_id, r.user_id, r.program_id, r.roleplay_id, v.title, COALESCE(r.review_note, '') AS note, r.reviewed_at
FROM roleplay_runs r
JOIN roleplay_versions v ON v.roleplay_id = r.roleplay_id AND v.number = r.version
WHERE r.state = 'sent_back' AND r.reviewed_at >= ?
ORDER BY r.reviewed_at, r.id`

// SentBackSince lists the runs sent back at or after since, oldest review
// first (the reminder job reads it).
func (s *Store) SentBackSince(ctx context.Context, since time.Time) ([]SentBackRun, error) {
	out := []SentBackRun{}
	if err := s.db.WithContext(ctx).Raw(sentBackSinceQuery, since).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("roleplay: runs sent back: %w", err)
	}
	return out, nil
}

// CompetencyAverage is the mean score of one competency over the scored
// runs of a scenario.
type CompetencyAverage struct {
	ProgramID  string  `gorm:"column:program_id" json:"program_id"`
	Roleplay   string  `gorm:"column:slug" json:"roleplay"`
	Competency string  `gorm:"column:competency" json:"competency"`
	Average    float64 `gorm:"column:average" json:"average"`
	Runs       int     `gorm:"column:runs" json:"runs"`
}

const competencyAveragesQuery = `
SELECT r.program_id, rp.slug, c->>'competency' AS competency,
       round(avg((c->>'score')::numeric), 2)::float8 AS average, count(*) AS runs
FROM roleplay_runs r
JOIN roleplays rp ON rp.id = r.roleplay_id,
     jsonb_array_elements(r.score->'competencies') AS c
WHERE r.user_id IN ? AND r.program_id IN ? AND r.score IS NOT NULL
  AND COALESCE((c->>'exercised')::boolean, true)
GROUP BY r.program_id, rp.slug, c->>'competency'
ORDER BY r.program_id, rp.slug, competency`

// CompetencyAverages returns, per program scenario and competency, the mean
// competency score (percent) over the finished runs of the users (every
// scored run, passing or not; competencies a run did not exercise are left
// out), for cohort reports.
func (s *Store) CompetencyAverages(ctx context.Context, userIDs, programIDs []string) ([]CompetencyAverage, error) {
	out := []CompetencyAverage{}
	if len(userIDs) == 0 || len(programIDs) == 0 {
		return out, nil
	}
	if err := s.db.WithContext(ctx).Raw(competencyAveragesQuery, userIDs, programIDs).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("roleplay: competency averages: %w", err)
	}
	return out, nil
}

// TitlesOfProgram returns the titles of a program's scenarios (of their
// current versions) by slug.
func (s *Store) TitlesOfProgram(ctx context.Context, programID string) (map[string]string, error) {
	const q = `
SELECT r.slug, v.title FROM roleplays r
JOIN roleplay_versions v ON v.roleplay_id = r.id AND v.number = r.current_version
WHERE r.program_id = ?`
	var rows []struct {
		Slug  string `gorm:"column:slug"`
		Title string `gorm:"column:title"`
	}
	if err := s.db.WithContext(ctx).Raw(q, programID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("roleplay: titles of program: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Slug] = r.Title
	}
	return out, nil
}

// standing is the user's runs of one scenario, summed up.
type standing struct {
	RoleplayID   string     `gorm:"column:roleplay_id"`
	Used         int        `gorm:"column:used"`
	OpenRunID    *string    `gorm:"column:open_run_id"`
	LastFinished *time.Time `gorm:"column:last_finished"`
	Passed       bool       `gorm:"column:passed"`
	BestOverall  *float64   `gorm:"column:best_overall"`
}

// standingsQuery sums up a user's runs per scenario of a program. A run
// counts as passed when it passed and needs no sign-off, or was approved.
const standingsQuery = `
SELECT roleplay_id,
       count(*) AS used,
       (array_agg(id) FILTER (WHERE state = 'in_progress'))[1] AS open_run_id,
       max(finished_at) AS last_finished,
       coalesce(bool_or(state = 'approved' OR (state = 'finished' AND passed AND NOT signoff_required)), false) AS passed,
       max(overall) AS best_overall
FROM roleplay_runs
WHERE user_id = ? AND program_id = ?
GROUP BY roleplay_id`

// programRoleplays returns a program's scenarios by slug.
func (s *Store) programRoleplays(ctx context.Context, programID string) ([]Roleplay, error) {
	var rps []Roleplay
	if err := s.db.WithContext(ctx).Where("program_id = ?", programID).Order("slug").Find(&rps).Error; err != nil {
		return nil, fmt.Errorf("roleplay: list: %w", err)
	}
	return rps, nil
}

// standings sums up the user's runs per scenario of the program.
func (s *Store) standings(ctx context.Context, userID, programID string) ([]standing, error) {
	var rows []standing
	if err := s.db.WithContext(ctx).Raw(standingsQuery, userID, programID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("roleplay: standings: %w", err)
	}
	return rows, nil
}

// summaryRunsQuery counts a scenario's scored runs (every version), how many
// passed on their score, and their mean overall.
const summaryRunsQuery = `
SELECT count(*) AS runs, count(*) FILTER (WHERE passed) AS passed, round(avg(overall), 2)::float8 AS mean_overall
FROM roleplay_runs
WHERE roleplay_id = ? AND score IS NOT NULL`

// summaryCompetenciesQuery sums up the competencies of a scenario's scored
// runs; a competency a run's path never exercised does not count for it.
const summaryCompetenciesQuery = `
SELECT c->>'competency' AS competency,
       count(*) FILTER (WHERE (c->>'exercised')::boolean) AS exercised,
       round(avg((c->>'score')::numeric) FILTER (WHERE (c->>'exercised')::boolean), 2)::float8 AS mean_score,
       max((c->>'minimum')::int) AS minimum,
       count(*) FILTER (WHERE (c->>'exercised')::boolean AND c->'minimum' IS NOT NULL
                          AND (c->>'score')::numeric < (c->>'minimum')::numeric) AS below_minimum
FROM roleplay_runs r, jsonb_array_elements(r.score->'competencies') c
WHERE r.roleplay_id = ? AND r.score IS NOT NULL
GROUP BY 1
ORDER BY 1`

// summarize fills out's run counts, mean overall and competencies from the
// scored runs of the scenario out.RoleplayID.
func (s *Store) summarize(ctx context.Context, out *ScenarioSummary) error {
	var totals struct {
		Runs        int      `gorm:"column:runs"`
		Passed      int      `gorm:"column:passed"`
		MeanOverall *float64 `gorm:"column:mean_overall"`
	}
	if err := s.db.WithContext(ctx).Raw(summaryRunsQuery, out.RoleplayID).Scan(&totals).Error; err != nil {
		return fmt.Errorf("roleplay: summary runs: %w", err)
	}
	out.Runs, out.Passed, out.MeanOverall = totals.Runs, totals.Passed, totals.MeanOverall
	if err := s.db.WithContext(ctx).Raw(summaryCompetenciesQuery, out.RoleplayID).Scan(&out.Competencies).Error; err != nil {
		return fmt.Errorf("roleplay: summary competencies: %w", err)
	}
	return nil
}

// lockStarts takes, in tx, the lock that serializes the user's run starts
// on the scenario, then reads rp again under it. Errors: not_found.
func lockStarts(tx *gorm.DB, userID string, rp *Roleplay) error {
	if err := tx.Exec(lockAttempts, userID, rp.ID).Error; err != nil {
		return err
	}
	if err := tx.Where("id = ?", rp.ID).Take(rp).Error; err != nil {
		return db.Translate(err, "role-play")
	}
	return nil
}

// updateRun writes the columns of the run in tx.
func updateRun(tx *gorm.DB, id string, columns map[string]any) error {
	return db.Translate(tx.Model(&run{}).Where("id = ?", id).Updates(columns).Error, "run")
}

// lockRoleplayBySlug locks and returns, in tx, the program's scenario with
// the slug. Errors: not_found.
func lockRoleplayBySlug(tx *gorm.DB, programID, slug string) (*Roleplay, error) {
	var rp Roleplay
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("program_id = ? AND slug = ?", programID, slug).Take(&rp).Error
	if err != nil {
		return nil, db.Translate(err, "role-play")
	}
	return &rp, nil
}

// insertRoleplay inserts a scenario (key names it in errors) in tx.
func insertRoleplay(tx *gorm.DB, rp *Roleplay, key string) error {
	if err := tx.Create(rp).Error; err != nil {
		return db.Translate(err, "role-play "+key)
	}
	return nil
}

// versionOf returns, in tx, the scenario's version number. Errors: not_found.
func versionOf(tx *gorm.DB, roleplayID string, number int) (*version, error) {
	var v version
	if err := tx.Where("roleplay_id = ? AND number = ?", roleplayID, number).Take(&v).Error; err != nil {
		return nil, db.Translate(err, "role-play version")
	}
	return &v, nil
}

// publishVersion inserts a version's row (its columns) and makes number the
// scenario's current version, in tx.
func publishVersion(tx *gorm.DB, roleplayID string, number int, columns map[string]any, now time.Time) error {
	if err := tx.Table("roleplay_versions").Create(columns).Error; err != nil {
		return db.Translate(err, "role-play version")
	}
	if err := tx.Model(&Roleplay{}).Where("id = ?", roleplayID).Updates(map[string]any{"current_version": number, "updated_at": now}).Error; err != nil {
		return db.Translate(err, "role-play")
	}
	return nil
}
