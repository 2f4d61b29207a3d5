package onboarding

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// What applying the programs' current plans does to one member's task.
const (
	PlanAdded   = "added"   // the plan has a task the member lacks
	PlanRemoved = "removed" // the member has a task the plan dropped
	PlanMoved   = "moved"   // the task's plan day or due date changes
)

// PlanChange is one task of one member that applying the programs' current
// onboarding plans adds, removes or moves.
type PlanChange struct {
	UserID      string `json:"user_id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	ProgramID   string `json:"program_id"`
	ProgramName string `json:"program_name"`
	Kind        string `json:"kind"`
	Slug        string `json:"slug"`
	// Title is the task as people read it ("Read Fees and charges").
	Title  string `json:"title"`
	Change string `json:"change"`
	// FromDay and FromDue are the task's plan day and due date now (not
	// for added tasks); ToDay and ToDue after (not for removed ones).
	FromDay int    `json:"from_day,omitempty"`
	FromDue string `json:"from_due,omitempty"`
	ToDay   int    `json:"to_day,omitempty"`
	ToDue   string `json:"to_due,omitempty"`
}

// PlanChanges is what applying the cohort's programs' current plans to its
// members would change (Preview) or changed (Apply).
type PlanChanges struct {
	CohortID string       `json:"cohort_id"`
	Changes  []PlanChange `json:"changes"`
	// Members is how many members have a change.
	Members int `json:"members"`
	// Fingerprint names this set of changes: Apply with it applies exactly
	// these, or answers conflict when the plans or the tasks moved since.
	Fingerprint string `json:"fingerprint"`
	// Applied says the changes were written (Apply only).
	Applied bool `json:"applied"`
}

// planDiff compares, in tx, the members' tasks with what the programs'
// current plans give them. Changes come by member (name), then program and
// plan order.
func (s *Service) planDiff(ctx context.Context, tx *gorm.DB, c *Cohort, progs []*catalog.Program) (*PlanChanges, error) {
	out := &PlanChanges{CohortID: c.ID, Changes: []PlanChange{}}
	userIDs, err := s.store.MemberIDs(tx, c.ID)
	if err != nil {
		return nil, err
	}
	if len(userIDs) == 0 {
		out.Fingerprint = fingerprint(nil)
		return out, nil
	}
	want, _, err := s.plannedTasks(ctx, tx, c, progs, userIDs)
	if err != nil {
		return nil, err
	}
	have, err := cohortTasks(tx, c.ID)
	if err != nil {
		return nil, err
	}
	key := func(t *Task) string { return t.UserID + "/" + t.Key() }
	stored := make(map[string]*Task, len(have))
	for i := range have {
		stored[key(&have[i])] = &have[i]
	}
	order := map[string]int{} // program order of the cohort, for sorting
	for i, p := range progs {
		order[p.ID] = i
	}
	type change struct {
		PlanChange
		position int
		moduleID *string
	}
	var cs []change
	for i := range want {
		w := &want[i]
		h, ok := stored[key(&w.Task)]
		delete(stored, key(&w.Task))
		switch {
		case !ok:
			cs = append(cs, change{PlanChange{Change: PlanAdded, ToDay: w.Day, ToDue: w.Due}, w.Position, w.ModuleID})
		case h.Day != w.Day || h.DueDate.Format(Date) != w.Due:
			cs = append(cs, change{PlanChange{Change: PlanMoved, FromDay: h.Day, FromDue: h.DueDate.Format(Date), ToDay: w.Day, ToDue: w.Due}, w.Position, w.ModuleID})
		default:
			continue
		}
		last := &cs[len(cs)-1]
		last.UserID, last.ProgramID, last.Kind, last.Slug = w.UserID, w.ProgramID, w.Kind, w.Slug
	}
	for _, h := range stored {
		cs = append(cs, change{PlanChange{Change: PlanRemoved, UserID: h.UserID, ProgramID: h.ProgramID, Kind: h.Kind, Slug: h.Slug,
			FromDay: h.Day, FromDue: h.DueDate.Format(Date)}, h.Position, h.ModuleID})
	}
	if len(cs) == 0 {
		out.Fingerprint = fingerprint(nil)
		return out, nil
	}
	members, err := s.store.Members(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	people := make(map[string]Member, len(members))
	for _, m := range members {
		people[m.UserID] = m
	}
	nm := s.newNames()
	for i := range cs {
		pn, err := nm.program(ctx, cs[i].ProgramID)
		if err != nil {
			return nil, err
		}
		t := Task{Kind: cs[i].Kind, Slug: cs[i].Slug, ModuleID: cs[i].moduleID}
		cs[i].Title, cs[i].ProgramName = pn.task(&t), pn.name
		m := people[cs[i].UserID]
		cs[i].Email, cs[i].DisplayName = m.Email, m.DisplayName
	}
	slices.SortFunc(cs, func(a, b change) int {
		return cmp.Or(cmp.Compare(personName(a.DisplayName, a.Email), personName(b.DisplayName, b.Email)), cmp.Compare(a.UserID, b.UserID),
			cmp.Compare(order[a.ProgramID], order[b.ProgramID]), cmp.Compare(a.position, b.position), cmp.Compare(a.Kind+a.Slug, b.Kind+b.Slug))
	})
	affected := map[string]bool{}
	for _, c := range cs {
		out.Changes = append(out.Changes, c.PlanChange)
		affected[c.UserID] = true
	}
	out.Members = len(affected)
	out.Fingerprint = fingerprint(out.Changes)
	return out, nil
}

func personName(displayName, email string) string {
	if displayName != "" {
		return displayName
	}
	return email
}

// fingerprint names a set of changes: a hash of what each change does.
func fingerprint(cs []PlanChange) string {
	h := sha256.New()
	for _, c := range cs {
		fmt.Fprintf(h, "%s|%s|%s|%s|%s|%d|%s|%d|%s\n", c.UserID, c.ProgramID, c.Kind, c.Slug, c.Change, c.FromDay, c.FromDue, c.ToDay, c.ToDue)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// PreviewPlan says what applying the cohort's programs' current onboarding
// plans to its members would change: tasks added, removed, or moved to
// another plan day or due date, for whom. Nothing is written. Errors:
// unauthorized, not_found, forbidden (anyone who may not change the
// cohort), invalid (the calendar has too few working days for the plan).
func (s *Service) PreviewPlan(ctx context.Context, cohortID string) (*PlanChanges, error) {
	c, progs, _, err := s.visible(ctx, cohortID, true)
	if err != nil {
		return nil, err
	}
	var out *PlanChanges
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		out, err = s.planDiff(ctx, tx, c, progs)
		return err
	}, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("onboarding: preview plan: %w", err)
	}
	return out, nil
}

// ApplyPlan applies the programs' current onboarding plans to the cohort's
// members: the changes PreviewPlan lists, in one transaction under the
// cohort's row lock, audited as cohort.plan_apply with what moved. With a
// fingerprint (from a preview) it applies only that set of changes: when
// the plans or tasks changed since, it answers conflict and writes nothing.
// When nothing is left to change it writes nothing and answers the empty
// set (a retry after success lands here). Errors: unauthorized, not_found,
// forbidden, invalid (fingerprint not a preview's; too few working days),
// conflict.
func (s *Service) ApplyPlan(ctx context.Context, cohortID, expect string) (*PlanChanges, error) {
	c, progs, p, err := s.visible(ctx, cohortID, true)
	if err != nil {
		return nil, err
	}
	if expect != "" && (len(expect) != 32 || strings.Trim(expect, "0123456789abcdef") != "") {
		return nil, apperr.Invalidf("fingerprint", "must be the fingerprint of a preview (32 hexadecimal digits)")
	}
	var out *PlanChanges
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockCohort(tx, c.ID); err != nil {
			return err
		}
		if out, err = s.planDiff(ctx, tx, c, progs); err != nil {
			return err
		}
		if len(out.Changes) == 0 {
			return nil
		}
		if expect != "" && expect != out.Fingerprint {
			return apperr.E(apperr.Conflict, "the plans or the members' tasks changed since the preview: preview again")
		}
		members, err := s.store.MemberIDs(tx, c.ID)
		if err != nil {
			return err
		}
		if err := s.syncTasks(ctx, tx, c, progs, members); err != nil {
			return err
		}
		count := map[string]int{}
		for _, ch := range out.Changes {
			count[ch.Change]++
		}
		out.Applied = true
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "cohort.plan_apply", SubjectType: "cohort",
			SubjectID: c.ID, ClientID: first(clientsOf(progs)), After: map[string]any{"fingerprint": out.Fingerprint,
				"members": out.Members, "added": count[PlanAdded], "removed": count[PlanRemoved], "moved": count[PlanMoved]}})
	})
	if err != nil {
		return nil, fmt.Errorf("onboarding: apply plan: %w", err)
	}
	return out, nil
}
