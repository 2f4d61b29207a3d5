package quiz

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skillgate/skillgate/server/internal/contentfile"
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
	qz, ps := readQuiz(file, data)
	if len(ps) == 0 && len(qz.Banks) == 0 { // without banks the pool is known now
		ps = CheckDraw(qz, qz.Questions)
	}
	if len(ps) > 0 {
		ps.Sort()
		return nil, ps.Err()
	}
	return qz, nil
}

// readQuiz reads a quiz file as ParseQuiz does, without checking its
// draw: it returns what it could read (questions with problems left out)
// and every problem of the file, sorted.
func readQuiz(file string, data []byte) (*Quiz, Problems) {
	d := &decoder{contentfile.NewDecoder(file)}
	qz := d.quiz(data)
	ps := d.Problems()
	ps.Sort()
	return qz, ps
}

// decoder walks yaml.v3 nodes, collecting problems with their lines
// (contentfile's readers), with the quiz format's own readers.
type decoder struct{ *contentfile.Decoder }

var quizKeys = []string{"title", "pass_percent", "questions_per_attempt", "quotas", "shuffle_questions",
	"shuffle_options", "time_limit", "attempts_allowed", "wait_between_attempts", "grading", "review",
	"banks", "questions"}

func (d *decoder) quiz(data []byte) *Quiz {
	qz := &Quiz{
		Source: d.File(), ShuffleQuestions: true, ShuffleOptions: true,
		Grading: GradeHighest, Review: ReviewScore, lines: map[string]int{},
	}
	dir, base := path.Split(d.File())
	qz.Slug = strings.TrimSuffix(base, QuizFileSuffix)
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	if len(parts) >= 2 {
		qz.Client, qz.Program = parts[len(parts)-2], parts[len(parts)-1]
	}
	if !strings.HasSuffix(base, QuizFileSuffix) || !slugRe.MatchString(qz.Slug) {
		d.Addf(1, "a quiz file is named <slug>%s, the slug lowercase letters, digits and hyphens", QuizFileSuffix)
	}
	top := d.Document(data)
	if top == nil {
		return qz
	}
	if top.Kind != yaml.MappingNode {
		d.Errf(top, "a quiz file must be a mapping of settings (title, pass_percent, questions, …)")
		return qz
	}
	for _, f := range d.Fields(top, "quiz", quizKeys...) {
		qz.lines[f.Key] = f.K.Line
		switch f.Key {
		case "title":
			qz.Title = strings.TrimSpace(d.Str(f.V, f.Key))
		case "pass_percent":
			qz.PassPercent = d.Int(f.V, f.Key)
			if f.V.Tag == "!!int" && (qz.PassPercent < 1 || qz.PassPercent > 100) {
				d.Errf(f.V, "pass_percent must be 1..100, got %d", qz.PassPercent)
			}
		case "questions_per_attempt":
			qz.QuestionsPerAttempt = d.Int(f.V, f.Key)
			if qz.QuestionsPerAttempt < 0 {
				d.Errf(f.V, "questions_per_attempt must be ≥ 0 (0 = every question), got %d", qz.QuestionsPerAttempt)
			}
		case "quotas":
			qz.Quotas = d.quotas(f.V)
		case "shuffle_questions":
			qz.ShuffleQuestions = d.Bool(f.V, f.Key)
		case "shuffle_options":
			qz.ShuffleOptions = d.Bool(f.V, f.Key)
		case "time_limit":
			qz.TimeLimit = d.Duration(f.V, f.Key)
		case "attempts_allowed":
			qz.AttemptsAllowed = d.Int(f.V, f.Key)
			if qz.AttemptsAllowed < 0 {
				d.Errf(f.V, "attempts_allowed must be ≥ 0 (0 = unlimited), got %d", qz.AttemptsAllowed)
			}
		case "wait_between_attempts":
			qz.WaitBetweenAttempts = d.Duration(f.V, f.Key)
		case "grading":
			qz.Grading = GradingMethod(d.Str(f.V, f.Key))
			if qz.Grading != GradeHighest && qz.Grading != GradeLast {
				d.Errf(f.V, "grading must be highest or last, got %q", qz.Grading)
			}
		case "review":
			qz.Review = ReviewPolicy(d.Str(f.V, f.Key))
			if _, ok := reviewLevels[qz.Review]; !ok {
				d.Errf(f.V, "review must be score, answers, correct or feedback, got %q", qz.Review)
			}
		case "banks":
			qz.Banks = d.banks(f.V)
		case "questions":
			for _, n := range d.Seq(f.V, f.Key) {
				if q := d.question(n); q != nil {
					qz.Questions = append(qz.Questions, *q)
				}
			}
		}
	}
	if qz.Title == "" {
		d.Errf(top, "title is required")
	}
	if _, ok := qz.lines["pass_percent"]; !ok {
		d.Errf(top, "pass_percent is required")
	}
	_, hasQuestions := qz.lines["questions"]
	// (Unless its questions were all refused already.)
	if len(qz.Questions) == 0 && len(qz.Banks) == 0 && !(hasQuestions && len(d.Problems()) > 0) {
		d.Errf(top, "a quiz needs questions, banks or both")
	}
	ids := map[string]bool{}
	for _, q := range qz.Questions {
		if ids[q.ID] {
			d.Addf(sourceLine(q.Source), "question id %q is used twice", q.ID)
		}
		ids[q.ID] = true
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
	for _, it := range d.Seq(n, "quotas") {
		qt := TagQuota{Line: it.Line}
		for _, f := range d.Fields(it, "quota", "tag", "count") {
			switch f.Key {
			case "tag":
				qt.Tag = d.Str(f.V, f.Key)
			case "count":
				qt.Count = d.Int(f.V, f.Key)
			}
		}
		if !tagRe.MatchString(qt.Tag) {
			d.Errf(it, "quota: tag %q must be a slug or a path of slugs", qt.Tag)
		}
		if seen[qt.Tag] {
			d.Errf(it, "quota: tag %q is given twice", qt.Tag)
		}
		seen[qt.Tag] = true
		if qt.Count < 1 {
			d.Errf(it, "quota: count must be ≥ 1, got %d", qt.Count)
		}
		out = append(out, qt)
	}
	return out
}

func (d *decoder) banks(n *yaml.Node) []BankRef {
	var out []BankRef
	seen := map[string]bool{}
	for _, it := range d.Seq(n, "banks") {
		ref := BankRef{Line: it.Line}
		if it.Kind == yaml.ScalarNode {
			ref.Name = it.Value
		} else {
			for _, f := range d.Fields(it, "bank", "name", "tags") {
				switch f.Key {
				case "name":
					ref.Name = d.Str(f.V, f.Key)
				case "tags":
					ref.Tags = d.Strs(f.V, f.Key)
				}
			}
		}
		if !slugRe.MatchString(ref.Name) {
			d.Errf(it, "bank %q must be the slug of a .gift file of this client", ref.Name)
		}
		for _, t := range ref.Tags {
			if !tagRe.MatchString(t) {
				d.Errf(it, "bank %s: tag %q must be a slug or a path of slugs", ref.Name, t)
			}
		}
		if seen[ref.Name] {
			d.Errf(it, "bank %q is listed twice", ref.Name)
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
	q := &Question{Source: fmt.Sprintf("%s:%d", d.File(), n.Line)}
	before := len(d.Problems())
	fields := d.Fields(n, "question", questionKeys...)
	for _, f := range fields {
		if f.Key == "type" {
			q.Type = Type(d.Str(f.V, f.Key))
		}
	}
	var tfAnswer *bool
	var rightFB, wrongFB string
	for _, f := range fields {
		switch f.Key {
		case "id":
			q.ID = d.Str(f.V, f.Key)
		case "text":
			q.Text = d.Str(f.V, f.Key)
		case "text_after":
			q.TextAfter = d.Str(f.V, f.Key)
		case "format":
			q.Format = d.Str(f.V, f.Key)
		case "points":
			q.Points = d.Int(f.V, f.Key)
			if q.Points < 1 || q.Points > 100 {
				d.Errf(f.V, "points must be 1..100, got %d", q.Points)
			}
		case "options":
			q.Options = d.options(f.V, q.Type)
		case "answer":
			b := d.Bool(f.V, f.Key)
			tfAnswer = &b
		case "right_feedback":
			rightFB = d.Str(f.V, f.Key)
		case "wrong_feedback":
			wrongFB = d.Str(f.V, f.Key)
		case "answers":
			if q.Type == Numeric {
				q.Numbers = d.numbers(f.V)
			} else {
				q.Answers = d.textAnswers(f.V)
			}
		case "pattern":
			q.Pattern = d.Str(f.V, f.Key)
		case "pairs":
			q.Pairs = append(q.Pairs, d.pairs(f.V)...)
		case "distractors":
			for _, s := range d.Strs(f.V, f.Key) {
				q.Pairs = append(q.Pairs, Pair{Right: s})
			}
		case "feedback":
			q.Feedback = d.Str(f.V, f.Key)
		case "tags":
			q.Tags = d.Strs(f.V, f.Key)
		case "reread":
			q.Reread = d.Str(f.V, f.Key)
		}
	}
	if q.Type == TrueFalse {
		if tfAnswer == nil {
			d.Errf(n, "question %s: a true_false question needs answer: true or false", q.ID)
		} else {
			q.Options = trueFalseOptions(*tfAnswer, rightFB, wrongFB)
		}
	} else if tfAnswer != nil || rightFB != "" {
		d.Errf(n, "question %s: answer and right_feedback belong to true_false questions", q.ID)
	} else {
		q.WrongFeedback = wrongFB // check refuses it where it does not belong
	}
	if len(d.Problems()) > before {
		return nil
	}
	q.defaults()
	for _, msg := range q.check() {
		d.Errf(n, "question %s: %s", q.ID, msg)
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
	items := d.Seq(n, "options")
	opts := make([]Option, 0, len(items))
	correct := make([]bool, 0, len(items))
	weighted := 0
	for _, it := range items {
		var o Option
		var isCorrect, hasWeight bool
		for _, f := range d.Fields(it, "option", "id", "text", "correct", "weight", "feedback") {
			switch f.Key {
			case "id":
				o.ID = d.Str(f.V, f.Key)
			case "text":
				o.Text = d.Str(f.V, f.Key)
			case "correct":
				isCorrect = d.Bool(f.V, f.Key)
			case "weight":
				o.Weight, hasWeight = d.Number(f.V, f.Key), true
			case "feedback":
				o.Feedback = d.Str(f.V, f.Key)
			}
		}
		if isCorrect && hasWeight {
			d.Errf(it, "option %s: give correct or weight, not both", o.ID)
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
			d.Errf(n, "multiple_response options: give every option a weight, or mark the correct ones with correct: true")
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
	for _, it := range d.Seq(n, "answers") {
		a := TextAnswer{Weight: 100}
		if it.Kind == yaml.ScalarNode {
			a.Text = it.Value
		} else {
			for _, f := range d.Fields(it, "answer", "text", "weight", "feedback") {
				switch f.Key {
				case "text":
					a.Text = d.Str(f.V, f.Key)
				case "weight":
					a.Weight = d.Number(f.V, f.Key)
				case "feedback":
					a.Feedback = d.Str(f.V, f.Key)
				}
			}
		}
		out = append(out, a)
	}
	return out
}

func (d *decoder) numbers(n *yaml.Node) []NumericAnswer {
	var out []NumericAnswer
	for _, it := range d.Seq(n, "answers") {
		a := NumericAnswer{Weight: 100}
		if it.Kind == yaml.ScalarNode {
			a.Value = d.Number(it, "answer")
			out = append(out, a)
			continue
		}
		var hasValue, hasMin, hasMax bool
		for _, f := range d.Fields(it, "answer", "value", "tolerance", "min", "max", "weight", "feedback") {
			switch f.Key {
			case "value":
				a.Value, hasValue = d.Number(f.V, f.Key), true
			case "tolerance":
				a.Tolerance = d.Number(f.V, f.Key)
			case "min":
				a.Min, hasMin = d.Number(f.V, f.Key), true
			case "max":
				a.Max, hasMax = d.Number(f.V, f.Key), true
			case "weight":
				a.Weight = d.Number(f.V, f.Key)
			case "feedback":
				a.Feedback = d.Str(f.V, f.Key)
			}
		}
		a.IsRange = hasMin || hasMax
		switch {
		case a.IsRange && (!hasMin || !hasMax):
			d.Errf(it, "a numeric range needs both min and max")
		case a.IsRange && (hasValue || a.Tolerance != 0):
			d.Errf(it, "give value (with tolerance) or min and max, not both")
		case !a.IsRange && !hasValue:
			d.Errf(it, "a numeric answer needs value (with tolerance) or min and max")
		}
		out = append(out, a)
	}
	return out
}

func (d *decoder) pairs(n *yaml.Node) []Pair {
	var out []Pair
	for _, it := range d.Seq(n, "pairs") {
		var p Pair
		for _, f := range d.Fields(it, "pair", "id", "left", "right") {
			switch f.Key {
			case "id":
				p.ID = d.Str(f.V, f.Key)
			case "left":
				p.Left = d.Str(f.V, f.Key)
			case "right":
				p.Right = d.Str(f.V, f.Key)
			}
		}
		if strings.TrimSpace(p.Left) == "" {
			d.Errf(it, "pair: left is required (list extra right items under distractors)")
		}
		out = append(out, p)
	}
	return out
}
