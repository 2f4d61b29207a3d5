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
	rp, err := s.store.RoleplayByID(ctx, roleplayID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, notFound("role-play")
	}
	if err != nil {
		return nil, fmt.Errorf("roleplay: summary: %w", err)
	}
	if !p.MemberOf(rp.ClientID) {
		return nil, notFound("role-play")
	}
	sc, err := scenarioAt(s.db.WithContext(ctx), rp.ID, rp.CurrentVersion)
	if err != nil {
		return nil, err
	}
	out := &ScenarioSummary{RoleplayID: rp.ID, Slug: rp.Slug, Title: sc.Title, Competencies: []CompetencySummary{}}
	if err := s.store.summarize(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}
