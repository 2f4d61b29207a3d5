package quiz

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// StoredQuiz is a quiz as imported: its program and its current version.
type StoredQuiz struct {
	ID             string    `gorm:"column:id"`
	ClientID       string    `gorm:"column:client_id"`
	ProgramID      string    `gorm:"column:program_id"`
	Slug           string    `gorm:"column:slug"`
	Title          string    `gorm:"column:title"`
	CurrentVersion int       `gorm:"column:current_version"`
	CreatedAt      time.Time `gorm:"column:created_at"`
	UpdatedAt      time.Time `gorm:"column:updated_at"`
}

// TableName names the table.
func (StoredQuiz) TableName() string { return "quizzes" }

// Version is an immutable imported form of a quiz: its settings and its
// resolved question pool, answer key included. Versions are cached in
// memory by id, since they never change.
type Version struct {
	ID        string
	QuizID    string
	ClientID  string
	ProgramID string
	Number    int
	Quiz      *Quiz
	Pool      []Question
}

// Draw returns an attempt's questions for seed (see Draw).
func (v *Version) Draw(seed int64) ([]Question, error) {
	return Draw(v.Quiz, v.Pool, uint64(seed))
}

// Attempt is one sitting of a quiz by an agent, pinned to a quiz version.
// Its questions are re-derived from the version and Seed.
type Attempt struct {
	ID            string          `gorm:"column:id"`
	UserID        string          `gorm:"column:user_id"`
	QuizID        string          `gorm:"column:quiz_id"`
	QuizVersionID string          `gorm:"column:quiz_version_id"`
	Number        int             `gorm:"column:number"`
	Seed          int64           `gorm:"column:seed"`
	Answers       json.RawMessage `gorm:"column:answers"`
	Seq           int             `gorm:"column:seq"`
	StartedAt     time.Time       `gorm:"column:started_at"`
	Deadline      *time.Time      `gorm:"column:deadline"`
	SubmittedAt   *time.Time      `gorm:"column:submitted_at"`
	AutoSubmitted bool            `gorm:"column:auto_submitted"`
	Score         *string         `gorm:"column:score"`
	Percent       *float64        `gorm:"column:percent"`
	Passed        *bool           `gorm:"column:passed"`
	Result        json.RawMessage `gorm:"column:result"`
}

// TableName names the table.
func (Attempt) TableName() string { return "quiz_attempts" }

// Submitted reports whether the attempt has been graded.
func (a *Attempt) Submitted() bool { return a.SubmittedAt != nil }

// overdue reports whether an open attempt is past its deadline and grace.
func (a *Attempt) overdue(now time.Time, grace time.Duration) bool {
	return a.Deadline != nil && now.After(a.Deadline.Add(grace))
}

// responses decodes the saved answers.
func (a *Attempt) responses() (map[string]Response, error) {
	rs := map[string]Response{}
	if len(a.Answers) == 0 {
		return rs, nil
	}
	if err := json.Unmarshal(a.Answers, &rs); err != nil {
		return nil, fmt.Errorf("quiz: attempt %s answers: %w", a.ID, err)
	}
	return rs, nil
}

// Attempt statuses as the API shows them.
const (
	StatusOpen      = "open"
	StatusSubmitted = "submitted"
)

// AttemptView is an attempt as its agent sees it while it is open (and
// after): the public questions only, never the answer key.
type AttemptView struct {
	ID            string              `json:"id"`
	QuizID        string              `json:"quiz_id"`
	QuizTitle     string              `json:"quiz_title"` // of the version the attempt is pinned to
	QuizVersion   int                 `json:"quiz_version"`
	Number        int                 `json:"number"`
	Status        string              `json:"status"`
	StartedAt     time.Time           `json:"started_at"`
	Deadline      *time.Time          `json:"deadline"`
	ServerTime    time.Time           `json:"server_time"`
	Seq           int                 `json:"seq"`
	Questions     []PublicQuestion    `json:"questions"`
	Answers       map[string]Response `json:"answers"`
	SubmittedAt   *time.Time          `json:"submitted_at,omitempty"`
	AutoSubmitted bool                `json:"auto_submitted"`
}

// SaveReceipt answers an accepted save of answers. Rejected names, by
// question id, each answer of the save that was not kept and why (a
// sentence to show at the question); the save's other answers were kept.
type SaveReceipt struct {
	AttemptID  string            `json:"attempt_id"`
	Seq        int               `json:"seq"`
	Deadline   *time.Time        `json:"deadline"`
	ServerTime time.Time         `json:"server_time"`
	Rejected   map[string]string `json:"rejected"`
}

// Submission is a graded attempt as its agent (or staff) sees it: the
// result under the quiz version's review policy.
type Submission struct {
	AttemptID     string    `json:"attempt_id"`
	QuizID        string    `json:"quiz_id"`
	UserID        string    `json:"user_id"`
	QuizVersion   int       `json:"quiz_version"`
	Number        int       `json:"number"`
	SubmittedAt   time.Time `json:"submitted_at"`
	AutoSubmitted bool      `json:"auto_submitted"`
	Review        string    `json:"review"`
	Result        Result    `json:"result"`
	// Full is set when the result shows every question in full whatever
	// Review says: to staff.
	Full bool `json:"full,omitempty"`
	// QuizTitle and Questions come with Full: the quiz's title and the
	// questions the attempt drew as the agent saw them, so staff read the
	// answers against their questions.
	QuizTitle string           `json:"quiz_title,omitempty"`
	Questions []PublicQuestion `json:"questions,omitempty"`
	programID string           // the quiz's program, whose certification the grading marked
}

// QuizSummary is a quiz of a program as listed, with the caller's attempts
// when the caller is an agent.
type QuizSummary struct {
	ID                 string           `json:"id"`
	ProgramID          string           `json:"program_id"`
	Slug               string           `json:"slug"`
	Title              string           `json:"title"`
	Version            int              `json:"version"`
	PassPercent        int              `json:"pass_percent"`
	Questions          int              `json:"questions"`
	TimeLimitSeconds   int64            `json:"time_limit_seconds"`
	AttemptsAllowed    int              `json:"attempts_allowed"`
	WaitBetweenSeconds int64            `json:"wait_between_attempts_seconds"`
	Grading            GradingMethod    `json:"grading"`
	Review             ReviewPolicy     `json:"review"`
	MyAttempts         *AttemptsSummary `json:"my_attempts,omitempty"`
	// OpensAfter is set for a gated quiz: the modules to complete first.
	OpensAfter *Gate `json:"opens_after,omitempty"`
}

// AttemptsSummary is where an agent stands with a quiz.
type AttemptsSummary struct {
	Used int `json:"used"`
	// Remaining is nil when attempts are unlimited.
	Remaining *int `json:"remaining"`
	// CanStart says whether a start would be accepted now; NextStartAt is
	// when the wait between attempts ends, when that is what blocks.
	CanStart bool `json:"can_start"`
	// Locked says the quiz's gate is closed: modules are still to complete
	// (see the quiz's opens_after).
	Locked        bool       `json:"locked"`
	NextStartAt   *time.Time `json:"next_start_at"`
	OpenAttemptID *string    `json:"open_attempt_id"`
	BestPercent   *float64   `json:"best_percent"`
	LastPercent   *float64   `json:"last_percent"`
	// Passed follows the quiz's grading: the best attempt (highest) or the
	// last one (last) passed.
	Passed bool `json:"passed"`
}

// AttemptRow is an attempt as staff list it.
type AttemptRow struct {
	ID            string     `json:"id" gorm:"column:id"`
	UserID        string     `json:"user_id" gorm:"column:user_id"`
	Email         string     `json:"email" gorm:"column:email"`
	DisplayName   string     `json:"display_name" gorm:"column:display_name"`
	Number        int        `json:"number" gorm:"column:number"`
	QuizVersion   int        `json:"quiz_version" gorm:"column:quiz_version"`
	StartedAt     time.Time  `json:"started_at" gorm:"column:started_at"`
	Deadline      *time.Time `json:"deadline" gorm:"column:deadline"`
	SubmittedAt   *time.Time `json:"submitted_at" gorm:"column:submitted_at"`
	AutoSubmitted bool       `json:"auto_submitted" gorm:"column:auto_submitted"`
	Percent       *float64   `json:"percent" gorm:"column:percent"`
	Passed        *bool      `json:"passed" gorm:"column:passed"`
}

// AttemptFilter narrows a quiz's attempt list; zero values do not filter.
type AttemptFilter struct {
	// UserID keeps one agent's attempts.
	UserID string
	// State is "open" (not submitted yet) or "submitted".
	State string
	// Passed keeps graded attempts that passed (true) or failed (false).
	Passed *bool
}

// ItemStats is item analysis for one question of a quiz, over every graded
// attempt that drew it.
type ItemStats struct {
	QuestionID string `json:"question_id"`
	Type       Type   `json:"type,omitempty"`
	Text       string `json:"text,omitempty"`
	Drawn      int    `json:"drawn"`
	Answered   int    `json:"answered"`
	// PercentCorrect is the mean mark in percent (partial credit counts
	// partly), rounded to two decimals.
	PercentCorrect float64 `json:"percent_correct"`
	FullyCorrect   int     `json:"fully_correct"`
	// MostChosenWrong is the option chosen most often without earning full
	// credit, nil when none was.
	MostChosenWrong *WrongOption `json:"most_chosen_wrong"`
}

// WrongOption is a wrong option and how often it was chosen.
type WrongOption struct {
	OptionID string `json:"option_id"`
	Text     string `json:"text,omitempty"`
	Count    int    `json:"count"`
}

// Analysis is item analysis of a quiz.
type Analysis struct {
	QuizID    string      `json:"quiz_id"`
	Attempts  int         `json:"attempts"`
	Questions []ItemStats `json:"questions"`
}

// PassedQuiz is a quiz an agent has passed, as certification records it:
// the attempt that counts under the quiz's grading method.
type PassedQuiz struct {
	QuizID      string    `json:"quiz_id"`
	QuizSlug    string    `json:"quiz_slug"`
	Version     int       `json:"version"`
	AttemptID   string    `json:"attempt_id"`
	PassedAt    time.Time `json:"passed_at"`
	Percent     float64   `json:"percent"`
	Score       string    `json:"score"` // exact, "num/den"
	PassPercent int       `json:"pass_percent"`
}

// CheckResponse validates a response against the question it answers: only
// the question type's fields, option and item ids the question has, at most
// one choice where one is allowed, a number as a person types it for a
// numeric question. The error (a plain one) is a sentence saying what is
// wrong, for the caller to show at the answer's field.
func (q *Question) CheckResponse(r Response) error {
	if q.Type == Cloze {
		return q.checkClozeResponse(r)
	}
	if len(r.Gaps) > 0 {
		return errors.New("Only a cloze question is answered with gaps.")
	}
	hasChoices, hasText, hasMatches := len(r.Choices) > 0, r.Text != "", len(r.Matches) > 0
	wrongKind := func(want string) error {
		return fmt.Errorf("A %s question is answered with %s.", strings.ReplaceAll(string(q.Type), "_", " "), want)
	}
	switch q.Type {
	case SingleChoice, TrueFalse, MultipleResponse:
		if hasText || hasMatches {
			return wrongKind("choices")
		}
		if q.Type != MultipleResponse && len(r.Choices) > 1 {
			return errors.New("Choose one option at most.")
		}
		seen := map[string]bool{}
		for _, c := range r.Choices {
			if seen[c] {
				return fmt.Errorf("Option %q is chosen twice.", c)
			}
			seen[c] = true
			if !slices.ContainsFunc(q.Options, func(o Option) bool { return o.ID == c }) {
				return fmt.Errorf("The question has no option %q.", c)
			}
		}
	case ShortAnswer, Numeric:
		if hasChoices || hasMatches {
			return wrongKind("text")
		}
		if len(r.Text) > MaxResponseLen {
			return fmt.Errorf("An answer has at most %d characters.", MaxResponseLen)
		}
		if q.Type == Numeric && strings.TrimSpace(r.Text) != "" {
			if _, why := readNumber(r.Text); why != "" {
				return errors.New(why)
			}
		}
	case Matching:
		if hasChoices || hasText {
			return wrongKind("matches")
		}
		pq := q.Public()
		for left, right := range r.Matches {
			if !slices.ContainsFunc(pq.Lefts, func(it PublicItem) bool { return it.ID == left }) {
				return fmt.Errorf("The question has no item %q to match.", left)
			}
			if !slices.ContainsFunc(pq.Rights, func(it PublicItem) bool { return it.ID == right }) {
				return fmt.Errorf("The question has no choice %q.", right)
			}
		}
	}
	return nil
}

// WrongChoices are the options a response chose that earn less than full
// credit: for single choice and true/false the chosen option unless it is
// the right one, for multiple response every chosen option without a
// positive weight. Other types have none.
func (q *Question) WrongChoices(r Response) []string {
	weight := map[string]float64{}
	for _, o := range q.Options {
		weight[o.ID] = o.Weight
	}
	wrong := []string{}
	for _, c := range r.Choices {
		w, ok := weight[c]
		switch {
		case !ok:
		case q.Type == MultipleResponse && w <= 0, (q.Type == SingleChoice || q.Type == TrueFalse) && w < 100:
			wrong = append(wrong, c)
		}
	}
	return wrong
}
