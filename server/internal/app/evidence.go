package app

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/notify"
	"github.com/skillgate/skillgate/server/internal/onboarding"
	"github.com/skillgate/skillgate/server/internal/quiz"
	"github.com/skillgate/skillgate/server/internal/roleplay"
)

// evidence adapts the quiz and role-play stores to certification's
// EvidenceSource (certification cannot import them: they import it).
type evidence struct {
	quizzes   *quiz.Store
	roleplays *roleplay.Store
}

// QuizResults combines, per agent, the attempts that count (PassedQuizzes)
// with every graded attempt's best score and latest pass (AttemptStats),
// all from one read (StandingsOf).
func (e evidence) QuizResults(ctx context.Context, userIDs []string, programID string) (map[string][]certification.QuizResult, error) {
	all, err := e.quizzes.StandingsOf(ctx, userIDs, programID)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]certification.QuizResult, len(all))
	for userID, st := range all {
		rs := make([]certification.QuizResult, len(st.Stats))
		for i, a := range st.Stats {
			rs[i] = certification.QuizResult{QuizID: a.QuizID, Slug: a.Slug, Attempts: a.Graded,
				BestPercent: a.BestPercent, LastPassAt: utc(a.LastPassAt)}
			for _, p := range st.Passed {
				if p.QuizID == a.QuizID {
					rs[i].Pass = &certification.QuizPass{QuizID: p.QuizID, Slug: p.QuizSlug, Version: p.Version,
						AttemptID: p.AttemptID, Percent: p.Percent, PassedAt: p.PassedAt.UTC()}
				}
			}
		}
		out[userID] = rs
	}
	return out, nil
}

// PassedRuns lists each agent's passing role-play runs, oldest first.
func (e evidence) PassedRuns(ctx context.Context, userIDs []string, programID string) (map[string][]certification.RunPass, error) {
	runs, err := e.roleplays.PassedScenariosOf(ctx, userIDs, programID)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]certification.RunPass, len(userIDs))
	for _, r := range runs {
		out[r.UserID] = append(out[r.UserID], certification.RunPass{RoleplayID: r.RoleplayID, Slug: r.Slug, Version: r.Version,
			RunID: r.RunID, PassedAt: r.PassedAt.UTC(), SignoffRequired: r.SignoffRequired, SignedOff: r.SignedOff})
	}
	return out, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// competencies adapts the role-play store to onboarding's Competencies.
type competencies struct{ roleplays *roleplay.Store }

// CompetencyAverages returns the role-play store's averages in onboarding's type.
func (c competencies) CompetencyAverages(ctx context.Context, userIDs, programIDs []string) ([]onboarding.CompetencyAverage, error) {
	rows, err := c.roleplays.CompetencyAverages(ctx, userIDs, programIDs)
	if err != nil {
		return nil, err
	}
	out := make([]onboarding.CompetencyAverage, len(rows))
	for i, r := range rows {
		out[i] = onboarding.CompetencyAverage{ProgramID: r.ProgramID, Roleplay: r.Roleplay, Competency: r.Competency,
			Average: r.Average, Runs: r.Runs}
	}
	return out, nil
}

// reminders adapts the notify inbox to onboarding's Reminders: a task
// reminder becomes a notice (and, with SMTP, an email) in the job's
// transaction, once per user and key.
type reminders struct{ inbox *notify.Service }

func (r reminders) Remind(ctx context.Context, tx *gorm.DB, rem onboarding.Reminder) error {
	return r.inbox.Remind(ctx, tx, notify.Reminder{
		UserID: rem.UserID, Kind: rem.Kind, Key: rem.Key,
		Title: rem.Title, Body: rem.Body, Link: rem.Link, DueAt: rem.DueAt, DueDate: rem.DueDate,
	})
}

// titles adapts the quiz and role-play stores to onboarding's Titles.
type titles struct {
	quizzes   *quiz.Store
	roleplays *roleplay.Store
}

// QuizTitles returns the titles of the program's quizzes by slug.
func (t titles) QuizTitles(ctx context.Context, programID string) (map[string]string, error) {
	qs, err := t.quizzes.QuizzesOfProgram(ctx, programID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(qs))
	for _, q := range qs {
		out[q.Slug] = q.Title
	}
	return out, nil
}

// RoleplayTitles returns the titles of the program's role-plays by slug.
func (t titles) RoleplayTitles(ctx context.Context, programID string) (map[string]string, error) {
	return t.roleplays.TitlesOfProgram(ctx, programID)
}
