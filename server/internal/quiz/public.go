package quiz

import (
	"sort"
	"strings"
)

// PublicQuestion is what an agent sees of a question during an attempt. It
// is a separate type from Question with no field for correctness data (no
// correct flags, weights, accepted answers, patterns, tolerances, pairings or
// feedback), so the answer key cannot leak through it.
type PublicQuestion struct {
	ID        string `json:"id"` // the question's Key; responses are keyed by it
	Type      Type   `json:"type"`
	Text      string `json:"text"`
	TextAfter string `json:"text_after,omitempty"`
	Format    string `json:"format,omitempty"`
	Points    int    `json:"points"`
	// Options of single choice, multiple response and true/false questions,
	// in the order to show them.
	Options []PublicItem `json:"options,omitempty"`
	// Lefts are a matching question's items to match, in the order to show
	// them; Rights are the choices for each, alphabetically.
	Lefts  []PublicItem `json:"lefts,omitempty"`
	Rights []PublicItem `json:"rights,omitempty"`
	// Gaps of a cloze question, in the order of their placeholders
	// ({{gap:1}}) in Text; no answer key.
	Gaps []PublicGap `json:"gaps,omitempty"`
}

// PublicItem is an option or a matching item: an id and its text.
type PublicItem struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Public returns the agent's view of the question; its texts show its
// files at their addresses (FileURL).
func (q *Question) Public() PublicQuestion {
	shown := q.withFileURLs() // @@PLUGINFILE@@/name → the file's address
	q = &shown
	format := q.Format
	if format == "" {
		format = FormatMarkdown
	}
	pq := PublicQuestion{ID: q.Key(), Type: q.Type, Text: q.Text, TextAfter: q.TextAfter, Format: format, Points: q.Points}
	if q.Type == Cloze {
		pq.Text, pq.Gaps = q.publicCloze()
	}
	for _, o := range q.Options {
		pq.Options = append(pq.Options, PublicItem{ID: o.ID, Text: o.Text})
	}
	rights := map[string]PublicItem{}
	for _, p := range q.Pairs {
		if strings.TrimSpace(p.Left) != "" {
			pq.Lefts = append(pq.Lefts, PublicItem{ID: p.ID, Text: p.Left})
		}
		rights[p.Right] = PublicItem{ID: RightID(p.Right), Text: p.Right}
	}
	for _, r := range rights {
		pq.Rights = append(pq.Rights, r)
	}
	// Alphabetical, never in pair order, which would give the pairing away.
	sort.Slice(pq.Rights, func(i, j int) bool {
		a, b := strings.ToLower(pq.Rights[i].Text), strings.ToLower(pq.Rights[j].Text)
		if a != b {
			return a < b
		}
		return pq.Rights[i].Text < pq.Rights[j].Text
	})
	return pq
}

// PublicQuestions returns the agent's view of every question.
func PublicQuestions(qs []Question) []PublicQuestion {
	out := make([]PublicQuestion, len(qs))
	for i := range qs {
		out[i] = qs[i].Public()
	}
	return out
}
