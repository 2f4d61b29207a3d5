package roleplay

import (
	"slices"
	"time"
)

// RunView is a run as its player sees it while it is open: the transcript
// so far, the current customer line and mood, and the current agent turn
// (option texts or the free-text prompt). It has no field that could hold
// points, next turns, feedback or blockers.
type RunView struct {
	ID              string       `json:"id"`
	RoleplayID      string       `json:"roleplay_id"`
	Version         int          `json:"version"`
	Title           string       `json:"title"`
	State           string       `json:"state"`
	Seq             int          `json:"seq"`
	Persona         PersonaView  `json:"persona"`
	Facts           []Fact       `json:"facts"`
	Transcript      []Line       `json:"transcript"`
	Current         *CurrentTurn `json:"current,omitempty"`
	Closing         string       `json:"closing,omitempty"` // the customer's last words, once the call is over
	AttemptsAllowed int          `json:"attempts_allowed"`
	StartedAt       time.Time    `json:"started_at"`
	FinishedAt      *time.Time   `json:"finished_at,omitempty"`
}

// PersonaView is the caller as the agent is briefed.
type PersonaView struct {
	Name      string `json:"name"`
	Situation string `json:"situation"`
}

// Line is one played turn of a transcript.
type Line struct {
	Index     int    `json:"index"`
	TurnID    string `json:"turn_id"`
	Customer  string `json:"customer"`
	Mood      string `json:"mood"`
	AgentText string `json:"agent_text"`
}

// CurrentTurn is the turn awaiting the agent's answer.
type CurrentTurn struct {
	TurnID   string       `json:"turn_id"`
	Customer string       `json:"customer"`
	Mood     string       `json:"mood"`
	Kind     string       `json:"kind"`
	Options  []OptionView `json:"options,omitempty"`
	Prompt   string       `json:"prompt,omitempty"`
}

// OptionView is an option's text, nothing more.
type OptionView struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

func viewOf(r *run, sc *Scenario, steps []Step) (*RunView, error) {
	v := &RunView{ID: r.ID, RoleplayID: r.RoleplayID, Version: r.Version, Title: sc.Title, State: r.State, Seq: r.Seq,
		Persona: PersonaView{Name: sc.Persona.Name, Situation: sc.Persona.Situation}, Facts: sc.Facts,
		Transcript: []Line{}, AttemptsAllowed: sc.AttemptsAllowed, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	if v.Facts == nil {
		v.Facts = []Fact{}
	}
	for _, st := range steps {
		v.Transcript = append(v.Transcript, Line{Index: st.Index, TurnID: st.TurnID, Customer: st.Customer, Mood: st.Mood, AgentText: st.AgentText})
	}
	if r.State == StateInProgress {
		t := sc.turn(r.CurrentTurn)
		if t != nil {
			cur := &CurrentTurn{TurnID: t.ID, Customer: t.Customer, Mood: moodName(r.Mood), Kind: KindChoice}
			if t.FreeText != nil {
				cur.Kind, cur.Prompt = KindFreeText, t.FreeText.Prompt
			}
			for _, o := range t.Choice {
				cur.Options = append(cur.Options, OptionView{ID: o.ID, Text: o.Text})
			}
			v.Current = cur
		}
	} else if r.Ending != nil {
		if e := sc.ending(*r.Ending); e != nil {
			v.Closing = e.Customer
		}
	}
	return v, nil
}

// Result is a finished run: scores, pass or fail with the reasons, the
// transcript with per-turn feedback, the debrief, what to re-read, and the
// review.
type Result struct {
	RunID           string       `json:"run_id"`
	RoleplayID      string       `json:"roleplay_id"`
	UserID          string       `json:"user_id"`
	ProgramID       string       `json:"program_id"` // whose certification the run counts for
	Version         int          `json:"version"`
	Title           string       `json:"title"`
	State           string       `json:"state"`
	Ending          string       `json:"ending"`
	Outcome         string       `json:"outcome"`
	Closing         string       `json:"closing,omitempty"`
	Debrief         string       `json:"debrief"`
	Score                        // competencies, overall, passed, reasons, reread
	SignoffRequired bool         `json:"signoff_required"`
	SignedOff       bool         `json:"signed_off"`
	Transcript      []ResultLine `json:"transcript"`
	Comments        []Comment    `json:"comments"`
	Review          *ReviewView  `json:"review,omitempty"`
	StartedAt       time.Time    `json:"started_at"`
	FinishedAt      time.Time    `json:"finished_at"`
}

// ResultLine is a played turn with what it earned and the feedback.
type ResultLine struct {
	Line
	MoodAfter string         `json:"mood_after"`
	Earned    map[string]int `json:"earned"`
	Possible  map[string]int `json:"possible"`
	Feedback  []string       `json:"feedback"`
	Blockers  []string       `json:"blockers"`
}

// ReviewView is a supervisor's decision.
type ReviewView struct {
	Decision   string    `json:"decision"`
	Note       string    `json:"note,omitempty"`
	ReviewedBy string    `json:"reviewed_by"`
	ReviewedAt time.Time `json:"reviewed_at"`
}

func resultOf(r *run, sc *Scenario, steps []Step, score *Score, comments []Comment) *Result {
	res := &Result{RunID: r.ID, RoleplayID: r.RoleplayID, UserID: r.UserID, ProgramID: r.ProgramID, Version: r.Version, Title: sc.Title,
		State: r.State, Ending: deref(r.Ending), Outcome: deref(r.Outcome), SignoffRequired: r.SignoffRequired,
		SignedOff: r.State == StateApproved, Transcript: []ResultLine{}, Comments: comments, StartedAt: r.StartedAt}
	if score != nil {
		res.Score = *score
	}
	if r.Passed != nil {
		res.Passed = *r.Passed
	}
	if r.FinishedAt != nil {
		res.FinishedAt = *r.FinishedAt
	}
	if e := sc.ending(res.Ending); e != nil {
		res.Closing = e.Customer
		res.Debrief = e.DebriefFor(res.Passed, slices.Contains(sc.Pass.Outcomes, e.Outcome))
	}
	for _, st := range steps {
		res.Transcript = append(res.Transcript, ResultLine{
			Line:      Line{Index: st.Index, TurnID: st.TurnID, Customer: st.Customer, Mood: st.Mood, AgentText: st.AgentText},
			MoodAfter: st.MoodAfter, Earned: st.Earned, Possible: st.Possible, Feedback: st.Feedback, Blockers: st.Blockers})
	}
	if r.ReviewedAt != nil && r.ReviewedBy != nil {
		d := DecisionApprove
		if r.State == StateSentBack {
			d = DecisionSendBack
		}
		res.Review = &ReviewView{Decision: d, Note: deref(r.ReviewNote), ReviewedBy: *r.ReviewedBy, ReviewedAt: *r.ReviewedAt}
	}
	return res
}
