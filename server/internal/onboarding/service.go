package onboarding

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/clock"
)

// Programs reads programs and their requirements (the catalog store).
type Programs interface {
	ProgramByID(ctx context.Context, id string) (*catalog.Program, error)
	Requirements(ctx context.Context, p *catalog.Program) (*catalog.Requirements, error)
}

// Certifications is what onboarding needs of the certification service:
// enrolling a new member (authorized as the caller), the programs an agent
// is enrolled in, and an agent's progress against a program's requirements.
type Certifications interface {
	Enroll(ctx context.Context, programID, userID string) (*certification.Certification, error)
	ProgramIDsForUser(ctx context.Context, userID string) ([]string, error)
	ProgressFor(ctx context.Context, userID, programID string) (*certification.Progress, error)
}

// Users finds users without authorizing (the auth service).
type Users interface {
	LookupUser(ctx context.Context, id string) (*auth.User, error)
}

// Competencies reads role-play competency scores (the role-play store).
type Competencies interface {
	CompetencyAverages(ctx context.Context, userIDs, programIDs []string) ([]CompetencyAverage, error)
}

// CompetencyAverage is one competency's mean score over a scenario's runs.
type CompetencyAverage struct {
	ProgramID  string  `json:"program_id"`
	Roleplay   string  `json:"roleplay"` // slug
	Title      string  `json:"title"`    // the role-play's
	Competency string  `json:"competency"`
	Average    float64 `json:"average"`
	Runs       int     `json:"runs"`
}

// Service applies the onboarding rules.
type Service struct {
	db           *gorm.DB
	store        *Store
	programs     Programs
	certs        Certifications
	users        Users
	competencies Competencies
	reminders    Reminders
	titles       Titles
	audit        *audit.Recorder
	clock        clock.Clock
	// Log receives what the reminder job could not do for one task.
	Log *slog.Logger
}

// NewService wires the onboarding service. reminders may be nil: reminders
// are then dropped (wire the notify package in). titles names quizzes and
// role-plays in tasks, reports and reminders (nil: they show their slugs).
func NewService(g *gorm.DB, programs Programs, certs Certifications, users Users, competencies Competencies,
	titles Titles, reminders Reminders, rec *audit.Recorder, clk clock.Clock) *Service {
	if reminders == nil {
		reminders = noReminders{}
	}
	return &Service{db: g, store: NewStore(g), programs: programs, certs: certs, users: users,
		competencies: competencies, titles: titles, reminders: reminders, audit: rec, clock: clk}
}

// SetReminders makes r receive the task reminders (nil: drop them). The
// app passes them to NewService; this setter stays for the test that
// collects reminders in a table.
func (s *Service) SetReminders(r Reminders) {
	if r == nil {
		r = noReminders{}
	}
	s.reminders = r
}

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// today is the clock's calendar day (UTC).
func (s *Service) today() time.Time {
	n := s.now()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// MaxNameLength bounds a cohort's name.
const MaxNameLength = 200

// CreateInput is a new cohort.
type CreateInput struct {
	Name       string
	StartDate  string // "2006-01-02"
	TrainerID  string
	ProgramIDs []string
	// SkipWeekends defaults to true.
	SkipWeekends *bool
	// DueFrom is DueFromStart or DueFromJoin ("" means DueFromJoin).
	DueFrom string
}

// checkDueFrom validates a due_from value; "" is keep (or the default).
func checkDueFrom(v string) error {
	switch v {
	case "", DueFromStart, DueFromJoin:
		return nil
	}
	return apperr.Invalidf("due_from", "must be %s or %s", DueFromStart, DueFromJoin)
}

func signedIn(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	return p, nil
}

// canManage: admins, and trainers or supervisors of every client.
func canManage(p *auth.Principal, clientIDs []string) bool {
	if p.Is(auth.RoleAdmin) {
		return true
	}
	if !p.Is(auth.RoleTrainer, auth.RoleSupervisor) {
		return false
	}
	for _, id := range clientIDs {
		if !p.MemberOf(id) {
			return false
		}
	}
	return true
}

// canView: compliance and admins, and trainers or supervisors of every client.
func canView(p *auth.Principal, clientIDs []string) bool {
	return p.SeesAllClients() || canManage(p, clientIDs)
}

// Create makes a cohort. Errors: unauthorized, forbidden (the caller does
// not manage every program's client), invalid (name, start_date,
// trainer_id, program_ids).
func (s *Service) Create(ctx context.Context, in CreateInput) (*CohortView, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		return nil, apperr.Invalidf("name", "give the cohort a name")
	case len(name) > MaxNameLength:
		return nil, apperr.Invalidf("name", "at most %d characters", MaxNameLength)
	}
	start, err := time.Parse(Date, in.StartDate)
	if err != nil {
		return nil, apperr.Invalidf("start_date", "must be a date like 2026-03-02")
	}
	if err := checkDueFrom(in.DueFrom); err != nil {
		return nil, err
	}
	progs, err := s.loadPrograms(ctx, in.ProgramIDs)
	if err != nil {
		return nil, err
	}
	clients := clientsOf(progs)
	if !canManage(p, clients) {
		return nil, apperr.E(apperr.Forbidden, "only trainers and supervisors of every program's client, or admins, create cohorts")
	}
	if err := s.checkTrainer(ctx, in.TrainerID, clients); err != nil {
		return nil, err
	}
	now := s.now()
	c := &Cohort{ID: uuid.NewString(), Name: name, StartDate: start, TrainerID: in.TrainerID, SkipWeekends: true,
		DueFrom: DueFromJoin, CreatedBy: p.Actor().ID, CreatedAt: now, UpdatedAt: now}
	if in.DueFrom != "" {
		c.DueFrom = in.DueFrom
	}
	if in.SkipWeekends != nil {
		c.SkipWeekends = *in.SkipWeekends
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ids := make([]string, len(progs))
		for i, prog := range progs {
			ids[i] = prog.ID
		}
		if err := s.store.CreateCohort(tx, c, ids); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "cohort.create", SubjectType: "cohort",
			SubjectID: c.ID, ClientID: first(clients), After: map[string]any{"name": c.Name, "start_date": in.StartDate,
				"trainer_id": c.TrainerID, "program_ids": in.ProgramIDs, "client_ids": clients, "due_from": c.DueFrom}})
	})
	if err != nil {
		return nil, fmt.Errorf("onboarding: create cohort: %w", err)
	}
	return s.view(ctx, c)
}

func first(ids []string) string {
	if len(ids) == 1 {
		return ids[0]
	}
	return ""
}

// loadPrograms reads the programs a cohort trains for: at least one, each
// once, each existing.
func (s *Service) loadPrograms(ctx context.Context, ids []string) ([]*catalog.Program, error) {
	if len(ids) == 0 {
		return nil, apperr.Invalidf("program_ids", "name at least one program")
	}
	var out []*catalog.Program
	for i, id := range ids {
		if slices.Index(ids, id) != i {
			return nil, apperr.Invalidf("program_ids", "program %s is listed twice", id)
		}
		prog, err := s.programs.ProgramByID(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Invalidf("program_ids", "no program %s", id)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, prog)
	}
	return out, nil
}

func clientsOf(progs []*catalog.Program) []string {
	var out []string
	for _, p := range progs {
		if !slices.Contains(out, p.ClientID) {
			out = append(out, p.ClientID)
		}
	}
	slices.Sort(out)
	return out
}

// checkTrainer: an active trainer or supervisor who belongs to every client.
func (s *Service) checkTrainer(ctx context.Context, id string, clients []string) error {
	if uuid.Validate(id) != nil {
		return apperr.Invalidf("trainer_id", "must be a user id")
	}
	u, err := s.users.LookupUser(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Invalidf("trainer_id", "no such user")
	}
	if err != nil {
		return err
	}
	if !u.Active || (u.Role != auth.RoleTrainer && u.Role != auth.RoleSupervisor) {
		return apperr.Invalidf("trainer_id", "must be an active trainer or supervisor")
	}
	for _, c := range clients {
		if !slices.Contains(u.ClientIDs, c) {
			return apperr.Invalidf("trainer_id", "%s is not a member of every client the cohort trains for", u.Email)
		}
	}
	return nil
}

// cohortPrograms reads the cohort's programs.
func (s *Service) cohortPrograms(ctx context.Context, cohortID string) ([]*catalog.Program, error) {
	ids, err := s.store.ProgramIDs(ctx, cohortID)
	if err != nil {
		return nil, err
	}
	out := make([]*catalog.Program, 0, len(ids))
	for _, id := range ids {
		prog, err := s.programs.ProgramByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("onboarding: cohort program: %w", err)
		}
		out = append(out, prog)
	}
	return out, nil
}

// visible loads a cohort the caller may see (manage, when manage), or
// not_found.
func (s *Service) visible(ctx context.Context, id string, manage bool) (*Cohort, []*catalog.Program, *auth.Principal, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := s.store.Cohort(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	progs, err := s.cohortPrograms(ctx, c.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	clients := clientsOf(progs)
	if !canView(p, clients) {
		return nil, nil, nil, apperr.NotFoundf("cohort")
	}
	if manage && !canManage(p, clients) {
		return nil, nil, nil, apperr.E(apperr.Forbidden, "only trainers and supervisors of the cohort's clients, or admins, change a cohort")
	}
	return c, progs, p, nil
}

func (s *Service) view(ctx context.Context, c *Cohort) (*CohortView, error) {
	progs, err := s.cohortPrograms(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	members, err := s.store.Members(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	cal, err := s.store.Calendar(ctx, c)
	if err != nil {
		return nil, err
	}
	v := &CohortView{Cohort: *c, Start: c.StartDate.Format(Date), Programs: []CohortProgram{}, Members: members,
		DaysOff: sortedKeys(cal.Off), ExtraDays: sortedKeys(cal.Work), ClientIDs: clientsOf(progs)}
	for _, prog := range progs {
		v.Programs = append(v.Programs, CohortProgram{ProgramID: prog.ID, Name: prog.Name, ClientID: prog.ClientID})
	}
	if u, err := s.users.LookupUser(ctx, c.TrainerID); err == nil {
		v.TrainerRef = &Person{UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName}
	}
	return v, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Get returns a cohort. Errors: unauthorized, not_found (also for a
// cohort of clients the caller does not belong to).
func (s *Service) Get(ctx context.Context, id string) (*CohortView, error) {
	c, _, _, err := s.visible(ctx, id, false)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, c)
}

// List returns the cohorts the caller may see. Errors: unauthorized.
func (s *Service) List(ctx context.Context) ([]CohortView, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.ListCohorts(ctx)
	if err != nil {
		return nil, err
	}
	out := []CohortView{}
	for i := range cs {
		progs, err := s.cohortPrograms(ctx, cs[i].ID)
		if err != nil {
			return nil, err
		}
		if !canView(p, clientsOf(progs)) {
			continue
		}
		v, err := s.view(ctx, &cs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// AddMember adds an agent to a cohort: enrolls them (as the caller) in
// each of the cohort's programs they are not enrolled in yet, then adds
// them and their dated tasks. Enrollments made before a failure stay (the
// next try skips them). Errors: unauthorized, not_found, forbidden,
// invalid (user_id: not an active agent), conflict (already a member).
func (s *Service) AddMember(ctx context.Context, cohortID, userID string) (*CohortView, error) {
	c, progs, p, err := s.visible(ctx, cohortID, true)
	if err != nil {
		return nil, err
	}
	if uuid.Validate(userID) != nil {
		return nil, apperr.Invalidf("user_id", "must be a user id")
	}
	u, err := s.users.LookupUser(ctx, userID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.Invalidf("user_id", "no such user")
	}
	if err != nil {
		return nil, err
	}
	if u.Role != auth.RoleAgent || !u.Active {
		return nil, apperr.Invalidf("user_id", "only active agents join a cohort")
	}
	isMember, err := s.store.IsMember(ctx, c.ID, u.ID)
	if err != nil {
		return nil, fmt.Errorf("onboarding: add member: %w", err)
	}
	if isMember {
		return nil, apperr.E(apperr.Conflict, "%s is already in the cohort", u.Email)
	}
	enrolled, err := s.certs.ProgramIDsForUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var enrolledNow []string
	for _, prog := range progs {
		if slices.Contains(enrolled, prog.ID) {
			continue
		}
		if _, err := s.certs.Enroll(ctx, prog.ID, u.ID); err != nil && !apperr.Is(err, apperr.Conflict) {
			return nil, fmt.Errorf("onboarding: enroll in %s: %w", prog.Name, err)
		}
		enrolledNow = append(enrolledNow, prog.ID)
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.store.AddMember(tx, c.ID, u.ID, s.now(), p.Actor().ID); err != nil {
			return err
		}
		if err := s.syncTasks(ctx, tx, c, progs, []string{u.ID}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "cohort.member_add", SubjectType: "cohort",
			SubjectID: c.ID, ClientID: first(clientsOf(progs)), After: map[string]any{"user_id": u.ID, "enrolled_in": enrolledNow}})
	})
	if apperr.Is(err, apperr.Conflict) {
		return nil, apperr.E(apperr.Conflict, "%s is already in the cohort", u.Email)
	}
	if err != nil {
		return nil, fmt.Errorf("onboarding: add member: %w", err)
	}
	return s.view(ctx, c)
}

// RemoveMember takes an agent out of a cohort with their tasks (their
// enrollments and evidence stay). Errors: unauthorized, not_found,
// forbidden.
func (s *Service) RemoveMember(ctx context.Context, cohortID, userID string) error {
	c, progs, p, err := s.visible(ctx, cohortID, true)
	if err != nil {
		return err
	}
	if uuid.Validate(userID) != nil {
		return apperr.NotFoundf("member")
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.store.RemoveMember(tx, c.ID, userID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "cohort.member_remove", SubjectType: "cohort",
			SubjectID: c.ID, ClientID: first(clientsOf(progs)), Before: map[string]any{"user_id": userID}})
	})
}

// CalendarInput replaces a cohort's calendar overrides.
type CalendarInput struct {
	DaysOff      []string
	WorkingDays  []string
	SkipWeekends *bool
	// DueFrom changes where plan days count from ("" keeps it).
	DueFrom string
}

// MaxCalendarDays bounds the overrides of one cohort.
const MaxCalendarDays = 366

// SetCalendar replaces the cohort's days off and extra working days (and
// whether weekends are skipped) and moves every member's due dates.
// Errors: unauthorized, not_found, forbidden, invalid (days_off,
// working_days: not dates, listed twice, or in both lists).
func (s *Service) SetCalendar(ctx context.Context, cohortID string, in CalendarInput) (*CohortView, error) {
	c, progs, p, err := s.visible(ctx, cohortID, true)
	if err != nil {
		return nil, err
	}
	if err := checkDueFrom(in.DueFrom); err != nil {
		return nil, err
	}
	if len(in.DaysOff)+len(in.WorkingDays) > MaxCalendarDays {
		return nil, apperr.Invalidf("days_off", "at most %d days in all", MaxCalendarDays)
	}
	seen := map[string]string{}
	for _, list := range []struct {
		field, kind string
		days        []string
	}{{"days_off", "off", in.DaysOff}, {"working_days", "work", in.WorkingDays}} {
		for _, d := range list.days {
			if _, err := time.Parse(Date, d); err != nil {
				return nil, apperr.Invalidf(list.field, "%q is not a date like 2026-03-02", d)
			}
			if k, dup := seen[d]; dup {
				if k == list.kind {
					return nil, apperr.Invalidf(list.field, "%s is listed twice", d)
				}
				return nil, apperr.Invalidf(list.field, "%s cannot be both a day off and a working day", d)
			}
			seen[d] = list.kind
		}
	}
	if in.SkipWeekends != nil {
		c.SkipWeekends = *in.SkipWeekends
	}
	if in.DueFrom != "" {
		c.DueFrom = in.DueFrom
	}
	c.UpdatedAt = s.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockCohort(tx, c.ID); err != nil { // one change of the cohort's tasks at a time
			return err
		}
		if err := s.store.SetCalendar(tx, c, seen); err != nil {
			return err
		}
		members, err := s.store.MemberIDs(tx, c.ID)
		if err != nil {
			return err
		}
		if err := s.syncTasks(ctx, tx, c, progs, members); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "cohort.calendar", SubjectType: "cohort",
			SubjectID: c.ID, ClientID: first(clientsOf(progs)), After: map[string]any{"days_off": in.DaysOff,
				"working_days": in.WorkingDays, "skip_weekends": c.SkipWeekends, "due_from": c.DueFrom}})
	})
	if err != nil {
		return nil, fmt.Errorf("onboarding: set calendar: %w", err)
	}
	return s.view(ctx, c)
}

// firstDays is where each user's plan days count from: the cohort's start,
// or (DueFromJoin) the later of the start and the day they joined.
func (s *Service) firstDays(tx *gorm.DB, c *Cohort, userIDs []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(userIDs))
	joined := map[string]time.Time{}
	if c.DueFrom == DueFromJoin {
		var err error
		if joined, err = joinDays(tx, c.ID, userIDs); err != nil {
			return nil, err
		}
	}
	for _, u := range userIDs {
		out[u] = c.StartDate
		if j, ok := joined[u]; ok && j.After(c.StartDate) {
			out[u] = j
		}
	}
	return out, nil
}

// planned is a task a cohort's plans give a member, due on Due.
type planned struct {
	Task
	Due string
}

// plannedTasks computes, in tx, the dated tasks each user gets from the
// programs' current onboarding plans, and the task keys the plans hold.
// Errors: invalid (days_off) when the calendar runs out of working days.
func (s *Service) plannedTasks(ctx context.Context, tx *gorm.DB, c *Cohort, progs []*catalog.Program, userIDs []string) ([]planned, []string, error) {
	cal, err := calendarOf(tx, c)
	if err != nil {
		return nil, nil, err
	}
	firstDays, err := s.firstDays(tx, c, userIDs)
	if err != nil {
		return nil, nil, err
	}
	keep := []string{}
	var out []planned
	for _, prog := range progs {
		req, err := s.programs.Requirements(ctx, prog)
		if err != nil {
			return nil, nil, fmt.Errorf("onboarding: plan of %s: %w", prog.Name, err)
		}
		for i, it := range req.Onboarding {
			var moduleID *string
			if it.ModuleID != "" {
				moduleID = &it.ModuleID
			}
			keep = append(keep, prog.ID+"/"+it.Kind+"/"+it.Slug)
			for _, u := range userIDs {
				due, ok := cal.DayDate(firstDays[u], it.Day)
				if !ok {
					return nil, nil, apperr.Invalidf("days_off", "the calendar has no working day %d", it.Day)
				}
				out = append(out, planned{Task: Task{ID: uuid.NewString(), CohortID: c.ID, UserID: u, ProgramID: prog.ID,
					Position: i + 1, Day: it.Day, Kind: it.Kind, Slug: it.Slug, ModuleID: moduleID}, Due: due.Format(Date)})
			}
		}
	}
	return out, keep, nil
}

// syncTasks writes, in tx, the dated tasks of each user for every program
// of the cohort from the programs' current onboarding plans, and removes
// tasks the plans no longer have.
func (s *Service) syncTasks(ctx context.Context, tx *gorm.DB, c *Cohort, progs []*catalog.Program, userIDs []string) error {
	if len(userIDs) == 0 {
		return nil
	}
	tasks, keep, err := s.plannedTasks(ctx, tx, c, progs, userIDs)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if err := s.store.UpsertTask(tx, t.Task, t.Due); err != nil {
			return err
		}
	}
	return s.store.PruneTasks(tx, c.ID, userIDs, keep)
}
