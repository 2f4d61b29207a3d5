package roleplay

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/contentfile"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

func validSlug(s string) bool { return catalog.ValidSlug(s) }

// rereadRE is "<module>#<heading>", "core/<module>" or "core/<module>#<heading>".
var rereadRE = regexp.MustCompile(`^(core/)?[a-z0-9][a-z0-9-]*(#[a-z0-9][a-z0-9-]*)?$`)

// checker collects a scenario's problems at its lines.
type checker struct {
	s  *Scenario
	ps contentfile.Problems
}

func (c *checker) errf(line int, format string, args ...any) {
	c.ps = append(c.ps, contentfile.Problem{File: c.s.File, Line: line, Message: fmt.Sprintf(format, args...)})
}

// check validates a parsed scenario: ids, references, competencies and
// weights, pass rules, patterns, and the graph (every turn reachable from
// start, every path able to end). Core scenarios' {{vars}} must be declared.
func check(s *Scenario) contentfile.Problems {
	c := &checker{s: s}
	c.ids()
	c.competencies()
	before := len(c.ps)
	c.references()
	if len(c.ps) == before { // the graph is only walked when every id resolves
		c.graph()
	}
	c.patterns()
	c.vars()
	return c.ps
}

func (c *checker) ids() {
	s := c.s
	seen := map[string]int{}
	see := func(id string, line int) {
		switch {
		case id == "":
		case !validSlug(id):
			c.errf(line, "id %q is not a slug (lowercase letters, digits and hyphens)", id)
		case seen[id] != 0:
			c.errf(line, "id %q is used twice (first on line %d)", id, seen[id])
		default:
			seen[id] = line
		}
	}
	for _, t := range s.Turns {
		see(t.ID, t.Line)
	}
	for _, e := range s.Endings {
		see(e.ID, e.Line)
	}
	if len(s.Turns) == 0 && s.lines["turns"] != 0 {
		c.errf(s.line("turns"), "turns must list at least one turn")
	}
	if len(s.Endings) == 0 && s.lines["endings"] != 0 {
		c.errf(s.line("endings"), "endings must list at least one ending")
	}
}

func (c *checker) competencies() {
	s := c.s
	if len(s.Competencies) == 0 {
		if s.lines["competencies"] != 0 {
			c.errf(s.line("competencies"), "competencies must name at least one competency")
		}
		return
	}
	sum := 0
	for _, k := range s.Competencies {
		if !validSlug(k.Name) {
			c.errf(k.Line, "competency %q is not a slug", k.Name)
		}
		if k.Weight < 1 || k.Weight > 100 {
			c.errf(k.Line, "the weight of %s must be 1..100, got %d", k.Name, k.Weight)
		}
		sum += k.Weight
	}
	if sum != 100 {
		c.errf(s.line("competencies"), "competency weights must sum to 100, they sum to %d", sum)
	}
	declared := func(name string, line int, where string) {
		if _, ok := s.weight(name); !ok {
			c.errf(line, "%s names competency %q, which competencies does not declare", where, name)
		}
	}
	for name := range s.Pass.Minimums {
		declared(name, s.line("pass"), "pass.minimums")
	}
	for _, r := range s.Reread {
		declared(r.Competency, r.Line, "reread")
		if !rereadRE.MatchString(r.Target) {
			c.errf(r.Line, "reread target %q must look like module#heading or core/module", r.Target)
		}
	}
	for _, t := range s.Turns {
		for _, o := range t.Choice {
			for name := range o.Points {
				declared(name, o.pointLines[name], "points")
			}
		}
		if t.FreeText != nil {
			for _, e := range slices.Concat(t.FreeText.Rubric.Required, t.FreeText.Rubric.Forbidden) {
				declared(e.Competency, e.Line, "rubric element "+strconv.Quote(e.Name))
			}
		}
	}
}

// target reports whether id names a turn or an ending.
func (c *checker) target(id string) bool {
	return c.s.turn(id) != nil || c.s.ending(id) != nil
}

func (c *checker) references() {
	s := c.s
	if s.Start != "" && s.turn(s.Start) == nil {
		c.errf(s.line("start"), "start %q names no turn", s.Start)
	}
	for _, t := range s.Turns {
		for _, o := range t.Choice {
			if o.Next != "" && !c.target(o.Next) {
				c.errf(o.nextLine, "next %q names no turn or ending", o.Next)
			}
		}
		if ft := t.FreeText; ft != nil && ft.Next != "" && !c.target(ft.Next) {
			c.errf(ft.nextLine, "next %q names no turn or ending", ft.Next)
		}
	}
	if h := s.Hangup; h != nil {
		if _, ok := moodValue(h.At); !ok {
			c.errf(h.Line, "hangup.at: unknown mood %q (known: %s)", h.At, strings.Join(moods, ", "))
		}
		if s.ending(h.Ending) == nil {
			c.errf(h.Line, "hangup.ending %q names no ending", h.Ending)
		}
	}
	for _, o := range s.Pass.Outcomes {
		if !slices.ContainsFunc(s.Endings, func(e Ending) bool { return e.Outcome == o }) {
			c.errf(s.line("pass"), "pass.outcomes names %q, which no ending has", o)
		}
	}
	// A debrief is read after a run that passed or after one that failed, never both: an ending a run can
	// pass at needs one for each, so a failed run is never praised for what it did not do.
	for _, e := range s.Endings {
		canPass := slices.Contains(s.Pass.Outcomes, e.Outcome)
		switch {
		case canPass && e.DebriefPassed == "":
			c.errf(e.Line, "ending %q can pass (pass.outcomes has %q), but a run that ends here can still fail on a blocker, a minimum or the overall score: write its debrief as passed: and failed:", e.ID, e.Outcome)
		case !canPass && e.DebriefPassed != "":
			c.errf(e.Line, "ending %q never passes (pass.outcomes lacks %q): write its debrief as one text for a failed run, without passed:", e.ID, e.Outcome)
		}
	}
}

// patterns compiles every rubric pattern. A core scenario's {{vars}} are
// compiled with a stand-in value; the resolved scenario is compiled again.
func (c *checker) patterns() {
	for _, t := range c.s.Turns {
		if t.FreeText == nil {
			continue
		}
		r := t.FreeText.Rubric
		for _, e := range slices.Concat(r.Required, r.Forbidden) {
			c.compile(e.Line, e.Patterns)
		}
		for _, b := range r.Blockers {
			c.compile(b.Line, b.Patterns)
		}
	}
}

func (c *checker) compile(line int, patterns []string) {
	for _, p := range patterns {
		p = varRE.ReplaceAllString(p, "x")
		if _, err := compilePattern(p); err != nil {
			c.errf(line, "pattern %q: %v", p, err)
		}
	}
}

// compilePattern compiles a rubric pattern: a Go regular expression of at
// most quiz.MaxPatternLen bytes, matched case-insensitively anywhere.
func compilePattern(p string) (*regexp.Regexp, error) {
	if len(p) > quiz.MaxPatternLen {
		return nil, fmt.Errorf("longer than %d bytes", quiz.MaxPatternLen)
	}
	if p == "" {
		return nil, fmt.Errorf("empty")
	}
	if _, err := regexp.Compile(p); err != nil {
		return nil, fmt.Errorf("not a valid Go regular expression: %w", err)
	}
	return regexp.Compile(`(?i:` + p + `)`)
}

// edges are a turn's next ids.
func edges(t *Turn) []string {
	if t.FreeText != nil {
		return []string{t.FreeText.Next}
	}
	out := make([]string, 0, len(t.Choice))
	for _, o := range t.Choice {
		out = append(out, o.Next)
	}
	return out
}

// graph checks that every turn is reachable from start and that from every
// turn some path leads to an ending (so no cycle traps the call).
func (c *checker) graph() {
	s := c.s
	if s.turn(s.Start) == nil {
		return
	}
	reached := map[string]bool{s.Start: true}
	queue := []string{s.Start}
	for len(queue) > 0 {
		t := s.turn(queue[0])
		queue = queue[1:]
		if t == nil {
			continue
		}
		for _, n := range edges(t) {
			if !reached[n] {
				reached[n] = true
				queue = append(queue, n)
			}
		}
	}
	// ends: turns with a path to an ending, grown to a fixed point.
	ends := map[string]bool{}
	for _, e := range s.Endings {
		ends[e.ID] = true
	}
	for changed := true; changed; {
		changed = false
		for _, t := range s.Turns {
			if ends[t.ID] {
				continue
			}
			if slices.ContainsFunc(edges(&t), func(n string) bool { return ends[n] }) {
				ends[t.ID], changed = true, true
			}
		}
	}
	for _, t := range s.Turns {
		switch {
		case t.ID == "":
		case !reached[t.ID]:
			c.errf(t.Line, "turn %q is not reachable from start %q", t.ID, s.Start)
		case !ends[t.ID] && len(edges(&t)) > 0:
			c.errf(t.Line, "turn %q never reaches an ending: every path from it loops (a cycle with no exit)", t.ID)
		}
	}
}

// varRE finds {{name}} uses.
var varRE = regexp.MustCompile(`\{\{\s*([a-z0-9_-]*)\s*\}\}`)

// vars checks that a core scenario uses only variables it declares, and
// that a client's scenario (which cannot declare any) uses none.
func (c *checker) vars() {
	declared := map[string]bool{}
	for _, v := range c.s.Vars {
		declared[v.Name] = true
	}
	if len(c.s.Vars) > 0 && c.s.Client != "" {
		c.errf(c.s.line("vars"), "only core scenarios (in %s/) declare vars; a client's file supplies them with extends", CoreFolder)
	}
	reported := map[string]bool{}
	c.s.eachText(func(s string, _ bool) string {
		for _, m := range varRE.FindAllStringSubmatch(s, -1) {
			if !declared[m[1]] && !reported[m[1]] {
				reported[m[1]] = true
				c.errf(c.s.line("vars"), "{{%s}} is used but not declared in vars", m[1])
			}
		}
		return s
	})
}
