// Package demo seeds a believable contact center for development: a cohort
// of new hires mid-onboarding at different paces (and the demo agent, who
// joins it today), tenured agents certified on several clients' programs
// (one with a refresher due, one expired), each a member of their programs'
// clients and assigned to their queues, so the rosters show eligible and
// not-eligible agents with the reasons; a licensed program whose agents
// hold licenses in some of its states and not others, and are appointed by
// its carrier in some of those and not others; a role-play run
// waiting for a supervisor's sign-off, a license pending and one expiring. Everything goes through the real
// services (enrollment, reading, quiz attempts, role-play runs, reviews,
// cohorts), with a manual clock set back in time for the tenured agents'
// history, so every state, date, audit entry and outbox event is the one
// the product would have produced. `skillgate user seed-demo` (and so
// `make run`) calls Seed after the demo logins; it refuses production and
// does nothing once the demo cohort exists.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/quiz"
	"github.com/skillgate/skillgate/server/internal/roleplay"
)

// CohortName names the demo cohort; its existence marks the center seeded.
const CohortName = "Demo: Fenmore card services new hires"

// Password is every seeded agent's password (public, like the demo logins).
const Password = "agent-demo-skillgate"

// Report says what Seed did.
type Report struct {
	// Skipped says nothing was seeded: the demo cohort existed already, or
	// (Missing) a program the center needs is not imported.
	Skipped  bool
	Missing  string
	Agents   []string
	CohortID string
}

// program names a program of the library by client and program slug.
type program struct{ client, slug string }

var (
	cardServices = program{"fenmore-bank", "card-services"}
	customerCare = program{"voltcrate", "customer-care"}
	billing      = program{"cinder-valley-electric", "billing"}
	outages      = program{"cinder-valley-electric", "outages"}
	// directSales needs an insurance producer license in TX, FL, GA, NC and
	// AZ and Larkspur's appointment in the caller's state, and serves only
	// callers from those states.
	directSales = program{"larkspur-life", "direct-sales"}
)

// tenured is an agent with certifications, each earned daysAgo days ago
// (listed oldest first).
type certified struct {
	program program
	daysAgo int
}

type tenured struct {
	email, name string
	certs       []certified
	// awaiting plays a passing run of this program's sign-off role-play
	// (enrolled, not certified) and leaves it for a supervisor.
	awaiting *program
	// licenses are insurance producer licenses the agent submits, each
	// verified (expiring in expiresIn days) or left pending for compliance.
	licenses []demoLicense
}

type demoLicense struct {
	state, number string
	verified      bool
	expiresIn     int
	// appointment is Larkspur's appointment of the agent in the state:
	// "active", "requested" (asked of the carrier, not yet in force),
	// "terminated" (ended a month ago) or "" (none).
	appointment string
}

// Every certified agent is assigned to the program's queue (a licensed
// program once a license is verified and Larkspur has appointed them). On
// direct sales (TX, FL, GA, NC, AZ) Marcus is licensed and appointed in TX;
// Priya is licensed in GA and NC but appointed only in GA (NC is requested)
// and her FL appointment was terminated: each is eligible for calls from
// the states where they are licensed and appointed, and not from the others. Sam's customer-care
// certification expired: his queue lists him not eligible.
var tenuredAgents = []tenured{
	// Certified on card services 340 days ago: its refresher window (30 days before expiry) is open.
	{email: "priya.raman@demo.skillgate.test", name: "Priya Raman",
		certs: []certified{{cardServices, 340}, {customerCare, 120}, {directSales, 15}},
		licenses: []demoLicense{{state: "GA", number: "GA-884120", verified: true, expiresIn: 400, appointment: "active"},
			{state: "NC", number: "NC-0217735", verified: true, expiresIn: 500, appointment: "requested"},
			{state: "FL", number: "FL-W310442", expiresIn: 300, appointment: "terminated"}}},
	{email: "marcus.bell@demo.skillgate.test", name: "Marcus Bell",
		certs:    []certified{{billing, 200}, {cardServices, 60}, {directSales, 20}},
		licenses: []demoLicense{{state: "TX", number: "TX-2291847", verified: true, expiresIn: 21, appointment: "active"}}},
	{email: "lena.ortiz@demo.skillgate.test", name: "Lena Ortiz",
		certs: []certified{{billing, 90}, {customerCare, 30}}, awaiting: &outages,
		licenses: []demoLicense{{state: "FL", number: "W188213", expiresIn: 700}}},
	// Certified 400 days ago for a year, assigned then: expired since.
	{email: "sam.okafor@demo.skillgate.test", name: "Sam Okafor",
		certs: []certified{{customerCare, 400}}},
}

// DemoAgent is the demo login that joins the demo cohort today.
const DemoAgent = "agent@demo.skillgate.test"

// newHire is a cohort member and how far they got: the plan days whose
// modules they read, whether they only opened the first module, and how
// many failing quiz attempts they made.
type newHire struct {
	email, name  string
	readThrough  int // read every module of plan days ≤ this (relative to today's plan day when ≤ 0)
	openedFirst  bool
	failedQuizes int
	plays        bool // plays the program's role-plays (ahead of the plan)
}

var newHires = []newHire{
	{email: "ana.silva@demo.skillgate.test", name: "Ana Silva", readThrough: 10, plays: true}, // ahead
	{email: "ben.carter@demo.skillgate.test", name: "Ben Carter", readThrough: 0},             // on track: through today
	{email: "chloe.nguyen@demo.skillgate.test", name: "Chloe Nguyen", readThrough: -4},        // behind
	{email: "dev.patel@demo.skillgate.test", name: "Dev Patel", openedFirst: true},            // opened day 1, behind
	{email: "ema.kowalski@demo.skillgate.test", name: "Ema Kowalski", readThrough: 10, failedQuizes: 2},
}

// cohortDay is the plan day the demo cohort is on today.
const cohortDay = 7

// seeder holds the app over a manual clock and the people it acts as.
type seeder struct {
	a      *app.App
	clk    *clock.Manual
	now    time.Time
	staff  map[auth.Role]*auth.Principal
	report *Report
}

// Seed builds the demo center over g (already migrated and imported, demo
// logins seeded) at now. It seeds nothing when the demo cohort exists or a
// program it needs is not imported (Report.Skipped). Errors: production,
// the demo logins are missing, or a service refused.
func Seed(ctx context.Context, cfg app.Config, log *slog.Logger, g *gorm.DB, now time.Time) (*Report, error) {
	if cfg.Env == app.Production {
		return nil, errors.New("demo: refusing to seed a demo center in production")
	}
	now = now.UTC()
	clk := clock.NewManual(now)
	a, err := app.New(cfg, log, g, clk)
	if err != nil {
		return nil, err
	}
	var n int64
	if err := g.WithContext(ctx).Table("cohorts").Where("name = ?", CohortName).Count(&n).Error; err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return &Report{Skipped: true}, nil
	}
	s := &seeder{a: a, clk: clk, now: now, staff: map[auth.Role]*auth.Principal{}, report: &Report{}}
	for _, pr := range []program{cardServices, customerCare, billing, outages, directSales} {
		if _, _, err := s.program(ctx, pr); apperr.Is(err, apperr.NotFound) {
			return &Report{Skipped: true, Missing: pr.client + "/" + pr.slug}, nil
		} else if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	for _, r := range []auth.Role{auth.RoleTrainer, auth.RoleSupervisor, auth.RoleCompliance} {
		p, err := s.principal(ctx, string(r)+"@demo.skillgate.test")
		if err != nil {
			return nil, fmt.Errorf("demo: %s (run the demo logins first): %w", r, err)
		}
		s.staff[r] = p
	}
	for _, t := range tenuredAgents {
		if err := s.tenured(ctx, t); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", t.email, err)
		}
	}
	// Back to now: the job opens refresher windows (and the refresher assignments with them).
	clk.Set(now)
	if _, err := a.Certification.RunOnce(ctx); err != nil {
		return nil, fmt.Errorf("demo: certification job: %w", err)
	}
	if err := s.cohort(ctx); err != nil {
		return nil, fmt.Errorf("demo: cohort: %w", err)
	}
	// Queues follow: the expired certification suspends its assignment.
	if _, err := a.Routing.RunOnce(ctx); err != nil {
		return nil, fmt.Errorf("demo: routing job: %w", err)
	}
	return s.report, nil
}

// principal is the signed-in user with the email, with memberships.
func (s *seeder) principal(ctx context.Context, email string) (*auth.Principal, error) {
	u, err := s.a.Auth.LookupUserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	if u, err = s.a.Auth.LookupUser(ctx, u.ID); err != nil {
		return nil, err
	}
	return &auth.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, ClientIDs: u.ClientIDs}, nil
}

func as(ctx context.Context, p *auth.Principal) context.Context { return auth.WithPrincipal(ctx, p) }

// agent finds or creates an agent, a member of the programs' clients.
func (s *seeder) agent(ctx context.Context, email, name string, programs ...program) (*auth.Principal, error) {
	p, err := s.principal(ctx, email)
	if err == nil || !apperr.Is(err, apperr.NotFound) {
		return p, err
	}
	var clientIDs []string
	for _, pr := range programs {
		prog, _, err := s.program(ctx, pr)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(clientIDs, prog.ClientID) {
			clientIDs = append(clientIDs, prog.ClientID)
		}
	}
	if _, err := s.a.Auth.CreateUserAs(ctx, audit.System("seed-demo"), auth.CreateUserInput{
		Email: email, DisplayName: name, Role: auth.RoleAgent, Password: Password, ClientIDs: clientIDs}); err != nil {
		return nil, err
	}
	s.report.Agents = append(s.report.Agents, email)
	return s.principal(ctx, email)
}

func (s *seeder) program(ctx context.Context, pr program) (*catalog.Program, *catalog.Requirements, error) {
	st := catalog.NewStore(s.a.DB)
	c, err := st.ClientBySlug(ctx, pr.client)
	if err != nil {
		return nil, nil, fmt.Errorf("%s/%s (import the library first): %w", pr.client, pr.slug, err)
	}
	prog, err := st.ProgramBySlug(ctx, c.ID, pr.slug)
	if err != nil {
		return nil, nil, fmt.Errorf("%s/%s (import the library first): %w", pr.client, pr.slug, err)
	}
	req, err := st.Requirements(ctx, prog)
	return prog, req, err
}

// enroll enrolls the agent (as the trainer) unless enrolled already.
func (s *seeder) enroll(ctx context.Context, agent *auth.Principal, prog *catalog.Program) error {
	_, err := s.a.Certification.Enroll(as(ctx, s.staff[auth.RoleTrainer]), prog.ID, agent.UserID)
	if apperr.Is(err, apperr.Conflict) {
		return nil
	}
	return err
}

// read opens and completes the module's current version as the agent.
func (s *seeder) read(ctx context.Context, agent *auth.Principal, m catalog.RequiredModule, complete bool) error {
	actx := as(ctx, agent)
	if _, err := s.a.Catalog.RecordOpen(actx, m.ModuleID); err != nil {
		return fmt.Errorf("open %s: %w", m.Slug, err)
	}
	if !complete {
		return nil
	}
	if _, err := s.a.Catalog.RecordComplete(actx, m.ModuleID, m.CurrentVersion); err != nil {
		return fmt.Errorf("complete %s: %w", m.Slug, err)
	}
	return nil
}

// takeQuiz sits every quiz of the program once as the agent, answering
// right (pass) or leaving every question blank.
func (s *seeder) takeQuizzes(ctx context.Context, agent *auth.Principal, prog *catalog.Program, req *catalog.Requirements, pass bool) error {
	actx := as(ctx, agent)
	quizzes, err := s.a.Quiz.ListForProgram(actx, prog.ID)
	if err != nil {
		return err
	}
	for _, q := range quizzes {
		if !slices.Contains(req.Quizzes, q.Slug) {
			continue
		}
		if q.MyAttempts != nil && q.MyAttempts.Passed {
			continue
		}
		v, _, err := s.a.Quiz.Start(actx, q.ID)
		if err != nil {
			return fmt.Errorf("start %s: %w", q.Slug, err)
		}
		answers := map[string]quiz.Response{}
		if pass {
			if answers, err = s.a.Quiz.KeyedAnswers(ctx, v.ID); err != nil {
				return err
			}
		}
		if len(answers) > 0 {
			if _, err := s.a.Quiz.SaveAnswers(actx, v.ID, v.Seq+1, answers); err != nil {
				return fmt.Errorf("answer %s: %w", q.Slug, err)
			}
		}
		sub, err := s.a.Quiz.Submit(actx, v.ID)
		if err != nil {
			return fmt.Errorf("submit %s: %w", q.Slug, err)
		}
		if sub.Result.Passed != pass {
			return fmt.Errorf("quiz %s: passed %v, meant %v", q.Slug, sub.Result.Passed, pass)
		}
	}
	return nil
}

// play plays a passing run of every role-play of the program (only those
// needing sign-off when signoffOnly) and has a supervisor approve the runs
// that need it, unless leaveForReview.
func (s *seeder) play(ctx context.Context, agent *auth.Principal, prog *catalog.Program, signoffOnly, leaveForReview bool) error {
	actx := as(ctx, agent)
	rps, err := s.a.Roleplay.ProgramRoleplays(actx, prog.ID)
	if err != nil {
		return err
	}
	for _, rp := range rps {
		if signoffOnly && !rp.Signoff {
			continue
		}
		path, ok, err := s.a.Roleplay.PassingPath(ctx, rp.ID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("role-play %s has no passing path", rp.Slug)
		}
		v, err := s.a.Roleplay.Start(actx, rp.ID)
		if err != nil {
			return fmt.Errorf("start %s: %w", rp.Slug, err)
		}
		for _, ans := range path {
			if v, err = s.a.Roleplay.Take(actx, v.ID, roleplay.TurnInput{Seq: v.Seq, TurnID: ans.TurnID,
				OptionID: ans.OptionID, Text: ans.Text}); err != nil {
				return fmt.Errorf("play %s: %w", rp.Slug, err)
			}
		}
		if rp.Signoff && !leaveForReview {
			if _, err := s.a.Roleplay.Review(as(ctx, s.staff[auth.RoleSupervisor]), v.ID,
				roleplay.ReviewInput{Decision: "approve", Note: "Solid call: verified first, clear next steps."}); err != nil {
				return fmt.Errorf("review %s: %w", rp.Slug, err)
			}
		}
	}
	return nil
}

// assign puts the agent in the program's queue, as the supervisor.
func (s *seeder) assign(ctx context.Context, agent *auth.Principal, prog *catalog.Program) error {
	if _, err := s.a.Routing.Assign(as(ctx, s.staff[auth.RoleSupervisor]), prog.ID, agent.UserID); err != nil {
		return fmt.Errorf("assign to %s: %w", prog.Name, err)
	}
	return nil
}

// appoint records Larkspur's appointment of the agent in the license's
// state as compliance, as l.appointment says.
func (s *seeder) appoint(ctx context.Context, agent *auth.Principal, l demoLicense) error {
	if l.appointment == "" {
		return nil
	}
	prog, _, err := s.program(ctx, directSales)
	if err != nil {
		return err
	}
	officer := as(ctx, s.staff[auth.RoleCompliance])
	in := licensing.RecordAppointmentInput{UserID: agent.UserID, ClientID: prog.ClientID, Jurisdiction: l.state,
		Lines: []string{"life", "accident-and-health"}, Status: string(licensing.AppointmentActive),
		EffectiveDate: s.now.AddDate(-1, 0, 0).Format(time.DateOnly), Reference: "LL-" + l.state + "-" + l.number[len(l.number)-4:],
		Evidence: "Larkspur Life appointment confirmation"}
	if l.appointment == "requested" {
		in.Status, in.EffectiveDate = string(licensing.AppointmentRequested), ""
	}
	a, err := s.a.Licensing.RecordAppointment(officer, in)
	if err != nil {
		return fmt.Errorf("appointment: %w", err)
	}
	if l.appointment == "terminated" {
		_, err = s.a.Licensing.TerminateAppointment(officer, a.ID, licensing.TerminateInput{
			TerminationDate: s.now.AddDate(0, -1, 0).Format(time.DateOnly), Reason: "Larkspur moved Florida sales to another center"})
		if err != nil {
			return fmt.Errorf("terminate appointment: %w", err)
		}
	}
	return nil
}

// tenured certifies the agent on each program at its date in the past and
// assigns them to its queue then (a licensed program's once the licenses
// are verified).
func (s *seeder) tenured(ctx context.Context, t tenured) error {
	programs := []program{}
	for _, c := range t.certs {
		programs = append(programs, c.program)
	}
	if t.awaiting != nil {
		programs = append(programs, *t.awaiting)
	}
	agent, err := s.agent(ctx, t.email, t.name, programs...)
	if err != nil {
		return err
	}
	var licensed []*catalog.Program
	for _, c := range t.certs {
		prog, req, err := s.program(ctx, c.program)
		if err != nil {
			return err
		}
		s.clk.Set(s.now.AddDate(0, 0, -c.daysAgo))
		if err := s.enroll(ctx, agent, prog); err != nil {
			return err
		}
		for _, m := range req.Modules {
			if err := s.read(ctx, agent, m, true); err != nil {
				return err
			}
		}
		s.clk.Advance(2 * time.Hour)
		if err := s.takeQuizzes(ctx, agent, prog, req, true); err != nil {
			return err
		}
		s.clk.Advance(time.Hour)
		if err := s.play(ctx, agent, prog, false, false); err != nil {
			return err
		}
		if len(req.Licenses) > 0 {
			licensed = append(licensed, prog)
			continue
		}
		s.clk.Advance(time.Hour)
		if err := s.assign(ctx, agent, prog); err != nil {
			return err
		}
	}
	for _, l := range t.licenses {
		s.clk.Set(s.now.AddDate(0, 0, -3))
		resident := true
		lic, err := s.a.Licensing.Submit(as(ctx, agent), licensing.SubmitInput{NPN: "1984" + l.number[len(l.number)-3:],
			Jurisdiction: l.state, LicenseNumber: l.number, Class: "insurance-producer",
			Lines: []string{"life", "accident-and-health"}, Resident: &resident,
			IssueDate: s.now.AddDate(-2, 0, 0).Format(time.DateOnly), EffectiveDate: s.now.AddDate(-2, 0, 0).Format(time.DateOnly),
			ExpiryDate: s.now.AddDate(0, 0, l.expiresIn).Format(time.DateOnly)})
		if err != nil {
			return fmt.Errorf("license: %w", err)
		}
		if l.verified {
			if _, err := s.a.Licensing.Verify(as(ctx, s.staff[auth.RoleCompliance]), lic.ID, "Checked against the state's lookup."); err != nil {
				return fmt.Errorf("verify license: %w", err)
			}
		}
		if err := s.appoint(ctx, agent, l); err != nil {
			return err
		}
	}
	for _, prog := range licensed {
		s.clk.Set(s.now.AddDate(0, 0, -2))
		if err := s.assign(ctx, agent, prog); err != nil {
			return err
		}
	}
	if t.awaiting != nil {
		prog, req, err := s.program(ctx, *t.awaiting)
		if err != nil {
			return err
		}
		s.clk.Set(s.now.AddDate(0, 0, -2))
		if err := s.enroll(ctx, agent, prog); err != nil {
			return err
		}
		for _, m := range req.Modules {
			if err := s.read(ctx, agent, m, true); err != nil {
				return err
			}
		}
		if err := s.play(ctx, agent, prog, true, true); err != nil {
			return err
		}
	}
	return nil
}

// startDate is the weekday cohortDay-1 working days before today.
func startDate(today time.Time) time.Time {
	d := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	for n := 1; n < cohortDay; {
		d = d.AddDate(0, 0, -1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n++
		}
	}
	return d
}

// cohort creates the demo cohort and its members at their paces.
func (s *seeder) cohort(ctx context.Context) error {
	prog, req, err := s.program(ctx, cardServices)
	if err != nil {
		return err
	}
	trainer := s.staff[auth.RoleTrainer]
	tctx := as(ctx, trainer)
	v, err := s.a.Onboarding.Create(tctx, onboardingInput(trainer.UserID, prog.ID, startDate(s.now)))
	if err != nil {
		return err
	}
	s.report.CohortID = v.ID
	for _, h := range newHires {
		agent, err := s.agent(ctx, h.email, h.name, cardServices)
		if err != nil {
			return err
		}
		// They joined on the first day.
		s.clk.Set(v.StartDate.Add(9 * time.Hour))
		if _, err := s.a.Onboarding.AddMember(tctx, v.ID, agent.UserID); err != nil && !apperr.Is(err, apperr.Conflict) {
			return fmt.Errorf("add %s: %w", h.email, err)
		}
		s.clk.Set(s.now)
		through := h.readThrough
		if through <= 0 {
			through += cohortDay
		}
		if h.openedFirst {
			through = 0
		}
		for _, it := range req.Onboarding {
			if it.Kind != catalog.ItemModule {
				continue
			}
			i := slices.IndexFunc(req.Modules, func(m catalog.RequiredModule) bool { return m.ModuleID == it.ModuleID })
			if i < 0 {
				continue
			}
			switch {
			case it.Day <= through:
				err = s.read(ctx, agent, req.Modules[i], true)
			case h.openedFirst && it.Day == 1:
				err = s.read(ctx, agent, req.Modules[i], false)
			}
			if err != nil {
				return err
			}
		}
		for n := range h.failedQuizes { // a day apart: the quiz's wait between attempts
			s.clk.Set(s.now.Add(-time.Duration(h.failedQuizes-n) * 25 * time.Hour))
			if err := s.takeQuizzes(ctx, agent, prog, req, false); err != nil {
				return err
			}
		}
		s.clk.Set(s.now)
		if h.plays {
			if err := s.play(ctx, agent, prog, false, false); err != nil {
				return err
			}
		}
	}
	// The demo agent joins today: their plan starts today (the cohort counts
	// due dates from each member's join date), first step a module to read.
	s.clk.Set(s.now)
	agent, err := s.principal(ctx, DemoAgent)
	if err != nil {
		return fmt.Errorf("%s (run the demo logins first): %w", DemoAgent, err)
	}
	if _, err := s.a.Onboarding.AddMember(tctx, v.ID, agent.UserID); err != nil && !apperr.Is(err, apperr.Conflict) {
		return fmt.Errorf("add %s: %w", DemoAgent, err)
	}
	return nil
}
