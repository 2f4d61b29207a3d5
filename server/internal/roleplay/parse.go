package roleplay

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skillgate/skillgate/server/internal/contentfile"
)

var scenarioKeys = []string{"title", "summary", "persona", "facts", "competencies", "pass", "attempts_allowed",
	"wait_between_attempts", "start", "turns", "endings", "hangup", "reread", "vars"}

// extensionKeys are what a client file that extends a core scenario may say.
var extensionKeys = []string{"extends", "vars", "title", "facts", "reread"}

// extension is a client file that reuses a core scenario.
type extension struct {
	file       string
	core       string // the core scenario's slug
	line       int    // the extends line
	vars       map[string]string
	varLines   map[string]int
	varsLine   int
	title      string
	hasTitle   bool
	facts      []Fact
	hasFacts   bool
	reread     []Reread
	hasReread  bool
	titleLine  int
	factsLine  int
	rereadLine int
}

// parseFile reads one scenario file: a whole scenario, or (for a client
// file with extends:) an extension to resolve against its core scenario.
func parseFile(file string, data []byte) (*Scenario, *extension, contentfile.Problems) {
	d := contentfile.NewDecoder(file)
	root := d.Document(data)
	if root == nil {
		return nil, nil, d.Problems()
	}
	if root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "extends" {
				ext := parseExtension(d, root)
				return nil, ext, d.Problems()
			}
		}
	}
	s := parseScenario(d, root)
	return s, nil, d.Problems()
}

func parseExtension(d *contentfile.Decoder, root *yaml.Node) *extension {
	ext := &extension{file: d.File(), vars: map[string]string{}, varLines: map[string]int{}}
	for _, f := range d.Fields(root, "the scenario", extensionKeys...) {
		switch f.Key {
		case "extends":
			ext.line = f.K.Line
			ref := d.Str(f.V, f.Key)
			slug, ok := strings.CutPrefix(ref, "core/")
			if !ok || !validSlug(slug) {
				d.Errf(f.V, "extends must name a core scenario as core/<slug>, got %q", ref)
				continue
			}
			ext.core = slug
		case "vars":
			ext.varsLine = f.K.Line
			for _, v := range d.Pairs(f.V, "vars") {
				ext.vars[v.Key] = d.Str(v.V, "vars."+v.Key)
				ext.varLines[v.Key] = v.K.Line
			}
		case "title":
			ext.title, ext.hasTitle, ext.titleLine = d.Str(f.V, f.Key), true, f.K.Line
		case "facts":
			ext.facts, ext.hasFacts, ext.factsLine = parseFacts(d, f.V), true, f.K.Line
		case "reread":
			ext.reread, ext.hasReread, ext.rereadLine = parseReread(d, f.V), true, f.K.Line
		}
	}
	if ext.varsLine == 0 {
		ext.varsLine = ext.line
	}
	return ext
}

func parseScenario(d *contentfile.Decoder, root *yaml.Node) *Scenario {
	s := &Scenario{File: d.File(), lines: map[string]int{}}
	for _, f := range d.Fields(root, "the scenario", scenarioKeys...) {
		s.lines[f.Key] = f.K.Line
		switch f.Key {
		case "title":
			s.Title = d.Str(f.V, f.Key)
		case "summary":
			s.Summary = d.Str(f.V, f.Key)
		case "persona":
			s.Persona = parsePersona(d, f.V)
		case "facts":
			s.Facts = parseFacts(d, f.V)
		case "competencies":
			for _, c := range d.Pairs(f.V, f.Key) {
				s.Competencies = append(s.Competencies, Competency{Name: c.Key, Weight: d.Int(c.V, "the weight of "+c.Key), Line: c.K.Line})
			}
		case "pass":
			s.Pass = parsePass(d, f.V)
		case "attempts_allowed":
			s.AttemptsAllowed = d.Int(f.V, f.Key)
			if s.AttemptsAllowed < 0 {
				d.Errf(f.V, "attempts_allowed must be ≥ 0 (0 = unlimited), got %d", s.AttemptsAllowed)
			}
		case "wait_between_attempts":
			s.WaitBetweenAttempts = d.Duration(f.V, f.Key)
		case "start":
			s.Start = d.Str(f.V, f.Key)
		case "turns":
			for _, n := range d.Seq(f.V, f.Key) {
				s.Turns = append(s.Turns, parseTurn(d, n))
			}
		case "endings":
			for _, n := range d.Seq(f.V, f.Key) {
				s.Endings = append(s.Endings, parseEnding(d, n))
			}
		case "hangup":
			h := &Hangup{Line: f.K.Line}
			for _, g := range d.Fields(f.V, "hangup", "at", "ending") {
				if g.Key == "at" {
					h.At = d.Str(g.V, "hangup.at")
				} else {
					h.Ending = d.Str(g.V, "hangup.ending")
				}
			}
			s.Hangup = h
		case "reread":
			s.Reread = parseReread(d, f.V)
		case "vars":
			for _, v := range d.Pairs(f.V, f.Key) {
				s.Vars = append(s.Vars, Var{Name: v.Key, Description: d.Str(v.V, "vars."+v.Key)})
			}
		}
	}
	for _, k := range []string{"title", "persona", "competencies", "pass", "start", "turns", "endings"} {
		if _, ok := s.lines[k]; !ok {
			d.Errf(root, "%s is required", k)
		}
	}
	return s
}

func parsePersona(d *contentfile.Decoder, n *yaml.Node) Persona {
	var p Persona
	seen := map[string]bool{}
	for _, f := range d.Fields(n, "persona", "name", "situation", "mood", "knows") {
		seen[f.Key] = true
		switch f.Key {
		case "name":
			p.Name = d.Str(f.V, "persona.name")
		case "situation":
			p.Situation = strings.TrimSpace(d.Str(f.V, "persona.situation"))
		case "mood":
			p.Mood = d.Str(f.V, "persona.mood")
			if _, ok := moodValue(p.Mood); !ok {
				d.Errf(f.V, "unknown mood %q (known: %s)", p.Mood, strings.Join(moods, ", "))
			}
		case "knows":
			p.Knows = d.Strs(f.V, "persona.knows")
		}
	}
	for _, k := range []string{"name", "mood"} {
		if !seen[k] && n.Kind == yaml.MappingNode {
			d.Errf(n, "persona.%s is required", k)
		}
	}
	return p
}

func parseFacts(d *contentfile.Decoder, n *yaml.Node) []Fact {
	facts := []Fact{}
	for _, f := range d.Pairs(n, "facts") {
		facts = append(facts, Fact{Label: f.Key, Value: d.Str(f.V, "facts."+f.Key)})
	}
	return facts
}

func parseReread(d *contentfile.Decoder, n *yaml.Node) []Reread {
	var out []Reread
	for _, f := range d.Pairs(n, "reread") {
		out = append(out, Reread{Competency: f.Key, Target: d.Str(f.V, "reread."+f.Key), File: d.File(), Line: f.K.Line})
	}
	return out
}

func parsePass(d *contentfile.Decoder, n *yaml.Node) PassRule {
	var p PassRule
	for _, f := range d.Fields(n, "pass", "overall", "minimums", "outcomes") {
		switch f.Key {
		case "overall":
			p.Overall = d.Int(f.V, "pass.overall")
			if p.Overall < 0 || p.Overall > 100 {
				d.Errf(f.V, "pass.overall must be 0..100, got %d", p.Overall)
			}
		case "minimums":
			p.Minimums = map[string]int{}
			for _, m := range d.Pairs(f.V, "pass.minimums") {
				v := d.Int(m.V, "pass.minimums."+m.Key)
				if v < 0 || v > 100 {
					d.Errf(m.V, "a minimum must be 0..100, got %d", v)
				}
				p.Minimums[m.Key] = v
			}
		case "outcomes":
			for _, o := range d.Seq(f.V, "pass.outcomes") {
				name := d.Str(o, "an outcome")
				if !contains(outcomes, name) {
					d.Errf(o, "unknown outcome %q (known: %s)", name, strings.Join(outcomes, ", "))
				}
				p.Outcomes = append(p.Outcomes, name)
			}
		}
	}
	if len(p.Outcomes) == 0 && n.Kind == yaml.MappingNode {
		d.Errf(n, "pass.outcomes must name at least one outcome")
	}
	return p
}

func parseTurn(d *contentfile.Decoder, n *yaml.Node) Turn {
	t := Turn{Line: n.Line}
	var agent *yaml.Node
	for _, f := range d.Fields(n, "a turn", "id", "customer", "mood", "agent") {
		switch f.Key {
		case "id":
			t.ID = d.Str(f.V, "id")
		case "customer":
			t.Customer = strings.TrimSpace(d.Str(f.V, "customer"))
		case "mood":
			t.Mood = d.Str(f.V, "mood")
			if _, ok := moodValue(t.Mood); !ok {
				d.Errf(f.V, "unknown mood %q (known: %s)", t.Mood, strings.Join(moods, ", "))
			}
		case "agent":
			agent = f.V
		}
	}
	if t.ID == "" {
		d.Errf(n, "a turn needs an id")
	}
	if t.Customer == "" {
		d.Errf(n, "turn %q needs the customer's line", t.ID)
	}
	if agent == nil {
		d.Errf(n, "turn %q needs an agent part (choice or free_text)", t.ID)
		return t
	}
	fs := d.Fields(agent, "agent", "choice", "free_text")
	if len(fs) != 1 {
		d.Errf(agent, "turn %q: agent needs exactly one of choice, free_text", t.ID)
	}
	for _, f := range fs {
		if f.Key == "choice" {
			items := d.Seq(f.V, "choice")
			if len(items) == 0 {
				d.Errf(f.V, "turn %q: a choice needs at least one option", t.ID)
			}
			for i, o := range items {
				t.Choice = append(t.Choice, parseOption(d, o, i))
			}
		} else {
			t.FreeText = parseFreeText(d, f.V)
		}
	}
	return t
}

func parseOption(d *contentfile.Decoder, n *yaml.Node, i int) Option {
	o := Option{ID: string(rune('a' + i%26)), Line: n.Line}
	if i >= 26 {
		o.ID += string(rune('a' + i/26 - 1))
	}
	for _, f := range d.Fields(n, "an option", "text", "points", "mood", "next", "feedback", "blocker") {
		switch f.Key {
		case "text":
			o.Text = strings.TrimSpace(d.Str(f.V, "text"))
		case "points":
			o.Points, o.pointLines = parsePoints(d, f.V)
		case "mood":
			o.Mood = d.Int(f.V, "mood (a change such as +1 or -2)")
		case "next":
			o.Next, o.nextLine = d.Str(f.V, "next"), f.V.Line
		case "feedback":
			o.Feedback = strings.TrimSpace(d.Str(f.V, "feedback"))
		case "blocker":
			o.Blocker = strings.TrimSpace(d.Str(f.V, "blocker"))
		}
	}
	if o.Text == "" {
		d.Errf(n, "an option needs a text")
	}
	if o.Next == "" {
		d.Errf(n, "an option needs next (a turn or an ending)")
	}
	return o
}

// parsePoints returns competency → points, and the line of each.
func parsePoints(d *contentfile.Decoder, n *yaml.Node) (map[string]int, map[string]int) {
	out, lines := map[string]int{}, map[string]int{}
	for _, f := range d.Pairs(n, "points") {
		out[f.Key] = d.Int(f.V, "points."+f.Key)
		lines[f.Key] = f.K.Line
	}
	return out, lines
}

func parseFreeText(d *contentfile.Decoder, n *yaml.Node) *FreeText {
	ft := &FreeText{}
	for _, f := range d.Fields(n, "free_text", "prompt", "rubric", "mood", "next") {
		switch f.Key {
		case "prompt":
			ft.Prompt = strings.TrimSpace(d.Str(f.V, "prompt"))
		case "rubric":
			for _, g := range d.Fields(f.V, "rubric", "required", "forbidden", "blockers") {
				switch g.Key {
				case "required":
					for _, e := range d.Seq(g.V, "required") {
						ft.Rubric.Required = append(ft.Rubric.Required, parseElement(d, e, true))
					}
				case "forbidden":
					for _, e := range d.Seq(g.V, "forbidden") {
						ft.Rubric.Forbidden = append(ft.Rubric.Forbidden, parseElement(d, e, false))
					}
				case "blockers":
					for _, e := range d.Seq(g.V, "blockers") {
						ft.Rubric.Blockers = append(ft.Rubric.Blockers, parseRule(d, e))
					}
				}
			}
		case "mood":
			for _, g := range d.Fields(f.V, "free_text.mood", "all_required", "forbidden") {
				if g.Key == "all_required" {
					ft.MoodAllRequired = d.Int(g.V, "mood.all_required")
				} else {
					ft.MoodForbidden = d.Int(g.V, "mood.forbidden")
				}
			}
		case "next":
			ft.Next, ft.nextLine = d.Str(f.V, "next"), f.V.Line
		}
	}
	if ft.Prompt == "" {
		d.Errf(n, "free_text needs a prompt")
	}
	if ft.Next == "" {
		d.Errf(n, "free_text needs next (a turn or an ending)")
	}
	if len(ft.Rubric.Required) == 0 {
		d.Errf(n, "free_text needs a rubric with at least one required element")
	}
	return ft
}

func parseElement(d *contentfile.Decoder, n *yaml.Node, required bool) Element {
	e := Element{Line: n.Line}
	keys := []string{"name", "competency", "points", "patterns"}
	if required {
		keys = append(keys, "blocker")
	}
	for _, f := range d.Fields(n, "a rubric element", keys...) {
		switch f.Key {
		case "name":
			e.Name = d.Str(f.V, "name")
		case "competency":
			e.Competency = d.Str(f.V, "competency")
		case "points":
			e.Points = d.Int(f.V, "points")
			if e.Points < 0 {
				d.Errf(f.V, "points must be ≥ 0 (a forbidden element costs its points), got %d", e.Points)
			}
		case "patterns":
			e.Patterns = d.Strs(f.V, "patterns")
		case "blocker":
			e.Blocker = strings.TrimSpace(d.Str(f.V, "blocker"))
		}
	}
	if e.Name == "" || e.Competency == "" || len(e.Patterns) == 0 {
		d.Errf(n, "a rubric element needs name, competency and patterns")
	}
	return e
}

func parseRule(d *contentfile.Decoder, n *yaml.Node) Rule {
	r := Rule{Line: n.Line}
	for _, f := range d.Fields(n, "a blocker", "name", "patterns", "message") {
		switch f.Key {
		case "name":
			r.Name = d.Str(f.V, "name")
		case "patterns":
			r.Patterns = d.Strs(f.V, "patterns")
		case "message":
			r.Message = strings.TrimSpace(d.Str(f.V, "message"))
		}
	}
	if r.Name == "" || r.Message == "" || len(r.Patterns) == 0 {
		d.Errf(n, "a blocker needs name, patterns and message")
	}
	return r
}

func parseEnding(d *contentfile.Decoder, n *yaml.Node) Ending {
	e := Ending{Line: n.Line}
	for _, f := range d.Fields(n, "an ending", "id", "outcome", "customer", "debrief") {
		switch f.Key {
		case "id":
			e.ID = d.Str(f.V, "id")
		case "outcome":
			e.Outcome = d.Str(f.V, "outcome")
			if !contains(outcomes, e.Outcome) {
				d.Errf(f.V, "unknown outcome %q (known: %s)", e.Outcome, strings.Join(outcomes, ", "))
			}
		case "customer":
			e.Customer = strings.TrimSpace(d.Str(f.V, "customer"))
		case "debrief":
			if f.V.Kind != yaml.MappingNode {
				e.Debrief = strings.TrimSpace(d.Str(f.V, "debrief"))
				break
			}
			for _, g := range d.Fields(f.V, "a debrief", "passed", "failed") {
				switch g.Key {
				case "passed":
					e.DebriefPassed = strings.TrimSpace(d.Str(g.V, "debrief.passed"))
				case "failed":
					e.Debrief = strings.TrimSpace(d.Str(g.V, "debrief.failed"))
				}
			}
			if e.DebriefPassed == "" || e.Debrief == "" {
				d.Errf(f.V, "a debrief written as a mapping needs both passed: and failed:")
			}
		}
	}
	if e.ID == "" || e.Outcome == "" || e.Debrief == "" && e.DebriefPassed == "" {
		d.Errf(n, "an ending needs id, outcome and debrief")
	}
	return e
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
