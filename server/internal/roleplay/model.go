// Package roleplay is Skillgate's difficult-customer role-play: the scenario
// format (quizzes/ROLEPLAYS.md: a persona, facts, weighted competencies, pass
// rules and a graph of customer and agent turns), its importer, runs played
// turn by turn with the state kept on the server, scoring per competency
// with blockers, and the supervisors' review and sign-off of passing runs.
//
// Nothing ahead of the current turn leaves the server while a run is open:
// an agent sees the current customer line and the options' texts (or the
// free-text prompt), never points, next turns, feedback or blockers.
package roleplay

import (
	"encoding/json"
	"time"
)

// FileSuffix ends every scenario file's name.
const FileSuffix = ".roleplay.yaml"

// CoreFolder holds the core scenarios under the quizzes folder.
const CoreFolder = "_core"

// Moods, from worst to best: a mood is a step on this scale.
var moods = []string{"furious", "angry", "frustrated", "neutral", "calm", "satisfied", "delighted"}

// moodLow is the value of the first mood on the scale.
const moodLow = -3

// moodValue returns the step of a mood name, and whether it is one.
func moodValue(name string) (int, bool) {
	for i, m := range moods {
		if m == name {
			return i + moodLow, true
		}
	}
	return 0, false
}

// moodName names a mood step, clamping it to the scale.
func moodName(v int) string { return moods[clampMood(v)-moodLow] }

func clampMood(v int) int { return min(max(v, moodLow), moodLow+len(moods)-1) }

// The outcomes an ending may have.
const (
	OutcomeResolved  = "resolved"
	OutcomeRetained  = "retained"
	OutcomeEscalated = "escalated"
	OutcomeLost      = "lost"
)

var outcomes = []string{OutcomeResolved, OutcomeRetained, OutcomeEscalated, OutcomeLost}

// Scenario is a parsed, checked role-play. It persists as JSON in each
// immutable version; fields tagged json:"-" only locate problems.
type Scenario struct {
	Client  string `json:"client"`  // "" for a core scenario
	Program string `json:"program"` // the program folder; "" for a core scenario
	Slug    string `json:"slug"`
	// Extends is "core/<slug>" when the scenario reuses a core scenario.
	Extends string  `json:"extends,omitempty"`
	Title   string  `json:"title"`
	Summary string  `json:"summary,omitempty"`
	Persona Persona `json:"persona"`
	Facts   []Fact  `json:"facts"`
	// Competencies in file order; weights sum to 100.
	Competencies []Competency `json:"competencies"`
	Pass         PassRule     `json:"pass"`
	// AttemptsAllowed per agent, 0 = unlimited.
	AttemptsAllowed int `json:"attempts_allowed"`
	// WaitBetweenAttempts is the least time between finishing a run and
	// starting the next.
	WaitBetweenAttempts time.Duration `json:"wait_between_attempts"`
	Start               string        `json:"start"`
	Turns               []Turn        `json:"turns"`
	Endings             []Ending      `json:"endings"`
	Hangup              *Hangup       `json:"hangup,omitempty"`
	Reread              []Reread      `json:"reread,omitempty"`
	// Vars are the declared {{name}} variables of a core scenario (name →
	// description).
	Vars []Var `json:"vars,omitempty"`

	File  string         `json:"-"`
	lines map[string]int // top-level key → line
}

// Persona is the customer.
type Persona struct {
	Name      string   `json:"name"`
	Situation string   `json:"situation"`
	Mood      string   `json:"mood"`
	Knows     []string `json:"knows,omitempty"`
}

// Fact is something the agent may look up on screen.
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Competency is a scored skill and its weight in the overall score.
type Competency struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
	Line   int    `json:"-"`
}

// PassRule says what a passing run needs.
type PassRule struct {
	Overall  int            `json:"overall"`
	Minimums map[string]int `json:"minimums,omitempty"`
	Outcomes []string       `json:"outcomes"`
}

// Turn is a customer line followed by the agent's part: a choice or free text.
type Turn struct {
	ID       string    `json:"id"`
	Customer string    `json:"customer"`
	Mood     string    `json:"mood,omitempty"` // sets the mood when the turn is reached
	Choice   []Option  `json:"choice,omitempty"`
	FreeText *FreeText `json:"free_text,omitempty"`
	Line     int       `json:"-"`
}

// Option is one answer of a choice turn. Its ID is its letter by position
// (a, b, c, …).
type Option struct {
	ID         string         `json:"id"`
	Text       string         `json:"text"`
	Points     map[string]int `json:"points,omitempty"`
	Mood       int            `json:"mood,omitempty"`
	Next       string         `json:"next"`
	Feedback   string         `json:"feedback,omitempty"`
	Blocker    string         `json:"blocker,omitempty"`
	Line       int            `json:"-"`
	nextLine   int
	pointLines map[string]int
}

// FreeText is an agent turn answered in the agent's own words, scored by a rubric.
type FreeText struct {
	Prompt          string `json:"prompt"`
	Rubric          Rubric `json:"rubric"`
	MoodAllRequired int    `json:"mood_all_required,omitempty"`
	MoodForbidden   int    `json:"mood_forbidden,omitempty"`
	Next            string `json:"next"`
	nextLine        int
}

// Rubric scores a free-text answer by phrase patterns.
type Rubric struct {
	Required  []Element `json:"required,omitempty"`
	Forbidden []Element `json:"forbidden,omitempty"`
	Blockers  []Rule    `json:"blockers,omitempty"`
}

// Element is a required or forbidden part of a free-text answer.
type Element struct {
	Name       string   `json:"name"`
	Competency string   `json:"competency"`
	Points     int      `json:"points"`
	Patterns   []string `json:"patterns"`
	// Blocker, on a required element, fails the run when it is missing.
	Blocker string `json:"blocker,omitempty"`
	Line    int    `json:"-"`
}

// Rule is a free-text blocker: any match fails the run with Message.
type Rule struct {
	Name     string   `json:"name"`
	Patterns []string `json:"patterns"`
	Message  string   `json:"message"`
	Line     int      `json:"-"`
}

// Ending closes the call with an outcome. A run that reaches an ending
// whose outcome can pass may still fail (a blocker, a minimum, the overall
// score), so such an ending has two debriefs: DebriefPassed for a run that
// passed, Debrief for one that did not. An ending whose outcome cannot pass
// has Debrief alone.
type Ending struct {
	ID       string `json:"id"`
	Outcome  string `json:"outcome"`
	Customer string `json:"customer,omitempty"`
	// Debrief is read after a run that ended here and did not pass.
	Debrief string `json:"debrief"`
	// DebriefPassed is read after a run that ended here and passed.
	DebriefPassed string `json:"debrief_passed,omitempty"`
	Line          int    `json:"-"`
}

// failedFallback is the debrief of a failed run at an ending that could
// pass but has no failed debrief of its own (a version imported before
// endings had two): it points at the reasons rather than praise the run.
const failedFallback = "This run did not pass. The reasons below say what was missing; the transcript shows where."

// DebriefFor is the ending's debrief for a run that passed or did not.
// canPass says whether the ending's outcome is one pass.outcomes allows.
func (e *Ending) DebriefFor(passed, canPass bool) string {
	switch {
	case passed && e.DebriefPassed != "":
		return e.DebriefPassed
	case !passed && canPass && e.DebriefPassed == "":
		return failedFallback
	default:
		return e.Debrief
	}
}

// Hangup ends the call at Ending when an answer drops the mood to At or below.
type Hangup struct {
	At     string `json:"at"`
	Ending string `json:"ending"`
	Line   int    `json:"-"`
}

// Reread points a competency that fell short at a module section.
type Reread struct {
	Competency string `json:"competency"`
	Target     string `json:"target"`
	// File and Line are where it is written: a scenario that extends a
	// core scenario without its own reread: has the core file's.
	File string `json:"-"`
	Line int    `json:"-"`
}

// Var is a declared variable of a core scenario.
type Var struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Key is the scenario's import key: "<client>/<program>/<slug>", or
// "core/<slug>".
func (s *Scenario) Key() string {
	if s.Client == "" {
		return "core/" + s.Slug
	}
	return s.Client + "/" + s.Program + "/" + s.Slug
}

func (s *Scenario) line(key string) int {
	if l, ok := s.lines[key]; ok {
		return l
	}
	return 1
}

func (s *Scenario) turn(id string) *Turn {
	for i := range s.Turns {
		if s.Turns[i].ID == id {
			return &s.Turns[i]
		}
	}
	return nil
}

func (s *Scenario) ending(id string) *Ending {
	for i := range s.Endings {
		if s.Endings[i].ID == id {
			return &s.Endings[i]
		}
	}
	return nil
}

func (s *Scenario) weight(competency string) (int, bool) {
	for _, c := range s.Competencies {
		if c.Name == competency {
			return c.Weight, true
		}
	}
	return 0, false
}

// hash identifies the scenario's content: a change makes a new version.
func (s *Scenario) hash() (string, []byte, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return "", nil, err
	}
	return contentHash(raw), raw, nil
}
