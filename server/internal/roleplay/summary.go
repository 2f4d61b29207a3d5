package roleplay

import (
	"context"
	"fmt"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// CompetencySummary is how every scored run of a scenario did in one
// competency: what a trainer reads to see where agents struggle.
type CompetencySummary struct {
	Competency string `json:"competency" gorm:"column:competency"`
	// Exercised counts the runs whose path exercised the competency.
	Exercised int `json:"exercised" gorm:"column:exercised"`
	// MeanScore is the mean percent over those runs (null when none).
	MeanScore *float64 `json:"mean_score" gorm:"column:mean_score"`
	// Minimum is the scenario's minimum for the competency, when it has one.
	Minimum *int `json:"minimum" gorm:"column:minimum"`
	// BelowMinimum counts the exercised runs that scored under the minimum.
	BelowMinimum int `json:"below_minimum" gorm:"column:below_minimum"`
}

// ScenarioSummary is a scenario's scored runs summed up per competency.
type ScenarioSummary struct {
	RoleplayID   string              `json:"roleplay_id"`
	Slug         string              `json:"slug"`
	Title        string              `json:"title"`
	Runs         int                 `json:"runs"`
	Passed       int                 `json:"passed"`
	MeanOverall  *float64            `json:"mean_overall"`
	Competencies []CompetencySummary `json:"competencies"`
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

// Summary sums up every scored run of a scenario per competency. Trainers
// and supervisors of its client, compliance and admins. Errors:
// unauthorized, forbidden (agents, API keys), not_found (no such scenario,
// or another client's).
func (s *Service) Summary(ctx context.Context, roleplayID string) (*ScenarioSummary, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if p.Is(auth.RoleAgent) {
		return nil, apperr.E(apperr.Forbidden, "only staff see how a role-play's runs went")
	}
	var rp Roleplay
	if err := s.db.WithContext(ctx).Where("id = ?", roleplayID).Limit(1).Find(&rp).Error; err != nil {
		return nil, fmt.Errorf("roleplay: summary: %w", err)
	}
	if rp.ID == "" || !p.MemberOf(rp.ClientID) {
		return nil, notFound("role-play")
	}
	sc, err := scenarioAt(s.db.WithContext(ctx), rp.ID, rp.CurrentVersion)
	if err != nil {
		return nil, err
	}
	out := &ScenarioSummary{RoleplayID: rp.ID, Slug: rp.Slug, Title: sc.Title, Competencies: []CompetencySummary{}}
	var totals struct {
		Runs        int      `gorm:"column:runs"`
		Passed      int      `gorm:"column:passed"`
		MeanOverall *float64 `gorm:"column:mean_overall"`
	}
	if err := s.db.WithContext(ctx).Raw(summaryRunsQuery, rp.ID).Scan(&totals).Error; err != nil {
		return nil, fmt.Errorf("roleplay: summary runs: %w", err)
	}
	out.Runs, out.Passed, out.MeanOverall = totals.Runs, totals.Passed, totals.MeanOverall
	if err := s.db.WithContext(ctx).Raw(summaryCompetenciesQuery, rp.ID).Scan(&out.Competencies).Error; err != nil {
		return nil, fmt.Errorf("roleplay: summary competencies: %w", err)
	}
	return out, nil
}
