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

// QuizResults combines the attempts that count (PassedQuizzes) with every
// graded attempt's best score and latest pass (AttemptStats), both from one
// read (Standings).
func (e evidence) QuizResults(ctx context.Context, userID, programID string) ([]certification.QuizResult, error) {
	stats, passed, err := e.quizzes.Standings(ctx, userID, programID)
	if err != nil {
		return nil, err
	}
	out := make([]certification.QuizResult, len(stats))
	for i, st := range stats {
		out[i] = certification.QuizResult{QuizID: st.QuizID, Slug: st.Slug, Attempts: st.Graded,
			BestPercent: st.BestPercent, LastPassAt: utc(st.LastPassAt)}
		for _, p := range passed {
			if p.QuizID == st.QuizID {
				out[i].Pass = &certification.QuizPass{QuizID: p.QuizID, Slug: p.QuizSlug, Version: p.Version,
					AttemptID: p.AttemptID, Percent: p.Percent, PassedAt: p.PassedAt.UTC()}
			}
		}
	}
	return out, nil
}

// PassedRuns lists the passing role-play runs.
func (e evidence) PassedRuns(ctx context.Context, userID, programID string) ([]certification.RunPass, error) {
	runs, err := e.roleplays.PassedScenarios(ctx, userID, programID)
	if err != nil {
		return nil, err
	}
	out := make([]certification.RunPass, len(runs))
	for i, r := range runs {
		out[i] = certification.RunPass{RoleplayID: r.RoleplayID, Slug: r.Slug, Version: r.Version, RunID: r.RunID,
			PassedAt: r.PassedAt.UTC(), SignoffRequired: r.SignoffRequired, SignedOff: r.SignedOff}
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
		Title: rem.Title, Body: rem.Body, Link: rem.Link, DueAt: rem.DueAt,
	})
}
