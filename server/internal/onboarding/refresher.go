package onboarding

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
)

// CertificationChanged keeps refresher assignments in step with the
// certification, inside the transaction of the transition: entering (or
// staying in) refresher_due opens or updates the record's assignment;
// leaving it closes the assignment with the new state and reason as its
// outcome. It implements certification.TransitionListener.
func (s *Service) CertificationChanged(ctx context.Context, tx *gorm.DB, t certification.Transition) error {
	c := t.Certification
	if c.State != certification.RefresherDue {
		if t.From != certification.RefresherDue {
			return nil
		}
		return closeRefresher(tx.WithContext(ctx), c.ID, t.At, string(c.State)+":"+t.Reason)
	}
	prog, err := s.programs.ProgramByID(ctx, c.ProgramID)
	if err != nil {
		return fmt.Errorf("onboarding: refresher: %w", err)
	}
	req, err := s.programs.Requirements(ctx, prog)
	if err != nil {
		return fmt.Errorf("onboarding: refresher: %w", err)
	}
	window := c.RefresherOpensAt != nil && !t.At.Before(*c.RefresherOpensAt)
	r := Refresher{CertificationID: c.ID, UserID: c.UserID, ProgramID: c.ProgramID, AssignedAt: t.At,
		DueAt: c.RefresherDueAt, Items: refresherItems(c, req, window), Reason: certification.ReasonMaterialChange, Since: t.At}
	switch {
	case window:
		r.Reason, r.Since = certification.ReasonRefresherWindow, *c.RefresherOpensAt
	case c.RefresherSince != nil:
		r.Since = *c.RefresherSince
	}
	open, err := lockOpenRefresher(tx.WithContext(ctx), c.ID)
	if apperr.Is(err, apperr.NotFound) {
		r.ID = uuid.NewString()
		return insertRefresher(tx.WithContext(ctx), &r)
	}
	if err != nil {
		return err
	}
	return updateRefresher(tx.WithContext(ctx), open.ID, &r)
}

// refresherItems is what the refresher asks of the agent, matching what the
// certification rules need to leave refresher_due: the modules that changed
// materially (with their diff); once the renewal window is open, the
// program's refresher set's other modules; and the refresher quiz when
// program.yaml declares one. Without one, a renewal needs every required
// quiz again, and a material change only the changed modules.
func refresherItems(c *certification.Certification, req *catalog.Requirements, window bool) []RefresherItem {
	items := []RefresherItem{}
	for _, m := range c.ChangedModules {
		items = append(items, RefresherItem{Kind: ItemModule, Slug: m.Slug, ModuleID: m.ModuleID,
			FromVersion: m.FromVersion, ToVersion: m.ToVersion, Diff: m.Diff})
	}
	switch {
	case req.Refresher != nil:
		if window {
			for _, m := range req.Refresher.Modules {
				if !slices.ContainsFunc(items, func(it RefresherItem) bool { return it.ModuleID == m.ModuleID }) {
					items = append(items, RefresherItem{Kind: ItemModule, Slug: m.Slug, ModuleID: m.ModuleID})
				}
			}
		}
		items = append(items, RefresherItem{Kind: ItemQuiz, Slug: req.Refresher.Quiz})
	case window:
		for _, q := range req.Quizzes {
			items = append(items, RefresherItem{Kind: ItemQuiz, Slug: q})
		}
	}
	return items
}
