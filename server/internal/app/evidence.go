package app

import (
	"context"
	"time"

	"github.com/skillgate/skillgate/server/internal/certification"
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
