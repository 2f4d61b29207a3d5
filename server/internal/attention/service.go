package attention

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/onboarding"
	"github.com/skillgate/skillgate/server/internal/roleplay"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/webhook"
)

// Cohorts reads cohorts and their reports (the onboarding service).
type Cohorts interface {
	List(ctx context.Context) ([]onboarding.CohortView, error)
	AtRisk(ctx context.Context, cohortID string) ([]onboarding.Risk, error)
	Stats(ctx context.Context, cohortID string) (*onboarding.Stats, error)
	Matrix(ctx context.Context, cohortID string) (*onboarding.Matrix, error)
}

// Reviews lists role-play runs awaiting sign-off (the role-play service).
type Reviews interface {
	Reviews(ctx context.Context) ([]roleplay.ReviewItem, error)
}

// Programs lists the programs the caller sees (the catalog service).
type Programs interface {
	ListVisiblePrograms(ctx context.Context, clientID string) ([]catalog.Program, error)
}

// Certifications lists a program's certification records (the
// certification service), to say why an agent's eligibility ends.
type Certifications interface {
	ForProgram(ctx context.Context, programID string, state certification.State) ([]certification.Certification, error)
}

// Rosters answers for a program's assigned agents (the routing service).
type Rosters interface {
	Roster(ctx context.Context, programID, state string, eligibleOnly bool) (*routing.Roster, error)
}

// Licenses gives the compliance reports (the licensing service).
type Licenses interface {
	Queue(ctx context.Context) ([]licensing.ReportLicense, error)
	Expiring(ctx context.Context, days int) ([]licensing.ReportLicense, error)
	Gaps(ctx context.Context) ([]licensing.GapRow, error)
}

// Identity lists users and API keys (the auth service).
type Identity interface {
	ListUsers(ctx context.Context, f auth.UserFilter) ([]*auth.User, error)
	ListAPIKeys(ctx context.Context) ([]auth.APIKey, error)
}

// Webhooks lists subscriptions and their deliveries (the webhook service).
type Webhooks interface {
	List(ctx context.Context) ([]webhook.Subscription, error)
	Deliveries(ctx context.Context, id string, f webhook.DeliveryFilter) ([]webhook.Delivery, error)
}

// Sources are the services the sections are read from.
type Sources struct {
	Cohorts  Cohorts
	Reviews  Reviews
	Programs Programs
	Rosters  Rosters
	// Certifications says whether an ending eligibility is the
	// certification's expiry or refresher (else a license or appointment).
	Certifications Certifications
	Licenses       Licenses
	Identity       Identity
	Webhooks       Webhooks
}

// Service assembles a staff member's sections.
type Service struct {
	src   Sources
	clock clock.Clock
}

// NewService returns the service over src.
func NewService(src Sources, clk clock.Clock) *Service { return &Service{src: src, clock: clk} }

// For returns the signed-in staff member's sections: trainers, their cohorts'
// agents behind and the quizzes they fail; supervisors, the runs waiting for
// their sign-off, assigned agents who may not take contacts and those whose
// eligibility ends within 7 days (and, when they train a cohort, the
// trainer's sections); compliance, the verification queue, licenses expiring
// within 90 days and license gaps; admins, failing webhooks, API keys
// expiring or unused and users without a client. Errors: unauthorized,
// forbidden (agents and API keys), and whatever a source answers
// (unavailable when the routing gate cannot decide).
func (s *Service) For(ctx context.Context) (*Attention, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	if p.IsMachine() || p.Is(auth.RoleAgent) {
		return nil, apperr.E(apperr.Forbidden, "only staff have an attention list; agents see their plan at /me/onboarding")
	}
	now := s.clock.Now().UTC()
	out := &Attention{Role: string(p.Role), AsOf: now, Sections: []Section{}}
	add := func(sec Section, err error) error {
		if err != nil {
			return err
		}
		out.Sections = append(out.Sections, sec)
		return nil
	}
	var err error
	switch p.Role {
	case auth.RoleTrainer:
		err = s.trainer(ctx, p, true, add)
	case auth.RoleSupervisor:
		if err = add(s.reviews(ctx, now)); err == nil {
			err = s.queues(ctx, now, add)
		}
		if err == nil {
			err = s.trainer(ctx, p, false, add)
		}
	case auth.RoleCompliance:
		if err = add(s.verification(ctx, now)); err == nil {
			if err = add(s.expiring(ctx)); err == nil {
				err = add(s.gaps(ctx))
			}
		}
	case auth.RoleAdmin:
		if err = add(s.webhooks(ctx)); err == nil {
			if err = add(s.apiKeys(ctx, now)); err == nil {
				err = add(s.usersWithoutClient(ctx))
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("attention: %w", err)
	}
	return out, nil
}

// top keeps the first TopItems items (never nil, so the JSON is a list).
func top(items []Item) []Item {
	if items == nil {
		return []Item{}
	}
	return items[:min(len(items), TopItems)]
}

// section is a section of items, its count all of them.
func section(kind, title, link string, items []Item) Section {
	return Section{Kind: kind, Title: title, Link: link, Count: len(items), Items: top(items)}
}

func nameOf(displayName, email string) string {
	if strings.TrimSpace(displayName) != "" {
		return displayName
	}
	return email
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// waited says how long since t, in days or hours.
func waited(now, t time.Time) string {
	return "waiting " + within(t, now)
}

// within says how long until t: "2 days", "5 hours" (dates are the web
// app's to format, from the item's at).
func within(now, t time.Time) string {
	d := t.Sub(now)
	if d < 24*time.Hour {
		return plural(int(math.Max(0, d.Hours())), "hour", "hours")
	}
	return plural(int(d.Hours()/24), "day", "days")
}

// ago says how long since t: "3 days ago".
func ago(now, t time.Time) string { return within(t, now) + " ago" }

// trainer adds the sections of the cohorts the caller trains: agents behind
// or failing, and quizzes with a low pass rate. always: add them even when
// the caller trains no cohort (for a trainer; a supervisor who trains none
// does not get empty trainer sections).
func (s *Service) trainer(ctx context.Context, p *auth.Principal, always bool, add func(Section, error) error) error {
	cohorts, err := s.src.Cohorts.List(ctx)
	if err != nil {
		return err
	}
	var mine []onboarding.CohortView
	for _, c := range cohorts {
		if c.TrainerID == p.UserID {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 && !always {
		return nil
	}
	type risk struct {
		onboarding.Risk
		cohort onboarding.CohortView
	}
	var risks []risk
	type quiz struct {
		onboarding.QuizStat
		cohort onboarding.CohortView
	}
	var quizzes []quiz
	for _, c := range mine {
		rs, err := s.src.Cohorts.AtRisk(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			risks = append(risks, risk{r, c})
		}
		st, err := s.src.Cohorts.Stats(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, q := range st.Quizzes {
			if q.PassRate != nil && *q.PassRate < LowPassRate {
				quizzes = append(quizzes, quiz{q, c})
			}
		}
	}
	// Most overdue first, then by name.
	slices.SortStableFunc(risks, func(a, b risk) int {
		return cmp.Or(cmp.Compare(b.Overdue, a.Overdue), cmp.Compare(nameOf(a.DisplayName, a.Email), nameOf(b.DisplayName, b.Email)))
	})
	behind := make([]Item, 0, len(risks))
	for _, r := range risks {
		parts := []string{}
		if r.Overdue > 0 {
			parts = append(parts, plural(r.Overdue, "task", "tasks")+" overdue")
		}
		for _, why := range r.Reasons {
			if !strings.HasPrefix(why, "overdue:") { // counted above
				parts = append(parts, why)
			}
		}
		detail := r.cohort.Name + ": " + strings.Join(parts, "; ")
		behind = append(behind, Item{Name: nameOf(r.DisplayName, r.Email), Email: r.Email, Detail: detail,
			Link: "/cohorts/" + r.cohort.ID})
	}
	sec := section(KindAgentsBehind, "Agents behind schedule or failing quizzes in your cohorts", "/cohorts", behind)
	if len(mine) == 0 {
		sec.Note = "You train no cohort."
	} else {
		sec.Note = "In " + plural(len(mine), "cohort", "cohorts") + " you train."
	}
	if err := add(sec, nil); err != nil {
		return err
	}
	if err := add(s.cohortsToday(ctx, mine)); err != nil {
		return err
	}
	// Lowest pass rate first.
	slices.SortStableFunc(quizzes, func(a, b quiz) int { return cmp.Compare(*a.PassRate, *b.PassRate) })
	low := make([]Item, 0, len(quizzes))
	for _, q := range quizzes {
		low = append(low, Item{Name: q.Title, Detail: fmt.Sprintf("%s: %d of %d passed (%d%%), %.1f attempts on average",
			q.cohort.Name, q.Passed, q.Attempted, roleplay.WholePercent(*q.PassRate*100), deref(q.AverageAttempts)),
			Link: "/cohorts/" + q.cohort.ID + "#charts"})
	}
	return add(section(KindQuizzesFailing, fmt.Sprintf("Quizzes your cohorts pass less than %d%% of the time", int(LowPassRate*100)), "/cohorts", low), nil)
}

// cohortsToday is where each cohort the caller trains stands today: the
// plan day (of how many) and its tasks, the members and how many are
// behind; and the cohorts starting within StartingWithin. A cohort whose
// plan is over is left out.
func (s *Service) cohortsToday(ctx context.Context, mine []onboarding.CohortView) (Section, error) {
	now := s.clock.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	type dated struct {
		item  Item
		start time.Time
	}
	var running, upcoming []dated
	for i := range mine {
		c := &mine[i]
		start, err := time.Parse(onboarding.Date, c.Start)
		if err != nil {
			return Section{}, fmt.Errorf("cohort %s: start date %q: %w", c.ID, c.Start, err)
		}
		link := "/cohorts/" + c.ID
		members := plural(len(c.Members), "member", "members")
		if start.After(today) {
			if start.Sub(today) <= StartingWithin {
				at := start
				upcoming = append(upcoming, dated{Item{Name: c.Name, Link: link, At: &at,
					Detail: "Starts in " + within(today, start) + " · " + members}, start})
			}
			continue
		}
		mx, err := s.src.Cohorts.Matrix(ctx, c.ID)
		if err != nil {
			return Section{}, err
		}
		last := 0
		for _, col := range mx.Columns {
			last = max(last, col.Day)
		}
		day, working := c.Calendar().DayNumber(start, today)
		if last == 0 || day > last || (day == last && !working) {
			continue // no plan, or its last day is behind it
		}
		var parts []string
		if working {
			var tasks []string
			for _, col := range mx.Columns {
				if col.Day == day {
					tasks = append(tasks, onboarding.TaskText(col.Kind, col.Title))
				}
			}
			head := fmt.Sprintf("Plan day %d of %d", day, last)
			if len(tasks) > 0 {
				shown := tasks[:min(len(tasks), 3)]
				more := ""
				if len(tasks) > len(shown) {
					more = fmt.Sprintf(" and %d more", len(tasks)-len(shown))
				}
				head += ": " + strings.Join(shown, "; ") + more
			} else {
				head += ": nothing new is due"
			}
			parts = append(parts, head)
		} else {
			parts = append(parts, fmt.Sprintf("Not a working day (plan day %d of %d done so far)", day, last))
		}
		behind := 0
		for _, r := range mx.Rows {
			if r.Status == onboarding.Behind {
				behind++
			}
		}
		parts = append(parts, fmt.Sprintf("%s, %d behind", members, behind))
		running = append(running, dated{Item{Name: c.Name, Link: link, Detail: strings.Join(parts, " · ")}, start})
	}
	// Running cohorts by start (the oldest first), then those about to start.
	slices.SortStableFunc(running, func(a, b dated) int { return a.start.Compare(b.start) })
	slices.SortStableFunc(upcoming, func(a, b dated) int { return a.start.Compare(b.start) })
	items := make([]Item, 0, len(running)+len(upcoming))
	for _, d := range append(running, upcoming...) {
		items = append(items, d.item)
	}
	sec := section(KindCohortsToday, "Your cohorts today", "/cohorts", items)
	if len(mine) == 0 {
		sec.Note = "You train no cohort."
	}
	return sec, nil
}

// article is "An" before a word that starts with a vowel ("An agent"), else "A".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "An"
	}
	return "A"
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// reviews is the sign-off queue, oldest first, with how long each waited.
func (s *Service) reviews(ctx context.Context, now time.Time) (Section, error) {
	rs, err := s.src.Reviews.Reviews(ctx)
	if err != nil {
		return Section{}, err
	}
	items := make([]Item, 0, len(rs))
	for _, r := range rs {
		at := r.FinishedAt
		items = append(items, Item{Name: nameOf(r.UserName, r.UserEmail), Email: r.UserEmail,
			Detail: fmt.Sprintf("Role-play “%s”, scored %d%%, %s", r.Title, roleplay.WholePercent(r.Overall), waited(now, r.FinishedAt)),
			Link:   "/reviews/" + r.RunID, At: &at})
	}
	return section(KindReviewsWaiting, "Role-play runs waiting for your sign-off", "/reviews", items), nil
}

// queues adds the assigned agents who may not take contacts now (with the
// gate's reasons) and those routable now whose eligibility ends within
// EndingWithin, over every program the caller sees.
func (s *Service) queues(ctx context.Context, now time.Time, add func(Section, error) error) error {
	progs, err := s.src.Programs.ListVisiblePrograms(ctx, "")
	if err != nil {
		return err
	}
	var blocked, ending []Item
	type endingAt struct {
		item Item
		at   time.Time
	}
	var ends []endingAt
	for _, prog := range progs {
		r, err := s.src.Rosters.Roster(ctx, prog.ID, "", false)
		if err != nil {
			return err
		}
		link := "/rosters?program=" + prog.ID
		var certs map[string]*certification.Certification // read once, when an agent's eligibility ends soon
		for _, a := range r.Agents {
			name := nameOf(a.DisplayName, a.Email)
			if a.AssignmentStatus == routing.StatusSuspended {
				msgs := make([]string, 0, len(a.Reasons))
				for _, rs := range a.Reasons {
					msgs = append(msgs, rs.Message)
				}
				blocked = append(blocked, Item{Name: name, Email: a.Email, Link: link,
					Detail: prog.Name + ": " + strings.Join(msgs, "; ")})
				continue
			}
			if a.ValidUntil != nil && a.ValidUntil.Sub(now) <= EndingWithin {
				if certs == nil {
					if certs, err = s.certificationsOf(ctx, prog.ID); err != nil {
						return err
					}
				}
				at := *a.ValidUntil
				ends = append(ends, endingAt{Item{Name: name, Email: a.Email, Link: link, At: &at,
					Detail: prog.Name + ": " + endingCause(certs[a.AgentID], at) + ", may take contacts for " + within(now, at)}, at})
			}
		}
	}
	slices.SortStableFunc(ends, func(a, b endingAt) int { return a.at.Compare(b.at) })
	for _, e := range ends {
		ending = append(ending, e.item)
	}
	if err := add(section(KindNotRoutable, "Assigned agents who may not take contacts", "/rosters", blocked), nil); err != nil {
		return err
	}
	return add(section(KindEligibilityEnding, "Agents whose eligibility ends within 7 days", "/rosters", ending), nil)
}

// certificationsOf is a program's certification records by agent.
func (s *Service) certificationsOf(ctx context.Context, programID string) (map[string]*certification.Certification, error) {
	cs, err := s.src.Certifications.ForProgram(ctx, programID, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*certification.Certification, len(cs))
	for i := range cs {
		out[cs[i].UserID] = &cs[i]
	}
	return out, nil
}

// endingCause says what ends an agent's eligibility at at: the
// certification's refresher falling due or its expiry, else a license or an
// appointment (the gate's valid_until is the earliest of them).
func endingCause(c *certification.Certification, at time.Time) string {
	switch {
	case c != nil && c.RefresherDueAt != nil && c.RefresherDueAt.Equal(at):
		return "refresher due"
	case c != nil && c.ExpiresAt != nil && c.ExpiresAt.Equal(at):
		return "certification expires"
	}
	return "a license or appointment changes"
}

// verification is the license verification queue, oldest first.
func (s *Service) verification(ctx context.Context, now time.Time) (Section, error) {
	ls, err := s.src.Licenses.Queue(ctx)
	if err != nil {
		return Section{}, err
	}
	items := make([]Item, 0, len(ls))
	for _, l := range ls {
		at := l.SubmittedAt
		items = append(items, Item{Name: nameOf(l.DisplayName, l.Email), Email: l.Email, At: &at,
			Detail: fmt.Sprintf("%s %s license %s, %s", l.Jurisdiction, l.Class, l.LicenseNumber, waited(now, l.SubmittedAt)),
			Link:   "/compliance/licenses?tab=queue"})
	}
	sec := section(KindVerification, "Licenses waiting for verification", "/compliance/licenses?tab=queue", items)
	if len(ls) > 0 {
		sec.Note = "Oldest " + waited(now, ls[0].SubmittedAt) + "."
	}
	return sec, nil
}

// expiring is the licenses expiring within ExpiringDays, soonest first,
// with how many fall within 30, 60 and 90 days.
func (s *Service) expiring(ctx context.Context) (Section, error) {
	ls, err := s.src.Licenses.Expiring(ctx, ExpiringDays)
	if err != nil {
		return Section{}, err
	}
	items := make([]Item, 0, len(ls))
	var within [3]int
	for _, l := range ls {
		within[min(2, max(0, (l.DaysLeft-1)/30))]++
		items = append(items, Item{Name: nameOf(l.DisplayName, l.Email), Email: l.Email,
			Detail: fmt.Sprintf("%s %s license %s expires in %s", l.Jurisdiction, l.Class, l.LicenseNumber,
				plural(l.DaysLeft, "day", "days")),
			Link: "/compliance/licenses?tab=expiring"})
	}
	sec := section(KindLicensesExpiring, "Licenses expiring within 90 days", "/compliance/licenses?tab=expiring", items)
	sec.Note = fmt.Sprintf("%d within 30 days, %d within 31 to 60, %d within 61 to 90.", within[0], within[1], within[2])
	return sec, nil
}

// gaps is the certified agents a program's license requirement leaves uncovered.
func (s *Service) gaps(ctx context.Context) (Section, error) {
	gs, err := s.src.Licenses.Gaps(ctx)
	if err != nil {
		return Section{}, err
	}
	items := make([]Item, 0, len(gs))
	for _, g := range gs {
		detail := fmt.Sprintf("%s: no %s license in force for %s", g.Program, g.Class, strings.Join(g.States, ", "))
		switch g.Reason {
		case licensing.Missing:
		case licensing.LinesMissing:
			detail += " with the lines " + strings.Join(g.MissingLines, ", ")
		default:
			detail += " (" + strings.ReplaceAll(string(g.Reason), "_", " ") + ")"
		}
		items = append(items, Item{Name: nameOf(g.DisplayName, g.Email), Email: g.Email, Detail: detail,
			Link: "/compliance/licenses?tab=gaps"})
	}
	return section(KindLicenseGaps, "Certified agents without a license their program needs", "/compliance/licenses?tab=gaps", items), nil
}

// webhooks lists active subscriptions whose newest delivery failed or is
// being retried.
func (s *Service) webhooks(ctx context.Context) (Section, error) {
	subs, err := s.src.Webhooks.List(ctx)
	if err != nil {
		return Section{}, err
	}
	items := []Item{}
	for _, sub := range subs {
		if !sub.Active {
			continue
		}
		ds, err := s.src.Webhooks.Deliveries(ctx, sub.ID, webhook.DeliveryFilter{Limit: 1})
		if err != nil {
			return Section{}, err
		}
		if len(ds) == 0 {
			continue
		}
		d := ds[0]
		failing := d.Status == webhook.Failed || (d.Status == webhook.Pending && d.Attempts > 0)
		if !failing {
			continue
		}
		detail := fmt.Sprintf("%s delivery %s after %s", d.EventType, map[bool]string{true: "failed", false: "is being retried"}[d.Status == webhook.Failed],
			plural(d.Attempts, "attempt", "attempts"))
		if d.LastStatusCode != nil {
			detail += fmt.Sprintf(" (HTTP %d)", *d.LastStatusCode)
		} else if d.LastError != "" {
			detail += " (" + d.LastError + ")"
		}
		name := sub.Description
		if name == "" {
			name = sub.URL
		}
		items = append(items, Item{Name: name, Detail: detail, Link: "/admin/webhooks/" + sub.ID, At: d.LastAttemptAt})
	}
	return section(KindWebhooksFailing, "Webhooks whose latest delivery failed", "/admin/webhooks", items), nil
}

// apiKeys lists live keys expiring within KeyWindow or not used for it.
func (s *Service) apiKeys(ctx context.Context, now time.Time) (Section, error) {
	keys, err := s.src.Identity.ListAPIKeys(ctx)
	if err != nil {
		return Section{}, err
	}
	items := []Item{}
	for _, k := range keys {
		if k.RevokedAt != nil || (k.ExpiresAt != nil && !k.ExpiresAt.After(now)) {
			continue
		}
		var why []string
		if k.ExpiresAt != nil && k.ExpiresAt.Sub(now) <= KeyWindow {
			why = append(why, "expires in "+within(now, *k.ExpiresAt))
		}
		switch {
		case k.LastUsedAt == nil && now.Sub(k.CreatedAt) >= KeyWindow:
			why = append(why, "never used, made "+ago(now, k.CreatedAt))
		case k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) >= KeyWindow:
			why = append(why, "last used "+ago(now, *k.LastUsedAt))
		}
		if len(why) == 0 {
			continue
		}
		items = append(items, Item{Name: k.Name, Detail: "Key " + k.Prefix + "…: " + strings.Join(why, "; "), Link: "/admin/api-keys", At: k.ExpiresAt})
	}
	return section(KindAPIKeys, "API keys expiring within 30 days or unused for 30 days", "/admin/api-keys", items), nil
}

// usersWithoutClient lists active agents, trainers and supervisors who
// belong to no client (they can see or be routed to nothing).
func (s *Service) usersWithoutClient(ctx context.Context) (Section, error) {
	active := true
	items := []Item{}
	for f := (auth.UserFilter{Active: &active, Limit: 500}); ; {
		us, err := s.src.Identity.ListUsers(ctx, f)
		if err != nil {
			return Section{}, err
		}
		for _, u := range us {
			if len(u.ClientIDs) == 0 && u.Role != auth.RoleCompliance && u.Role != auth.RoleAdmin {
				items = append(items, Item{Name: nameOf(u.DisplayName, u.Email), Email: u.Email,
					Detail: article(string(u.Role)) + " " + string(u.Role) + " who belongs to no client", Link: "/admin/users/" + u.ID})
			}
		}
		if len(us) < f.Limit {
			break
		}
		f.After = us[len(us)-1].Email
	}
	return section(KindUsersNoClient, "Agents and client staff who belong to no client", "/admin/users", items), nil
}
