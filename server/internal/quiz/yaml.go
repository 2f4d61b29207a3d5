package quiz

import (
	"fmt"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// QuizFileSuffix ends every quiz file's name.
const QuizFileSuffix = ".quiz.yaml"

// ParseQuiz reads a quiz file. file is its path under the quizzes folder,
// quizzes/<client>/<program>/<slug>.quiz.yaml or a suffix of it: the slug,
// program and client come from it. Every problem is collected, each naming
// file:line; the error is then Problems.Err() (code invalid). Bank
// references are resolved, and draw sizes checked, by LoadDir (or Pool and
// CheckDraw).
func ParseQuiz(file string, data []byte) (*Quiz, error) {
	d := &decoder{file: file}
	qz := d.quiz(data)
	if len(d.ps) > 0 {
		d.ps.Sort()
		return nil, d.ps.Err()
	}
	return qz, nil
}

// decoder walks yaml.v3 nodes, collecting problems with their lines.
type decoder struct {
	file string
	ps   Problems
}

func (d *decoder) errf(n *yaml.Node, format string, args ...any) {
	d.ps.add(d.file, n.Line, format, args...)
}

type field struct {
	key  string
	k, v *yaml.Node
}

func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// fields returns a mapping's entries, reporting duplicates and unknown keys
// (known lists the keys allowed).
func (d *decoder) fields(n *yaml.Node, what string, known ...string) []field {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.errf(n, "%s must be a mapping", what)
		return nil
	}
	var out []field
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errf(k, "%s: keys must be plain words", what)
			continue
		case seen[k.Value]:
			d.errf(k, "%s: %q is given twice", what, k.Value)
			continue
		case !contains(known, k.Value):
			d.errf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(known, ", "))
			continue
		}
		seen[k.Value] = true
		out = append(out, field{key: k.Value, k: k, v: v})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (d *decoder) scalar(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errf(n, "%s must be a single value", key)
		return "", false
	}
	return n.Value, true
}

func (d *decoder) str(n *yaml.Node, key string) string {
	s, _ := d.scalar(n, key)
	return s
}

func (d *decoder) integer(n *yaml.Node, key string) int {
	s, ok := d.scalar(n, key)
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(s)
	if err != nil || n.Tag != "!!int" {
		d.errf(n, "%s must be a whole number, got %q", key, s)
		return 0
	}
	return i
}

func (d *decoder) number(n *yaml.Node, key string) float64 {
	s, ok := d.scalar(n, key)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || (n.Tag != "!!int" && n.Tag != "!!float") || math.IsNaN(f) || math.IsInf(f, 0) {
		d.errf(n, "%s must be a number, got %q", key, s)
		return 0
	}
	return f
}

func (d *decoder) boolean(n *yaml.Node, key string) bool {
	s, ok := d.scalar(n, key)
	if !ok {
		return false
	}
	if n.Tag != "!!bool" {
		d.errf(n, "%s must be true or false, got %q", key, s)
		return false
	}
	var b bool
	_ = n.Decode(&b)
	return b
}

var daysRe = regexp.MustCompile(`^(\d{1,4})d$`)

// duration reads "90s", "20m", "1h30m" or "2d".
func (d *decoder) duration(n *yaml.Node, key string) time.Duration {
	s, ok := d.scalar(n, key)
	if !ok {
		return 0
	}
	if s == "0" {
		return 0
	}
	if m := daysRe.FindStringSubmatch(s); m != nil {
		days, _ := strconv.Atoi(m[1])
		return time.Duration(days) * 24 * time.Hour
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		d.errf(n, "%s must be a duration such as 90s, 20m, 1h30m or 2d, got %q", key, s)
		return 0
	}
	return v
}

func (d *decoder) strs(n *yaml.Node, key string) []string {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		d.errf(n, "%s must be a list", key)
		return nil
	}
	var out []string
	for _, it := range n.Content {
		if s, ok := d.scalar(deref(it), key+" items"); ok {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) seq(n *yaml.Node, key string) []*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		d.errf(n, "%s must be a list", key)
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, it := range n.Content {
		out[i] = deref(it)
	}
	return out
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// document parses data into its top node, reporting syntax errors with their
// line.
func (d *decoder) document(data []byte) *yaml.Node {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := 1
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		d.ps.add(d.file, line, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		d.ps.add(d.file, 1, "the file is empty")
		return nil
	}
	return root.Content[0]
}

var quizKeys = []string{"title", "pass_percent", "questions_per_attempt", "quotas", "shuffle_questions",
	"shuffle_options", "time_limit", "attempts_allowed", "wait_between_attempts", "grading", "review",
	"banks", "questions"}

func (d *decoder) quiz(data []byte) *Quiz {
	qz := &Quiz{
		Source: d.file, ShuffleQuestions: true, ShuffleOptions: true,
		Grading: GradeHighest, Review: ReviewScore, lines: map[string]int{},
	}
	dir, base := path.Split(d.file)
	qz.Slug = strings.TrimSuffix(base, QuizFileSuffix)
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	if len(parts) >= 2 {
		qz.Client, qz.Program = parts[len(parts)-2], parts[len(parts)-1]
	}
	if !strings.HasSuffix(base, QuizFileSuffix) || !slugRe.MatchString(qz.Slug) {
		d.ps.add(d.file, 1, "a quiz file is named <slug>%s, the slug lowercase letters, digits and hyphens", QuizFileSuffix)
	}
	top := d.document(data)
	if top == nil {
		return qz
	}
	if top.Kind != yaml.MappingNode {
		d.errf(top, "a quiz file must be a mapping of settings (title, pass_percent, questions, …)")
		return qz
	}
	for _, f := range d.fields(top, "quiz", quizKeys...) {
		qz.lines[f.key] = f.k.Line
		switch f.key {
		case "title":
			qz.Title = strings.TrimSpace(d.str(f.v, f.key))
		case "pass_percent":
			qz.PassPercent = d.integer(f.v, f.key)
			if f.v.Tag == "!!int" && (qz.PassPercent < 1 || qz.PassPercent > 100) {
				d.errf(f.v, "pass_percent must be 1..100, got %d", qz.PassPercent)
			}
		case "questions_per_attempt":
			qz.QuestionsPerAttempt = d.integer(f.v, f.key)
			if qz.QuestionsPerAttempt < 0 {
				d.errf(f.v, "questions_per_attempt must be ≥ 0 (0 = every question), got %d", qz.QuestionsPerAttempt)
			}
		case "quotas":
			qz.Quotas = d.quotas(f.v)
		case "shuffle_questions":
			qz.ShuffleQuestions = d.boolean(f.v, f.key)
		case "shuffle_options":
			qz.ShuffleOptions = d.boolean(f.v, f.key)
		case "time_limit":
			qz.TimeLimit = d.duration(f.v, f.key)
		case "attempts_allowed":
			qz.AttemptsAllowed = d.integer(f.v, f.key)
			if qz.AttemptsAllowed < 0 {
				d.errf(f.v, "attempts_allowed must be ≥ 0 (0 = unlimited), got %d", qz.AttemptsAllowed)
			}
		case "wait_between_attempts":
			qz.WaitBetweenAttempts = d.duration(f.v, f.key)
		case "grading":
			qz.Grading = GradingMethod(d.str(f.v, f.key))
			if qz.Grading != GradeHighest && qz.Grading != GradeLast {
				d.errf(f.v, "grading must be highest or last, got %q", qz.Grading)
			}
		case "review":
			qz.Review = ReviewPolicy(d.str(f.v, f.key))
			if _, ok := reviewLevels[qz.Review]; !ok {
				d.errf(f.v, "review must be score, answers, correct or feedback, got %q", qz.Review)
			}
		case "banks":
			qz.Banks = d.banks(f.v)
		case "questions":
			for _, n := range d.seq(f.v, f.key) {
				if q := d.question(n); q != nil {
					qz.Questions = append(qz.Questions, *q)
				}
			}
		}
	}
	if qz.Title == "" {
		d.errf(top, "title is required")
	}
	if _, ok := qz.lines["pass_percent"]; !ok {
		d.errf(top, "pass_percent is required")
	}
	_, hasQuestions := qz.lines["questions"]
	// (Unless its questions were all refused already.)
	if len(qz.Questions) == 0 && len(qz.Banks) == 0 && !(hasQuestions && len(d.ps) > 0) {
		d.errf(top, "a quiz needs questions, banks or both")
	}
	ids := map[string]bool{}
	for _, q := range qz.Questions {
		if ids[q.ID] {
			d.ps.add(d.file, sourceLine(q.Source), "question id %q is used twice", q.ID)
		}
		ids[q.ID] = true
	}
	sum := 0
	for _, qt := range qz.Quotas {
		sum += qt.Count
	}
	if qz.QuestionsPerAttempt > 0 && sum > qz.QuestionsPerAttempt {
		d.ps.add(d.file, qz.line("quotas"), "the quotas ask for %d questions but questions_per_attempt is %d", sum, qz.QuestionsPerAttempt)
	}
	// Without banks the pool is known now.
	if len(qz.Banks) == 0 && len(d.ps) == 0 {
		d.ps = append(d.ps, CheckDraw(qz, qz.Questions)...)
	}
	return qz
}

func sourceLine(src string) int {
	i := strings.LastIndexByte(src, ':')
	n, err := strconv.Atoi(src[i+1:])
	if i < 0 || err != nil {
		return 1
	}
	return n
}

func (d *decoder) quotas(n *yaml.Node) []TagQuota {
	var out []TagQuota
	seen := map[string]bool{}
	for _, it := range d.seq(n, "quotas") {
		qt := TagQuota{Line: it.Line}
		for _, f := range d.fields(it, "quota", "tag", "count") {
			switch f.key {
			case "tag":
				qt.Tag = d.str(f.v, f.key)
			case "count":
				qt.Count = d.integer(f.v, f.key)
			}
		}
		if !tagRe.MatchString(qt.Tag) {
			d.errf(it, "quota: tag %q must be a slug or a path of slugs", qt.Tag)
		}
		if seen[qt.Tag] {
			d.errf(it, "quota: tag %q is given twice", qt.Tag)
		}
		seen[qt.Tag] = true
		if qt.Count < 1 {
			d.errf(it, "quota: count must be ≥ 1, got %d", qt.Count)
		}
		out = append(out, qt)
	}
	return out
}

func (d *decoder) banks(n *yaml.Node) []BankRef {
	var out []BankRef
	seen := map[string]bool{}
	for _, it := range d.seq(n, "banks") {
		ref := BankRef{Line: it.Line}
		if it.Kind == yaml.ScalarNode {
			ref.Name = it.Value
		} else {
			for _, f := range d.fields(it, "bank", "name", "tags") {
				switch f.key {
				case "name":
					ref.Name = d.str(f.v, f.key)
				case "tags":
					ref.Tags = d.strs(f.v, f.key)
				}
			}
		}
		if !slugRe.MatchString(ref.Name) {
			d.errf(it, "bank %q must be the slug of a .gift file of this client", ref.Name)
		}
		for _, t := range ref.Tags {
			if !tagRe.MatchString(t) {
				d.errf(it, "bank %s: tag %q must be a slug or a path of slugs", ref.Name, t)
			}
		}
		if seen[ref.Name] {
			d.errf(it, "bank %q is listed twice", ref.Name)
		}
		seen[ref.Name] = true
		out = append(out, ref)
	}
	return out
}

var questionKeys = []string{"id", "type", "text", "text_after", "format", "points", "options", "answer",
	"right_feedback", "wrong_feedback", "answers", "pattern", "pairs", "distractors", "feedback", "tags", "reread"}

// question decodes one inline question and checks it.
func (d *decoder) question(n *yaml.Node) *Question {
	q := &Question{Source: fmt.Sprintf("%s:%d", d.file, n.Line)}
	before := len(d.ps)
	fields := d.fields(n, "question", questionKeys...)
	for _, f := range fields {
		if f.key == "type" {
			q.Type = Type(d.str(f.v, f.key))
		}
	}
	var tfAnswer *bool
	var rightFB, wrongFB string
	for _, f := range fields {
		switch f.key {
		case "id":
			q.ID = d.str(f.v, f.key)
		case "text":
			q.Text = d.str(f.v, f.key)
		case "text_after":
			q.TextAfter = d.str(f.v, f.key)
		case "format":
			q.Format = d.str(f.v, f.key)
		case "points":
			q.Points = d.integer(f.v, f.key)
			if q.Points < 1 || q.Points > 100 {
				d.errf(f.v, "points must be 1..100, got %d", q.Points)
			}
		case "options":
			q.Options = d.options(f.v, q.Type)
		case "answer":
			b := d.boolean(f.v, f.key)
			tfAnswer = &b
		case "right_feedback":
			rightFB = d.str(f.v, f.key)
		case "wrong_feedback":
			wrongFB = d.str(f.v, f.key)
		case "answers":
			if q.Type == Numeric {
				q.Numbers = d.numbers(f.v)
			} else {
				q.Answers = d.textAnswers(f.v)
			}
		case "pattern":
			q.Pattern = d.str(f.v, f.key)
		case "pairs":
			q.Pairs = append(q.Pairs, d.pairs(f.v)...)
		case "distractors":
			for _, s := range d.strs(f.v, f.key) {
				q.Pairs = append(q.Pairs, Pair{Right: s})
			}
		case "feedback":
			q.Feedback = d.str(f.v, f.key)
		case "tags":
			q.Tags = d.strs(f.v, f.key)
		case "reread":
			q.Reread = d.str(f.v, f.key)
		}
	}
	if q.Type == TrueFalse {
		if tfAnswer == nil {
			d.errf(n, "question %s: a true_false question needs answer: true or false", q.ID)
		} else {
			q.Options = trueFalseOptions(*tfAnswer, rightFB, wrongFB)
		}
	} else if tfAnswer != nil || rightFB != "" {
		d.errf(n, "question %s: answer and right_feedback belong to true_false questions", q.ID)
	} else {
		q.WrongFeedback = wrongFB // check refuses it where it does not belong
	}
	if len(d.ps) > before {
		return nil
	}
	q.defaults()
	for _, msg := range q.check() {
		d.errf(n, "question %s: %s", q.ID, msg)
	}
	return q
}

// trueFalseOptions builds a true/false question's options: rightFB is shown
// for the right answer, wrongFB for the wrong one.
func trueFalseOptions(answer bool, rightFB, wrongFB string) []Option {
	t := Option{ID: OptionTrue, Text: "True"}
	f := Option{ID: OptionFalse, Text: "False"}
	right, wrong := &t, &f
	if !answer {
		right, wrong = &f, &t
	}
	right.Weight, right.Feedback = 100, rightFB
	wrong.Feedback = wrongFB
	return []Option{t, f}
}

func (d *decoder) options(n *yaml.Node, typ Type) []Option {
	items := d.seq(n, "options")
	opts := make([]Option, 0, len(items))
	correct := make([]bool, 0, len(items))
	weighted := 0
	for _, it := range items {
		var o Option
		var isCorrect, hasWeight bool
		for _, f := range d.fields(it, "option", "id", "text", "correct", "weight", "feedback") {
			switch f.key {
			case "id":
				o.ID = d.str(f.v, f.key)
			case "text":
				o.Text = d.str(f.v, f.key)
			case "correct":
				isCorrect = d.boolean(f.v, f.key)
			case "weight":
				o.Weight, hasWeight = d.number(f.v, f.key), true
			case "feedback":
				o.Feedback = d.str(f.v, f.key)
			}
		}
		if isCorrect && hasWeight {
			d.errf(it, "option %s: give correct or weight, not both", o.ID)
		}
		if hasWeight {
			weighted++
		}
		if isCorrect {
			o.Weight = 100
		}
		opts = append(opts, o)
		correct = append(correct, isCorrect)
	}
	if typ != MultipleResponse || weighted > 0 {
		if typ == MultipleResponse && weighted != len(opts) {
			d.errf(n, "multiple_response options: give every option a weight, or mark the correct ones with correct: true")
		}
		return opts
	}
	// Multiple response by correct flags: the correct options share 100 and
	// each wrong option takes one share away.
	k := 0
	for _, c := range correct {
		if c {
			k++
		}
	}
	if k == 0 {
		return opts
	}
	share := 100 / float64(k)
	for i := range opts {
		if correct[i] {
			opts[i].Weight = share
		} else {
			opts[i].Weight = -share
		}
	}
	return opts
}

func (d *decoder) textAnswers(n *yaml.Node) []TextAnswer {
	var out []TextAnswer
	for _, it := range d.seq(n, "answers") {
		a := TextAnswer{Weight: 100}
		if it.Kind == yaml.ScalarNode {
			a.Text = it.Value
		} else {
			for _, f := range d.fields(it, "answer", "text", "weight", "feedback") {
				switch f.key {
				case "text":
					a.Text = d.str(f.v, f.key)
				case "weight":
					a.Weight = d.number(f.v, f.key)
				case "feedback":
					a.Feedback = d.str(f.v, f.key)
				}
			}
		}
		out = append(out, a)
	}
	return out
}

func (d *decoder) numbers(n *yaml.Node) []NumericAnswer {
	var out []NumericAnswer
	for _, it := range d.seq(n, "answers") {
		a := NumericAnswer{Weight: 100}
		if it.Kind == yaml.ScalarNode {
			a.Value = d.number(it, "answer")
			out = append(out, a)
			continue
		}
		var hasValue, hasMin, hasMax bool
		for _, f := range d.fields(it, "answer", "value", "tolerance", "min", "max", "weight", "feedback") {
			switch f.key {
			case "value":
				a.Value, hasValue = d.number(f.v, f.key), true
			case "tolerance":
				a.Tolerance = d.number(f.v, f.key)
			case "min":
				a.Min, hasMin = d.number(f.v, f.key), true
			case "max":
				a.Max, hasMax = d.number(f.v, f.key), true
			case "weight":
				a.Weight = d.number(f.v, f.key)
			case "feedback":
				a.Feedback = d.str(f.v, f.key)
			}
		}
		a.IsRange = hasMin || hasMax
		switch {
		case a.IsRange && (!hasMin || !hasMax):
			d.errf(it, "a numeric range needs both min and max")
		case a.IsRange && (hasValue || a.Tolerance != 0):
			d.errf(it, "give value (with tolerance) or min and max, not both")
		case !a.IsRange && !hasValue:
			d.errf(it, "a numeric answer needs value (with tolerance) or min and max")
		}
		out = append(out, a)
	}
	return out
}

func (d *decoder) pairs(n *yaml.Node) []Pair {
	var out []Pair
	for _, it := range d.seq(n, "pairs") {
		var p Pair
		for _, f := range d.fields(it, "pair", "id", "left", "right") {
			switch f.key {
			case "id":
				p.ID = d.str(f.v, f.key)
			case "left":
				p.Left = d.str(f.v, f.key)
			case "right":
				p.Right = d.str(f.v, f.key)
			}
		}
		if strings.TrimSpace(p.Left) == "" {
			d.errf(it, "pair: left is required (list extra right items under distractors)")
		}
		out = append(out, p)
	}
	return out
}
