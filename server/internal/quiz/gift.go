package quiz

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// GIFTSuffix ends every GIFT file's name.
const GIFTSuffix = ".gift"

// Escaped GIFT characters are swapped for private-use runes while parsing,
// so the syntax characters left are the real ones, then swapped back.
const escapable = "~=#{}:\\n"

func placeholder(i int) rune { return rune(0xE000 + i) }

// unescape turns GIFT escapes into placeholders; a backslash before any
// other character stays a backslash.
func unescapeToPlaceholders(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) {
			if k := strings.IndexRune(escapable, rs[i+1]); k >= 0 {
				b.WriteRune(placeholder(k))
				i++
				continue
			}
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

// restore turns placeholders back into the characters they stand for.
func restore(s string) string {
	return strings.Map(func(r rune) rune {
		if k := int(r - 0xE000); k >= 0 && k < len(escapable) {
			if escapable[k] == 'n' {
				return '\n'
			}
			return rune(escapable[k])
		}
		return r
	}, s)
}

// ParseGIFT reads a Moodle GIFT file as a question bank. file is its path
// under the quizzes folder (quizzes/<client>/<program>/…/<name>.gift or a
// suffix of it): the bank is named after the file and belongs to the client
// folder. Essay and description items, which Skillgate cannot represent, are
// listed in Bank.Skipped with their file:line. Every problem is collected,
// each naming file:line; the error is then Problems.Err() (code invalid).
func ParseGIFT(file string, data []byte) (*Bank, error) {
	p := &giftParser{bankReader: newBankReader(file)}
	b := p.parse(data)
	if len(p.ps) > 0 {
		p.ps.Sort()
		return nil, p.ps.Err()
	}
	return b, nil
}

type giftParser struct {
	bankReader
	category string // the last $CATEGORY's path
	format   string // the stored format of the question being read
}

// block is one GIFT item: its text (escapes as placeholders) and the file
// line of each of its lines.
type block struct {
	text   string
	lines  []int
	nl     []int  // byte offsets of the newlines in text
	closed bool   // its answers' } has been read
	reread string // from a "// reread: module#heading" comment before or in it
	ext    string // from a "// skillgate: {…}" comment before it
	extAt  int    // that comment's line
}

// extComment carries what GIFT cannot say of a Skillgate question (see
// extension); Moodle reads it as a comment.
var extComment = regexp.MustCompile(`^//\s*skillgate:\s*(.*?)\s*$`)

// rereadComment is a comment that points the next question to the module
// section it tests; Moodle reads it as a comment.
var rereadComment = regexp.MustCompile(`^//\s*reread:\s*(.*?)\s*$`)

// lineAt is the file line of byte offset off in the block.
func (b block) lineAt(off int) int {
	if off > len(b.text) {
		off = len(b.text)
	}
	if off < 0 {
		off = 0
	}
	i := sort.SearchInts(b.nl, off) // newlines before off
	if i >= len(b.lines) {
		i = len(b.lines) - 1
	}
	return b.lines[i]
}

func (p *giftParser) parse(data []byte) *Bank {
	b := p.newBank(GIFTSuffix, "a GIFT")
	text := strings.TrimPrefix(string(data), "\uFEFF")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")

	// Split into blocks: blank lines separate items (unless inside an open
	// answer block); comment lines are dropped.
	var blocks []block
	var cur block
	var buf strings.Builder
	depth := 0
	reread, rereadLine := "", 0 // a reread comment waiting for its question
	ext, extLine := "", 0       // an extension comment waiting for its question
	flush := func() {
		if len(cur.lines) > 0 {
			cur.text = buf.String()
			blocks = append(blocks, cur)
		}
		cur, depth = block{}, 0
		buf.Reset()
	}
	orphan := func() {
		if reread != "" {
			p.errf(rereadLine, "the reread comment is not followed by a question (write it just before the question it belongs to)")
			reread = ""
		}
		if ext != "" {
			p.errf(extLine, "the skillgate comment is not followed by a question (write it just before the question it belongs to)")
			ext = ""
		}
	}
	for i, raw := range strings.Split(text, "\n") {
		line := unescapeToPlaceholders(raw)
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "//") {
			if m := extComment.FindStringSubmatch(strings.TrimSpace(raw)); m != nil {
				if ext != "" || (len(cur.lines) > 0 && !cur.closed) {
					p.errf(i+1, "a skillgate comment comes once, just before its question")
					continue
				}
				ext, extLine = m[1], i+1
				continue
			}
			if m := rereadComment.FindStringSubmatch(strings.TrimSpace(raw)); m != nil {
				// Inside a question it is that question's; after one (its
				// answers closed) or between questions, the next one's.
				inside := len(cur.lines) > 0 && !cur.closed
				switch {
				case m[1] == "":
					p.errf(i+1, "the reread comment names no section: write // reread: module#heading")
				case inside && cur.reread == "":
					cur.reread = m[1]
				case !inside && reread == "":
					reread, rereadLine = m[1], i+1
				default:
					p.errf(i+1, "a question has one reread comment")
				}
			}
			continue
		}
		if trimmed == "" && depth == 0 {
			flush()
			continue
		}
		if strings.HasPrefix(trimmed, "$CATEGORY:") && depth == 0 {
			flush()
			orphan()
			blocks = append(blocks, block{text: trimmed, lines: []int{i + 1}})
			continue
		}
		if len(cur.lines) == 0 {
			cur.reread, reread = reread, ""
			cur.ext, cur.extAt, ext = ext, extLine, ""
		}
		if len(cur.lines) > 0 {
			cur.nl = append(cur.nl, buf.Len())
			buf.WriteString("\n")
		}
		buf.WriteString(line)
		cur.lines = append(cur.lines, i+1)
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth < 0 {
			depth = 0
		}
		if depth == 0 && strings.Contains(line, "}") {
			cur.closed = true
		}
	}
	flush()
	orphan()

	for _, bl := range blocks {
		before := len(p.ps)
		q, skipped := p.item(bl)
		if skipped != "" {
			b.Skipped = append(b.Skipped, Problem{File: p.file, Line: bl.lines[0], Message: skipped})
			if bl.reread != "" {
				p.errf(bl.lines[0], "this item is skipped, so its reread comment has no question")
			}
			if bl.ext != "" {
				p.errf(bl.extAt, "this item is skipped, so its skillgate comment has no question")
			}
		}
		if q == nil || len(p.ps) > before { // a syntax problem is reported alone
			continue
		}
		if bl.ext != "" {
			e, err := parseExtension(bl.ext)
			if err != nil {
				p.errf(bl.extAt, "%v", err)
				continue
			}
			if msg := e.apply(q); msg != "" {
				p.errf(bl.extAt, "%s", msg)
				continue
			}
		}
		p.add(b, q, bl.lines[0])
	}
	b.Warnings = p.warnings
	return b
}

var categoryRootRe = regexp.MustCompile(`^\$[a-z0-9_]+\$$`)

// categoryTag turns "$course$/top/Card fees/Late" into "card-fees/late".
func categoryTag(path string) string {
	var segs []string
	for i, s := range strings.Split(path, "/") {
		s = strings.TrimSpace(s)
		if i == 0 && categoryRootRe.MatchString(s) {
			continue
		}
		if len(segs) == 0 && strings.EqualFold(s, "top") {
			continue
		}
		if s = slugify(s); s != "" {
			segs = append(segs, s)
		}
	}
	return strings.Join(segs, "/")
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slugify makes a slug of s: lower case, runs of anything else as one
// hyphen, at most 63 characters.
func slugify(s string) string {
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}

var formatTags = map[string]string{"[markdown]": srcMarkdown, "[plain]": srcPlain, "[html]": srcHTML, "[moodle]": srcMoodle}

// stripFormat removes a leading format tag, returning the text and the
// Moodle format it names ("" when there is none).
func stripFormat(s string) (string, string) {
	t := strings.TrimLeft(s, " \t\n")
	for tag, f := range formatTags {
		if strings.HasPrefix(t, tag) {
			return t[len(tag):], f
		}
	}
	return s, ""
}

// clean restores escapes, trims, and turns an answer's or feedback's text
// into the question's format (from its own format tag, or the question's
// when it has none, as Moodle reads it).
func (p *giftParser) clean(s string) string {
	s, src := stripFormat(s)
	s = strings.TrimSpace(restore(s))
	if src == "" {
		return convertText(s, p.srcFormat(), p.format)
	}
	return convertText(s, src, p.format)
}

// plain is a text typed by the agent or chosen from a list (a short or
// numeric answer, a matching choice): restored, trimmed and, when written
// as HTML, reduced to its text.
func (p *giftParser) plain(s string) string {
	s, src := stripFormat(s)
	s = strings.TrimSpace(restore(s))
	if src == "" {
		src = p.srcFormat()
	}
	return convertText(s, src, FormatPlain)
}

// srcFormat is the Moodle format of the question's own text.
func (p *giftParser) srcFormat() string {
	switch p.format {
	case FormatHTML:
		return srcHTML // already converted from moodle, if it was
	case FormatPlain:
		return srcPlain
	}
	return srcMarkdown
}

// item parses one block. It returns the question, or a reason the block was
// skipped, or neither (a category line, or a problem already reported).
func (p *giftParser) item(bl block) (*Question, string) {
	s := bl.text
	first := bl.lines[0]
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "$CATEGORY:") {
		p.category = categoryPath(restore(strings.TrimPrefix(t, "$CATEGORY:")))
		return nil, ""
	}
	q := &Question{Source: fmt.Sprintf("%s:%d", p.file, first), Reread: bl.reread, Category: p.category}
	if tag := categoryTag(p.category); tag != "" {
		q.Tags = []string{tag}
	}
	body := strings.TrimLeft(s, " \t\n")
	offset := len(s) - len(body)
	if strings.HasPrefix(body, "::") {
		end := strings.Index(body[2:], "::")
		if end < 0 {
			p.errf(first, "the title has no closing ::")
			return nil, ""
		}
		q.Title = strings.TrimSpace(restore(body[2 : 2+end]))
		offset += 2 + end + 2
		body = body[2+end+2:]
	}
	open := strings.Index(body, "{")
	if open < 0 {
		return nil, fmt.Sprintf("description %s: items without answers are not supported, skipped", describe(q.Title, body))
	}
	close := strings.Index(body[open:], "}")
	if close < 0 {
		p.errf(bl.lineAt(offset+open), "the answers opened with { are not closed with }")
		return nil, ""
	}
	close += open
	answers := body[open+1 : close]
	ansOffset := offset + open + 1
	if i := strings.Index(answers, "{"); i >= 0 {
		p.errf(bl.lineAt(ansOffset+i), "a { inside the answers must be escaped as \\{")
		return nil, ""
	}
	after := body[close+1:]
	if i := strings.IndexAny(after, "{}"); i >= 0 {
		p.errf(bl.lineAt(offset+close+1+i), "a question has one answer block; escape other braces as \\{ and \\}")
		return nil, ""
	}
	before, src := stripFormat(body[:open])
	q.Format = storedFormat(src)
	p.format = q.Format
	q.Text = convertText(strings.TrimSpace(restore(before)), src, q.Format)
	q.TextAfter = convertText(strings.TrimSpace(restore(after)), src, q.Format)
	q.ID = slugify(q.Title)
	if q.ID == "" {
		q.ID = textID(q.Text, q.TextAfter)
	}

	if i := strings.LastIndex(answers, "####"); i >= 0 { // as Moodle: the last one, so "#####" ends an answer's feedback
		q.Feedback = p.clean(answers[i+4:])
		answers = answers[:i]
	}
	trimmed := strings.TrimSpace(answers)
	lineOf := func(off int) int { return bl.lineAt(ansOffset + off) }
	switch {
	case trimmed == "":
		return nil, fmt.Sprintf("essay %s: essay questions are not supported, skipped", describe(q.Title, q.Text))
	case strings.HasPrefix(trimmed, "#"):
		q.Type = Numeric
		p.numeric(q, answers, lineOf)
	case strings.Contains(answers, "~"):
		p.choice(q, answers, lineOf)
	case strings.Contains(answers, "=") && strings.Contains(answers, "->"):
		q.Type = Matching
		p.matching(q, answers, lineOf)
	default:
		head, _, _ := strings.Cut(trimmed, "#")
		switch strings.ToUpper(strings.TrimSpace(head)) {
		case "T", "TRUE", "F", "FALSE":
			q.Type = TrueFalse
			parts := strings.Split(trimmed, "#")
			var wrong, right string
			if len(parts) > 1 {
				wrong = p.clean(parts[1])
			}
			if len(parts) > 2 {
				right = p.clean(parts[2])
			}
			if len(parts) > 3 {
				p.errf(first, "a true/false answer has at most two feedbacks: {T#wrong answer#right answer}")
			}
			q.Options = trueFalseOptions(strings.HasPrefix(strings.ToUpper(head), "T"), right, wrong)
		default:
			if !strings.HasPrefix(trimmed, "=") {
				p.errf(lineOf(0), "cannot tell the question type: answers start with = or ~, a number with #, or are T or F")
				return nil, ""
			}
			q.Type = ShortAnswer
			for _, a := range p.answers(answers, lineOf) {
				q.Answers = append(q.Answers, TextAnswer{Text: a.plain, Weight: a.weightOr(100), Feedback: a.feedback})
			}
		}
	}
	return q, ""
}

func describe(title, text string) string {
	if title != "" {
		return strconv.Quote(title)
	}
	t := strings.TrimSpace(restore(text))
	if r := []rune(t); len(r) > 40 {
		t = string(r[:40]) + "…"
	}
	return strconv.Quote(t)
}

// answer is one =/~ answer of a block.
type answer struct {
	marker    byte // '=' or '~'
	weight    float64
	hasWeight bool
	text      string // escapes restored, trimmed, in the question's format
	plain     string // escapes restored, trimmed, as text
	rawText   string // placeholders kept, for further splitting
	feedback  string
	line      int
}

func (a answer) weightOr(def float64) float64 {
	if a.hasWeight {
		return a.weight
	}
	return def
}

// answers splits an answer block at its = and ~ markers.
func (p *giftParser) answers(s string, lineOf func(int) int) []answer {
	var out []answer
	start := strings.IndexAny(s, "=~")
	if start < 0 {
		p.errf(lineOf(0), "no answers: each answer starts with = or ~")
		return nil
	}
	if strings.TrimSpace(s[:start]) != "" {
		p.errf(lineOf(0), "text before the first answer: %q (each answer starts with = or ~)", strings.TrimSpace(restore(s[:start])))
	}
	for start >= 0 {
		next := strings.IndexAny(s[start+1:], "=~")
		end := len(s)
		if next >= 0 {
			end = start + 1 + next
		}
		// "->" is not a marker, but "=" right after "-" would not occur in a
		// matching arrow; = and ~ always start an answer.
		a := answer{marker: s[start], line: lineOf(start)}
		body := s[start+1 : end]
		if t := strings.TrimLeft(body, " \t\n"); strings.HasPrefix(t, "%") {
			if j := strings.Index(t[1:], "%"); j >= 0 {
				w, err := strconv.ParseFloat(strings.TrimSpace(t[1:1+j]), 64)
				if err != nil || w < -100 || w > 100 {
					p.errf(a.line, "weight %%%s%% must be a percentage from -100 to 100", restore(t[1:1+j]))
				}
				a.weight, a.hasWeight = w, true
				body = t[2+j:]
			} else {
				p.errf(a.line, "the weight has no closing %%")
			}
		}
		text, fb, _ := strings.Cut(body, "#")
		a.rawText = text
		a.text = p.clean(text)
		a.plain = p.plain(text)
		a.feedback = p.clean(fb)
		out = append(out, a)
		if next < 0 {
			break
		}
		start = end
	}
	return out
}

// choice fills a multiple choice question: single choice when an answer is
// marked =, multiple response (weights on ~ answers) otherwise.
func (p *giftParser) choice(q *Question, s string, lineOf func(int) int) {
	q.Type = MultipleResponse
	for _, a := range p.answers(s, lineOf) {
		w := a.weightOr(0)
		if a.marker == '=' {
			q.Type = SingleChoice
			w = a.weightOr(100)
		}
		q.Options = append(q.Options, Option{Text: a.text, Weight: w, Feedback: a.feedback})
	}
}

// matching fills a matching question from "=left -> right" answers; an
// answer with nothing left of the arrow adds a distractor.
func (p *giftParser) matching(q *Question, s string, lineOf func(int) int) {
	for _, a := range p.answers(s, lineOf) {
		left, right, ok := strings.Cut(a.rawText, "->")
		switch {
		case a.marker != '=':
			p.errf(a.line, "matching pairs start with =")
		case !ok:
			p.errf(a.line, "a matching pair is written =left -> right")
		case a.hasWeight:
			p.errf(a.line, "matching pairs have no weights")
		default:
			q.Pairs = append(q.Pairs, Pair{Left: p.clean(left), Right: p.plain(right)})
		}
	}
}

// numeric fills a numeric question: {#3.5:0.1}, {#1..5}, several answers
// {#=3.5:0.1#feedback =%50%3:1} (the first may leave out its =), and
// feedback for any other answer after a ~: {#3.5 ~#Re-read the table}.
func (p *giftParser) numeric(q *Question, s string, lineOf func(int) int) {
	hash := strings.Index(s, "#")
	body := s[hash+1:]
	bodyLine := func(off int) int { return lineOf(hash + 1 + off) }
	if i := strings.Index(body, "~"); i >= 0 {
		text, fb, _ := strings.Cut(body[i+1:], "#")
		// Moodle writes the answer for any other number as ~%0%#feedback;
		// the weight, when given, can only be 0.
		if t := strings.TrimSpace(text); t == "%0%" || t == "%0.0%" {
			text = ""
		}
		if strings.TrimSpace(text) != "" || strings.ContainsAny(fb, "~=") {
			p.errf(bodyLine(i), "a numeric question's ~#feedback, for any other answer, comes once and after every answer")
		}
		q.WrongFeedback = p.clean(fb)
		body = body[:i]
	}
	var as []answer
	first, rest := body, ""
	if i := strings.Index(body, "="); i >= 0 {
		first, rest = body[:i], body[i:]
	}
	if strings.TrimSpace(first) != "" {
		text, fb, _ := strings.Cut(first, "#")
		as = append(as, answer{marker: '=', text: p.plain(text), plain: p.plain(text), rawText: text, feedback: p.clean(fb), line: bodyLine(0)})
	}
	if rest != "" {
		as = append(as, p.answers(rest, func(off int) int { return bodyLine(len(first) + off) })...)
	}
	if len(as) == 0 {
		p.errf(bodyLine(0), "a numeric question needs an answer: #value, #value:tolerance or #low..high")
	}
	for _, a := range as {
		if a.marker != '=' {
			p.errf(a.line, "numeric answers start with =")
			continue
		}
		n := NumericAnswer{Weight: a.weightOr(100), Feedback: a.feedback}
		var err error
		if lo, hi, ok := strings.Cut(a.plain, ".."); ok {
			n.IsRange = true
			if n.Min, err = parseGIFTNumber(lo); err == nil {
				n.Max, err = parseGIFTNumber(hi)
			}
		} else {
			v, tol, hasTol := strings.Cut(a.plain, ":")
			if n.Value, err = parseGIFTNumber(v); err == nil && hasTol {
				n.Tolerance, err = parseGIFTNumber(tol)
			}
		}
		if err != nil {
			p.errf(a.line, "numeric answer %q: %v (write #value, #value:tolerance or #low..high)", a.plain, err)
			continue
		}
		q.Numbers = append(q.Numbers, n)
	}
}

func parseGIFTNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || s == "" || strings.ContainsAny(s, "xXpP_") || strings.EqualFold(strings.TrimLeft(s, "+-"), "inf") ||
		strings.EqualFold(strings.TrimLeft(s, "+-"), "infinity") || strings.EqualFold(s, "nan") {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}
