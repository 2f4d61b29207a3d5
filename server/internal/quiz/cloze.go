package quiz

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// GapKind is the kind of a cloze question's gap.
type GapKind string

// The gap kinds.
const (
	GapChoice  GapKind = "choice"  // pick one option (Moodle MULTICHOICE, MCV, MCH)
	GapShort   GapKind = "short"   // typed text (Moodle SHORTANSWER)
	GapNumeric GapKind = "numeric" // a number (Moodle NUMERICAL)
)

// The ways a choice gap shows its options.
const (
	GapDropdown   = "dropdown"   // a select inside the text (MULTICHOICE, MC)
	GapVertical   = "vertical"   // radio buttons, one a line (MULTICHOICE_V, MCV)
	GapHorizontal = "horizontal" // radio buttons in a row (MULTICHOICE_H, MCH)
)

// Gap is one sub-question of a cloze question, written in the question's
// text in Moodle's embedded-answers syntax: {1:MULTICHOICE:=right~wrong#why},
// {2:SHORTANSWER:=answer}, {1:NUMERICAL:=10:0.5}. Its answer key is
// server-side only, like a Question's.
type Gap struct {
	// ID is the gap's number in the text, "1" for the first gap.
	ID   string  `json:"id"`
	Kind GapKind `json:"kind"`
	// Weight is the gap's share of the question (the leading number of the
	// gap, 1 when left out).
	Weight int `json:"weight"`
	// Display is how a choice gap shows its options.
	Display string `json:"display,omitempty"`
	// Syntax is the Moodle gap type as written (MCV, SHORTANSWER, …).
	Syntax string `json:"syntax"`
	// Options of a choice gap; ids come from the option text.
	Options []Option `json:"options,omitempty"`
	// Answers accepted in a short gap.
	Answers []TextAnswer `json:"answers,omitempty"`
	// Numbers accepted in a numeric gap.
	Numbers []NumericAnswer `json:"numbers,omitempty"`
	// WrongFeedback is a short or numeric gap's feedback for any other
	// answer (the answer * with no credit).
	WrongFeedback string `json:"wrong_feedback,omitempty"`
}

// GapPlaceholder is how the public text of a cloze question marks gap id:
// "{{gap:1}}". The web app puts the gap's field there.
func GapPlaceholder(id string) string { return "{{gap:" + id + "}}" }

// gapRe finds a gap: {weight:TYPE:answers}, with \} escaping a brace inside.
var gapRe = regexp.MustCompile(`\{(\d*):([A-Za-z_]+):((?:\\.|[^\\}])*)\}`)

// gapSyntax maps Moodle's gap types to a kind and a display.
var gapSyntax = map[string][2]string{
	"MULTICHOICE": {string(GapChoice), GapDropdown}, "MC": {string(GapChoice), GapDropdown},
	"MULTICHOICE_S": {string(GapChoice), GapDropdown}, "MCS": {string(GapChoice), GapDropdown},
	"MULTICHOICE_V": {string(GapChoice), GapVertical}, "MCV": {string(GapChoice), GapVertical},
	"MULTICHOICE_VS": {string(GapChoice), GapVertical}, "MCVS": {string(GapChoice), GapVertical},
	"MULTICHOICE_H": {string(GapChoice), GapHorizontal}, "MCH": {string(GapChoice), GapHorizontal},
	"MULTICHOICE_HS": {string(GapChoice), GapHorizontal}, "MCHS": {string(GapChoice), GapHorizontal},
	"SHORTANSWER": {string(GapShort)}, "SA": {string(GapShort)}, "MW": {string(GapShort)},
	"NUMERICAL": {string(GapNumeric)}, "NM": {string(GapNumeric)},
}

// ParseGaps reads the gaps of a cloze question's text, in order, numbering
// them 1, 2, …. It returns what is wrong with each gap, naming the gap and
// the line of the text it is on (1 for the text's first line).
func ParseGaps(text string) ([]Gap, []string) {
	var gaps []Gap
	var errs []string
	for _, m := range gapRe.FindAllStringSubmatchIndex(text, -1) {
		id := strconv.Itoa(len(gaps) + 1)
		line := 1 + strings.Count(text[:m[0]], "\n")
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Sprintf("gap %s (text line %d): ", id, line)+fmt.Sprintf(format, args...))
		}
		weight, syntax, body := text[m[2]:m[3]], text[m[4]:m[5]], text[m[6]:m[7]]
		g := Gap{ID: id, Weight: 1, Syntax: syntax}
		if weight != "" {
			w, err := strconv.Atoi(weight)
			if err != nil || w < 1 || w > 100 {
				bad("the weight %s must be a whole number 1..100", weight)
			}
			g.Weight = w
		}
		kd, ok := gapSyntax[strings.ToUpper(syntax)]
		switch {
		case ok:
			g.Kind, g.Display = GapKind(kd[0]), kd[1]
		case strings.HasPrefix(strings.ToUpper(syntax), "MULTIRESPONSE") || strings.HasPrefix(strings.ToUpper(syntax), "MR"):
			bad("%s (several answers in one gap) is not supported yet; use a multiple_response question", syntax)
		case strings.ToUpper(syntax) == "SHORTANSWER_C" || strings.ToUpper(syntax) == "SAC" || strings.ToUpper(syntax) == "MWC":
			bad("%s compares case: Skillgate always ignores case; use SHORTANSWER", syntax)
		default:
			bad("%q is not a gap type (MULTICHOICE, MCV, MCH, SHORTANSWER, NUMERICAL)", syntax)
		}
		gaps = append(gaps, g)
		if !ok {
			continue
		}
		g = gaps[len(gaps)-1]
		for _, a := range splitUnescaped(body, '~') {
			w, rest, werr := gapAnswerWeight(a)
			if werr != "" {
				bad("%s", werr)
				continue
			}
			ansText, fb := rest, ""
			if parts := splitUnescaped(rest, '#'); len(parts) > 1 {
				ansText, fb = parts[0], strings.Join(parts[1:], "#")
			}
			ansText, fb = strings.TrimSpace(unescapeGap(ansText)), strings.TrimSpace(unescapeGap(fb))
			switch g.Kind {
			case GapChoice:
				g.Options = append(g.Options, Option{ID: OptionID(ansText), Text: ansText, Weight: w, Feedback: fb})
			case GapShort:
				switch {
				case ansText == "*" && w == 0:
					g.WrongFeedback = fb
				case ansText == "*":
					bad("a * answer gives no credit in Skillgate (it is the feedback for any other answer)")
				case w > 0:
					g.Answers = append(g.Answers, TextAnswer{Text: ansText, Weight: w, Feedback: fb})
				}
			case GapNumeric:
				if ansText == "*" {
					g.WrongFeedback = fb
					continue
				}
				if w <= 0 {
					continue
				}
				val, tol, _ := strings.Cut(ansText, ":")
				v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil {
					bad("%q is not a number", val)
					continue
				}
				n := NumericAnswer{Value: v, Weight: w, Feedback: fb}
				if strings.TrimSpace(tol) != "" {
					if n.Tolerance, err = strconv.ParseFloat(strings.TrimSpace(tol), 64); err != nil {
						bad("the tolerance %q is not a number", tol)
						continue
					}
				}
				g.Numbers = append(g.Numbers, n)
			}
		}
		gaps[len(gaps)-1] = g
		for _, msg := range g.check() {
			bad("%s", msg)
		}
	}
	if len(gaps) == 0 && len(errs) == 0 {
		errs = append(errs, "a cloze question needs at least one gap, such as {1:SHORTANSWER:=answer}")
	}
	return gaps, errs
}

// gapAnswerWeight reads an answer's leading = (100%) or %n% (n%).
func gapAnswerWeight(a string) (float64, string, string) {
	a = strings.TrimLeft(a, " \t\n")
	switch {
	case strings.HasPrefix(a, "="):
		return 100, a[1:], ""
	case strings.HasPrefix(a, "%"):
		end := strings.Index(a[1:], "%")
		if end < 0 {
			return 0, "", fmt.Sprintf("the weight of %q has no closing %%", a)
		}
		w, err := strconv.ParseFloat(a[1:1+end], 64)
		if err != nil || w < -100 || w > 100 {
			return 0, "", fmt.Sprintf("the weight %%%s%% must be a percentage -100..100", a[1:1+end])
		}
		return w, a[end+2:], ""
	}
	return 0, a, ""
}

// splitUnescaped splits s at every sep not preceded by a backslash.
func splitUnescaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unescapeGap removes Moodle's backslash escapes (\} \# \~ \/ \" \\).
func unescapeGap(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// question is the gap as a question of its own kind, so that a gap is
// checked and graded by the same code as a whole question.
func (g *Gap) question() *Question {
	q := &Question{ID: "gap-" + g.ID, Text: "gap", Points: 1, WrongFeedback: g.WrongFeedback}
	switch g.Kind {
	case GapChoice:
		q.Type, q.Options = SingleChoice, g.Options
	case GapShort:
		q.Type, q.Answers = ShortAnswer, g.Answers
	case GapNumeric:
		q.Type, q.Numbers = Numeric, g.Numbers
	}
	return q
}

// response is a gap's answer as a response to g.question().
func (g *Gap) response(answer string) Response {
	if g.Kind == GapChoice {
		if answer == "" {
			return Response{}
		}
		return Response{Choices: []string{answer}}
	}
	return Response{Text: answer}
}

func (g *Gap) check() []string {
	var errs []string
	for _, msg := range g.question().check() {
		msg = strings.ReplaceAll(msg, "a single_choice question", "a choice gap")
		msg = strings.ReplaceAll(msg, "a short_answer question", "a short-answer gap")
		msg = strings.ReplaceAll(msg, "a numeric question", "a numerical gap")
		errs = append(errs, msg)
	}
	return errs
}

// gradeCloze grades a cloze response: each gap as its own question, the
// mark the weighted share of the gaps' marks.
func (q *Question) gradeCloze(r Response) (*big.Rat, []string, []GapGrade) {
	got, max := new(big.Rat), new(big.Rat)
	var feedback []string
	var grades []GapGrade
	for i := range q.Gaps {
		g := &q.Gaps[i]
		answer := r.Gaps[g.ID]
		mark, fb := new(big.Rat), []string(nil)
		if len(answer) <= MaxResponseLen {
			mark, fb = g.question().grade(g.response(answer))
		}
		w := big.NewRat(int64(g.Weight), 1)
		got.Add(got, new(big.Rat).Mul(mark, w))
		max.Add(max, w)
		feedback = append(feedback, fb...)
		grades = append(grades, GapGrade{ID: g.ID, Mark: mark, Feedback: fb})
	}
	if max.Sign() == 0 {
		return new(big.Rat), feedback, grades
	}
	return clampUnit(got.Quo(got, max)), feedback, grades
}

// GapGrade is one gap's grading.
type GapGrade struct {
	ID       string
	Mark     *big.Rat
	Feedback []string
}

// GapResult is one gap of a QuestionResult.
type GapResult struct {
	ID      string  `json:"id"`
	Weight  int     `json:"weight"`
	Mark    float64 `json:"mark"` // in [0, 1], rounded down to 4 decimals
	Correct bool    `json:"correct"`
	// CorrectAnswer is shown from the "correct" policy up: the option id
	// of a choice gap, the texts or numbers of the others.
	CorrectAnswer *CorrectAnswer `json:"correct_answer,omitempty"`
	// Feedback is shown under the "feedback" policy.
	Feedback []string `json:"feedback,omitempty"`
}

// PublicGap is what an agent sees of a gap: its kind and a choice gap's
// options, never which is right.
type PublicGap struct {
	ID      string  `json:"id"`
	Kind    GapKind `json:"kind"`
	Display string  `json:"display,omitempty"`
	Points  int     `json:"points"` // the gap's weight in the question

	Options []PublicItem `json:"options,omitempty"`
}

// publicCloze is the question's text with every gap replaced by its
// placeholder, and the public gaps.
func (q *Question) publicCloze() (string, []PublicGap) {
	i := 0
	text := gapRe.ReplaceAllStringFunc(q.Text, func(string) string {
		i++
		return GapPlaceholder(strconv.Itoa(i))
	})
	gaps := make([]PublicGap, 0, len(q.Gaps))
	for _, g := range q.Gaps {
		pg := PublicGap{ID: g.ID, Kind: g.Kind, Display: g.Display, Points: g.Weight}
		for _, o := range g.Options {
			pg.Options = append(pg.Options, PublicItem{ID: o.ID, Text: o.Text})
		}
		gaps = append(gaps, pg)
	}
	return text, gaps
}

// checkClozeResponse validates a cloze response: gap ids of the question,
// option ids of choice gaps, numbers in numeric gaps.
func (q *Question) checkClozeResponse(r Response) error {
	if len(r.Choices) > 0 || r.Text != "" || len(r.Matches) > 0 {
		return fmt.Errorf("A cloze question is answered with gaps.")
	}
	for id, answer := range r.Gaps {
		var g *Gap
		for i := range q.Gaps {
			if q.Gaps[i].ID == id {
				g = &q.Gaps[i]
			}
		}
		if g == nil {
			return fmt.Errorf("The question has no gap %q.", id)
		}
		if err := g.question().CheckResponse(g.response(answer)); err != nil {
			return fmt.Errorf("Gap %s: %s", id, strings.ReplaceAll(err.Error(), "The question has", "The gap has"))
		}
	}
	return nil
}
