package licensing

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/jurisdiction"
)

// assignmentReader reads the gate's queue assignments (the routing store).
type assignmentReader interface {
	AssignedUserIDs(ctx context.Context, programIDs []string) (map[string][]string, error)
	LastUnassigned(ctx context.Context, userID, clientID string) (*time.Time, error)
}

// FilingDeadlines is how many days after an appointment must end a carrier
// has to file its termination with a state: per state, else Default. The
// shipped default is a sample to be checked against each state's rules.
type FilingDeadlines struct {
	Default int
	ByState map[string]int
}

// Days is the filing deadline for the state.
func (f FilingDeadlines) Days(state string) int {
	if d, ok := f.ByState[state]; ok {
		return d
	}
	return f.Default
}

// DefaultFilingDays is the sample default filing deadline, in days.
const DefaultFilingDays = 30

// ParseFilingDeadlines reads "30" or "30,FL=15,TX=30": a default number of
// days, then STATE=days pairs, each 1 to 365 ("FL=15" alone keeps the
// default DefaultFilingDays).
func ParseFilingDeadlines(s string) (FilingDeadlines, error) {
	f := FilingDeadlines{Default: DefaultFilingDays, ByState: map[string]int{}}
	days := func(v string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 365 {
			return 0, fmt.Errorf("%q is not a number of days from 1 to 365", v)
		}
		return n, nil
	}
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		state, v, pair := strings.Cut(part, "=")
		if !pair {
			if i != 0 {
				return f, fmt.Errorf("%q: only the first item is the default; the others are STATE=days", part)
			}
			n, err := days(part)
			if err != nil {
				return f, err
			}
			f.Default = n
			continue
		}
		code, ok := jurisdiction.Parse(state)
		if !ok {
			return f, fmt.Errorf("%q is not %s", state, jurisdiction.Described)
		}
		n, err := days(v)
		if err != nil {
			return f, err
		}
		f.ByState[code] = n
	}
	return f, nil
}

// AppointmentGap is an assigned agent licensed for a program's state who
// is not appointed there by the program's client.
type AppointmentGap struct {
	UserID      string   `json:"user_id"`
	Email       string   `json:"email"`
	DisplayName string   `json:"display_name"`
	ProgramID   string   `json:"program_id"`
	Program     string   `json:"program"`
	ClientID    string   `json:"client_id"`
	State       string   `json:"state"`
	Class       string   `json:"class"`
	Lines       []string `json:"lines"`
	// Appointment is what is on record: none, requested, not_effective
	// (active from a later date), terminated, lines_missing.
	Appointment   string  `json:"appointment"`
	AppointmentID *string `json:"appointment_id"`
}

// TerminationToFile is an appointment still in force whose agent no longer
// sells for its client there, with the filing deadline.
type TerminationToFile struct {
	Appointment
	// Reason: agent_deactivated, left_client (assigned to none of the
	// client's programs) or license_lapsed (no license in force in the
	// state covering the appointment's lines).
	Reason string `json:"reason"`
	// Since is the day the reason began, when known.
	Since *Date `json:"since"`
	// FileBy is Since plus the state's filing deadline; Overdue when past.
	FilingDays int   `json:"filing_days"`
	FileBy     *Date `json:"file_by"`
	Overdue    bool  `json:"overdue"`
}

// AppointmentCount is the appointments of a client in a state by status.
type AppointmentCount struct {
	ClientID   string `json:"client_id"`
	Client     string `json:"client"`
	State      string `json:"state"`
	Requested  int    `json:"requested"`
	Active     int    `json:"active"`
	Terminated int    `json:"terminated"`
}

// allAppointments returns every appointment with its names.
func (s *Service) allAppointments(ctx context.Context) ([]Appointment, error) {
	return s.store.ListAppointments(ctx, AppointmentFilter{})
}

// AppointmentGaps lists, for every program whose license requirement needs
// an appointment, the assigned agents holding a license in force for a
// required state (class and lines) but no appointment by the program's
// client in force there covering the lines. Compliance and admins.
// Errors: unauthorized, forbidden.
func (s *Service) AppointmentGaps(ctx context.Context) ([]AppointmentGap, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	progs, err := s.programs.ListAllPrograms(ctx)
	if err != nil {
		return nil, err
	}
	type need struct {
		prog *catalog.Program
		reqs []catalog.LicenseReq
	}
	var needs []need
	var ids []string
	for i := range progs {
		reqs, err := s.programs.Requirements(ctx, &progs[i])
		if err != nil {
			return nil, err
		}
		var rs []catalog.LicenseReq
		for _, r := range reqs.Licenses {
			if r.Appointment {
				rs = append(rs, r)
			}
		}
		if len(rs) > 0 {
			needs = append(needs, need{&progs[i], rs})
			ids = append(ids, progs[i].ID)
		}
	}
	rows := []AppointmentGap{}
	if len(needs) == 0 {
		return rows, nil
	}
	assigned, err := s.assignments.AssignedUserIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var users []string
	for _, us := range assigned {
		users = append(users, us...)
	}
	ls, err := s.store.ForUsers(ctx, users)
	if err != nil {
		return nil, err
	}
	byUser := map[string][]License{}
	for _, l := range ls {
		byUser[l.UserID] = append(byUser[l.UserID], l)
	}
	as, err := s.allAppointments(ctx)
	if err != nil {
		return nil, err
	}
	who, err := s.holders(ctx, users)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for _, n := range needs {
		for _, u := range assigned[n.prog.ID] {
			cov := coverageOf(u, now, byUser[u])
			for _, req := range n.reqs {
				for _, st := range req.States {
					if !cov.Check(st, req.Class, req.Lines).Met() {
						continue // a license gap: the license-gaps report says it
					}
					standing, id := appointmentStanding(as, u, n.prog.ClientID, st, req.Lines, now)
					if standing == "" {
						continue
					}
					rows = append(rows, AppointmentGap{UserID: u, Email: who[u].email, DisplayName: who[u].name,
						ProgramID: n.prog.ID, Program: n.prog.Name, ClientID: n.prog.ClientID, State: st, Class: req.Class,
						Lines: req.Lines, Appointment: standing, AppointmentID: id})
				}
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Program != rows[j].Program {
			return rows[i].Program < rows[j].Program
		}
		if rows[i].State != rows[j].State {
			return rows[i].State < rows[j].State
		}
		return rows[i].Email < rows[j].Email
	})
	return rows, nil
}

// appointmentStanding says why the agent's appointments with the client in
// the state do not cover lines at t ("" when one does), and names the
// appointment it speaks of.
func appointmentStanding(as []Appointment, userID, clientID, state string, lines []string, t time.Time) (string, *string) {
	standing, rank := "none", 0
	var id *string
	note := func(s string, r int, a *Appointment) {
		if r > rank {
			standing, rank, id = s, r, &a.ID
		}
	}
	for i := range as {
		a := &as[i]
		if a.UserID != userID || a.ClientID != clientID || a.Jurisdiction != state {
			continue
		}
		switch {
		case a.InForceAt(t) && len(missingFrom(a.Lines, lines)) == 0:
			return "", nil
		case a.InForceAt(t):
			note("lines_missing", 4, a)
		case a.Status == AppointmentActive:
			note("not_effective", 3, a)
		case a.Status == AppointmentRequested:
			note("requested", 2, a)
		default:
			note("terminated", 1, a)
		}
	}
	return standing, id
}

func missingFrom(have, need []string) []string {
	var out []string
	for _, n := range need {
		if !slices.Contains(have, n) {
			out = append(out, n)
		}
	}
	return out
}

// TerminationsToFile lists the active appointments (a terminated one is
// filed, even when its termination date is ahead) whose agent was
// deactivated, is assigned to none of the client's programs, or holds no
// license in force in the state covering the appointment's lines, with
// when that began and the filing deadline (FilingDeadlines), soonest first. Compliance and admins. Errors: unauthorized, forbidden.
func (s *Service) TerminationsToFile(ctx context.Context) ([]TerminationToFile, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	as, err := s.store.ListAppointments(ctx, AppointmentFilter{Status: AppointmentActive})
	if err != nil {
		return nil, err
	}
	progs, err := s.programs.ListAllPrograms(ctx)
	if err != nil {
		return nil, err
	}
	byClient := map[string][]string{}
	var ids []string
	for _, p := range progs {
		byClient[p.ClientID] = append(byClient[p.ClientID], p.ID)
		ids = append(ids, p.ID)
	}
	assigned, err := s.assignments.AssignedUserIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var users []string
	for _, a := range as {
		users = append(users, a.UserID)
	}
	ls, err := s.store.ForUsers(ctx, users)
	if err != nil {
		return nil, err
	}
	byUser := map[string][]License{}
	for _, l := range ls {
		byUser[l.UserID] = append(byUser[l.UserID], l)
	}
	now := s.clock.Now()
	today := DateOf(now)
	rows := []TerminationToFile{}
	for _, a := range as {
		row := TerminationToFile{Appointment: a, FilingDays: s.FilingDeadlines.Days(a.Jurisdiction)}
		u, err := s.users.LookupUser(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		inClient := false
		for _, p := range byClient[a.ClientID] {
			if slices.Contains(assigned[p], a.UserID) {
				inClient = true
			}
		}
		switch {
		case !u.Active:
			row.Reason = "agent_deactivated"
			d := DateOf(u.UpdatedAt)
			row.Since = &d
		case !inClient:
			row.Reason = "left_client"
			at, err := s.assignments.LastUnassigned(ctx, a.UserID, a.ClientID)
			if err != nil {
				return nil, err
			}
			if at != nil {
				d := DateOf(*at)
				row.Since = &d
			}
		default:
			covered, since := licenseLapse(byUser[a.UserID], a, now)
			if covered {
				continue
			}
			row.Reason, row.Since = "license_lapsed", since
		}
		if row.Since != nil {
			by := row.Since.AddDays(row.FilingDays)
			row.FileBy = &by
			row.Overdue = by.Before(today.Time)
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		fi, fj := rows[i].FileBy, rows[j].FileBy
		if (fi == nil) != (fj == nil) {
			return fi != nil
		}
		if fi != nil && !fi.Equal(fj.Time) {
			return fi.Before(fj.Time)
		}
		return rows[i].Email < rows[j].Email
	})
	return rows, nil
}

// licenseLapse reports whether one of ls (the agent's licenses) is in force
// in the appointment's state covering its lines at t, and if not, since
// when none is: the last expiry date of one that did, or when it was
// revoked; nil when the agent never held one there.
func licenseLapse(ls []License, a Appointment, t time.Time) (bool, *Date) {
	var since *Date
	for i := range ls {
		l := &ls[i]
		if l.Jurisdiction != a.Jurisdiction || len(missingFrom(l.Lines, a.Lines)) > 0 {
			continue
		}
		if l.ValidAt(t) {
			return true, nil
		}
		end := l.ExpiryDate
		if l.Status == Revoked {
			end = DateOf(l.UpdatedAt)
		}
		if l.Status == Pending || l.Status == Rejected || end.After(t) {
			continue
		}
		if since == nil || end.After(since.Time) {
			e := end
			since = &e
		}
	}
	return false, since
}

// AppointmentCounts counts the appointments per client and state by status. Compliance and admins. Errors:
// unauthorized, forbidden.
func (s *Service) AppointmentCounts(ctx context.Context) ([]AppointmentCount, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	as, err := s.allAppointments(ctx)
	if err != nil {
		return nil, err
	}
	rows := []AppointmentCount{}
	index := map[[2]string]int{}
	for _, a := range as {
		k := [2]string{a.ClientID, a.Jurisdiction}
		i, ok := index[k]
		if !ok {
			i = len(rows)
			index[k] = i
			rows = append(rows, AppointmentCount{ClientID: a.ClientID, Client: a.ClientName, State: a.Jurisdiction})
		}
		switch a.Status {
		case AppointmentActive:
			rows[i].Active++
		case AppointmentRequested:
			rows[i].Requested++
		case AppointmentTerminated:
			rows[i].Terminated++
		}
	}
	return rows, nil
}
