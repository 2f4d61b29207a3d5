package onboarding

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
)

// progressCache reads each agent × program's progress once per request.
type progressCache struct {
	certs Certifications
	m     map[string]*certification.Progress
}

func (s *Service) newCache() *progressCache {
	return &progressCache{certs: s.certs, m: map[string]*certification.Progress{}}
}

// get returns the progress, or nil when the agent is not enrolled any more
// (withdrawn): their tasks then count as not started.
func (pc *progressCache) get(ctx context.Context, userID, programID string) (*certification.Progress, error) {
	key := userID + "/" + programID
	if p, ok := pc.m[key]; ok {
		return p, nil
	}
	p, err := pc.certs.ProgressFor(ctx, userID, programID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	pc.m[key] = p
	return p, nil
}

// evidenceStatus is what the evidence says of a task: done, in progress or
// not started (overdue is decided against the clock afterwards).
func evidenceStatus(t *Task, p *certification.Progress) string {
	if p == nil {
		return StatusNotStarted
	}
	switch t.Kind {
	case catalog.ItemModule:
		for _, m := range p.Modules {
			if t.ModuleID != nil && m.ModuleID == *t.ModuleID {
				switch {
				case m.CompletedVersion != nil:
					return StatusDone // read; a later material change is the refresher's business
				case m.OpenedAt != nil:
					return StatusInProgress
				}
			}
		}
	case catalog.ItemQuiz:
		for _, q := range p.Quizzes {
			if q.Slug == t.Slug {
				switch {
				case q.Passed:
					return StatusDone
				case q.Attempts > 0:
					return StatusInProgress
				}
			}
		}
	case catalog.ItemRoleplay:
		for _, r := range p.Roleplays {
			if r.Slug == t.Slug {
				switch {
				case r.Passed:
					return StatusDone
				case r.AwaitingSignoff:
					return StatusInProgress
				}
			}
		}
	}
	return StatusNotStarted
}

// statusAt is the task's status at today: overdue once its due day has
// passed without it being done.
func statusAt(t *Task, p *certification.Progress, today time.Time) string {
	st := evidenceStatus(t, p)
	if st != StatusDone && t.DueDate.Before(today) {
		return StatusOverdue
	}
	return st
}

func actionOf(kind string) string {
	switch kind {
	case catalog.ItemModule:
		return "read"
	case catalog.ItemQuiz:
		return "pass"
	}
	return "play"
}

// plans builds each member's plan from the cohort's tasks (one user's when
// userID is not ""), with the names people read.
func (s *Service) plans(ctx context.Context, c *Cohort, userID string, pc *progressCache, nm *names) ([]AgentPlan, error) {
	members, err := s.store.Members(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	tasks, err := s.store.Tasks(ctx, c.ID, userID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range members {
		if userID == "" || m.UserID == userID {
			ids = append(ids, m.UserID)
		}
	}
	firsts := map[string]time.Time{}
	if len(ids) > 0 {
		if firsts, err = s.firstDays(s.db.WithContext(ctx), c, ids); err != nil {
			return nil, err
		}
	}
	today := s.today()
	out := []AgentPlan{}
	for _, m := range members {
		if userID != "" && m.UserID != userID {
			continue
		}
		plan := AgentPlan{CohortID: c.ID, CohortName: c.Name, UserID: m.UserID, Email: m.Email, DisplayName: m.DisplayName,
			FirstDay: firsts[m.UserID].Format(Date), Status: OnTrack, Tasks: []TaskView{}}
		for i := range tasks {
			t := &tasks[i]
			if t.UserID != m.UserID {
				continue
			}
			p, err := pc.get(ctx, t.UserID, t.ProgramID)
			if err != nil {
				return nil, fmt.Errorf("onboarding: task status: %w", err)
			}
			pn, err := nm.program(ctx, t.ProgramID)
			if err != nil {
				return nil, err
			}
			tv := TaskView{Task: *t, Due: t.DueDate.Format(Date), Status: statusAt(t, p, today), Action: actionOf(t.Kind),
				Title: pn.item(t.Kind, t.Slug, t.ModuleID), ProgramName: pn.name, Link: taskLink(t)}
			switch tv.Status {
			case StatusDone:
				plan.Done++
			case StatusOverdue:
				plan.Overdue++
				plan.Status = Behind
			}
			plan.Tasks = append(plan.Tasks, tv)
		}
		out = append(out, plan)
	}
	return out, nil
}

// Column is one task of the progress matrix, the same for every member.
type Column struct {
	ProgramID   string `json:"program_id"`
	Program     string `json:"program"` // the program's slug
	ProgramName string `json:"program_name"`
	Kind        string `json:"kind"`
	Slug        string `json:"slug"`
	Title       string `json:"title"` // the module's, quiz's or role-play's
	Day         int    `json:"day"`
	Due         string `json:"due_date"`
}

// Cell is one member's status on one column ("" status: no such task).
type Cell struct {
	TaskID string `json:"task_id,omitempty"`
	Status string `json:"status"`
}

// Row is one member of the matrix.
type Row struct {
	UserID      string `json:"user_id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Status      string `json:"status"`
	Done        int    `json:"done"`
	Overdue     int    `json:"overdue"`
	Cells       []Cell `json:"cells"`
}

// Matrix is a cohort's progress: members × tasks with status.
type Matrix struct {
	CohortID string   `json:"cohort_id"`
	Name     string   `json:"name"`
	AsOf     string   `json:"as_of"`
	Columns  []Column `json:"columns"`
	Rows     []Row    `json:"rows"`
}

// Matrix returns the cohort's progress matrix. Errors: unauthorized,
// not_found (also for cohorts of other clients).
func (s *Service) Matrix(ctx context.Context, cohortID string) (*Matrix, error) {
	c, progs, _, err := s.visible(ctx, cohortID, false)
	if err != nil {
		return nil, err
	}
	plans, err := s.plans(ctx, c, "", s.newCache(), s.newNames())
	if err != nil {
		return nil, err
	}
	mx := &Matrix{CohortID: c.ID, Name: c.Name, AsOf: s.today().Format(Date), Columns: []Column{}, Rows: []Row{}}
	slugs := map[string]string{}
	for _, prog := range progs {
		slugs[prog.ID] = prog.Slug
	}
	index := map[string]int{}
	for _, pl := range plans { // the members share the plan; the union covers re-synced plans
		for _, t := range pl.Tasks {
			if _, ok := index[t.Key()]; !ok {
				index[t.Key()] = len(mx.Columns)
				mx.Columns = append(mx.Columns, Column{ProgramID: t.ProgramID, Program: slugs[t.ProgramID],
					ProgramName: t.ProgramName, Kind: t.Kind, Slug: t.Slug, Title: t.Title, Day: t.Day, Due: t.Due})
			}
		}
	}
	for _, pl := range plans {
		row := Row{UserID: pl.UserID, Email: pl.Email, DisplayName: pl.DisplayName, Status: pl.Status, Done: pl.Done, Overdue: pl.Overdue,
			Cells: make([]Cell, len(mx.Columns))}
		for _, t := range pl.Tasks {
			row.Cells[index[t.Key()]] = Cell{TaskID: t.ID, Status: t.Status}
		}
		mx.Rows = append(mx.Rows, row)
	}
	return mx, nil
}

// CSV is the matrix as CSV rows: a header, then one row per member. A
// task's header names it as people read it, with its slug in brackets:
// "Card Services: day 1 Read Active listening [module core/active-listening] (due 2026-03-05)".
func (mx *Matrix) CSV() ([]string, [][]string) {
	header := []string{"name", "email", "status", "done", "overdue"}
	for _, c := range mx.Columns {
		header = append(header, fmt.Sprintf("%s: day %d %s [%s %s] (due %s)", c.ProgramName, c.Day,
			capitalize(actionOf(c.Kind))+" "+c.Title, c.Kind, c.Slug, c.Due))
	}
	rows := make([][]string, 0, len(mx.Rows))
	for _, r := range mx.Rows {
		rec := []string{r.DisplayName, r.Email, r.Status, fmt.Sprint(r.Done), fmt.Sprint(r.Overdue)}
		for _, c := range r.Cells {
			rec = append(rec, c.Status)
		}
		rows = append(rows, rec)
	}
	return header, rows
}

// QuizStat is how a cohort does on one quiz.
type QuizStat struct {
	ProgramID string `json:"program_id"`
	Quiz      string `json:"quiz"`  // slug
	Title     string `json:"title"` // the quiz's
	Members   int    `json:"members"`
	Attempted int    `json:"attempted"` // members with a graded attempt
	Passed    int    `json:"passed"`
	// PassRate is passed / attempted (nil before anyone attempted).
	PassRate *float64 `json:"pass_rate"`
	// AverageAttempts is the mean number of graded attempts of the members
	// who attempted (nil before anyone attempted).
	AverageAttempts *float64 `json:"average_attempts"`
}

// Stats is a cohort's quiz and role-play figures.
type Stats struct {
	CohortID     string              `json:"cohort_id"`
	Quizzes      []QuizStat          `json:"quizzes"`
	Competencies []CompetencyAverage `json:"competencies"`
}

// Stats returns a cohort's pass rates and average attempts per quiz and its
// role-play competency averages. Errors: unauthorized, not_found.
func (s *Service) Stats(ctx context.Context, cohortID string) (*Stats, error) {
	c, progs, _, err := s.visible(ctx, cohortID, false)
	if err != nil {
		return nil, err
	}
	members, err := s.store.Members(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	pc, nm := s.newCache(), s.newNames()
	st := &Stats{CohortID: c.ID, Quizzes: []QuizStat{}, Competencies: []CompetencyAverage{}}
	var userIDs, programIDs []string
	for _, m := range members {
		userIDs = append(userIDs, m.UserID)
	}
	for _, prog := range progs {
		programIDs = append(programIDs, prog.ID)
		req, err := s.programs.Requirements(ctx, prog)
		if err != nil {
			return nil, err
		}
		pn, err := nm.program(ctx, prog.ID)
		if err != nil {
			return nil, err
		}
		for _, slug := range req.Quizzes {
			qs := QuizStat{ProgramID: prog.ID, Quiz: slug, Title: pn.item(catalog.ItemQuiz, slug, nil), Members: len(members)}
			attempts := 0
			for _, m := range members {
				p, err := pc.get(ctx, m.UserID, prog.ID)
				if err != nil {
					return nil, err
				}
				if p == nil {
					continue
				}
				for _, q := range p.Quizzes {
					if q.Slug != slug || q.Attempts == 0 {
						continue
					}
					qs.Attempted++
					attempts += q.Attempts
					if q.Passed {
						qs.Passed++
					}
				}
			}
			if qs.Attempted > 0 {
				rate := round2(float64(qs.Passed) / float64(qs.Attempted))
				avg := round2(float64(attempts) / float64(qs.Attempted))
				qs.PassRate, qs.AverageAttempts = &rate, &avg
			}
			st.Quizzes = append(st.Quizzes, qs)
		}
	}
	comps, err := s.competencies.CompetencyAverages(ctx, userIDs, programIDs)
	if err != nil {
		return nil, err
	}
	for i := range comps {
		pn, err := nm.program(ctx, comps[i].ProgramID)
		if err != nil {
			return nil, err
		}
		comps[i].Title = pn.item(catalog.ItemRoleplay, comps[i].Roleplay, nil)
	}
	st.Competencies = append(st.Competencies, comps...)
	return st, nil
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// FailingAttempts is how many graded attempts without a pass put an agent
// at risk on a quiz.
const FailingAttempts = 2

// Risk is an agent at risk and why.
type Risk struct {
	UserID      string   `json:"user_id"`
	Email       string   `json:"email"`
	DisplayName string   `json:"display_name"`
	Status      string   `json:"status"`
	Overdue     int      `json:"overdue"`
	Reasons     []string `json:"reasons"`
}

// AtRisk lists the cohort's agents who are behind (a task overdue) or keep
// failing a quiz (FailingAttempts graded attempts or more without a pass).
// Errors: unauthorized, not_found.
func (s *Service) AtRisk(ctx context.Context, cohortID string) ([]Risk, error) {
	c, progs, _, err := s.visible(ctx, cohortID, false)
	if err != nil {
		return nil, err
	}
	pc, nm := s.newCache(), s.newNames()
	plans, err := s.plans(ctx, c, "", pc, nm)
	if err != nil {
		return nil, err
	}
	out := []Risk{}
	for _, pl := range plans {
		r := Risk{UserID: pl.UserID, Email: pl.Email, DisplayName: pl.DisplayName, Status: pl.Status, Overdue: pl.Overdue,
			Reasons: []string{}}
		for _, t := range pl.Tasks {
			if t.Status == StatusOverdue {
				r.Reasons = append(r.Reasons, fmt.Sprintf("overdue: %s %s (due %s)", actionOf(t.Kind), t.Title, t.Due))
			}
		}
		for _, prog := range progs {
			p, err := pc.get(ctx, pl.UserID, prog.ID)
			if err != nil {
				return nil, err
			}
			if p == nil {
				continue
			}
			pn, err := nm.program(ctx, prog.ID)
			if err != nil {
				return nil, err
			}
			for _, q := range p.Quizzes {
				if !q.Passed && q.Attempts >= FailingAttempts {
					r.Reasons = append(r.Reasons, fmt.Sprintf("failing quiz: %s (%d attempts without a pass)",
						pn.item(catalog.ItemQuiz, q.Slug, nil), q.Attempts))
				}
			}
		}
		if len(r.Reasons) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// Mine is the signed-in agent's onboarding: a plan per cohort and the
// refresher assignments open or closed in the last 30 days.
type Mine struct {
	Plans      []AgentPlan `json:"plans"`
	Refreshers []Refresher `json:"refreshers"`
}

// Mine returns the signed-in user's plans and refreshers. Errors: unauthorized.
func (s *Service) Mine(ctx context.Context) (*Mine, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	out := &Mine{Plans: []AgentPlan{}, Refreshers: []Refresher{}}
	if p.IsMachine() {
		return out, nil
	}
	cs, err := s.store.CohortsOfUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	pc, nm := s.newCache(), s.newNames()
	for i := range cs {
		plans, err := s.plans(ctx, &cs[i], p.UserID, pc, nm)
		if err != nil {
			return nil, err
		}
		out.Plans = append(out.Plans, plans...)
	}
	rs, err := s.store.Refreshers(ctx, p.UserID, s.now().AddDate(0, 0, -30))
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if err := s.refresherStatus(ctx, &rs[i], pc); err != nil {
			return nil, err
		}
	}
	out.Refreshers = rs
	return out, nil
}

// ProgramRefreshers lists a program's open refresher assignments, each
// with its items' status. Errors: unauthorized, not_found, forbidden
// (staff of other clients).
func (s *Service) ProgramRefreshers(ctx context.Context, programID string) ([]Refresher, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	prog, err := s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return nil, err
	}
	if !canView(p, []string{prog.ClientID}) {
		return nil, apperr.E(apperr.Forbidden, "you may not see the refreshers of %s", prog.Name)
	}
	rs, err := s.store.ProgramRefreshers(ctx, programID)
	if err != nil {
		return nil, err
	}
	pc := s.newCache()
	for i := range rs {
		if err := s.refresherStatus(ctx, &rs[i], pc); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// refresherStatus marks each item done or not started from the evidence:
// a module is done when completed at (at least) the version to read or,
// for a module that did not change, at its current version; the quiz when
// passed since the refresher began counting.
func (s *Service) refresherStatus(ctx context.Context, r *Refresher, pc *progressCache) error {
	p, err := pc.get(ctx, r.UserID, r.ProgramID)
	if err != nil {
		return err
	}
	for i := range r.Items {
		it := &r.Items[i]
		it.Status = StatusNotStarted
		if r.ClosedAt != nil {
			it.Status = StatusDone
			continue
		}
		if p == nil {
			continue
		}
		switch it.Kind {
		case ItemModule:
			i := slices.IndexFunc(p.Modules, func(m certification.ModuleStatus) bool { return m.ModuleID == it.ModuleID })
			if i >= 0 && p.Modules[i].CompletedVersion != nil && *p.Modules[i].CompletedVersion >= max(it.ToVersion, 1) &&
				p.Modules[i].Status == certification.ModuleDone {
				it.Status = StatusDone
			}
		case ItemQuiz:
			var last *time.Time
			for _, q := range p.Quizzes {
				if q.Slug == it.Slug {
					last = q.LastPassAt
				}
			}
			if p.Refresher != nil && p.Refresher.Quiz == it.Slug {
				last = p.Refresher.LastPassAt
			}
			if last != nil && !last.Before(r.Since) {
				it.Status = StatusDone
			}
		}
	}
	return nil
}
