// Package catalog is Skillgate's content: clients, programs and their
// requirements, markdown modules with immutable versions, rendering,
// full-text search, agents' reading progress, and the library importer
// (content/README.md is the format's specification).
//
// Visibility is decided in one place, viewerOf (visibility.go), and every
// principal-scoped method (ListVisible*, Read*, SearchVisible, Record*,
// PublishVersion, ProgramDetail, ProgramProgress) asks it: compliance and
// admins see everything; trainers and supervisors their clients' programs
// and modules; agents the programs they are enrolled in and the modules
// those programs list; everyone signed in sees the core modules. Hidden
// things answer not_found. The unscoped Store methods are for other
// services and tools.
package catalog

import (
	"database/sql/driver"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Module kinds.
const (
	KindProduct      = "product"
	KindSalesMessage = "sales-message"
	KindProcedure    = "procedure"
	KindPolicy       = "policy"
	KindCoreSkill    = "core-skill"
)

// ModuleKinds lists every module kind.
var ModuleKinds = []string{KindProduct, KindSalesMessage, KindProcedure, KindPolicy, KindCoreSkill}

// Change kinds: how a published version differs from the one before it.
const (
	ChangeMinor    = "minor"    // typos, wording
	ChangeMaterial = "material" // facts, offers, rules: certified agents get a refresher
)

// Channels lists the contact channels a program may serve.
var Channels = []string{"voice", "chat", "email", "sms", "social"}

// Client is a company whose customers the center serves.
type Client struct {
	ID          string    `gorm:"column:id" json:"id"`
	Slug        string    `gorm:"column:slug" json:"slug"`
	Name        string    `gorm:"column:name" json:"name"`
	Industry    string    `gorm:"column:industry" json:"industry"`
	Description string    `gorm:"column:description" json:"description"`
	CreatedAt   time.Time `gorm:"column:created_at" json:"created_at"`
	UpdatedAt   time.Time `gorm:"column:updated_at" json:"updated_at"`
}

// TableName names the table.
func (Client) TableName() string { return "clients" }

// Program is one line of business of a client, with its certification policy.
// Its other requirements are read with Service.ProgramRequirements.
type Program struct {
	ID                      string     `gorm:"column:id" json:"id"`
	ClientID                string     `gorm:"column:client_id" json:"client_id"`
	Slug                    string     `gorm:"column:slug" json:"slug"`
	Name                    string     `gorm:"column:name" json:"name"`
	Channels                StringList `gorm:"column:channels" json:"channels"`
	Description             string     `gorm:"column:description" json:"description"`
	ValidDays               int        `gorm:"column:valid_days" json:"valid_days"`
	RefresherWindowDays     int        `gorm:"column:refresher_window_days" json:"refresher_window_days"`
	MaterialChangeGraceDays int        `gorm:"column:material_change_grace_days" json:"material_change_grace_days"`
	// ServesOnlyListedStates: callers from a state no license requirement
	// lists are not eligible (program.yaml serves_only_listed_states).
	ServesOnlyListedStates bool      `gorm:"column:serves_only_listed_states" json:"serves_only_listed_states"`
	SpecHash               string    `gorm:"column:spec_hash" json:"-"`
	CreatedAt              time.Time `gorm:"column:created_at" json:"created_at"`
	UpdatedAt              time.Time `gorm:"column:updated_at" json:"updated_at"`
}

// TableName names the table.
func (Program) TableName() string { return "programs" }

// Module is one markdown lesson; ClientID is nil for core modules.
type Module struct {
	ID             string    `gorm:"column:id" json:"id"`
	ClientID       *string   `gorm:"column:client_id" json:"client_id,omitempty"`
	Slug           string    `gorm:"column:slug" json:"slug"`
	Kind           string    `gorm:"column:kind" json:"kind"`
	CurrentVersion int       `gorm:"column:current_version" json:"current_version"`
	CreatedAt      time.Time `gorm:"column:created_at" json:"created_at"`
	UpdatedAt      time.Time `gorm:"column:updated_at" json:"updated_at"`
}

// TableName names the table.
func (Module) TableName() string { return "modules" }

// IsCore reports whether the module is a core skill shared by every client.
func (m *Module) IsCore() bool { return m.ClientID == nil }

// TOCEntry is one heading of a rendered module.
type TOCEntry struct {
	Level int    `json:"level"`
	ID    string `json:"id"`
	Text  string `json:"text"`
}

// VersionSummary describes a module version without its text.
type VersionSummary struct {
	ModuleID      string    `gorm:"column:module_id" json:"module_id"`
	Number        int       `gorm:"column:number" json:"number"`
	Title         string    `gorm:"column:title" json:"title"`
	Summary       string    `gorm:"column:summary" json:"summary"`
	Minutes       int       `gorm:"column:minutes" json:"minutes"`
	ChangeKind    string    `gorm:"column:change_kind" json:"change_kind"`
	ContentHash   string    `gorm:"column:content_hash" json:"content_hash"`
	CreatedAt     time.Time `gorm:"column:created_at" json:"created_at"`
	PublishedKind string    `gorm:"column:published_kind" json:"published_kind"`
	PublishedBy   string    `gorm:"column:published_by" json:"published_by"`
}

// ModuleVersion is one immutable published text of a module, rendered.
type ModuleVersion struct {
	ID string `gorm:"column:id" json:"id"`
	VersionSummary
	Source   string          `gorm:"column:source" json:"-"`
	Markdown string          `gorm:"column:markdown" json:"markdown"`
	HTML     string          `gorm:"column:html" json:"html"`
	TOCJSON  json.RawMessage `gorm:"column:toc" json:"-"`
	TOC      []TOCEntry      `gorm:"-" json:"toc"`
	BodyText string          `gorm:"column:body_text" json:"-"`
}

// TableName names the table.
func (ModuleVersion) TableName() string { return "module_versions" }

// ModuleWithVersion is a module and one of its versions (usually the current one).
type ModuleWithVersion struct {
	Module  Module        `json:"module"`
	Version ModuleVersion `json:"version"`
}

// Requirements is what a program requires for certification, as imported
// from its program.yaml.
type Requirements struct {
	Modules []RequiredModule `json:"modules"`
	Quizzes []string         `json:"quizzes"`
	// QuizGates lists the quizzes that open only once modules are
	// completed (the others are open from the start).
	QuizGates  []QuizGate          `json:"quiz_gates,omitempty"`
	Roleplays  []RoleplayReq       `json:"roleplays"`
	Licenses   []LicenseReq        `json:"licenses"`
	Onboarding []OnboardingItem    `json:"onboarding"`
	Policy     CertificationPolicy `json:"certification"`
	// Refresher is the program's declared refresher set, nil when
	// program.yaml has none.
	Refresher *RefresherPlan `json:"refresher,omitempty"`
}

// RefresherPlan is what a program's refresher asks for: required modules to
// read again and one quiz to pass (program.yaml `refresher:`).
type RefresherPlan struct {
	Modules []RefresherModule `json:"modules"`
	Quiz    string            `json:"quiz"`
}

// RefresherModule is one module of a refresher set.
type RefresherModule struct {
	ModuleID string `json:"module_id"`
	Slug     string `json:"slug"` // as written in program.yaml ("core/<slug>" for core modules)
}

// RequiredModule is a module a program requires, in reading order.
type RequiredModule struct {
	ModuleID       string `gorm:"column:module_id" json:"module_id"`
	Slug           string `gorm:"column:slug" json:"slug"`
	Core           bool   `gorm:"column:core" json:"core"`
	CurrentVersion int    `gorm:"column:current_version" json:"current_version"`
	Kind           string `gorm:"column:kind" json:"kind"`
	Title          string `gorm:"column:title" json:"title"`     // of the current version
	Minutes        int    `gorm:"column:minutes" json:"minutes"` // of the current version
}

// QuizGate is a gated quiz: it opens once every one of ModuleIDs (modules
// the program requires) is completed, at any version.
type QuizGate struct {
	Quiz      string   `json:"quiz"`
	ModuleIDs []string `json:"module_ids"`
}

// GateOf returns the quiz's gate, nil when the quiz is open from the start.
func (r *Requirements) GateOf(quizSlug string) *QuizGate {
	for i := range r.QuizGates {
		if r.QuizGates[i].Quiz == quizSlug {
			return &r.QuizGates[i]
		}
	}
	return nil
}

// RoleplayReq is a role-play a program requires.
type RoleplayReq struct {
	Slug    string `json:"slug"`
	Signoff bool   `json:"signoff"` // a supervisor must sign off the passing run
}

// LicenseReq is a license a program needs for callers in States.
type LicenseReq struct {
	Class  string   `json:"class"`
	Lines  []string `json:"lines"`
	States []string `json:"states"`
	// Appointment: an active appointment with the program's client in the
	// state, covering Lines, is needed too (omitted when false, so programs
	// without it keep their spec hash).
	Appointment bool `json:"appointment,omitempty"`
}

// CertificationPolicy is how long a program's certification lasts and when
// refreshers open and fall due.
type CertificationPolicy struct {
	ValidDays               int `json:"valid_days"`
	RefresherWindowDays     int `json:"refresher_window_days"`
	MaterialChangeGraceDays int `json:"material_change_grace_days"`
}

// DefaultPolicy applies when program.yaml has no certification section.
var DefaultPolicy = CertificationPolicy{ValidDays: 365, RefresherWindowDays: 30, MaterialChangeGraceDays: 14}

// Onboarding item kinds.
const (
	ItemModule   = "module"
	ItemQuiz     = "quiz"
	ItemRoleplay = "roleplay"
)

// OnboardingItem is one step of a program's new-hire plan.
type OnboardingItem struct {
	Day      int    `json:"day"`                 // 1 = the first day
	Kind     string `json:"kind"`                // ItemModule, ItemQuiz or ItemRoleplay
	Slug     string `json:"slug"`                // module, quiz or role-play slug
	ModuleID string `json:"module_id,omitempty"` // set for modules
}

// Progress is what an agent did with one module version.
type Progress struct {
	UserID      string     `gorm:"column:user_id" json:"user_id"`
	ModuleID    string     `gorm:"column:module_id" json:"module_id"`
	Version     int        `gorm:"column:version" json:"version"`
	OpenedAt    time.Time  `gorm:"column:opened_at" json:"opened_at"`
	CompletedAt *time.Time `gorm:"column:completed_at" json:"completed_at,omitempty"`
}

// TableName names the table.
func (Progress) TableName() string { return "module_progress" }

// Pin names a module version someone read (certification evidence).
type Pin struct {
	ModuleID string
	Version  int
}

// SearchHit is one module found by Search.
type SearchHit struct {
	ModuleID string  `gorm:"column:module_id" json:"module_id"`
	Slug     string  `gorm:"column:slug" json:"slug"`
	Version  int     `gorm:"column:number" json:"version"`
	Title    string  `gorm:"column:title" json:"title"`
	Rank     float64 `gorm:"column:rank" json:"rank"`
	// Snippet is plain text with the matches between SnippetStart and
	// SnippetEnd; HighlightHTML turns it into safe HTML.
	Snippet string `gorm:"column:snippet" json:"snippet"`
}

// StringList is a Postgres text[] column.
type StringList []string

// Scan reads a text[] value.
func (s *StringList) Scan(src any) error {
	var out []string
	if err := pgtype.NewMap().SQLScanner(&out).Scan(src); err != nil {
		return err
	}
	*s = out
	return nil
}

// Value writes s as a text[] literal.
func (s StringList) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// GormDataType names the column type for GORM.
func (StringList) GormDataType() string { return "text[]" }
