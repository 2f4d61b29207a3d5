package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/licensing"
	"github.com/skillgate/skillgate/server/internal/roleplay"
)

// CertificationSource reads certification records (the certification store).
type CertificationSource interface {
	ListByStates(ctx context.Context, states ...certification.State) ([]certification.Certification, error)
	ListExpiring(ctx context.Context, after, until time.Time) ([]certification.Certification, error)
}

// ProgramSource names programs (the catalog store).
type ProgramSource interface {
	ProgramByID(ctx context.Context, id string) (*catalog.Program, error)
}

// LicenseSource lists licenses (the licensing store).
type LicenseSource interface {
	List(ctx context.Context, f licensing.Filter, today licensing.Date) ([]licensing.License, error)
}

// RoleplaySource lists runs supervisors sent back (the role-play store).
type RoleplaySource interface {
	SentBackSince(ctx context.Context, since time.Time) ([]roleplay.SentBackRun, error)
}

// CESource lists licenses whose continuing education is incomplete close
// to their expiry (the licensing service).
type CESource interface {
	CEAtRisk(ctx context.Context) ([]licensing.CEStanding, error)
}

// Sources are the domains the reminder job reads.
type Sources struct {
	Certifications CertificationSource
	Programs       ProgramSource
	Licenses       LicenseSource
	Roleplays      RoleplaySource
	CE             CESource // nil: no CE reminders
}

// SetSources gives the reminder job the domains it reads. The app passes
// them in Options; this setter stays for the test that builds a second
// replica's service beside a running app.
func (s *Service) SetSources(src Sources) { s.sources = src }

// Reminder windows: expiry warnings 30 and 7 days ahead; runs sent back in
// the last SentBackLookback are reminded of (older ones were before notify
// ran, or reminded already).
const (
	ExpiryNotice     = 30 * 24 * time.Hour
	ExpiryFinalWarn  = 7 * 24 * time.Hour
	SentBackLookback = 14 * 24 * time.Hour
)

// ReminderInterval is how often the reminder job runs (it also runs once
// when the server starts).
const ReminderInterval = 5 * time.Minute

const dayLayout = "2006-01-02"

// PeopleDay is how a day reads in a notice's text ("Dec 1, 2026"), the
// web app's one date format (frontend/src/lib/format.ts); keys keep dayLayout.
const PeopleDay = "Jan 2, 2006"

// RunRemindersOnce creates every reminder that is due at the clock's time
// and not yet created: refreshers opened, certifications and licenses
// expiring within 30 and within 7 days, role-play runs sent back. Each
// reminder's key names its record and date, and Remind does nothing for a
// key the user has, so any number of passes on any number of replicas
// create each reminder once. It returns how many it created.
func (s *Service) RunRemindersOnce(ctx context.Context) (int, error) {
	if s.sources.Certifications == nil {
		return 0, fmt.Errorf("notify: reminders: no sources set")
	}
	rs, err := s.dueReminders(ctx, s.now())
	if err != nil {
		return 0, fmt.Errorf("notify: reminders: %w", err)
	}
	// Most are reminded already: skip those in one read, and let Remind's
	// ON CONFLICT settle the rest (a concurrent pass may add them meanwhile).
	have, err := s.store.existing(ctx, rs)
	if err != nil {
		return 0, err
	}
	created := 0
	for _, r := range rs {
		if have[r.UserID.String()+"|"+r.Key] {
			continue
		}
		isNew, err := s.remind(ctx, nil, r)
		if err != nil {
			return created, err
		}
		if isNew {
			created++
		}
	}
	return created, nil
}

// dueReminders lists what the domains call for at now (created or not).
func (s *Service) dueReminders(ctx context.Context, now time.Time) ([]Reminder, error) {
	names := map[string]string{}
	programName := func(id string) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		p, err := s.sources.Programs.ProgramByID(ctx, id)
		if err != nil {
			return "", fmt.Errorf("program %s: %w", id, err)
		}
		names[id] = p.Name
		return p.Name, nil
	}
	var out []Reminder

	due, err := s.sources.Certifications.ListByStates(ctx, certification.RefresherDue)
	if err != nil {
		return nil, err
	}
	for _, c := range due {
		if c.RefresherDueAt == nil {
			continue
		}
		name, err := programName(c.ProgramID)
		if err != nil {
			return nil, err
		}
		body := fmt.Sprintf("Your %s certification needs a refresher by %s.", name, c.RefresherDueAt.UTC().Format(PeopleDay))
		if n := len(c.ChangedModules); n > 0 {
			body += fmt.Sprintf(" %d module(s) changed since you read them: read them again to stay certified.", n)
		}
		out = append(out, Reminder{UserID: uuid.MustParse(c.UserID), Kind: KindRefresherDue,
			Key:   "refresher-due:" + c.ID + ":" + c.RefresherDueAt.UTC().Format(dayLayout),
			Title: "Refresher due: " + name, Body: body, Link: "/certifications", DueAt: c.RefresherDueAt})
	}

	expiring, err := s.sources.Certifications.ListExpiring(ctx, now, now.Add(ExpiryNotice))
	if err != nil {
		return nil, err
	}
	for _, c := range expiring {
		name, err := programName(c.ProgramID)
		if err != nil {
			return nil, err
		}
		window := windowDays(c.ExpiresAt.Sub(now))
		out = append(out, Reminder{UserID: uuid.MustParse(c.UserID), Kind: KindCertExpiring,
			Key:   fmt.Sprintf("cert-expiring-%d:%s:%s", window, c.ID, c.ExpiresAt.UTC().Format(dayLayout)),
			Title: fmt.Sprintf("%s certification expires within %d days", name, window),
			Body:  fmt.Sprintf("Your %s certification expires on %s. Renew it before then to keep taking its contacts.", name, c.ExpiresAt.UTC().Format(PeopleDay)),
			Link:  "/certifications", DueAt: c.ExpiresAt})
	}

	today := licensing.DateOf(now)
	licenses, err := s.sources.Licenses.List(ctx, licensing.Filter{ExpiringWithinDays: int(ExpiryNotice / (24 * time.Hour))}, today)
	if err != nil {
		return nil, err
	}
	for _, l := range licenses {
		window := windowDays(l.ExpiryDate.Sub(today.Time))
		expiry := l.ExpiryDate.Time
		out = append(out, Reminder{UserID: uuid.MustParse(l.UserID), Kind: KindLicenseExpiring,
			Key:   fmt.Sprintf("license-expiring-%d:%s:%s", window, l.ID, l.ExpiryDate),
			Title: fmt.Sprintf("Your %s %s license expires within %d days", l.Jurisdiction, className(l.Class), window),
			Body: fmt.Sprintf("License %s (%s, %s) is valid until %s. Submit the renewed license for verification before then.",
				l.LicenseNumber, l.Jurisdiction, className(l.Class), l.ExpiryDate.AddDays(-1).Format(PeopleDay)),
			Link: "/licenses", DueAt: &expiry, DueDate: l.ExpiryDate.AddDays(-1).String()})
	}

	if s.sources.CE != nil {
		atRisk, err := s.sources.CE.CEAtRisk(ctx)
		if err != nil {
			return nil, err
		}
		for _, st := range atRisk {
			l := st.License
			window := ceWindow(st.DaysLeft)
			expiry := l.ExpiryDate.Time
			missing := fmt.Sprintf("%g of %g hours", st.Earned, st.Required)
			for _, c := range st.Categories {
				if c.Earned < c.Required {
					missing += fmt.Sprintf(", %g of %g %s hours", c.Earned, c.Required, strings.ReplaceAll(c.Category, "-", " "))
				}
			}
			out = append(out, Reminder{UserID: uuid.MustParse(l.UserID), Kind: KindCEIncomplete,
				Key:   fmt.Sprintf("ce-incomplete-%d:%s:%s", window, l.ID, l.ExpiryDate),
				Title: fmt.Sprintf("Continuing education due for your %s %s license within %d days", l.Jurisdiction, className(l.Class), window),
				Body: fmt.Sprintf("License %s (%s) is valid until %s and its continuing education for this period is not complete: %s done. Finish it before the license lapses.",
					l.LicenseNumber, l.Jurisdiction, l.ExpiryDate.AddDays(-1).Format(PeopleDay), missing),
				Link: "/licenses", DueAt: &expiry, DueDate: l.ExpiryDate.AddDays(-1).String()})
		}
	}

	runs, err := s.sources.Roleplays.SentBackSince(ctx, now.Add(-SentBackLookback))
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		body := "A supervisor sent your run back."
		if note := strings.TrimSpace(r.Note); note != "" {
			body = "A supervisor sent your run back: " + note
			if !strings.ContainsAny(note[len(note)-1:], ".!?") {
				body += "."
			}
		}
		out = append(out, Reminder{UserID: uuid.MustParse(r.UserID), Kind: KindRoleplaySentBack,
			Key:   "roleplay-sent-back:" + r.RunID,
			Title: "Role-play sent back: " + r.Title, Body: body + " Play it again when you are ready.",
			Link: "/training/" + r.ProgramID + "/roleplay/" + r.RunID})
	}
	return out, nil
}

// className is a license class as people read it: "insurance producer"
// for the slug insurance-producer.
func className(slug string) string { return strings.ReplaceAll(slug, "-", " ") }

// ceWindow is the CE reminder a license daysLeft from expiry gets: 30, 60
// or 90 (licensing.CEWindowDays), the smallest that holds it.
func ceWindow(daysLeft int) int {
	w := licensing.CEWindowDays[0]
	for _, d := range licensing.CEWindowDays {
		if daysLeft <= d && d < w {
			w = d
		}
	}
	return w
}

// windowDays is the warning an expiry d away gets: 7 within a week, else 30.
func windowDays(d time.Duration) int {
	if d <= ExpiryFinalWarn {
		return 7
	}
	return 30
}
