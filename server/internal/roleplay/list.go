package roleplay

import (
	"context"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// ProgramRoleplay is one of a program's scenarios with the signed-in
// user's own standing in it: what the web app lists before a run starts.
type ProgramRoleplay struct {
	ID              string `json:"id"`
	Slug            string `json:"slug"`
	Title           string `json:"title"`
	Summary         string `json:"summary"`
	Version         int    `json:"version"`
	Signoff         bool   `json:"signoff"`
	AttemptsAllowed int    `json:"attempts_allowed"`
	AttemptsUsed    int    `json:"attempts_used"`
	// OpenRunID is the user's run in progress, to resume (or abandon).
	OpenRunID *string `json:"open_run_id"`
	// NextStartAt is when the user may start again, when the wait blocks now.
	NextStartAt *time.Time `json:"next_start_at"`
	// CanStart says whether a start would be accepted now.
	CanStart    bool     `json:"can_start"`
	Passed      bool     `json:"passed"`
	BestOverall *float64 `json:"best_overall"`
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

// ProgramRoleplays lists a program's scenarios with the principal's own
// attempts. Agents must be enrolled in the program; trainers and
// supervisors must belong to its client. Errors: unauthorized, forbidden
// (API keys), not_found (no such program, or one the principal may not play).
func (s *Service) ProgramRoleplays(ctx context.Context, programID string) ([]ProgramRoleplay, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	prog, err := catalog.NewStore(s.db).ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	if ok, err := s.mayPlay(ctx, p, &Roleplay{ClientID: prog.ClientID, ProgramID: prog.ID}); err != nil || !ok {
		return nil, cmpErr(err, apperr.NotFoundf("program"))
	}
	var rps []Roleplay
	if err := s.db.WithContext(ctx).Where("program_id = ?", programID).Order("slug").Find(&rps).Error; err != nil {
		return nil, fmt.Errorf("roleplay: list: %w", err)
	}
	var rows []standing
	if err := s.db.WithContext(ctx).Raw(standingsQuery, p.UserID, programID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("roleplay: standings: %w", err)
	}
	byID := map[string]standing{}
	for _, r := range rows {
		byID[r.RoleplayID] = r
	}
	now := s.now()
	out := make([]ProgramRoleplay, 0, len(rps))
	for _, rp := range rps {
		sc, err := scenarioAt(s.db.WithContext(ctx), rp.ID, rp.CurrentVersion)
		if err != nil {
			return nil, err
		}
		signoff, err := signoffRequired(s.db.WithContext(ctx), rp.ProgramID, rp.Slug)
		if err != nil {
			return nil, err
		}
		st := byID[rp.ID]
		item := ProgramRoleplay{ID: rp.ID, Slug: rp.Slug, Title: sc.Title, Summary: sc.Summary, Version: rp.CurrentVersion,
			Signoff: signoff, AttemptsAllowed: sc.AttemptsAllowed, AttemptsUsed: st.Used, OpenRunID: st.OpenRunID,
			Passed: st.Passed, BestOverall: st.BestOverall}
		startErr := checkStart(Limits{sc.AttemptsAllowed, sc.WaitBetweenAttempts},
			&attemptHistory{Used: st.Used, OpenRunID: st.OpenRunID, LastFinished: st.LastFinished}, now)
		item.CanStart = startErr == nil
		if st.LastFinished != nil && sc.WaitBetweenAttempts > 0 && now.Before(st.LastFinished.Add(sc.WaitBetweenAttempts)) {
			next := st.LastFinished.Add(sc.WaitBetweenAttempts).UTC()
			item.NextStartAt = &next
		}
		out = append(out, item)
	}
	return out, nil
}
