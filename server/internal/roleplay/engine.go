package roleplay

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// MaxAnswerLen is the longest free-text answer accepted, in bytes.
const MaxAnswerLen = 2000

// Turn kinds, as an agent sees them.
const (
	KindChoice   = "choice"
	KindFreeText = "free_text"
)

// Step is one played turn: what the customer said, what the agent answered,
// and (server-side until the run ends) what it earned.
type Step struct {
	Index     int    `json:"index"`
	TurnID    string `json:"turn_id"`
	Customer  string `json:"customer"`
	Mood      string `json:"mood"` // the customer's mood when they spoke
	Kind      string `json:"kind"`
	OptionID  string `json:"option_id,omitempty"`
	AgentText string `json:"agent_text"`
	MoodAfter string `json:"mood_after"`
	// Earned and Possible are points per competency on this turn: what the
	// answer earned, and the most any answer could have earned.
	Earned   map[string]int `json:"earned"`
	Possible map[string]int `json:"possible"`
	Feedback []string       `json:"feedback"`
	Blockers []string       `json:"blockers"`
}

// Reason kinds: why a run did not pass.
const (
	ReasonBlocker = "blocker"
	ReasonOutcome = "outcome"
	ReasonOverall = "overall"
	ReasonMinimum = "minimum"
)

// Reason is one reason a run did not pass.
type Reason struct {
	Kind       string `json:"kind"`
	Message    string `json:"message"`
	TurnIndex  *int   `json:"turn_index,omitempty"` // blockers: the step it fired on
	TurnID     string `json:"turn_id,omitempty"`
	Competency string `json:"competency,omitempty"`
}

// CompetencyScore is a competency's score over the turns played.
type CompetencyScore struct {
	Competency string  `json:"competency"`
	Weight     int     `json:"weight"`
	Earned     int     `json:"earned"`
	Possible   int     `json:"possible"`
	Score      float64 `json:"score"`             // percent, 0..100, two decimals
	Minimum    *int    `json:"minimum,omitempty"` // pass.minimums
	Exercised  bool    `json:"exercised"`         // false: left out of the overall score
	Overridden bool    `json:"overridden,omitempty"`
}

// Score is a finished run's evaluation.
type Score struct {
	Competencies []CompetencyScore `json:"competencies"`
	Overall      float64           `json:"overall"`
	Passed       bool              `json:"passed"`
	Reasons      []Reason          `json:"reasons"`
	Reread       []Reread          `json:"reread"`
}

// enter returns the mood once turn id is reached (a turn may set it).
func (s *Scenario) enter(id string, mood int) int {
	if t := s.turn(id); t != nil && t.Mood != "" {
		v, _ := moodValue(t.Mood)
		return v
	}
	return mood
}

// begin is where a run of the scenario starts: the start turn and the mood
// once it is reached.
func (s *Scenario) begin() (string, int) {
	mood, _ := moodValue(s.Persona.Mood)
	return s.Start, s.enter(s.Start, mood)
}

// advance is the run's state machine, for real runs and test runs alike:
// it plays the answer to the current turn cur (the index-th answer) at mood
// and returns the step, then either the ending reached (the call is over;
// the mood is the one the answer left) or the next turn and the mood once
// it is reached. Errors: invalid (see answer); an unknown turn is a defect.
func (s *Scenario) advance(cur string, index, mood int, optionID, text string) (Step, *Ending, string, int, error) {
	t := s.turn(cur)
	if t == nil {
		return Step{}, nil, "", 0, fmt.Errorf("roleplay: unknown turn %q", cur)
	}
	st, next, mood, err := s.answer(t, index, mood, optionID, text)
	if err != nil {
		return st, nil, "", 0, err
	}
	if e := s.ending(next); e != nil {
		return st, e, "", mood, nil
	}
	return st, nil, next, s.enter(next, mood), nil
}

// answer plays the agent's answer to turn t at mood. It returns the step,
// the id of what comes next (a turn or an ending) and the new mood; the
// call hangs up (next is the hangup ending) when the answer lowered the
// mood to hangup.at or below. Errors: invalid (unknown option, empty or
// too long text, or the wrong kind of answer).
func (s *Scenario) answer(t *Turn, index, mood int, optionID, text string) (Step, string, int, error) {
	st := Step{Index: index, TurnID: t.ID, Customer: t.Customer, Mood: moodName(mood),
		Earned: map[string]int{}, Possible: map[string]int{}, Feedback: []string{}, Blockers: []string{}}
	var next string
	delta := 0
	switch {
	case t.FreeText == nil:
		if text != "" || optionID == "" {
			return st, "", 0, apperr.Invalidf("option_id", "this turn is a choice: send option_id")
		}
		i := slices.IndexFunc(t.Choice, func(o Option) bool { return o.ID == optionID })
		if i < 0 {
			return st, "", 0, apperr.Invalidf("option_id", "no option %q on this turn", optionID)
		}
		o := t.Choice[i]
		st.Kind, st.OptionID, st.AgentText = KindChoice, o.ID, o.Text
		for _, opt := range t.Choice {
			for c, p := range opt.Points {
				st.Possible[c] = max(st.Possible[c], p)
			}
		}
		for c, p := range o.Points {
			st.Earned[c] = p
		}
		if o.Feedback != "" {
			st.Feedback = append(st.Feedback, o.Feedback)
		}
		if o.Blocker != "" {
			st.Blockers = append(st.Blockers, o.Blocker)
		}
		next, delta = o.Next, o.Mood
	default:
		if optionID != "" {
			return st, "", 0, apperr.Invalidf("text", "this turn is answered in your own words: send text")
		}
		folded := Fold(text)
		if folded == "" {
			return st, "", 0, apperr.Invalidf("text", "say something")
		}
		if len(text) > MaxAnswerLen {
			return st, "", 0, apperr.Invalidf("text", "at most %d bytes", MaxAnswerLen)
		}
		st.Kind, st.AgentText = KindFreeText, strings.TrimSpace(text)
		ft := t.FreeText
		allFound := true
		for _, e := range ft.Rubric.Required {
			st.Possible[e.Competency] += e.Points
			if matchAny(e.Patterns, folded) {
				st.Earned[e.Competency] += e.Points
				continue
			}
			allFound = false
			st.Feedback = append(st.Feedback, "Missing: "+e.Name+".")
			if e.Blocker != "" {
				st.Blockers = append(st.Blockers, e.Blocker)
			}
		}
		anyForbidden := false
		for _, e := range ft.Rubric.Forbidden {
			if matchAny(e.Patterns, folded) {
				anyForbidden = true
				st.Earned[e.Competency] -= e.Points
				st.Feedback = append(st.Feedback, "Avoid: "+e.Name+".")
			}
		}
		for _, b := range ft.Rubric.Blockers {
			if matchAny(b.Patterns, folded) {
				st.Blockers = append(st.Blockers, b.Message)
			}
		}
		if allFound {
			delta += ft.MoodAllRequired
		}
		if anyForbidden {
			delta += ft.MoodForbidden
		}
		next = ft.Next
	}
	newMood := clampMood(mood + delta)
	st.MoodAfter = moodName(newMood)
	if h := s.Hangup; h != nil && delta < 0 {
		if at, _ := moodValue(h.At); newMood <= at {
			next = h.Ending
		}
	}
	return st, next, newMood, nil
}

// Fold is how free text is compared: runs of white space become one space,
// typographic quotes become straight ones, and the ends are trimmed.
func Fold(s string) string {
	s = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`).Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// matchAny reports whether any pattern is found in text. Patterns were
// compiled when the scenario was imported, so an error cannot happen here.
func matchAny(patterns []string, text string) bool {
	for _, p := range patterns {
		re, ok := compiled.Load(p)
		if !ok {
			c, err := compilePattern(p)
			if err != nil {
				continue
			}
			re, _ = compiled.LoadOrStore(p, c)
		}
		if re.(*regexp.Regexp).MatchString(text) {
			return true
		}
	}
	return false
}

// compiled caches rubric patterns by their text.
var compiled sync.Map

// evaluate scores a finished run: per competency earned over possible on the
// turns played (clamped to 0..100), the weighted overall over the exercised
// competencies, and pass or fail with every reason. overrides replace
// competencies' scores (a supervisor's review).
func (s *Scenario) evaluate(steps []Step, outcome string, overrides map[string]float64) Score {
	sc := Score{Competencies: []CompetencyScore{}, Reasons: []Reason{}, Reread: []Reread{}}
	earned, possible := map[string]int{}, map[string]int{}
	for _, st := range steps {
		for c, p := range st.Earned {
			earned[c] += p
		}
		for c, p := range st.Possible {
			possible[c] += max(p, 0)
		}
	}
	for i, st := range steps {
		for _, b := range st.Blockers {
			sc.Reasons = append(sc.Reasons, Reason{Kind: ReasonBlocker, Message: b, TurnIndex: &i, TurnID: st.TurnID})
		}
	}
	if !slices.Contains(s.Pass.Outcomes, outcome) {
		sc.Reasons = append(sc.Reasons, Reason{Kind: ReasonOutcome,
			Message: fmt.Sprintf("The call ended as %q; to pass, it must end as %s.", outcome, quotedOr(s.Pass.Outcomes))})
	}
	var sum, weights float64
	for _, c := range s.Competencies {
		cs := CompetencyScore{Competency: c.Name, Weight: c.Weight, Earned: earned[c.Name], Possible: possible[c.Name]}
		if m, ok := s.Pass.Minimums[c.Name]; ok {
			cs.Minimum = &m
		}
		var raw float64
		switch {
		case cs.Possible > 0:
			cs.Exercised = true
			raw = min(max(float64(cs.Earned)/float64(cs.Possible)*100, 0), 100)
		case cs.Earned != 0:
			cs.Exercised = true // only lost points: nothing could have been earned
		}
		if o, ok := overrides[c.Name]; ok {
			raw, cs.Exercised, cs.Overridden = o, true, true
		}
		cs.Score = math.Round(raw*100) / 100
		if cs.Exercised {
			sum += raw * float64(c.Weight)
			weights += float64(c.Weight)
			short := cs.Minimum != nil && raw < float64(*cs.Minimum)
			if short {
				sc.Reasons = append(sc.Reasons, Reason{Kind: ReasonMinimum, Competency: c.Name,
					Message: fmt.Sprintf("%s scored %d%%, below its minimum of %d%%.", capitalize(c.Name), WholePercent(cs.Score), *cs.Minimum)})
			}
			if short || (cs.Minimum == nil && raw < float64(s.Pass.Overall)) {
				for _, r := range s.Reread {
					if r.Competency == c.Name {
						sc.Reread = append(sc.Reread, r)
					}
				}
			}
		}
		sc.Competencies = append(sc.Competencies, cs)
	}
	overall := 0.0
	if weights > 0 {
		overall = sum / weights
	}
	sc.Overall = math.Round(overall*100) / 100
	if overall < float64(s.Pass.Overall) {
		sc.Reasons = append(sc.Reasons, Reason{Kind: ReasonOverall,
			Message: fmt.Sprintf("The overall score was %d%%, below the %d%% needed.", WholePercent(sc.Overall), s.Pass.Overall)})
	}
	sc.Passed = len(sc.Reasons) == 0
	return sc
}

// WholePercent is a score as people read it: down to a whole percent, the
// web app's one rule (frontend/src/lib/format.ts), so a message never shows
// a missed minimum as reached. Scores in the API keep their exact value.
func WholePercent(v float64) int { return int(math.Floor(v + 1e-9)) }

// quotedOr lists outcomes as “"a", "b" or "c"”.
func quotedOr(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// capitalize upper-cases the first letter, so a competency name can start a sentence.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
