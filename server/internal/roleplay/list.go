package roleplay

import (
	"context"
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
	rps, err := s.store.programRoleplays(ctx, programID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.standings(ctx, p.UserID, programID)
	if err != nil {
		return nil, err
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
