package roleplay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/contentfile"
	"github.com/skillgate/skillgate/server/internal/pgtext"
)

// Limits of a test run request.
const (
	MaxPreviewBytes   = 256 << 10 // the scenario text
	MaxPreviewChoices = 500       // answers replayed
)

// PreviewInput is a test run of a scenario being written: the client whose
// scenario it is (a slug, or "_core"), the roleplay.yaml text, and the
// answers so far, in order: an option id for a choice turn, the agent's
// words for a free-text turn.
type PreviewInput struct {
	Client   string
	Scenario string
	Choices  []string
}

// PreviewProblem is a problem with the scenario text: its line and, when
// the line is inside a turn, that turn's id.
type PreviewProblem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
	TurnID  string `json:"turn_id,omitempty"`
}

// Preview is a test run replayed from its answers, shaped as an agent's run
// (RunView) with the scoring of a finished run (Result) once the call is
// over. When the scenario has problems, OK is false, Problems lists them and
// nothing is played.
type Preview struct {
	OK         bool             `json:"ok"`
	Problems   []PreviewProblem `json:"problems"`
	Title      string           `json:"title,omitempty"`
	Persona    *PersonaView     `json:"persona,omitempty"`
	Facts      []Fact           `json:"facts,omitempty"`
	State      string           `json:"state,omitempty"` // in_progress or finished
	Seq        int              `json:"seq"`
	Transcript []Line           `json:"transcript,omitempty"`
	Current    *CurrentTurn     `json:"current,omitempty"`
	Closing    string           `json:"closing,omitempty"`
	Result     *PreviewResult   `json:"result,omitempty"`
}

// PreviewResult is how a test run ended and scored: as a real run's result,
// without anything stored (no run, no review, no comments).
type PreviewResult struct {
	Ending  string `json:"ending"`
	Outcome string `json:"outcome"`
	Closing string `json:"closing,omitempty"`
	Debrief string `json:"debrief"`
	Score
	Transcript []ResultLine `json:"transcript"`
}

// mayPreview checks that the principal authors the client's content
// (catalog.MayAuthor; "_core" is core content) and returns the client's
// slug for the scenario ("" for core). Errors: unauthorized, forbidden,
// invalid (no such client).
func (s *Service) mayPreview(ctx context.Context, client string) (string, error) {
	p, err := principal(ctx)
	if err != nil {
		return "", err
	}
	if client == CoreFolder {
		return "", catalog.MayAuthor(p, "")
	}
	c, err := catalog.NewStore(s.db).ClientBySlug(ctx, client)
	if apperr.Is(err, apperr.NotFound) {
		if !p.Is(auth.RoleAdmin) {
			return "", catalog.MayAuthor(p, "-") // forbidden: only admins learn which clients exist
		}
		return "", apperr.Invalidf("client", "no client %q", client)
	}
	if err != nil {
		return "", err
	}
	return client, catalog.MayAuthor(p, c.ID)
}

// CheckScenario parses and checks a scenario text as an import would (the
// same parser and checks) and returns its problems, each with its line and
// turn. Nothing is stored. Errors: unauthorized, forbidden (not an author
// of the client), invalid (no such client, text too long).
func (s *Service) CheckScenario(ctx context.Context, client, text string) (*Preview, error) {
	slug, err := s.mayPreview(ctx, client)
	if err != nil {
		return nil, err
	}
	_, pv, err := compilePreview(slug, text)
	return pv, err
}

// PlayPreview is "play it now": the scenario text parsed and checked as an
// import would, then the answers replayed through the run's own state
// machine (Scenario.advance) and scoring (Scenario.scoreAt). It never
// creates a run, an attempt or a learning record, and changes no
// certification. Errors: unauthorized, forbidden, invalid (no such client,
// text too long, choices[i] not an answer to its turn or past the end).
func (s *Service) PlayPreview(ctx context.Context, in PreviewInput) (*Preview, error) {
	slug, err := s.mayPreview(ctx, in.Client)
	if err != nil {
		return nil, err
	}
	if len(in.Choices) > MaxPreviewChoices {
		return nil, apperr.Invalidf("choices", "at most %d answers", MaxPreviewChoices)
	}
	sc, pv, err := compilePreview(slug, in.Scenario)
	if err != nil || !pv.OK {
		return pv, err
	}
	return replay(sc, pv, in.Choices)
}

// replay plays answers from the start of sc into pv.
func replay(sc *Scenario, pv *Preview, answers []string) (*Preview, error) {
	turn, mood := sc.begin()
	var steps []Step
	var end *Ending
	for i, a := range answers {
		field := fmt.Sprintf("choices[%d]", i)
		if end != nil {
			return nil, apperr.Invalidf(field, "the call is over after %d answers", i)
		}
		t := sc.turn(turn)
		option, text := a, ""
		if t != nil && t.FreeText != nil {
			option, text = "", a
		}
		st, e, next, m, err := sc.advance(turn, len(steps), mood, option, text)
		if err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) && ae.Code == apperr.Invalid {
				return nil, apperr.Invalidf(field, "turn %q: %s", turn, firstField(ae))
			}
			return nil, err
		}
		steps, end, turn, mood = append(steps, st), e, next, m
	}
	pv.Seq, pv.Transcript = len(steps), []Line{}
	for _, st := range steps {
		pv.Transcript = append(pv.Transcript, Line{Index: st.Index, TurnID: st.TurnID, Customer: st.Customer, Mood: st.Mood, AgentText: st.AgentText})
	}
	if end == nil {
		pv.State = StateInProgress
		t := sc.turn(turn)
		cur := &CurrentTurn{TurnID: t.ID, Customer: t.Customer, Mood: moodName(mood), Kind: KindChoice}
		if t.FreeText != nil {
			cur.Kind, cur.Prompt = KindFreeText, t.FreeText.Prompt
		}
		for _, o := range t.Choice {
			cur.Options = append(cur.Options, OptionView{ID: o.ID, Text: o.Text})
		}
		pv.Current = cur
		return pv, nil
	}
	score := sc.scoreAt(steps, end)
	pv.State, pv.Closing = StateFinished, end.Customer
	res := &PreviewResult{Ending: end.ID, Outcome: end.Outcome, Closing: end.Customer, Score: score,
		Debrief: end.DebriefFor(score.Passed, slices.Contains(sc.Pass.Outcomes, end.Outcome)), Transcript: []ResultLine{}}
	for _, st := range steps {
		res.Transcript = append(res.Transcript, ResultLine{
			Line:      Line{Index: st.Index, TurnID: st.TurnID, Customer: st.Customer, Mood: st.Mood, AgentText: st.AgentText},
			MoodAfter: st.MoodAfter, Earned: st.Earned, Possible: st.Possible, Feedback: st.Feedback, Blockers: st.Blockers})
	}
	pv.Result = res
	return pv, nil
}

// firstField is an invalid error's message without its field name.
func firstField(e *apperr.Error) string {
	for _, m := range e.Fields {
		return m
	}
	return e.Message
}

// compilePreview parses and checks text as the importer does (parseFile,
// then check) for a scenario of client ("" for core). A file that extends
// a core scenario is reported as a problem: a test run plays whole files.
func compilePreview(client, text string) (*Scenario, *Preview, error) {
	if len(text) > MaxPreviewBytes {
		return nil, nil, apperr.Invalidf("scenario", "at most %d bytes", MaxPreviewBytes)
	}
	pv := &Preview{Problems: []PreviewProblem{}}
	data := []byte(text)
	var fe *pgtext.FileError
	if errors.As(pgtext.Check(data), &fe) {
		pv.Problems = append(pv.Problems, PreviewProblem{Line: fe.Line, Message: "the file " + fe.Problem})
		return nil, pv, nil
	}
	sc, ext, ps := parseFile("preview"+FileSuffix, data)
	if ext != nil {
		ps = append(ps, contentfile.Problem{Line: ext.line, Message: "a test run plays a whole scenario; this file extends core/" + ext.core + ": play it from its program once published"})
	}
	if sc != nil && len(ps) == 0 {
		sc.Client, sc.Slug = client, "preview"
		if client != "" {
			sc.Program = "preview"
		}
		ps = check(sc)
	}
	ps.Sort()
	for _, p := range ps {
		pv.Problems = append(pv.Problems, PreviewProblem{Line: p.Line, Message: p.Message, TurnID: turnAt(sc, p.Line)})
	}
	pv.OK = len(pv.Problems) == 0
	if pv.OK {
		pv.Title, pv.Persona, pv.Facts = sc.Title, &PersonaView{Name: sc.Persona.Name, Situation: sc.Persona.Situation}, sc.Facts
		if pv.Facts == nil {
			pv.Facts = []Fact{}
		}
	}
	return sc, pv, nil
}

// turnAt is the id of the turn whose lines hold line: from a turn's first
// line to the next turn's, or to the next top-level key after the last.
func turnAt(sc *Scenario, line int) string {
	if sc == nil || len(sc.Turns) == 0 {
		return ""
	}
	turns := slices.Clone(sc.Turns)
	sort.SliceStable(turns, func(i, j int) bool { return turns[i].Line < turns[j].Line })
	last := turns[len(turns)-1].Line
	end := int(^uint(0) >> 1)
	for _, l := range sc.lines {
		if l > last && l < end {
			end = l
		}
	}
	for i := len(turns) - 1; i >= 0; i-- {
		if line >= turns[i].Line {
			if i == len(turns)-1 && line >= end {
				return ""
			}
			return turns[i].ID
		}
	}
	return ""
}
