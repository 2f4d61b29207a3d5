package roleplay

import (
	"context"
	"regexp/syntax"
	"strings"
)

// Answer is one answer of a path through a scenario: an option letter for
// a choice turn, text for a free-text turn.
type Answer struct {
	TurnID   string
	OptionID string
	Text     string
}

// maxPaths bounds the search through a scenario's answers.
const maxPaths = 20000

// PassingPath finds answers that pass the run's scenario version, trying
// every choice and, for a free-text turn, one sentence per rubric element
// made from a phrase its first pattern matches. It is for development
// seeding (the demo center plays its role-plays through Start and Take
// with it) and never backs an endpoint: it knows the scoring. ok is false
// when no passing path was found.
func (s *Service) PassingPath(ctx context.Context, roleplayID string) (answers []Answer, ok bool, err error) {
	rp, err := s.store.RoleplayByID(ctx, roleplayID)
	if err != nil {
		return nil, false, err
	}
	sc, err := scenarioAt(s.db.WithContext(ctx), rp.ID, rp.CurrentVersion)
	if err != nil {
		return nil, false, err
	}
	mood, _ := moodValue(sc.Persona.Mood)
	budget := maxPaths
	answers, ok = sc.search(sc.Start, sc.enter(sc.Start, mood), nil, nil, &budget)
	return answers, ok, nil
}

func (s *Scenario) search(turnID string, mood int, steps []Step, path []Answer, budget *int) ([]Answer, bool) {
	if *budget--; *budget < 0 || len(steps) > 64 {
		return nil, false
	}
	if e := s.ending(turnID); e != nil {
		return path, s.evaluate(steps, e.Outcome, nil).Passed
	}
	t := s.turn(turnID)
	if t == nil {
		return nil, false
	}
	var tries []Answer
	if t.FreeText != nil {
		tries = append(tries, Answer{TurnID: t.ID, Text: freeTextAnswer(t.FreeText)})
	}
	for _, o := range t.Choice {
		tries = append(tries, Answer{TurnID: t.ID, OptionID: o.ID})
	}
	for _, a := range tries {
		st, next, m, err := s.answer(t, len(steps), mood, a.OptionID, a.Text)
		if err != nil {
			continue
		}
		if s.ending(next) == nil {
			m = s.enter(next, m)
		}
		if out, ok := s.search(next, m, append(steps[:len(steps):len(steps)], st), append(path[:len(path):len(path)], a), budget); ok {
			return out, true
		}
	}
	return nil, false
}

// freeTextAnswer is one sentence per required element, each a phrase its
// first pattern matches.
func freeTextAnswer(ft *FreeText) string {
	var parts []string
	for _, e := range ft.Rubric.Required {
		for _, p := range e.Patterns {
			if phrase, ok := sample(p); ok && matchAny([]string{p}, Fold(phrase)) {
				parts = append(parts, phrase)
				break
			}
		}
	}
	if len(parts) == 0 {
		return "I understand, let me help you with that."
	}
	return strings.Join(parts, ". ") + "."
}

// sample makes a short string the pattern matches: the first alternative of
// every choice, the least repetitions, the first character of every class.
func sample(pattern string) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	ok := write(&b, re.Simplify())
	return strings.ToLower(strings.TrimSpace(b.String())), ok
}

func write(b *strings.Builder, re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return false
		}
		r := re.Rune[0]
		for i := 0; i+1 < len(re.Rune); i += 2 { // prefer a letter, then a space
			if re.Rune[i] <= 'a' && 'a' <= re.Rune[i+1] {
				r = 'a'
				break
			}
			if re.Rune[i] <= ' ' && ' ' <= re.Rune[i+1] {
				r = ' '
			}
		}
		b.WriteRune(r)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune('a')
	case syntax.OpCapture:
		return write(b, re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !write(b, sub) {
				return false
			}
		}
	case syntax.OpAlternate:
		return write(b, re.Sub[0])
	case syntax.OpPlus:
		return write(b, re.Sub[0])
	case syntax.OpRepeat:
		for range re.Min {
			if !write(b, re.Sub[0]) {
				return false
			}
		}
	case syntax.OpWordBoundary:
		if s := b.String(); s != "" && !strings.HasSuffix(s, " ") {
			b.WriteByte(' ')
		}
	case syntax.OpStar, syntax.OpQuest, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpNoWordBoundary:
	default:
		return false
	}
	return true
}
