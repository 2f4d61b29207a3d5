package licensing

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/csvimport"
)

// ReportLicense is a license in a report, with its holder's email and the
// days left until its expiry date.
type ReportLicense struct {
	License
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	DaysLeft    int    `json:"days_left"`
}

// GapRow is one gap of the license-gap report: an agent certified for a
// program who lacks, in the listed states, a license the program requires.
type GapRow struct {
	UserID             string              `json:"user_id"`
	Email              string              `json:"email"`
	DisplayName        string              `json:"display_name"`
	ProgramID          string              `json:"program_id"`
	Program            string              `json:"program"`
	ClientID           string              `json:"client_id"`
	CertificationState certification.State `json:"certification_state"`
	Class              string              `json:"class"`
	States             []string            `json:"states"`
	Reason             Standing            `json:"reason"`
	MissingLines       []string            `json:"missing_lines"`
}

// ExpiringDays are the windows the expiring report offers.
var ExpiringDays = []int{30, 60, 90}

func requireCompliance(ctx context.Context) (*auth.Principal, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Is(auth.RoleCompliance, auth.RoleAdmin) {
		return nil, apperr.E(apperr.Forbidden, "license reports are for compliance and admins")
	}
	return p, nil
}

// holder is how a report names a license's holder.
type holder struct{ email, name string }

// holders finds the email and display name of each user id, once each.
func (s *Service) holders(ctx context.Context, ids []string) (map[string]holder, error) {
	m := map[string]holder{}
	for _, id := range ids {
		if _, ok := m[id]; ok {
			continue
		}
		u, err := s.users.LookupUser(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("licensing: holder %s: %w", id, err)
		}
		m[id] = holder{u.Email, u.DisplayName}
	}
	return m, nil
}

func (s *Service) reportRows(ctx context.Context, ls []License) ([]ReportLicense, error) {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.UserID
	}
	who, err := s.holders(ctx, ids)
	if err != nil {
		return nil, err
	}
	today := DateOf(s.clock.Now())
	rows := make([]ReportLicense, len(ls))
	for i, l := range ls {
		h := who[l.UserID]
		rows[i] = ReportLicense{License: l, Email: h.email, DisplayName: h.name, DaysLeft: int(l.ExpiryDate.Sub(today.Time).Hours() / 24)}
	}
	return rows, nil
}

// Queue is the verification queue: pending licenses, oldest submission
// first. Compliance and admins. Errors: unauthorized, forbidden.
func (s *Service) Queue(ctx context.Context) ([]ReportLicense, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	ls, err := s.store.Queue(ctx)
	if err != nil {
		return nil, err
	}
	return s.reportRows(ctx, ls)
}

// Expiring lists verified licenses still in force today whose expiry date
// falls within days (30, 60 or 90) of today, soonest first. Compliance and
// admins. Errors: unauthorized, forbidden, invalid (days).
func (s *Service) Expiring(ctx context.Context, days int) ([]ReportLicense, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	if !slices.Contains(ExpiringDays, days) {
		return nil, apperr.Invalidf("days", "must be 30, 60 or 90")
	}
	ls, err := s.store.List(ctx, Filter{ExpiringWithinDays: days}, DateOf(s.clock.Now()))
	if err != nil {
		return nil, err
	}
	return s.reportRows(ctx, ls)
}

// Gaps lists agents certified (or with a refresher due) for a program whose
// license requirements their verified licenses in force do not cover now:
// per agent, program and class, the states sharing one reason and the same
// missing lines. Compliance and admins. Errors: unauthorized, forbidden.
func (s *Service) Gaps(ctx context.Context) ([]GapRow, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	certs, err := s.certs.ListByStates(ctx, certification.Certified, certification.RefresherDue)
	if err != nil {
		return nil, err
	}
	type programReqs struct {
		prog *catalog.Program
		reqs []catalog.LicenseReq
	}
	programs := map[string]programReqs{}
	var relevant []certification.Certification
	var users []string
	for _, c := range certs {
		pr, ok := programs[c.ProgramID]
		if !ok {
			prog, err := s.programs.ProgramByID(ctx, c.ProgramID)
			if err != nil {
				return nil, err
			}
			reqs, err := s.programs.Requirements(ctx, prog)
			if err != nil {
				return nil, err
			}
			pr = programReqs{prog, reqs.Licenses}
			programs[c.ProgramID] = pr
		}
		if len(pr.reqs) > 0 {
			relevant = append(relevant, c)
			users = append(users, c.UserID)
		}
	}
	ls, err := s.store.ForUsers(ctx, users)
	if err != nil {
		return nil, err
	}
	byUser := map[string][]License{}
	for _, l := range ls {
		byUser[l.UserID] = append(byUser[l.UserID], l)
	}
	who, err := s.holders(ctx, users)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	rows := []GapRow{}
	for _, c := range relevant {
		cov := coverageOf(c.UserID, now, byUser[c.UserID])
		pr := programs[c.ProgramID]
		for _, req := range pr.reqs {
			grouped := map[string]int{} // reason + missing lines → row index
			for _, st := range req.States {
				gap := cov.Check(st, req.Class, req.Lines)
				if gap.Met() {
					continue
				}
				key := string(gap.Reason) + "|" + strings.Join(gap.MissingLines, ",")
				if i, ok := grouped[key]; ok {
					rows[i].States = append(rows[i].States, st)
					continue
				}
				grouped[key] = len(rows)
				rows = append(rows, GapRow{UserID: c.UserID, Email: who[c.UserID].email, DisplayName: who[c.UserID].name, ProgramID: c.ProgramID,
					Program: pr.prog.Name, ClientID: pr.prog.ClientID, CertificationState: c.State, Class: req.Class,
					States: []string{st}, Reason: gap.Reason, MissingLines: gap.MissingLines})
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Email != rows[j].Email {
			return rows[i].Email < rows[j].Email
		}
		return rows[i].Program < rows[j].Program
	})
	return rows, nil
}

// MaxImportRows bounds a CSV import.
const MaxImportRows = 5000

// ImportColumns are the CSV import's columns. Every one is required in the
// header except user_id/email (one of the two), evidence and ce_hours.
var ImportColumns = []string{"user_id", "email", "npn", "jurisdiction", "license_number", "class",
	"lines_of_authority", "resident", "issue_date", "effective_date", "expiry_date", "evidence", "ce_hours"}

var optionalColumns = []string{"user_id", "email", "evidence", "ce_hours"}

// parseResident reads yes/no-like resident values.
func parseResident(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "resident", "r":
		return true, true
	case "false", "no", "n", "0", "non-resident", "nonresident", "nr":
		return false, true
	}
	return false, false
}

// Import records licenses from CSV (compliance only), all or nothing, each
// as a pending submission by the importing officer (audited as
// license.submit with a license.changed event). The header names the
// columns (ImportColumns); lines_of_authority are separated by ';'. Every
// problem is reported at once as an invalid error whose fields are
// "row N.column" (the header is row 1) and whose message lists them as
// "row N: column: problem". Errors: unauthorized, forbidden, invalid,
// too_large, conflict (a concurrent change took one of the licenses).
func (s *Service) Import(ctx context.Context, r io.Reader) ([]License, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Is(auth.RoleCompliance) {
		return nil, apperr.E(apperr.Forbidden, "only compliance may import licenses")
	}
	f := apperr.Fields{}
	var required []string
	for _, c := range ImportColumns {
		if !slices.Contains(optionalColumns, c) {
			required = append(required, c)
		}
	}
	rows, err := csvimport.Read(r, csvimport.Spec{What: "licenses", Columns: ImportColumns, Required: required, MaxRows: MaxImportRows}, f)
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 && !rows[0].Has("user_id") && !rows[0].Has("email") {
		f.Add("row 1", "a user_id or email column must name each license's holder")
	}
	if err := importError(f); err != nil {
		return nil, err
	}
	var ls []*License
	var lines []int
	holders := map[string]string{} // email → user id
	seen := map[activeKey]int{}
	for _, row := range rows {
		line, get := row.Line, row.Get
		prefix := fmt.Sprintf("row %d.", line)
		in := SubmitInput{UserID: get("user_id"), NPN: get("npn"), Jurisdiction: get("jurisdiction"),
			LicenseNumber: get("license_number"), Class: get("class"), IssueDate: get("issue_date"),
			EffectiveDate: get("effective_date"), ExpiryDate: get("expiry_date"), Evidence: get("evidence")}
		for _, line := range strings.Split(get("lines_of_authority"), ";") {
			if line = strings.TrimSpace(line); line != "" {
				in.Lines = append(in.Lines, line)
			}
		}
		if v := get("resident"); v != "" {
			res, ok := parseResident(v)
			if !ok {
				f.Add(prefix+"resident", "must be yes or no")
			}
			in.Resident = &res
		}
		if v := get("ce_hours"); v != "" {
			h, err := strconv.ParseFloat(v, 64)
			if err != nil {
				f.Add(prefix+"ce_hours", "must be a number of hours")
			} else {
				in.CEHours = &h
			}
		}
		s.resolveHolder(ctx, &in, get("email"), holders, f, prefix)
		l := newLicense(in, in.UserID, f, prefix)
		key := activeKey{l.UserID, l.Jurisdiction, l.Class, l.LicenseNumber}
		if first, dup := seen[key]; dup && l.UserID != "" {
			f.Add(prefix+"license_number", "repeats row %d", first)
		}
		seen[key] = line
		ls = append(ls, l)
		lines = append(lines, line)
	}
	if err := s.checkActive(ctx, ls, lines, f); err != nil {
		return nil, err
	}
	if err := importError(f); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, l := range ls {
			if err := s.create(ctx, tx, p.Actor(), l, now); err != nil {
				return fmt.Errorf("row %d: %w", lines[i], err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("licensing: import: %w", err)
	}
	out := make([]License, len(ls))
	for i, l := range ls {
		out[i] = *l
	}
	return out, nil
}

// resolveHolder fills in.UserID from the row's user_id or email.
func (s *Service) resolveHolder(ctx context.Context, in *SubmitInput, email string, holders map[string]string, f apperr.Fields, prefix string) {
	switch {
	case in.UserID != "" && email != "":
		f.Add(prefix+"user_id", "give user_id or email, not both")
	case in.UserID != "":
		if err := s.checkHolder(ctx, in.UserID); err != nil {
			f.Add(prefix+"user_id", "%s", err)
		}
	case email != "":
		key := strings.ToLower(email)
		if id, ok := holders[key]; ok {
			in.UserID = id
			return
		}
		u, err := s.users.LookupUserByEmail(ctx, key)
		switch {
		case err != nil:
			f.Add(prefix+"email", "no user has this email")
		case !u.Active:
			f.Add(prefix+"email", "the user is deactivated")
		default:
			holders[key] = u.ID
			in.UserID = u.ID
		}
	default:
		f.Add(prefix+"email", "is required (or user_id)")
	}
}

// checkActive reports rows whose license is already pending or verified.
func (s *Service) checkActive(ctx context.Context, ls []*License, rows []int, f apperr.Fields) error {
	var users []string
	for _, l := range ls {
		if uuid.Validate(l.UserID) == nil {
			users = append(users, l.UserID)
		}
	}
	active, err := s.store.activeKeys(ctx, users)
	if err != nil {
		return err
	}
	for i, l := range ls {
		if active[activeKey{l.UserID, l.Jurisdiction, l.Class, l.LicenseNumber}] {
			f.Add(fmt.Sprintf("row %d.license_number", rows[i]), "this license is already on record, pending or verified")
		}
	}
	return nil
}

// importError turns the collected problems into one invalid error whose
// message lists them in row order as "row N: column: problem".
func importError(f apperr.Fields) error {
	if len(f) == 0 {
		return nil
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	rowOf := func(k string) int {
		n, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(k, ".", 2)[0], "row "))
		return n
	}
	sort.Slice(keys, func(i, j int) bool {
		if a, b := rowOf(keys[i]), rowOf(keys[j]); a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	lines := make([]string, 0, 10)
	for _, k := range keys[:min(len(keys), 10)] {
		lines = append(lines, strings.Replace(k, ".", ": ", 1)+": "+f[k])
	}
	msg := "the CSV has problems, nothing was imported: " + strings.Join(lines, "; ")
	if len(keys) > 10 {
		msg += fmt.Sprintf("; and %d more", len(keys)-10)
	}
	return apperr.InvalidFields(msg, map[string]string(f))
}
