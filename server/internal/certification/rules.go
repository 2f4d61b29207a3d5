package certification

import (
	"slices"
	"time"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

// Module statuses in Progress.
const (
	ModuleDone       = "done"        // completed, no material version since
	ModuleOutdated   = "outdated"    // completed, but a material version came since
	ModuleNotStarted = "not_started" // no version completed
)

// Progress is where an agent stands against a program's requirements: each
// required module, quiz and role-play, and what is left to do.
type Progress struct {
	Modules   []ModuleStatus   `json:"modules"`
	Quizzes   []QuizStatus     `json:"quizzes"`
	Roleplays []RoleplayStatus `json:"roleplays"`
	Left      []Todo           `json:"left"`
	// Complete says every requirement is met.
	Complete bool `json:"complete"`
	// Refresher is the program's declared refresher (program.yaml
	// `refresher:`) and the agent's standing with its quiz; nil when the
	// program declares none.
	Refresher *RefresherStatus `json:"refresher,omitempty"`
}

// RefresherStatus is the agent's standing with a program's refresher quiz.
type RefresherStatus struct {
	Quiz       string     `json:"quiz"`              // slug
	QuizID     string     `json:"quiz_id,omitempty"` // empty when the quiz is not imported yet
	Attempts   int        `json:"attempts"`
	LastPassAt *time.Time `json:"last_pass_at"` // the latest passing attempt
	// Modules are the refresher set's module ids.
	Modules []string `json:"modules"`
}

// passedSince reports whether the refresher quiz was passed at or after t.
func (r *RefresherStatus) passedSince(t *time.Time) bool {
	return r != nil && t != nil && r.LastPassAt != nil && !r.LastPassAt.Before(*t)
}

// ModuleStatus is one required module.
type ModuleStatus struct {
	ModuleID         string     `json:"module_id"`
	Slug             string     `json:"slug"`
	Title            string     `json:"title"`
	Core             bool       `json:"core"`
	CurrentVersion   int        `json:"current_version"`
	CompletedVersion *int       `json:"completed_version"`
	CompletedAt      *time.Time `json:"completed_at"`
	// OpenedAt is when the agent first opened any version (nil: never).
	OpenedAt *time.Time `json:"opened_at"`
	Status   string     `json:"status"` // ModuleDone, ModuleOutdated or ModuleNotStarted
}

// QuizStatus is one required quiz.
type QuizStatus struct {
	Slug        string     `json:"slug"`
	QuizID      string     `json:"quiz_id,omitempty"` // empty when the quiz is not imported yet
	Passed      bool       `json:"passed"`
	BestPercent *float64   `json:"best_percent"`
	Attempts    int        `json:"attempts"`
	PassedAt    *time.Time `json:"passed_at"`    // of the attempt that counts
	LastPassAt  *time.Time `json:"last_pass_at"` // the latest passing attempt
	pass        *QuizPass
}

// RoleplayStatus is one required role-play.
type RoleplayStatus struct {
	Slug            string `json:"slug"`
	SignoffRequired bool   `json:"signoff_required"`
	Passed          bool   `json:"passed"`           // a run counts (signed off where required)
	AwaitingSignoff bool   `json:"awaiting_signoff"` // a passing run waits for a supervisor
	RunID           string `json:"run_id,omitempty"` // the run that counts
	run             *RunPass
}

// Todo is one thing left to do.
type Todo struct {
	Kind   string `json:"kind"`   // module, quiz or roleplay
	Slug   string `json:"slug"`   // of the module, quiz or role-play
	ID     string `json:"id"`     // module or quiz id, "" when unknown
	Action string `json:"action"` // read, reread, pass, signoff
}

// progressOf assesses the evidence against the requirements. progress is
// the agent's reading rows for the required modules (by module and
// version), material the material versions published after each module's
// newest completed version, quizzes and runs the quiz and role-play evidence.
func progressOf(r *catalog.Requirements, progress []catalog.Progress, material []catalog.VersionSummary, quizzes []QuizResult, runs []RunPass) *Progress {
	p := &Progress{Modules: []ModuleStatus{}, Quizzes: []QuizStatus{}, Roleplays: []RoleplayStatus{}, Left: []Todo{}}
	for _, m := range r.Modules {
		ms := ModuleStatus{ModuleID: m.ModuleID, Slug: m.Slug, Title: m.Title, Core: m.Core, CurrentVersion: m.CurrentVersion, Status: ModuleNotStarted}
		for _, row := range progress { // by version: the newest completion wins
			if row.ModuleID == m.ModuleID && (ms.OpenedAt == nil || row.OpenedAt.Before(*ms.OpenedAt)) {
				ms.OpenedAt = ptr(row.OpenedAt)
			}
			if row.ModuleID == m.ModuleID && row.CompletedAt != nil {
				v := row.Version
				ms.CompletedVersion, ms.CompletedAt, ms.Status = &v, row.CompletedAt, ModuleDone
			}
		}
		if ms.CompletedVersion != nil && slices.ContainsFunc(material, func(v catalog.VersionSummary) bool {
			return v.ModuleID == m.ModuleID && v.Number > *ms.CompletedVersion
		}) {
			ms.Status = ModuleOutdated
		}
		switch ms.Status {
		case ModuleNotStarted:
			p.Left = append(p.Left, Todo{Kind: "module", Slug: m.Slug, ID: m.ModuleID, Action: "read"})
		case ModuleOutdated:
			p.Left = append(p.Left, Todo{Kind: "module", Slug: m.Slug, ID: m.ModuleID, Action: "reread"})
		}
		p.Modules = append(p.Modules, ms)
	}
	for _, slug := range r.Quizzes {
		qs := QuizStatus{Slug: slug}
		for i := range quizzes {
			q := &quizzes[i]
			if q.Slug != slug {
				continue
			}
			qs.QuizID, qs.BestPercent, qs.Attempts, qs.LastPassAt = q.QuizID, q.BestPercent, q.Attempts, q.LastPassAt
			if q.Pass != nil {
				qs.Passed, qs.PassedAt, qs.pass = true, &q.Pass.PassedAt, q.Pass
			}
		}
		if !qs.Passed {
			p.Left = append(p.Left, Todo{Kind: "quiz", Slug: slug, ID: qs.QuizID, Action: "pass"})
		}
		p.Quizzes = append(p.Quizzes, qs)
	}
	for _, req := range r.Roleplays {
		rs := RoleplayStatus{Slug: req.Slug, SignoffRequired: req.Signoff}
		for i := range runs { // oldest first: the first run that counts is kept
			run := &runs[i]
			if run.Slug != req.Slug || rs.Passed {
				continue
			}
			if run.SignedOff || (!req.Signoff && !run.SignoffRequired) {
				rs.Passed, rs.RunID, rs.run, rs.AwaitingSignoff = true, run.RunID, run, false
			} else if run.SignoffRequired {
				rs.AwaitingSignoff = true
			}
		}
		switch {
		case rs.AwaitingSignoff:
			p.Left = append(p.Left, Todo{Kind: "roleplay", Slug: req.Slug, Action: "signoff"})
		case !rs.Passed:
			p.Left = append(p.Left, Todo{Kind: "roleplay", Slug: req.Slug, Action: "pass"})
		}
		p.Roleplays = append(p.Roleplays, rs)
	}
	p.Complete = len(p.Left) == 0
	if r.Refresher != nil {
		p.Refresher = &RefresherStatus{Quiz: r.Refresher.Quiz, Modules: []string{}}
		for _, m := range r.Refresher.Modules {
			p.Refresher.Modules = append(p.Refresher.Modules, m.ModuleID)
		}
		for _, q := range quizzes {
			if q.Slug == r.Refresher.Quiz {
				p.Refresher.QuizID, p.Refresher.Attempts, p.Refresher.LastPassAt = q.QuizID, q.Attempts, q.LastPassAt
			}
		}
	}
	return p
}

// evidence is what counts now: the modules done, the quizzes passed and the
// role-play runs that count.
func (p *Progress) evidence() Evidence {
	ev := Evidence{Modules: []ModuleRead{}, Quizzes: []QuizPass{}, Roleplays: []RunPass{}}
	for _, m := range p.Modules {
		if m.Status == ModuleDone {
			ev.Modules = append(ev.Modules, ModuleRead{ModuleID: m.ModuleID, Version: *m.CompletedVersion, CompletedAt: *m.CompletedAt})
		}
	}
	for _, q := range p.Quizzes {
		if q.pass != nil {
			ev.Quizzes = append(ev.Quizzes, *q.pass)
		}
	}
	for _, r := range p.Roleplays {
		if r.run != nil {
			ev.Roleplays = append(ev.Roleplays, *r.run)
		}
	}
	return ev
}

// outdated lists the required modules with a material version after the one
// the agent completed.
func (p *Progress) outdated() []ChangedModule {
	out := []ChangedModule{}
	for _, m := range p.Modules {
		if m.Status == ModuleOutdated {
			out = append(out, ChangedModule{ModuleID: m.ModuleID, Slug: m.Slug, Title: m.Title,
				FromVersion: *m.CompletedVersion, ToVersion: m.CurrentVersion})
			out[len(out)-1].setDiff()
		}
	}
	return out
}

// renewed reports whether the agent has renewed a certification whose
// refresher window opened at opens: every requirement is met and, when the
// program declares a refresher, its quiz was passed at or after opens;
// otherwise every required quiz was passed again at or after opens. A
// program without quizzes (and no refresher) has nothing fresh to show and
// is not renewed by evidence.
func (p *Progress) renewed(opens *time.Time) bool {
	if opens == nil || !p.Complete {
		return false
	}
	if p.Refresher != nil {
		return p.Refresher.passedSince(opens)
	}
	if len(p.Quizzes) == 0 {
		return false
	}
	for _, q := range p.Quizzes {
		if q.LastPassAt == nil || q.LastPassAt.Before(*opens) {
			return false
		}
	}
	return true
}

// change is a transition the rules call for.
type change struct {
	To     State
	Reason string
	// The record's dates and changed modules after the transition.
	CertifiedAt, ExpiresAt, RefresherDueAt, RefresherOpensAt *time.Time
	ChangedModules                                           []ChangedModule
}

// next is the certification rules, in one function: the transition a record
// c takes at now given the agent's progress and the program's policy, or nil
// when it stays as it is. Applied until it returns nil.
//
//   - in_training → certified once every requirement is met: every required
//     module completed at its current material version, every quiz passed,
//     every role-play passed (and signed off where the program asks).
//     expires_at = now + valid_days; the refresher window opens
//     refresher_window_days before expires_at.
//   - certified → expired at expires_at; → refresher_due when a required
//     module the agent read got a material change (due in
//     material_change_grace_days, at most at expiry; the changed modules are
//     listed), or when the refresher window opens (due at expiry).
//   - refresher_due → expired at expires_at; → certified, renewed
//     (expires_at = now + valid_days), once the window is open and the agent
//     has met every requirement and passed every required quiz again since
//     it opened (only the refresher quiz, when program.yaml declares a
//     refresher); → certified with its dates kept, before the window opens,
//     once every changed module was read at its new version (and, with a
//     declared refresher, its quiz passed since refresher_due began). Another material
//     change adds to the list (the due date only moves earlier); changed
//     modules read once the window is open leave a window refresher, due at
//     expiry.
//   - expired → certified, renewed, by the same renewal rule.
//   - revoked stays revoked (Reinstate leaves it).
func next(c *Certification, p *Progress, pol catalog.CertificationPolicy, now time.Time) *change {
	windowOpen := c.RefresherOpensAt != nil && !now.Before(*c.RefresherOpensAt)
	expired := c.ExpiresAt != nil && !now.Before(*c.ExpiresAt)
	keep := func(to State, reason string) *change {
		return &change{To: to, Reason: reason, CertifiedAt: c.CertifiedAt, ExpiresAt: c.ExpiresAt,
			RefresherDueAt: c.RefresherDueAt, RefresherOpensAt: c.RefresherOpensAt, ChangedModules: c.ChangedModules}
	}
	switch c.State {
	case InTraining:
		if p.Complete {
			return certify(now, pol, ReasonRequirementsMet)
		}
	case Certified:
		switch outdated := p.outdated(); {
		case expired:
			ch := keep(Expired, ReasonExpired)
			ch.RefresherDueAt, ch.ChangedModules = nil, nil
			return ch
		case len(outdated) > 0:
			ch := keep(RefresherDue, ReasonMaterialChange)
			ch.RefresherDueAt, ch.ChangedModules = earliest(ptr(now.Add(days(pol.MaterialChangeGraceDays))), c.ExpiresAt), outdated
			return ch
		case windowOpen:
			ch := keep(RefresherDue, ReasonRefresherWindow)
			ch.RefresherDueAt = c.ExpiresAt
			return ch
		}
	case RefresherDue:
		outdated := p.outdated()
		switch merged, grew := mergeChanged(c.ChangedModules, outdated); {
		case expired:
			ch := keep(Expired, ReasonExpired)
			ch.RefresherDueAt, ch.ChangedModules = nil, nil
			return ch
		case windowOpen && p.renewed(c.RefresherOpensAt):
			return certify(now, pol, ReasonRenewed)
		case grew:
			ch := keep(RefresherDue, ReasonMaterialChange)
			ch.RefresherDueAt = earliest(c.RefresherDueAt, ptr(now.Add(days(pol.MaterialChangeGraceDays))), c.ExpiresAt)
			ch.ChangedModules = merged
			return ch
		case len(outdated) == 0 && !windowOpen && (p.Refresher == nil || p.Refresher.passedSince(c.RefresherSince)):
			ch := keep(Certified, ReasonRefresherCompleted)
			ch.RefresherDueAt, ch.ChangedModules = nil, nil
			return ch
		case windowOpen && len(outdated) == 0 && len(c.ChangedModules) > 0: // renewal still due
			ch := keep(RefresherDue, ReasonRefresherWindow)
			ch.RefresherDueAt, ch.ChangedModules = c.ExpiresAt, nil
			return ch
		}
	case Expired:
		if p.renewed(c.RefresherOpensAt) {
			return certify(now, pol, ReasonRenewed)
		}
	}
	return nil
}

// certify is a (re)certification at now under pol.
func certify(now time.Time, pol catalog.CertificationPolicy, reason string) *change {
	exp := now.Add(days(pol.ValidDays))
	return &change{To: Certified, Reason: reason, CertifiedAt: ptr(now), ExpiresAt: &exp,
		RefresherOpensAt: ptr(exp.Add(-days(pol.RefresherWindowDays)))}
}

// mergeChanged adds to the listed changed modules the outdated ones not
// listed yet (or listed with an older target version). grew says something
// was added.
func mergeChanged(listed, outdated []ChangedModule) ([]ChangedModule, bool) {
	out := slices.Clone(listed)
	grew := false
	for _, o := range outdated {
		i := slices.IndexFunc(out, func(c ChangedModule) bool { return c.ModuleID == o.ModuleID })
		switch {
		case i < 0:
			out, grew = append(out, o), true
		case out[i].ToVersion < o.ToVersion:
			out[i].ToVersion, out[i].Title, grew = o.ToVersion, o.Title, true
			out[i].setDiff()
		}
	}
	return out, grew
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func ptr[T any](v T) *T { return &v }

// earliest returns the earliest of the non-nil times (nil when all are).
func earliest(ts ...*time.Time) *time.Time {
	var out *time.Time
	for _, t := range ts {
		if t != nil && (out == nil || t.Before(*out)) {
			out = t
		}
	}
	return out
}
