package quiz

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// MaxResponseLen is the longest typed answer graded; a longer one earns
// nothing.
const MaxResponseLen = 1000

// Response is an agent's answer to one question.
type Response struct {
	// Choices are option ids: one for single choice and true/false, any
	// number for multiple response.
	Choices []string `json:"choices,omitempty"`
	// Text is a short answer or a number.
	Text string `json:"text,omitempty"`
	// Matches map a matching question's left item ids to right item ids.
	Matches map[string]string `json:"matches,omitempty"`
	// Gaps answer a cloze question: gap id → the text or number typed, or
	// the option id chosen.
	Gaps map[string]string `json:"gaps,omitempty"`
}

// Empty reports whether the response says nothing: no choice, blank text,
// no match. Saving one clears the question's answer.
func (r Response) Empty() bool {
	if len(r.Choices) != 0 || strings.TrimSpace(r.Text) != "" || len(r.Matches) != 0 {
		return false
	}
	for _, a := range r.Gaps {
		if strings.TrimSpace(a) != "" {
			return false
		}
	}
	return true
}

var (
	ratZero    = new(big.Rat)
	ratOne     = big.NewRat(1, 1)
	ratHundred = big.NewRat(100, 1)
)

// ratOf is f as the exact value of its shortest decimal form, so that 0.1
// is 1/10 and 3.6 - 3.5 is exactly 1/10.
func ratOf(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok { // only NaN and ±Inf, which validation rejects
		return new(big.Rat)
	}
	return r
}

// clampUnit limits r to [0, 1].
func clampUnit(r *big.Rat) *big.Rat {
	switch {
	case r.Cmp(ratZero) < 0:
		return new(big.Rat)
	case r.Cmp(ratOne) > 0:
		return new(big.Rat).Set(ratOne)
	}
	return r
}

// percent is w/100 as a fraction.
func percent(w float64) *big.Rat { return new(big.Rat).Quo(ratOf(w), ratHundred) }

// RightID is the id a matching question's right item goes by: derived from
// its text, so it says nothing about which left item it belongs to.
func RightID(right string) string {
	sum := sha256.Sum256([]byte(right))
	return "r" + hex.EncodeToString(sum[:5])
}

// Mark grades one response: the exact credit earned, in [0, 1]. Unknown
// option ids earn nothing.
func (q *Question) Mark(r Response) *big.Rat {
	m, _ := q.grade(r)
	return m
}

// grade returns the mark and the per-answer feedback the response earned.
func (q *Question) grade(r Response) (*big.Rat, []string) {
	var feedback []string
	say := func(s string) {
		if s != "" {
			feedback = append(feedback, s)
		}
	}
	switch q.Type {
	case SingleChoice, TrueFalse:
		if len(r.Choices) != 1 {
			return new(big.Rat), nil
		}
		for _, o := range q.Options {
			if o.ID == r.Choices[0] {
				say(o.Feedback)
				return clampUnit(percent(o.Weight)), feedback
			}
		}
	case MultipleResponse:
		chosen := map[string]bool{}
		for _, c := range r.Choices {
			chosen[c] = true
		}
		// Credit is relative to the sum of the positive weights, so that
		// three options of 33.33333 together earn exactly 1.
		got, max := new(big.Rat), new(big.Rat)
		for _, o := range q.Options {
			w := ratOf(o.Weight)
			if o.Weight > 0 {
				max.Add(max, w)
			}
			if chosen[o.ID] {
				got.Add(got, w)
				say(o.Feedback)
			}
		}
		if max.Sign() == 0 {
			return new(big.Rat), feedback
		}
		return clampUnit(got.Quo(got, max)), feedback
	case ShortAnswer:
		if len(r.Text) > MaxResponseLen {
			return new(big.Rat), nil
		}
		given := normalizeText(r.Text)
		best, fb := 0.0, ""
		for _, a := range q.Answers {
			if normalizeText(a.Text) == given && a.Weight > best {
				best, fb = a.Weight, a.Feedback
			}
		}
		if best < 100 && q.Pattern != "" && given != "" {
			if re, err := compilePattern(q.Pattern); err == nil && re.MatchString(given) {
				best, fb = 100, ""
			}
		}
		if best == 0 && given != "" {
			fb = q.WrongFeedback
		}
		say(fb)
		return clampUnit(percent(best)), feedback
	case Numeric:
		x, ok := parseNumber(r.Text)
		if !ok {
			return new(big.Rat), nil
		}
		best, fb := 0.0, ""
		for _, n := range q.Numbers {
			if n.accepts(x) && n.Weight > best {
				best, fb = n.Weight, n.Feedback
			}
		}
		if best == 0 {
			fb = q.WrongFeedback
		}
		say(fb)
		return clampUnit(percent(best)), feedback
	case Matching:
		lefts, right := 0, 0
		for _, p := range q.Pairs {
			if strings.TrimSpace(p.Left) == "" {
				continue
			}
			lefts++
			if r.Matches[p.ID] == RightID(p.Right) {
				right++
			}
		}
		if lefts == 0 {
			return new(big.Rat), nil
		}
		return big.NewRat(int64(right), int64(lefts)), nil
	case Cloze:
		m, fb, _ := q.gradeCloze(r)
		return m, fb
	}
	return new(big.Rat), feedback
}

// parseNumber reads a number as a person types it, exactly ("3.6" is
// 36/10): an optional sign (+, - or the minus sign −), digits with commas
// grouping thousands or none ("1,200", "1200"), an optional decimal point
// and an optional exponent ("1.5e3"). Anything else is refused, with the
// reason (a sentence, for the answer's field): words and units ("ten
// dollars", "$12"), a decimal comma ("12,5"), hexadecimal, NaN and
// infinities, overlong input.
func parseNumber(s string) (*big.Rat, bool) {
	r, _ := readNumber(s)
	return r, r != nil
}

// typedNumber is the form parseNumber accepts, once the sign is off.
var typedNumber = regexp.MustCompile(`^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d{1,3})?$|^\.\d+(?:[eE][+-]?\d{1,3})?$`)

// decimalComma is a number written with a comma for the decimal point;
// commaNumber any other run of digits and commas.
var (
	decimalComma = regexp.MustCompile(`^\d+,\d{1,2}$`)
	commaNumber  = regexp.MustCompile(`^[\d,]+(?:\.\d*)?$`)
)

// readNumber is parseNumber with the reason a text is not a number.
func readNumber(s string) (*big.Rat, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, "Enter a number."
	case len(s) > 64:
		return nil, "A number has at most 64 characters."
	}
	body := s
	neg := false
	if rest, ok := strings.CutPrefix(body, "−"); ok {
		body, neg = rest, true
	} else if body[0] == '-' || body[0] == '+' {
		body, neg = body[1:], body[0] == '-'
	}
	if !typedNumber.MatchString(body) {
		if decimalComma.MatchString(body) {
			return nil, "Use a point for decimals, such as 12.5."
		}
		if commaNumber.MatchString(body) {
			return nil, "Group thousands in threes, such as 1,200, or leave out the commas."
		}
		return nil, "Enter only a number, without words, units or currency signs, such as 1,200 or 12.5."
	}
	r, ok := new(big.Rat).SetString(strings.ReplaceAll(body, ",", ""))
	if !ok {
		return nil, "Enter only a number, such as 1,200 or 12.5."
	}
	if neg {
		r.Neg(r)
	}
	return r, ""
}

// accepts reports whether x is within the answer's tolerance or range,
// computed exactly.
func (n NumericAnswer) accepts(x *big.Rat) bool {
	lo, hi := ratOf(n.Min), ratOf(n.Max)
	if !n.IsRange {
		v, t := ratOf(n.Value), ratOf(n.Tolerance)
		lo = new(big.Rat).Sub(v, t)
		hi = new(big.Rat).Add(v, t)
	}
	return x.Cmp(lo) >= 0 && x.Cmp(hi) <= 0
}

// Graded is a submitted attempt's full grading, server-side. Agents see its
// View.
type Graded struct {
	// Score is the points earned over the points possible, exactly, in [0, 1].
	Score       *big.Rat
	PassPercent int
	Passed      bool
	Questions   []GradedQuestion
}

// GradedQuestion is one question's grading.
type GradedQuestion struct {
	Question Question
	Response Response
	Mark     *big.Rat // in [0, 1]
	// Gaps are a cloze question's marks per gap.
	Gaps []GapGrade
	// Feedback is the per-answer feedback the response earned, then the
	// question's general feedback.
	Feedback []string
}

// Grade grades responses (keyed by Question.Key) to the drawn questions. A
// question without a response earns nothing. The quiz is passed when
// Score ≥ passPercent/100, compared exactly: 2 of 3 questions is 66.66…%,
// which fails a 67% pass mark and passes a 66% one.
func Grade(questions []Question, responses map[string]Response, passPercent int) Graded {
	g := Graded{PassPercent: passPercent, Score: new(big.Rat)}
	earned, possible := new(big.Rat), new(big.Rat)
	for _, q := range questions {
		r := responses[q.Key()]
		mark, fb := q.grade(r)
		if q.Feedback != "" {
			fb = append(fb, q.Feedback)
		}
		pts := big.NewRat(int64(q.Points), 1)
		earned.Add(earned, new(big.Rat).Mul(mark, pts))
		possible.Add(possible, pts)
		gq := GradedQuestion{Question: q, Response: r, Mark: mark, Feedback: fb}
		if q.Type == Cloze {
			_, _, gq.Gaps = q.gradeCloze(r)
		}
		g.Questions = append(g.Questions, gq)
	}
	if possible.Sign() > 0 {
		g.Score.Quo(earned, possible)
	}
	g.Passed = g.Score.Cmp(big.NewRat(int64(passPercent), 100)) >= 0
	return g
}

// Result is what an agent sees of a graded attempt, as the review policy
// allows.
type Result struct {
	// Percent is the score in percent, rounded down to 2 decimals (so it
	// never shows a pass mark that was not reached).
	Percent     float64 `json:"percent"`
	PassPercent int     `json:"pass_percent"`
	Passed      bool    `json:"passed"`
	// Reread lists, once each, the module sections tested by questions not
	// answered fully right.
	Reread []string `json:"reread"`
	// Questions are shown from the "answers" policy up.
	Questions []QuestionResult `json:"questions,omitempty"`
}

// QuestionResult is one question of a Result.
type QuestionResult struct {
	ID string `json:"id"` // the question's Key
	// Mark is the credit earned in [0, 1], rounded down to 4 decimals.
	Mark     float64  `json:"mark"`
	Points   int      `json:"points"`
	Correct  bool     `json:"correct"` // full credit
	Response Response `json:"response"`
	// Reread is the section to re-read when the answer was not fully right.
	Reread string `json:"reread,omitempty"`
	// CorrectAnswer is shown from the "correct" policy up.
	CorrectAnswer *CorrectAnswer `json:"correct_answer,omitempty"`
	// Feedback is shown under the "feedback" policy.
	Feedback []string `json:"feedback,omitempty"`
	// Gaps are a cloze question's marks per gap, with their correct
	// answers and feedback as the policy allows.
	Gaps []GapResult `json:"gaps,omitempty"`
}

// CorrectAnswer is the full-credit answer to a question.
type CorrectAnswer struct {
	Choices []string          `json:"choices,omitempty"` // option ids
	Texts   []string          `json:"texts,omitempty"`   // short answers earning full credit
	Numbers []string          `json:"numbers,omitempty"` // e.g. "3.5 ± 0.1", "1..5"
	Matches map[string]string `json:"matches,omitempty"` // left id → right id
}

// View is the agent's view of the grading under policy. An unknown policy
// shows as little as "score".
func (g Graded) View(policy ReviewPolicy) Result {
	res := Result{
		PassPercent: g.PassPercent,
		Passed:      g.Passed,
		Percent:     floorDecimals(new(big.Rat).Mul(g.Score, ratHundred), 2),
		Reread:      []string{},
	}
	seen := map[string]bool{}
	for _, gq := range g.Questions {
		q := gq.Question
		full := gq.Mark.Cmp(ratOne) == 0
		if !full && q.Reread != "" && !seen[q.Reread] {
			seen[q.Reread] = true
			res.Reread = append(res.Reread, q.Reread)
		}
		if !policy.Shows(ReviewAnswers) {
			continue
		}
		qr := QuestionResult{ID: q.Key(), Mark: floorDecimals(gq.Mark, 4), Points: q.Points, Correct: full, Response: gq.Response}
		if !full {
			qr.Reread = q.Reread
		}
		if policy.Shows(ReviewCorrect) {
			qr.CorrectAnswer = q.correctAnswer()
		}
		if policy.Shows(ReviewFeedback) {
			qr.Feedback = feedbackShown(&q, gq.Feedback)
		}
		for i, gg := range gq.Gaps {
			gap := q.Gaps[i]
			gr := GapResult{ID: gg.ID, Weight: gap.Weight, Mark: floorDecimals(gg.Mark, 4), Correct: gg.Mark.Cmp(ratOne) == 0}
			if policy.Shows(ReviewCorrect) {
				gr.CorrectAnswer = gap.question().correctAnswer()
			}
			if policy.Shows(ReviewFeedback) {
				gr.Feedback = feedbackShown(&q, gg.Feedback)
			}
			qr.Gaps = append(qr.Gaps, gr)
		}
		res.Questions = append(res.Questions, qr)
	}
	return res
}

// feedbackShown is feedback of q as shown: its files at their addresses.
func feedbackShown(q *Question, fb []string) []string {
	if len(q.Files) == 0 {
		return fb
	}
	out := make([]string, len(fb))
	for i, s := range fb {
		out[i] = q.fileURLs(s)
	}
	return out
}

// floorDecimals rounds a non-negative r down to places decimals.
func floorDecimals(r *big.Rat, places int) float64 {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	n := new(big.Int).Mul(r.Num(), scale)
	n.Quo(n, r.Denom())
	f, _ := new(big.Rat).SetFrac(n, scale).Float64()
	return f
}

func (q *Question) correctAnswer() *CorrectAnswer {
	ca := &CorrectAnswer{}
	switch q.Type {
	case SingleChoice, TrueFalse, MultipleResponse:
		for _, o := range q.Options {
			if (q.Type == MultipleResponse && o.Weight > 0) || o.Weight == 100 {
				ca.Choices = append(ca.Choices, o.ID)
			}
		}
	case ShortAnswer:
		for _, a := range q.Answers {
			if a.Weight == 100 {
				ca.Texts = append(ca.Texts, a.Text)
			}
		}
	case Numeric:
		for _, n := range q.Numbers {
			if n.Weight != 100 {
				continue
			}
			switch {
			case n.IsRange:
				ca.Numbers = append(ca.Numbers, fmt.Sprintf("%v..%v", n.Min, n.Max))
			case n.Tolerance == 0:
				ca.Numbers = append(ca.Numbers, fmt.Sprintf("%v", n.Value))
			default:
				ca.Numbers = append(ca.Numbers, fmt.Sprintf("%v ± %v", n.Value, n.Tolerance))
			}
		}
	case Matching:
		ca.Matches = map[string]string{}
		for _, p := range q.Pairs {
			if strings.TrimSpace(p.Left) != "" {
				ca.Matches[p.ID] = RightID(p.Right)
			}
		}
	}
	return ca
}
