package quiz

import (
	"context"
	"fmt"
	"strings"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

// GateModule is one module a gated quiz waits for; Done says the agent
// completed it (at any version), false for staff.
type GateModule = catalog.GateModule

// gateOf is the gate made of modules (nil when there are none); forAgent
// says the Done marks are an agent's, so the gate can be open.
func gateOf(modules []GateModule, forAgent bool) *Gate {
	if len(modules) == 0 {
		return nil
	}
	g := &Gate{Modules: modules, Open: forAgent}
	for _, m := range modules {
		if !m.Done {
			g.Open = false
		}
	}
	return g
}

// Gate is what opens a gated quiz (program.yaml `opens_after`): every one
// of Modules completed.
type Gate struct {
	Modules []GateModule `json:"modules"`
	// Open says every module is done (for staff: false).
	Open bool `json:"open"`
}

// left is the titles of the modules not done yet.
func (g *Gate) left() []string {
	var out []string
	for _, m := range g.Modules {
		if !m.Done {
			out = append(out, m.Title)
		}
	}
	return out
}

// lockedMessage says what unlocks the quiz.
func (g *Gate) lockedMessage(title string) string {
	left := g.left()
	return fmt.Sprintf("%s opens once you have completed %s: %s", title, plural(len(left), "this module", "these modules"),
		strings.Join(left, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// gates returns the gate of each of the program's gated quizzes by slug,
// with userID's completed modules marked ("" marks none).
func (s *Service) gates(ctx context.Context, prog *catalog.Program, userID string) (map[string]*Gate, error) {
	req, err := s.programs.Requirements(ctx, prog)
	if err != nil {
		return nil, fmt.Errorf("quiz: gates of %s: %w", prog.Name, err)
	}
	if len(req.QuizGates) == 0 {
		return map[string]*Gate{}, nil
	}
	titles := map[string]string{}
	for _, m := range req.Modules {
		titles[m.ModuleID] = m.Title
	}
	done := map[string]bool{}
	if userID != "" {
		rows, err := s.programs.ListProgress(ctx, userID, nil)
		if err != nil {
			return nil, fmt.Errorf("quiz: gates of %s: %w", prog.Name, err)
		}
		for _, r := range rows {
			if r.CompletedAt != nil {
				done[r.ModuleID] = true
			}
		}
	}
	out := make(map[string]*Gate, len(req.QuizGates))
	for _, qg := range req.QuizGates {
		modules := make([]GateModule, 0, len(qg.ModuleIDs))
		for _, id := range qg.ModuleIDs {
			modules = append(modules, GateModule{ModuleID: id, Title: titles[id], Done: done[id]})
		}
		out[qg.Quiz] = gateOf(modules, userID != "")
	}
	return out, nil
}
