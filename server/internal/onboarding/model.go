// Package onboarding is the new-hire side of training: cohorts (a class of
// new hires, their trainer and the client programs they train for), the
// dated tasks each program's onboarding plan gives every member, their
// status computed from certification evidence, the trainer's reports
// (progress matrix, quiz pass rates, role-play competencies, agents at
// risk), refresher assignments for certifications coming up for renewal,
// and the reminder job for tasks due tomorrow or overdue.
//
// It owns its tables only: enrollment, evidence and certification states
// come from the certification service, programs and plans from the catalog,
// through small interfaces declared here.
package onboarding

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Date is a calendar day, "2006-01-02".
const Date = "2006-01-02"

// Cohort is a class of new hires who start onboarding together.
type Cohort struct {
	ID           string    `gorm:"column:id" json:"id"`
	Name         string    `gorm:"column:name" json:"name"`
	StartDate    time.Time `gorm:"column:start_date" json:"-"`
	TrainerID    string    `gorm:"column:trainer_id" json:"trainer_id"`
	SkipWeekends bool      `gorm:"column:skip_weekends" json:"skip_weekends"`
	// DueFrom says where plan days count from: DueFromStart or DueFromJoin.
	DueFrom   string    `gorm:"column:due_from" json:"due_from"`
	CreatedBy string    `gorm:"column:created_by" json:"created_by"`
	CreatedAt time.Time `gorm:"column:created_at" json:"created_at"`
	UpdatedAt time.Time `gorm:"column:updated_at" json:"updated_at"`
}

// TableName names the table.
func (Cohort) TableName() string { return "cohorts" }

// Where a cohort's plan days count from. DueFromStart: day 1 is the
// cohort's first working day on or after its start date, for everyone.
// DueFromJoin: day 1 is each member's own first working day on or after
// the later of the start date and the day they joined, so a member who
// joins late gets the whole plan ahead of them instead of a backlog.
const (
	DueFromStart = "cohort_start"
	DueFromJoin  = "join_date"
)

// CohortView is a cohort with its programs, members and calendar.
type CohortView struct {
	Cohort
	Start      string          `json:"start_date"`
	Programs   []CohortProgram `json:"programs"`
	Members    []Member        `json:"members"`
	DaysOff    []string        `json:"days_off"`
	ExtraDays  []string        `json:"working_days"`
	ClientIDs  []string        `json:"client_ids"`
	TrainerRef *Person         `json:"trainer"`
}

// Calendar is the cohort's calendar as the view carries it.
func (v *CohortView) Calendar() Calendar {
	cal := Calendar{SkipWeekends: v.SkipWeekends, Off: map[string]bool{}, Work: map[string]bool{}}
	for _, d := range v.DaysOff {
		cal.Off[d] = true
	}
	for _, d := range v.ExtraDays {
		cal.Work[d] = true
	}
	return cal
}

// CohortProgram is a program a cohort trains for.
type CohortProgram struct {
	ProgramID string `json:"program_id"`
	Name      string `json:"name"`
	ClientID  string `json:"client_id"`
}

// Member is an agent of a cohort.
type Member struct {
	UserID      string    `gorm:"column:user_id" json:"user_id"`
	Email       string    `gorm:"column:email" json:"email"`
	DisplayName string    `gorm:"column:display_name" json:"display_name"`
	AddedAt     time.Time `gorm:"column:added_at" json:"added_at"`
}

// Person names a user.
type Person struct {
	UserID      string `json:"user_id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
}

// Task statuses, computed from evidence against the clock.
const (
	StatusNotStarted = "not_started"
	StatusInProgress = "in_progress"
	StatusDone       = "done"
	StatusOverdue    = "overdue"
)

// Task is one dated item of a member's plan for a program.
type Task struct {
	ID        string     `gorm:"column:id" json:"id"`
	CohortID  string     `gorm:"column:cohort_id" json:"cohort_id"`
	UserID    string     `gorm:"column:user_id" json:"user_id"`
	ProgramID string     `gorm:"column:program_id" json:"program_id"`
	Position  int        `gorm:"column:position" json:"position"`
	Day       int        `gorm:"column:day" json:"day"`
	Kind      string     `gorm:"column:kind" json:"kind"` // module, quiz, roleplay
	Slug      string     `gorm:"column:slug" json:"slug"`
	ModuleID  *string    `gorm:"column:module_id" json:"module_id,omitempty"`
	DueDate   time.Time  `gorm:"column:due_date" json:"-"`
	DoneAt    *time.Time `gorm:"column:done_at" json:"-"`
}

// TableName names the table.
func (Task) TableName() string { return "onboarding_tasks" }

// Key names the task within a member's plans, stable across re-syncs.
func (t *Task) Key() string { return t.ProgramID + "/" + t.Kind + "/" + t.Slug }

// TaskView is a task with its status.
type TaskView struct {
	Task
	Due    string `json:"due_date"`
	Status string `json:"status"`
	// Action says what to do: read, pass or play (done tasks keep theirs).
	Action string `json:"action"`
	// Title is the module's, quiz's or role-play's title (the slug when it
	// has none yet, e.g. a quiz not imported).
	Title       string `json:"title"`
	ProgramName string `json:"program_name"`
	// Link is the web app's page where the task is done.
	Link string `json:"link"`
}

// Agent statuses.
const (
	OnTrack = "on_track"
	Behind  = "behind" // at least one task overdue
)

// AgentPlan is one member's tasks in a cohort and where they stand.
type AgentPlan struct {
	CohortID    string `json:"cohort_id"`
	CohortName  string `json:"cohort_name"`
	UserID      string `json:"user_id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	// FirstDay is the member's plan day 1.
	FirstDay string     `json:"first_day"`
	Status   string     `json:"status"` // OnTrack or Behind
	Done     int        `json:"done"`
	Overdue  int        `json:"overdue"`
	Tasks    []TaskView `json:"tasks"`
}

// Refresher item kinds.
const (
	ItemModule = "module"
	ItemQuiz   = "quiz"
)

// RefresherItem is one thing a refresher asks for.
type RefresherItem struct {
	Kind     string `json:"kind"` // module or quiz
	Slug     string `json:"slug"`
	ModuleID string `json:"module_id,omitempty"`
	// For changed modules: the version read, the version to read, the diff.
	FromVersion int    `json:"from_version,omitempty"`
	ToVersion   int    `json:"to_version,omitempty"`
	Diff        string `json:"diff,omitempty"`
	// Status is computed when the assignment is read: done or not_started.
	Status string `json:"status,omitempty" gorm:"-"`
}

// Refresher is a refresher assignment: made when a certification enters
// refresher_due, closed when it leaves it.
type Refresher struct {
	ID              string    `gorm:"column:id" json:"id"`
	CertificationID string    `gorm:"column:certification_id" json:"certification_id"`
	UserID          string    `gorm:"column:user_id" json:"user_id"`
	ProgramID       string    `gorm:"column:program_id" json:"program_id"`
	Reason          string    `gorm:"column:reason" json:"reason"` // material_change or refresher_window
	AssignedAt      time.Time `gorm:"column:assigned_at" json:"assigned_at"`
	// Since is when quiz passes start to count for this refresher.
	Since    time.Time       `gorm:"column:since" json:"since"`
	DueAt    *time.Time      `gorm:"column:due_at" json:"due_at"`
	Items    []RefresherItem `gorm:"column:items;serializer:json" json:"items"`
	ClosedAt *time.Time      `gorm:"column:closed_at" json:"closed_at"`
	Outcome  string          `gorm:"column:outcome" json:"outcome"`
}

// TableName names the table.
func (Refresher) TableName() string { return "refresher_assignments" }

// Reminder is a notice about tasks for one user. Kind is "task_due" or
// "task_overdue"; Key is stable per notice ("task-due:<task id>",
// "task-overdue:<task id>", "tasks-overdue:<first task id>" for a digest of
// several overdue tasks) so the sink can de-duplicate on UserID+Key.
type Reminder struct {
	UserID uuid.UUID
	Kind   string
	Key    string
	Title  string
	Body   string
	// Link is the web app's page where the task is done (the plan, for a
	// digest).
	Link string
	// DueAt is the instant the task is late: the midnight after DueDate.
	DueAt *time.Time
	// DueDate is the task's due day ("2006-01-02"), the last day to do it.
	DueDate string
}

// Reminder kinds. A digest of several overdue tasks is a ReminderOverdue.
const (
	ReminderDue     = "task_due"
	ReminderOverdue = "task_overdue"
)

// Titles names a program's quizzes and role-plays by slug (the quiz and
// role-play stores); module titles come with the program's requirements.
type Titles interface {
	QuizTitles(ctx context.Context, programID string) (map[string]string, error)
	RoleplayTitles(ctx context.Context, programID string) (map[string]string, error)
}

// Reminders receives reminders inside the job's transaction (the notify
// package, once merged). Remind must be idempotent on UserID+Key; the job
// also hands each key over only once.
type Reminders interface {
	Remind(ctx context.Context, tx *gorm.DB, r Reminder) error
}

// noReminders drops reminders: used when no sink is configured.
type noReminders struct{}

func (noReminders) Remind(context.Context, *gorm.DB, Reminder) error { return nil }
