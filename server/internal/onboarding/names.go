package onboarding

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/notify"
)

// programNames is what people read for one program and its items.
type programNames struct {
	id, name string
	// titles by "module/<module id>", "quiz/<slug>", "roleplay/<slug>".
	titles map[string]string
}

// names reads each program's names once per request or job pass.
type names struct {
	s *Service
	m map[string]*programNames
}

func (s *Service) newNames() *names { return &names{s: s, m: map[string]*programNames{}} }

// program returns the program's names. Errors: not_found (no such program).
func (n *names) program(ctx context.Context, programID string) (*programNames, error) {
	if pn, ok := n.m[programID]; ok {
		return pn, nil
	}
	prog, err := n.s.programs.ProgramByID(ctx, programID)
	if err != nil {
		return nil, fmt.Errorf("onboarding: program %s: %w", programID, err)
	}
	req, err := n.s.programs.Requirements(ctx, prog)
	if err != nil {
		return nil, fmt.Errorf("onboarding: requirements of %s: %w", prog.Name, err)
	}
	pn := &programNames{id: prog.ID, name: prog.Name, titles: map[string]string{}}
	for _, m := range req.Modules {
		pn.titles[catalog.ItemModule+"/"+m.ModuleID] = m.Title
	}
	if n.s.titles != nil {
		quizzes, err := n.s.titles.QuizTitles(ctx, prog.ID)
		if err != nil {
			return nil, fmt.Errorf("onboarding: quiz titles of %s: %w", prog.Name, err)
		}
		roleplays, err := n.s.titles.RoleplayTitles(ctx, prog.ID)
		if err != nil {
			return nil, fmt.Errorf("onboarding: role-play titles of %s: %w", prog.Name, err)
		}
		for slug, t := range quizzes {
			pn.titles[catalog.ItemQuiz+"/"+slug] = t
		}
		for slug, t := range roleplays {
			pn.titles[catalog.ItemRoleplay+"/"+slug] = t
		}
	}
	n.m[programID] = pn
	return pn, nil
}

// item is the title of a program's module (by id), quiz or role-play (by
// slug); the slug when it has no title (not imported yet).
func (pn *programNames) item(kind, slug string, moduleID *string) string {
	key := kind + "/" + slug
	if kind == catalog.ItemModule && moduleID != nil {
		key = kind + "/" + *moduleID
	}
	if t := pn.titles[key]; t != "" {
		return t
	}
	return slug
}

// task is what a person reads for the task: "Read Active listening".
func (pn *programNames) task(t *Task) string {
	return capitalize(actionOf(t.Kind)) + " " + pn.item(t.Kind, t.Slug, t.ModuleID)
}

// TaskText is a task as people read it, from its kind and title: "Read
// Active listening", "Pass Card services quiz".
func TaskText(kind, title string) string { return capitalize(actionOf(kind)) + " " + title }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// taskLink is the web app's page where the task is done: the module's
// reader, or the program page where its quizzes and role-plays start.
func taskLink(t *Task) string {
	if t.Kind == catalog.ItemModule && t.ModuleID != nil {
		return "/training/" + t.ProgramID + "/modules/" + *t.ModuleID
	}
	return "/training/" + t.ProgramID
}

// PlanLink is the agent's onboarding plan in the web app.
const PlanLink = "/training"

// dayText is a due day as the notices write it, in the web app's one date
// format: "Mar 5, 2026".
func dayText(d time.Time) string { return d.Format(notify.PeopleDay) }
