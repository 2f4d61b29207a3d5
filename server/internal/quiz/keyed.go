package quiz

import (
	"context"
	"strconv"
	"strings"
)

// KeyedAnswers returns full-credit answers to the questions drawn for an
// attempt, keyed as SaveAnswers takes them. It does not authorize and
// reveals the answer key: it is for development seeding (the demo center
// passes its quizzes through SaveAnswers and Submit with it) and must never
// back an endpoint. A short-answer question with only a pattern gets no
// answer. Errors: not_found.
func (s *Service) KeyedAnswers(ctx context.Context, attemptID string) (map[string]Response, error) {
	a, err := s.store.AttemptByID(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	v, err := s.store.VersionByID(ctx, a.QuizVersionID)
	if err != nil {
		return nil, err
	}
	qs, err := v.Draw(a.Seed)
	if err != nil {
		return nil, err
	}
	out := map[string]Response{}
	for i := range qs {
		if r, ok := qs[i].keyedResponse(); ok {
			out[qs[i].Key()] = r
		}
	}
	return out, nil
}

func (q *Question) keyedResponse() (Response, bool) {
	ca := q.correctAnswer()
	switch q.Type {
	case SingleChoice, TrueFalse, MultipleResponse:
		if len(ca.Choices) == 0 {
			return Response{}, false
		}
		if q.Type != MultipleResponse {
			ca.Choices = ca.Choices[:1]
		}
		return Response{Choices: ca.Choices}, true
	case ShortAnswer:
		if len(ca.Texts) == 0 {
			return Response{}, false
		}
		return Response{Text: ca.Texts[0]}, true
	case Numeric:
		for _, n := range q.Numbers {
			if n.Weight != 100 {
				continue
			}
			v := n.Value
			if n.IsRange {
				v = (n.Min + n.Max) / 2
			}
			return Response{Text: strings.TrimSuffix(strconv.FormatFloat(v, 'f', -1, 64), ".0")}, true
		}
		return Response{}, false
	case Matching:
		return Response{Matches: ca.Matches}, true
	case Cloze:
		gaps := map[string]string{}
		for i := range q.Gaps {
			g := &q.Gaps[i]
			r, ok := g.question().keyedResponse()
			if !ok {
				return Response{}, false
			}
			if g.Kind == GapChoice {
				gaps[g.ID] = r.Choices[0]
			} else {
				gaps[g.ID] = r.Text
			}
		}
		return Response{Gaps: gaps}, true
	}
	return Response{}, false
}
