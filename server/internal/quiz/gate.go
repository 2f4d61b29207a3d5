package quiz

import (
	"context"
	"fmt"
	"strings"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

// GateModule is one module a gated quiz waits for.
type GateModule struct {
	ModuleID string `json:"module_id"`
	Title    string `json:"title"`
	// Done says the agent completed it (at any version); false for staff.
	Done bool `json:"done"`
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
		g := &Gate{Modules: make([]GateModule, 0, len(qg.ModuleIDs)), Open: userID != ""}
		for _, id := range qg.ModuleIDs {
			g.Modules = append(g.Modules, GateModule{ModuleID: id, Title: titles[id], Done: done[id]})
			g.Open = g.Open && done[id]
		}
		out[qg.Quiz] = g
	}
	return out, nil
}
