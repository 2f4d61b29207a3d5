package roleplay

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/skillgate/skillgate/server/internal/contentfile"
)

// eachText calls f with every text of the scenario that may hold {{vars}}
// (pattern is true for rubric patterns) and stores what f returns.
func (s *Scenario) eachText(f func(text string, pattern bool) string) {
	str := func(p *string) { *p = f(*p, false) }
	strs := func(ps []string, pattern bool) {
		for i := range ps {
			ps[i] = f(ps[i], pattern)
		}
	}
	str(&s.Title)
	str(&s.Summary)
	str(&s.Persona.Name)
	str(&s.Persona.Situation)
	strs(s.Persona.Knows, false)
	for i := range s.Facts {
		str(&s.Facts[i].Label)
		str(&s.Facts[i].Value)
	}
	for i := range s.Turns {
		t := &s.Turns[i]
		str(&t.Customer)
		for j := range t.Choice {
			o := &t.Choice[j]
			str(&o.Text)
			str(&o.Feedback)
			str(&o.Blocker)
		}
		if ft := t.FreeText; ft != nil {
			str(&ft.Prompt)
			for _, es := range [][]Element{ft.Rubric.Required, ft.Rubric.Forbidden} {
				for j := range es {
					str(&es[j].Name)
					str(&es[j].Blocker)
					strs(es[j].Patterns, true)
				}
			}
			for j := range ft.Rubric.Blockers {
				str(&ft.Rubric.Blockers[j].Name)
				str(&ft.Rubric.Blockers[j].Message)
				strs(ft.Rubric.Blockers[j].Patterns, true)
			}
		}
	}
	for i := range s.Endings {
		str(&s.Endings[i].Customer)
		str(&s.Endings[i].Debrief)
		str(&s.Endings[i].DebriefPassed)
	}
}

// resolve builds a client's scenario from the core scenario it extends:
// a deep copy of core with the extension's vars substituted (quoted in
// patterns) and its title, facts and reread applied. Problems are reported
// in the extension's file.
func resolve(ext *extension, core *Scenario, client, program, slug string) (*Scenario, contentfile.Problems) {
	var ps contentfile.Problems
	errf := func(line int, format string, args ...any) {
		ps = append(ps, contentfile.Problem{File: ext.file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	declared := map[string]bool{}
	for _, v := range core.Vars {
		declared[v.Name] = true
		if _, ok := ext.vars[v.Name]; !ok {
			errf(ext.varsLine, "vars: %s is missing (core/%s declares it: %s)", v.Name, core.Slug, v.Description)
		}
	}
	names := make([]string, 0, len(ext.vars))
	for name := range ext.vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !declared[name] {
			errf(ext.varLines[name], "vars: core/%s declares no variable %q", core.Slug, name)
		}
	}
	raw, err := json.Marshal(core)
	if err != nil {
		return nil, append(ps, contentfile.Problem{File: ext.file, Line: ext.line, Message: err.Error()})
	}
	s := &Scenario{}
	if err := json.Unmarshal(raw, s); err != nil {
		return nil, append(ps, contentfile.Problem{File: ext.file, Line: ext.line, Message: err.Error()})
	}
	s.Client, s.Program, s.Slug, s.Extends, s.Vars = client, program, slug, "core/"+core.Slug, nil
	s.File, s.lines = ext.file, map[string]int{}
	if ext.hasTitle {
		s.Title = ext.title
	}
	if ext.hasFacts {
		s.Facts = ext.facts
	}
	if ext.hasReread {
		s.Reread = ext.reread
		for _, r := range s.Reread {
			if _, ok := s.weight(r.Competency); !ok {
				errf(r.Line, "reread names competency %q, which core/%s does not declare", r.Competency, core.Slug)
			}
			if !rereadRE.MatchString(r.Target) {
				errf(r.Line, "reread target %q must look like module#heading or core/module", r.Target)
			}
		}
	} else {
		for i := range s.Reread { // the copy lost where the core wrote them
			s.Reread[i].File, s.Reread[i].Line = core.Reread[i].File, core.Reread[i].Line
		}
	}
	s.eachText(func(text string, pattern bool) string {
		return varRE.ReplaceAllStringFunc(text, func(m string) string {
			name := varRE.FindStringSubmatch(m)[1]
			v, ok := ext.vars[name]
			switch {
			case !ok:
				if !declared[name] {
					errf(ext.line, "{{%s}} is used but core/%s declares no such variable", name, core.Slug)
				}
				return m
			case pattern:
				return regexp.QuoteMeta(v)
			}
			return v
		})
	})
	if len(ps) > 0 {
		return nil, ps
	}
	for _, t := range s.Turns {
		if t.FreeText == nil {
			continue
		}
		r := t.FreeText.Rubric
		var all []string
		for _, e := range append(append([]Element{}, r.Required...), r.Forbidden...) {
			all = append(all, e.Patterns...)
		}
		for _, b := range r.Blockers {
			all = append(all, b.Patterns...)
		}
		for _, p := range all {
			if _, err := compilePattern(p); err != nil {
				errf(ext.line, "with these vars, a pattern of turn %q of core/%s fails: %q: %v", t.ID, core.Slug, p, err)
			}
		}
	}
	return s, ps
}
