package quiz

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strings"
)

// MaxPatternLen is the longest short-answer pattern accepted. Go's regexp
// runs in linear time; the limit keeps compiled programs small.
const MaxPatternLen = 256

var (
	slugRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	tagRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$`)
	rereadRe = regexp.MustCompile(`^(core/)?[a-z0-9][a-z0-9-]{0,62}#[^\s#]+$`)
)

// weightSlack is how far the positive weights of a multiple response
// question may be from 100 (GIFT files write thirds as 33.33333).
const weightSlack = 0.01

// defaults fills in what a question may leave out: points and option ids.
func (q *Question) defaults() {
	if q.Points == 0 {
		q.Points = 1
	}
	for i := range q.Options {
		if q.Options[i].ID == "" {
			q.Options[i].ID = OptionID(q.Options[i].Text)
		}
	}
	for i := range q.Pairs {
		if q.Pairs[i].ID == "" {
			q.Pairs[i].ID = fmt.Sprintf("p%d", i+1)
		}
	}
	if q.Type == Cloze {
		q.Gaps, _ = ParseGaps(q.Text)
	}
}

// OptionID is the id of an option whose author gave it none: derived from
// its text, so that it says nothing of where the option was written. Ids
// reach the agent's browser with the options, and authors tend to write the
// right answer first; shuffled options named a, b, c by position would give
// it away. An option keeps its id when options move or others are added,
// so results stay comparable across versions.
func OptionID(text string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(text)))
	return "o" + hex.EncodeToString(sum[:4])
}

// check returns what is wrong with the question, each message naming the
// part at fault.
func (q *Question) check() []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	if !slugRe.MatchString(q.ID) {
		bad("id %q must be a slug (lowercase letters, digits and hyphens, at most 63)", q.ID)
	}
	if !q.Type.Valid() {
		bad("type %q is not one of %s", q.Type, typeList())
	}
	if strings.TrimSpace(q.Text) == "" && strings.TrimSpace(q.TextAfter) == "" {
		bad("text is empty")
	}
	switch q.Format {
	case "", FormatMarkdown, FormatPlain, FormatHTML:
	default:
		bad("format %q is not one of markdown, plain, html", q.Format)
	}
	if q.Points < 1 || q.Points > 100 {
		bad("points must be 1..100, got %d", q.Points)
	}
	for _, t := range q.texts() {
		for _, name := range fileRefs(*t) {
			if q.file(name) == nil {
				bad("shows the file %q (@@PLUGINFILE@@/%s), which is not embedded: only Moodle XML carries files (<file encoding=\"base64\">); import the Moodle XML export, or remove the image", name, name)
				return errs
			}
		}
	}
	if q.Reread != "" && !rereadRe.MatchString(q.Reread) {
		bad("reread %q must be <module-slug>#<heading-id>", q.Reread)
	}
	for _, t := range q.Tags {
		if !tagRe.MatchString(t) {
			bad("tag %q must be a slug or a path of slugs (a/b)", t)
		}
	}
	if q.Type != SingleChoice && q.Type != MultipleResponse && q.Type != TrueFalse && len(q.Options) > 0 {
		bad("a %s question has no options", q.Type)
	}
	if q.Type != ShortAnswer && (len(q.Answers) > 0 || q.Pattern != "") {
		bad("a %s question has no accepted text answers or pattern", q.Type)
	}
	if q.WrongFeedback != "" && q.Type != ShortAnswer && q.Type != Numeric {
		bad("wrong_feedback belongs to true_false, short_answer and numeric questions")
	}
	if q.Type != Numeric && len(q.Numbers) > 0 {
		bad("a %s question has no numeric answers", q.Type)
	}
	if q.Type != Matching && len(q.Pairs) > 0 {
		bad("a %s question has no pairs", q.Type)
	}
	if q.Type != Cloze && len(q.Gaps) > 0 {
		bad("a %s question has no gaps", q.Type)
	}

	switch q.Type {
	case SingleChoice, TrueFalse:
		errs = append(errs, checkOptions(q.Options)...)
		full := 0
		for _, o := range q.Options {
			if o.Weight == 100 {
				full++
			}
			if o.Weight > 100 || o.Weight < -100 {
				bad("option %s: weight must be -100..100, got %v", o.ID, o.Weight)
			}
		}
		if full != 1 {
			bad("a %s question needs exactly one correct option, got %d", q.Type, full)
		}
		if q.Type == TrueFalse && (len(q.Options) != 2 || q.Options[0].ID != OptionTrue || q.Options[1].ID != OptionFalse) {
			bad("a true_false question has exactly the options true and false")
		}
	case MultipleResponse:
		errs = append(errs, checkOptions(q.Options)...)
		sum := 0.0
		for _, o := range q.Options {
			if o.Weight > 100 || o.Weight < -100 {
				bad("option %s: weight must be -100..100, got %v", o.ID, o.Weight)
			}
			if o.Weight > 0 {
				sum += o.Weight
			}
		}
		if math.Abs(sum-100) > weightSlack {
			bad("the weights of the correct options must sum to 100, got %v", roundTo(sum, 5))
		}
	case ShortAnswer:
		if len(q.Answers) == 0 && q.Pattern == "" {
			bad("a short_answer question needs accepted answers or a pattern")
		}
		full := q.Pattern != ""
		seen := map[string]bool{}
		for i, a := range q.Answers {
			n := normalizeText(a.Text)
			switch {
			case n == "":
				bad("answer %d is empty", i+1)
			case seen[n]:
				bad("answer %q is given twice", a.Text)
			}
			seen[n] = true
			if a.Weight <= 0 || a.Weight > 100 {
				bad("answer %q: weight must be more than 0 and at most 100, got %v", a.Text, a.Weight)
			}
			full = full || a.Weight == 100
		}
		if !full {
			bad("a short_answer question needs an answer with weight 100 or a pattern")
		}
		if q.Pattern != "" {
			if _, err := compilePattern(q.Pattern); err != nil {
				bad("pattern: %v", err)
			}
		}
	case Numeric:
		if len(q.Numbers) == 0 {
			bad("a numeric question needs at least one accepted number")
		}
		full := false
		for i, n := range q.Numbers {
			for _, v := range []float64{n.Value, n.Tolerance, n.Min, n.Max, n.Weight} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					bad("number %d: values must be finite", i+1)
				}
			}
			if n.IsRange && n.Min > n.Max {
				bad("number %d: range %v..%v has low above high", i+1, n.Min, n.Max)
			}
			if !n.IsRange && n.Tolerance < 0 {
				bad("number %d: tolerance must be ≥ 0, got %v", i+1, n.Tolerance)
			}
			if n.Weight <= 0 || n.Weight > 100 {
				bad("number %d: weight must be more than 0 and at most 100, got %v", i+1, n.Weight)
			}
			full = full || n.Weight == 100
		}
		if len(q.Numbers) > 0 && !full {
			bad("a numeric question needs an accepted number with weight 100")
		}
	case Matching:
		lefts, ids := map[string]bool{}, map[string]bool{}
		n := 0
		for _, p := range q.Pairs {
			if ids[p.ID] {
				bad("pair id %q is used twice", p.ID)
			}
			ids[p.ID] = true
			if strings.TrimSpace(p.Right) == "" {
				bad("pair %s: the right item is empty", p.ID)
			}
			if strings.TrimSpace(p.Left) == "" {
				continue // a distractor
			}
			n++
			if lefts[p.Left] {
				bad("pair %s: the left item %q is given twice", p.ID, p.Left)
			}
			lefts[p.Left] = true
		}
		if n < 2 {
			bad("a matching question needs at least 2 pairs, got %d", n)
		}
	case Cloze:
		if q.TextAfter != "" {
			bad("a cloze question has no text_after: write the gaps in its text")
		}
		_, gapErrs := ParseGaps(q.Text)
		errs = append(errs, gapErrs...)
	}
	return errs
}

func checkOptions(opts []Option) []string {
	var errs []string
	if len(opts) < 2 {
		errs = append(errs, fmt.Sprintf("needs at least 2 options, got %d", len(opts)))
	}
	ids, texts := map[string]bool{}, map[string]bool{}
	for _, o := range opts {
		if !slugRe.MatchString(o.ID) {
			errs = append(errs, fmt.Sprintf("option id %q must be a slug", o.ID))
		}
		if texts[o.Text] {
			errs = append(errs, fmt.Sprintf("option %q is written twice", o.Text))
		} else if ids[o.ID] {
			errs = append(errs, fmt.Sprintf("option id %q is used twice", o.ID))
		}
		texts[o.Text] = true
		ids[o.ID] = true
		if strings.TrimSpace(o.Text) == "" {
			errs = append(errs, fmt.Sprintf("option %s: text is empty", o.ID))
		}
	}
	return errs
}

func typeList() string {
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func roundTo(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// normalizeText is how short answers compare: lower case, runs of white
// space as one space, no leading or trailing space.
func normalizeText(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// compilePattern compiles a short-answer pattern to match a whole
// normalized answer, case-insensitively.
func compilePattern(p string) (*regexp.Regexp, error) {
	if len(p) > MaxPatternLen {
		return nil, fmt.Errorf("longer than %d bytes", MaxPatternLen)
	}
	// Compiled alone first, so that a pattern like "a)|(b" cannot escape the
	// anchoring group below.
	if _, err := regexp.Compile(p); err != nil {
		return nil, fmt.Errorf("not a valid Go regular expression: %w", err)
	}
	return regexp.Compile(`^(?i:` + p + `)$`)
}
