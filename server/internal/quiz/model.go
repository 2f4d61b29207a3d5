// Package quiz is Skillgate's quiz engine: the quiz file format
// (quizzes/<client>/<program>/<quiz>.quiz.yaml), the Moodle GIFT importer for
// question banks, the random draw of an attempt's questions, and grading.
//
// The answer key never leaves the server while an attempt is open: a
// Question carries correctness data (correct options, weights, accepted
// answers, tolerances, feedback) and is never sent to an agent; what an agent
// sees is a PublicQuestion, a different type that has no field able to hold
// any of it. After submission, a Result shows only what the quiz's review
// policy allows.
//
// Everything in this file is plain data that persists as JSON (an attempt may
// store its drawn questions as they are).
package quiz

import (
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/contentfile"
)

// Type is the kind of a question.
type Type string

// The question types.
const (
	SingleChoice     Type = "single_choice"     // exactly one option is correct; other options may give partial credit
	MultipleResponse Type = "multiple_response" // any number of options; credit is the sum of the chosen options' weights
	TrueFalse        Type = "true_false"        // the options "true" and "false"
	ShortAnswer      Type = "short_answer"      // typed text, compared case- and whitespace-insensitively
	Numeric          Type = "numeric"           // a number, within a tolerance or a range
	Matching         Type = "matching"          // pair every left item with a right item
	Cloze            Type = "cloze"             // gaps inside the text (Moodle's embedded answers), graded per gap
)

var types = []Type{SingleChoice, MultipleResponse, TrueFalse, ShortAnswer, Numeric, Matching, Cloze}

// Valid reports whether t is a known question type.
func (t Type) Valid() bool {
	for _, k := range types {
		if t == k {
			return true
		}
	}
	return false
}

// Text formats a question's text may be written in.
const (
	FormatMarkdown = "markdown" // the default
	FormatPlain    = "plain"    // shown as it is, no markup
	FormatHTML     = "html"     // HTML, sanitized when rendered
)

// The option ids of a true/false question.
const (
	OptionTrue  = "true"
	OptionFalse = "false"
)

// Question is one question of a bank with its answer key. It is server-side
// only; agents get Public().
type Question struct {
	// ID is the question's stable slug within its bank (or within its quiz,
	// for inline questions).
	ID string `json:"id"`
	// Bank is the GIFT bank the question comes from, "" for a quiz's inline
	// questions.
	Bank string `json:"bank,omitempty"`
	Type Type   `json:"type"`
	// Title is the GIFT ::title::, if any (for trainers).
	Title string `json:"title,omitempty"`
	// Text is the question, in Format (markdown unless said otherwise). For a
	// missing-word question it is the text before the blank.
	Text string `json:"text"`
	// TextAfter is the text after the blank of a missing-word question.
	TextAfter string `json:"text_after,omitempty"`
	// Format is FormatMarkdown (when empty), FormatPlain or FormatHTML.
	Format string `json:"format,omitempty"`
	// Points is the question's weight in the quiz score (≥ 1).
	Points int `json:"points"`
	// Options of single choice, multiple response and true/false questions.
	Options []Option `json:"options,omitempty"`
	// Answers accepted for a short answer question.
	Answers []TextAnswer `json:"answers,omitempty"`
	// Pattern, if set, is a Go regular expression that a short answer
	// matching in full (case-insensitively, after whitespace is collapsed)
	// gets full credit for.
	Pattern string `json:"pattern,omitempty"`
	// Numbers accepted for a numeric question.
	Numbers []NumericAnswer `json:"numbers,omitempty"`
	// Pairs of a matching question; a pair with an empty Left is a
	// distractor (an extra right-hand choice).
	Pairs []Pair `json:"pairs,omitempty"`
	// Gaps of a cloze question, read from its Text (ParseGaps).
	Gaps []Gap `json:"gaps,omitempty"`
	// WrongFeedback, for a short answer or numeric question, is shown for
	// an answer that earns no credit (GIFT's numeric {#… ~#feedback}).
	WrongFeedback string `json:"wrong_feedback,omitempty"`
	// Feedback is the general feedback, shown whatever was answered (when
	// the review policy shows feedback).
	Feedback string `json:"feedback,omitempty"`
	// Category is the Moodle question category the question was filed in
	// ("$course$/top/Card Fees"), kept for export; it also becomes a tag.
	Category string `json:"category,omitempty"`
	// Tags drive per-tag draws; a GIFT $CATEGORY becomes a tag.
	Tags []string `json:"tags,omitempty"`
	// Reread points to the module section the question tests, as
	// "<module-slug>#<heading-id>"; a wrong answer names it.
	Reread string `json:"reread,omitempty"`
	// Files are the images the question's texts show (Moodle XML's
	// embedded files, referred to as @@PLUGINFILE@@/<name>); only HTML
	// questions have them (files.go).
	Files []QuestionFile `json:"files,omitempty"`
	// Source is "file:line" where the question is written.
	Source string `json:"source,omitempty"`
}

// Key is the question's id within a quiz's pool: its ID for inline
// questions, "<bank>/<id>" for bank questions.
func (q *Question) Key() string {
	if q.Bank == "" {
		return q.ID
	}
	return q.Bank + "/" + q.ID
}

// HasTag reports whether the question carries tag, or a tag under it when
// tags are paths ("fees" matches "fees/late-fees").
func (q *Question) HasTag(tag string) bool {
	for _, t := range q.Tags {
		if t == tag || strings.HasPrefix(t, tag+"/") {
			return true
		}
	}
	return false
}

// Option is a choice of a single choice, multiple response or true/false
// question.
type Option struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Weight is the credit for choosing the option, in percent: 100 for the
	// correct option of a single choice question; for multiple response the
	// positive weights sum to 100 and negative weights take credit away.
	Weight float64 `json:"weight"`
	// Feedback is shown when the option was chosen.
	Feedback string `json:"feedback,omitempty"`
}

// Correct reports whether choosing the option earns credit.
func (o Option) Correct() bool { return o.Weight > 0 }

// TextAnswer is an accepted short answer.
type TextAnswer struct {
	Text     string  `json:"text"`
	Weight   float64 `json:"weight"` // percent of the question's credit, 1..100
	Feedback string  `json:"feedback,omitempty"`
}

// NumericAnswer is an accepted number: Value ± Tolerance, or, when IsRange,
// any number in [Min, Max].
type NumericAnswer struct {
	Value     float64 `json:"value,omitempty"`
	Tolerance float64 `json:"tolerance,omitempty"`
	IsRange   bool    `json:"is_range,omitempty"`
	Min       float64 `json:"min,omitempty"`
	Max       float64 `json:"max,omitempty"`
	Weight    float64 `json:"weight"` // percent of the question's credit, 1..100
	Feedback  string  `json:"feedback,omitempty"`
}

// Pair is one left item of a matching question and the right item it goes
// with.
type Pair struct {
	ID    string `json:"id"`
	Left  string `json:"left"`
	Right string `json:"right"`
}

// GradingMethod says which attempt counts when an agent has several.
type GradingMethod string

// The grading methods.
const (
	GradeHighest GradingMethod = "highest"
	GradeLast    GradingMethod = "last"
)

// ReviewPolicy says what an agent sees after submitting. Each level includes
// the ones before it.
type ReviewPolicy string

// The review policies, from least to most revealing.
const (
	ReviewScore    ReviewPolicy = "score"    // score, pass and the sections to re-read
	ReviewAnswers  ReviewPolicy = "answers"  // + per question: their answer, its mark and what to re-read
	ReviewCorrect  ReviewPolicy = "correct"  // + the correct answers
	ReviewFeedback ReviewPolicy = "feedback" // + feedback (per answer and general)
)

var reviewLevels = map[ReviewPolicy]int{ReviewScore: 0, ReviewAnswers: 1, ReviewCorrect: 2, ReviewFeedback: 3}

// Shows reports whether policy p reveals at least what level reveals.
func (p ReviewPolicy) Shows(level ReviewPolicy) bool {
	pl, ok := reviewLevels[p]
	return ok && pl >= reviewLevels[level]
}

// Quiz is a quiz's settings and its question pool: inline questions and
// references to GIFT banks of the same client.
type Quiz struct {
	Client string `json:"client"` // from the path quizzes/<client>/<program>/<slug>.quiz.yaml
	// Program is the program folder the quiz file is in.
	Program string `json:"program"`
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	// PassPercent is the score, in percent, needed to pass (1..100).
	PassPercent int `json:"pass_percent"`
	// QuestionsPerAttempt is how many questions an attempt draws; 0 means
	// every question in the pool.
	QuestionsPerAttempt int `json:"questions_per_attempt"`
	// Quotas draw at least Count questions with a tag; the rest of
	// QuestionsPerAttempt comes from the whole pool.
	Quotas           []TagQuota `json:"quotas,omitempty"`
	ShuffleQuestions bool       `json:"shuffle_questions"`
	ShuffleOptions   bool       `json:"shuffle_options"`
	// TimeLimit of an attempt; 0 means none.
	TimeLimit time.Duration `json:"time_limit"`
	// AttemptsAllowed per agent; 0 means unlimited.
	AttemptsAllowed int `json:"attempts_allowed"`
	// WaitBetweenAttempts is the least time between submitting an attempt
	// and starting the next.
	WaitBetweenAttempts time.Duration `json:"wait_between_attempts"`
	Grading             GradingMethod `json:"grading"`
	Review              ReviewPolicy  `json:"review"`
	// Questions written inline in the quiz file.
	Questions []Question `json:"questions,omitempty"`
	// Banks the quiz draws from, besides its inline questions.
	Banks []BankRef `json:"banks,omitempty"`
	// Source is the quiz file.
	Source string `json:"source,omitempty"`

	lines map[string]int // top-level key → line, for problems found after parsing
}

// line is the line of a top-level key of the quiz file (1 when absent).
func (qz *Quiz) line(key string) int {
	if l, ok := qz.lines[key]; ok {
		return l
	}
	return 1
}

// TagQuota asks a draw for Count questions tagged Tag.
type TagQuota struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
	Line  int    `json:"-"`
}

// BankRef names a GIFT bank of the quiz's client, optionally keeping only
// questions with one of Tags.
type BankRef struct {
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
	Line int      `json:"-"`
}

// Bank is a question bank imported from a GIFT file. Banks belong to a
// client and are named after their file (without .gift).
type Bank struct {
	Client    string     `json:"client"`
	Name      string     `json:"name"`
	Source    string     `json:"source"` // the file
	Questions []Question `json:"questions"`
	// Skipped lists what the file holds that Skillgate cannot represent
	// (essay and description items), each with its file:line.
	Skipped []Problem `json:"skipped,omitempty"`
	// Warnings list what the import changed to read the file as Moodle
	// does (short answers written twice in different case merged, repeated
	// titles numbered), each with its file:line.
	Warnings []Problem `json:"warnings,omitempty"`
}

// Problem is something wrong (or skipped) at a place in a file
// (contentfile.Problem).
type Problem = contentfile.Problem

// Problems are every problem found in one or more files
// (contentfile.Problems). As an error (Err) it is apperr code invalid, with
// each "file:line" in Fields.
type Problems = contentfile.Problems
