package licensing

import (
	"context"
	"fmt"
	"regexp"
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
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/jobs"
	"github.com/skillgate/skillgate/server/internal/jurisdiction"
	"github.com/skillgate/skillgate/server/internal/outbox"
)

// userFinder finds users without authorizing (the auth service).
type userFinder interface {
	LookupUser(ctx context.Context, id string) (*auth.User, error)
	LookupUserByEmail(ctx context.Context, email string) (*auth.User, error)
}

// certifiedLister lists certification records by state (the certification store).
type certifiedLister interface {
	ListByStates(ctx context.Context, states ...certification.State) ([]certification.Certification, error)
}

// programReader reads clients, programs and their requirements (the catalog store).
type programReader interface {
	ProgramByID(ctx context.Context, id string) (*catalog.Program, error)
	Requirements(ctx context.Context, p *catalog.Program) (*catalog.Requirements, error)
	ClientByID(ctx context.Context, id string) (*catalog.Client, error)
	ClientBySlug(ctx context.Context, slug string) (*catalog.Client, error)
	ListAllPrograms(ctx context.Context) ([]catalog.Program, error)
	LatestModuleCompletions(ctx context.Context, moduleIDs []string) ([]catalog.ModuleCompletion, error)
}

// Service applies the licensing rules.
type Service struct {
	db          *gorm.DB
	store       *Store
	users       userFinder
	certs       certifiedLister
	programs    programReader
	audit       *audit.Recorder
	clock       clock.Clock
	assignments assignmentReader
	// FilingDeadlines are the days a carrier has to file an appointment's
	// termination, per state (the terminations-to-file report).
	FilingDeadlines FilingDeadlines
}

// NewService wires the licensing service.
func NewService(g *gorm.DB, users userFinder, certs certifiedLister, programs programReader, assignments assignmentReader,
	rec *audit.Recorder, clk clock.Clock) *Service {
	return &Service{db: g, store: NewStore(g), users: users, certs: certs, programs: programs, assignments: assignments,
		audit: rec, clock: clk, FilingDeadlines: FilingDeadlines{Default: DefaultFilingDays}}
}

// Store returns the service's store, for read-only callers in other packages.
func (s *Service) Store() *Store { return s.store }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// SubmitInput is a new license. UserID names the holder (compliance only;
// agents submit their own and leave it empty). Dates are YYYY-MM-DD.
type SubmitInput struct {
	UserID        string   `json:"user_id"`
	NPN           string   `json:"npn"`
	Jurisdiction  string   `json:"jurisdiction"`
	LicenseNumber string   `json:"license_number"`
	Class         string   `json:"class"`
	Lines         []string `json:"lines_of_authority"`
	Resident      *bool    `json:"resident"`
	IssueDate     string   `json:"issue_date"`
	EffectiveDate string   `json:"effective_date"`
	ExpiryDate    string   `json:"expiry_date"`
	Evidence      string   `json:"evidence"`
	CEHours       *float64 `json:"ce_hours"`
}

// UpdateInput changes a license; nil fields stay as they are.
type UpdateInput struct {
	NPN           *string   `json:"npn"`
	Jurisdiction  *string   `json:"jurisdiction"`
	LicenseNumber *string   `json:"license_number"`
	Class         *string   `json:"class"`
	Lines         *[]string `json:"lines_of_authority"`
	Resident      *bool     `json:"resident"`
	IssueDate     *string   `json:"issue_date"`
	EffectiveDate *string   `json:"effective_date"`
	ExpiryDate    *string   `json:"expiry_date"`
	Evidence      *string   `json:"evidence"`
	CEHours       *float64  `json:"ce_hours"`
}

// update is the submission as a change to an empty license.
func (in SubmitInput) update() UpdateInput {
	u := UpdateInput{NPN: &in.NPN, Jurisdiction: &in.Jurisdiction, LicenseNumber: &in.LicenseNumber, Class: &in.Class,
		Resident: in.Resident, IssueDate: &in.IssueDate, EffectiveDate: &in.EffectiveDate, ExpiryDate: &in.ExpiryDate,
		Evidence: &in.Evidence, CEHours: in.CEHours}
	if in.Lines != nil {
		u.Lines = &in.Lines
	}
	return u
}

var npnRE = regexp.MustCompile(`^[0-9]{1,10}$`)

// nonSubstantive are the fields whose change leaves a verification standing.
var nonSubstantive = []string{"ce_hours"}

// apply validates the input's fields into l, adding problems to f (field
// names prefixed with prefix), and returns the names of the fields whose
// value changed.
func (in UpdateInput) apply(l *License, f apperr.Fields, prefix string) []string {
	var changed []string
	set := func(name string, differs bool, assign func()) {
		if differs {
			assign()
			changed = append(changed, name)
		}
	}
	if in.NPN != nil {
		v := strings.TrimSpace(*in.NPN)
		if !npnRE.MatchString(v) {
			f.Add(prefix+"npn", "must be the National Producer Number: 1 to 10 digits")
		}
		set("npn", v != l.NPN, func() { l.NPN = v })
	}
	if in.Jurisdiction != nil {
		v, ok := jurisdiction.Parse(*in.Jurisdiction)
		if !ok {
			f.Add(prefix+"jurisdiction", "must be %s", jurisdiction.Described)
		}
		set("jurisdiction", v != l.Jurisdiction, func() { l.Jurisdiction = v })
	}
	if in.LicenseNumber != nil {
		v := strings.TrimSpace(*in.LicenseNumber)
		if v == "" || len(v) > 40 || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' }) {
			f.Add(prefix+"license_number", "must be 1 to 40 printable characters")
		}
		set("license_number", v != l.LicenseNumber, func() { l.LicenseNumber = v })
	}
	if in.Class != nil {
		v := strings.ToLower(strings.TrimSpace(*in.Class))
		if !catalog.ValidSlug(v) {
			f.Add(prefix+"class", "must be a license class slug such as insurance-producer")
		}
		set("class", v != l.Class, func() { l.Class = v })
	}
	if in.Lines != nil {
		var v []string
		for _, line := range *in.Lines {
			line = strings.ToLower(strings.TrimSpace(line))
			if !catalog.ValidSlug(line) {
				f.Add(prefix+"lines_of_authority", "%q is not a line of authority slug such as accident-and-health", line)
			}
			if !slices.Contains(v, line) {
				v = append(v, line)
			}
		}
		if len(v) == 0 {
			f.Add(prefix+"lines_of_authority", "must name at least one line of authority")
		}
		set("lines_of_authority", !slices.Equal(v, l.Lines), func() { l.Lines = v })
	}
	if in.Resident != nil {
		set("resident", *in.Resident != l.Resident, func() { l.Resident = *in.Resident })
	}
	for _, d := range []struct {
		name string
		in   *string
		dst  *Date
	}{{"issue_date", in.IssueDate, &l.IssueDate}, {"effective_date", in.EffectiveDate, &l.EffectiveDate}, {"expiry_date", in.ExpiryDate, &l.ExpiryDate}} {
		if d.in == nil {
			continue
		}
		v, err := ParseDate(strings.TrimSpace(*d.in))
		if err != nil {
			f.Add(prefix+d.name, "%v", err)
			continue
		}
		set(d.name, !v.Equal(d.dst.Time), func() { *d.dst = v })
	}
	if in.Evidence != nil {
		v := strings.TrimSpace(*in.Evidence)
		if len(v) > 2000 {
			f.Add(prefix+"evidence", "must be at most 2000 characters")
		}
		set("evidence", v != l.Evidence, func() { l.Evidence = v })
	}
	if in.CEHours != nil {
		v := *in.CEHours
		if v < 0 || v > 9999.99 {
			f.Add(prefix+"ce_hours", "must be between 0 and 9999.99")
		}
		set("ce_hours", l.CEHours == nil || *l.CEHours != v, func() { l.CEHours = &v })
	}
	return changed
}

// checkDates adds the date order rules: effective ≥ issue, expiry after effective.
func checkDates(l *License, f apperr.Fields, prefix string) {
	if l.IssueDate.IsZero() || l.EffectiveDate.IsZero() || l.ExpiryDate.IsZero() {
		return
	}
	if l.EffectiveDate.Before(l.IssueDate.Time) {
		f.Add(prefix+"effective_date", "must not be before the issue date")
	}
	if !l.ExpiryDate.After(l.EffectiveDate.Time) {
		f.Add(prefix+"expiry_date", "must be after the effective date")
	}
}

// newLicense validates a submission into a pending license held by holder.
func newLicense(in SubmitInput, holder string, f apperr.Fields, prefix string) *License {
	l := &License{UserID: holder, Status: Pending}
	in.update().apply(l, f, prefix)
	required := map[string]bool{
		"npn": in.NPN == "", "jurisdiction": in.Jurisdiction == "", "license_number": in.LicenseNumber == "",
		"class": in.Class == "", "lines_of_authority": len(in.Lines) == 0, "resident": in.Resident == nil,
		"issue_date": in.IssueDate == "", "effective_date": in.EffectiveDate == "", "expiry_date": in.ExpiryDate == "",
	}
	for name, missing := range required {
		if missing {
			f[prefix+name] = "is required"
		}
	}
	checkDates(l, f, prefix)
	return l
}

func requireUser(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	if p.IsMachine() {
		return nil, apperr.E(apperr.Forbidden, "licenses are managed by people, not API keys")
	}
	return p, nil
}

// canSee reports whether p may read l: its holder, compliance and admins.
func canSee(p *auth.Principal, l *License) bool {
	return p.UserID == l.UserID || p.SeesAllClients()
}

// Submit records a new license as pending. Agents submit their own
// (UserID empty or theirs); compliance officers submit for anyone (their
// own when UserID is empty). Audited as license.submit with a
// license.changed event. Errors: unauthorized, forbidden (other roles, an
// agent naming someone else), invalid (naming each field), conflict (the
// holder already has this license pending or verified).
func (s *Service) Submit(ctx context.Context, in SubmitInput) (*License, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	holder := in.UserID
	switch {
	case holder == "":
		holder = p.UserID
	case p.Is(auth.RoleAgent) && holder != p.UserID:
		return nil, apperr.E(apperr.Forbidden, "agents submit only their own licenses")
	}
	if !p.Is(auth.RoleAgent, auth.RoleCompliance) {
		return nil, apperr.E(apperr.Forbidden, "licenses are submitted by their holder or by compliance")
	}
	f := apperr.Fields{}
	l := newLicense(in, holder, f, "")
	if holder != p.UserID {
		if err := s.checkHolder(ctx, holder); err != nil {
			f.Add("user_id", "%s", err)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.create(ctx, tx, p.Actor(), l, now)
	})
	if err != nil {
		return nil, fmt.Errorf("licensing: submit: %w", err)
	}
	return l, nil
}

// checkHolder explains why userID cannot hold a license, or returns nil.
func (s *Service) checkHolder(ctx context.Context, userID string) error {
	if uuid.Validate(userID) != nil {
		return fmt.Errorf("must be a user id")
	}
	u, err := s.users.LookupUser(ctx, userID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return fmt.Errorf("no such user")
	case err != nil:
		return err
	case !u.Active:
		return fmt.Errorf("the user is deactivated")
	}
	return nil
}

// create inserts a pending license submitted by actor, with its history,
// audit entry and event.
func (s *Service) create(ctx context.Context, tx *gorm.DB, actor audit.Actor, l *License, now time.Time) error {
	l.ID = uuid.NewString()
	l.Status = Pending
	l.SubmittedBy, l.SubmittedAt = actor.ID, now
	l.CreatedAt, l.UpdatedAt = now, now
	if err := tx.Create(l).Error; err != nil {
		err = db.Translate(err, "license")
		if apperr.Is(err, apperr.Conflict) {
			return apperr.E(apperr.Conflict, "license %s %s %s is already on record, pending or verified: edit that one",
				l.Jurisdiction, l.Class, l.LicenseNumber)
		}
		return err
	}
	return s.record(ctx, tx, actor, "license.submit", nil, l, "", nil, now)
}

// record writes the history row, the audit entry and the license.changed
// event of a change from before (nil for a new license) to after.
func (s *Service) record(ctx context.Context, tx *gorm.DB, actor audit.Actor, action string, before, after *License, note string, changed []string, now time.Time) error {
	ev := Event{ID: uuid.NewString(), LicenseID: after.ID, At: now, ActorKind: actor.Kind, ActorID: actor.ID,
		Action: strings.TrimPrefix(action, "license."), ToStatus: after.Status, Note: note, Changed: changed}
	entry := audit.Entry{Actor: actor, Action: action, SubjectType: "license", SubjectID: after.ID, After: after.summary()}
	payload := map[string]any{"license_id": after.ID, "user_id": after.UserID, "jurisdiction": after.Jurisdiction,
		"class": after.Class, "status": after.Status, "action": ev.Action}
	if before != nil {
		from := before.Status
		ev.FromStatus = &from
		entry.Before = before.summary()
		payload["previous_status"] = from
	}
	if ev.Changed == nil {
		ev.Changed = catalog.StringList{}
	}
	if err := tx.Omit("seq").Create(&ev).Error; err != nil {
		return fmt.Errorf("licensing: history: %w", err)
	}
	if err := s.audit.Record(ctx, tx, entry); err != nil {
		return err
	}
	_, err := outbox.Enqueue(ctx, tx, now, outbox.LicenseChanged, "", "license:"+after.ID, payload)
	return err
}

// change locks license id, lets mutate check the rules and change it, then
// saves it with its history, audit entry and event.
func (s *Service) change(ctx context.Context, id, action string, mutate func(p *auth.Principal, l *License, now time.Time) (note string, changed []string, err error)) (*License, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("license")
	}
	var l *License
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		l, err = byID(tx.Clauses(lockForUpdate), id)
		if err != nil {
			return err
		}
		if !canSee(p, l) {
			return apperr.NotFoundf("license")
		}
		before := *l
		now := s.now()
		note, changed, err := mutate(p, l, now)
		if err != nil {
			return err
		}
		l.UpdatedAt = now
		if err := tx.Save(l).Error; err != nil {
			err = db.Translate(err, "license")
			if apperr.Is(err, apperr.Conflict) {
				return apperr.E(apperr.Conflict, "the holder already has license %s %s %s pending or verified", l.Jurisdiction, l.Class, l.LicenseNumber)
			}
			return err
		}
		return s.record(ctx, tx, p.Actor(), action, &before, l, note, changed, now)
	})
	if err != nil {
		return nil, fmt.Errorf("licensing: %s: %w", action, err)
	}
	return l, nil
}

// Update changes a license's fields: its holder or compliance may. A
// change to any field but ce_hours of a verified, rejected or expired
// license sends it back to pending for verification. Audited as
// license.update with a license.changed event. Errors: unauthorized,
// forbidden (admins and others), not_found, invalid (naming each field),
// conflict (revoked licenses are final; the change collides with another
// active record).
func (s *Service) Update(ctx context.Context, id string, in UpdateInput) (*License, error) {
	return s.change(ctx, id, "license.update", func(p *auth.Principal, l *License, _ time.Time) (string, []string, error) {
		if p.UserID != l.UserID && !p.Is(auth.RoleCompliance) {
			return "", nil, apperr.E(apperr.Forbidden, "only the license's holder or compliance may change it")
		}
		if l.Status == Revoked {
			return "", nil, apperr.E(apperr.Conflict, "a revoked license is final: submit a new one")
		}
		f := apperr.Fields{}
		changed := in.apply(l, f, "")
		checkDates(l, f, "")
		if err := f.Err(); err != nil {
			return "", nil, err
		}
		if len(changed) == 0 {
			return "", nil, apperr.E(apperr.Invalid, "the request changes nothing")
		}
		note := ""
		substantive := slices.ContainsFunc(changed, func(c string) bool { return !slices.Contains(nonSubstantive, c) })
		if substantive && l.Status != Pending {
			note = fmt.Sprintf("changed while %s: back to pending verification", l.Status)
			l.Status, l.StatusNote, l.VerifiedBy, l.VerifiedAt = Pending, "", nil, nil
		}
		return note, changed, nil
	})
}

// decide is the rule shared by verify and reject: compliance only, never
// one's own license, and only a pending one.
func decide(p *auth.Principal, l *License, verb string) error {
	switch {
	case !p.Is(auth.RoleCompliance):
		return apperr.E(apperr.Forbidden, "only compliance may %s licenses", verb)
	case p.UserID == l.UserID:
		return apperr.E(apperr.Forbidden, "nobody may %s a license of their own: ask another compliance officer", verb)
	case l.Status != Pending:
		return apperr.E(apperr.Conflict, "the license is %s; only a pending license can be %sed", l.Status, strings.TrimSuffix(verb, "e"))
	}
	return nil
}

// Verify marks a pending license verified, with an optional note. Only
// compliance, never for their own license. Audited as license.verify with a
// license.changed event. Errors: unauthorized, forbidden, not_found,
// conflict (not pending, or already past its expiry date).
func (s *Service) Verify(ctx context.Context, id, note string) (*License, error) {
	return s.change(ctx, id, "license.verify", func(p *auth.Principal, l *License, now time.Time) (string, []string, error) {
		if err := decide(p, l, "verify"); err != nil {
			return "", nil, err
		}
		if !now.Before(l.ExpiryDate.Time) {
			return "", nil, apperr.E(apperr.Conflict, "the license expired on %s: ask for the renewed license", l.ExpiryDate)
		}
		by := p.Actor().ID
		l.Status, l.StatusNote, l.VerifiedBy, l.VerifiedAt = Verified, strings.TrimSpace(note), &by, &now
		return l.StatusNote, nil, nil
	})
}

// Reject marks a pending license rejected with a note saying why (required).
// Only compliance, never for their own license. Audited as license.reject
// with a license.changed event. Errors: unauthorized, forbidden, not_found,
// invalid (no note), conflict (not pending).
func (s *Service) Reject(ctx context.Context, id, note string) (*License, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, apperr.Invalidf("note", "say why the license is rejected")
	}
	return s.change(ctx, id, "license.reject", func(p *auth.Principal, l *License, _ time.Time) (string, []string, error) {
		if err := decide(p, l, "reject"); err != nil {
			return "", nil, err
		}
		l.Status, l.StatusNote, l.VerifiedBy, l.VerifiedAt = Rejected, note, nil, nil
		return note, nil, nil
	})
}

// Revoke withdraws a license for good with a reason (required): compliance
// and admins. Audited as license.revoke with a license.changed event.
// Errors: unauthorized, forbidden, not_found, invalid (no reason), conflict
// (already revoked or rejected).
func (s *Service) Revoke(ctx context.Context, id, reason string) (*License, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Invalidf("reason", "say why the license is revoked")
	}
	return s.change(ctx, id, "license.revoke", func(p *auth.Principal, l *License, _ time.Time) (string, []string, error) {
		if !p.Is(auth.RoleCompliance, auth.RoleAdmin) {
			return "", nil, apperr.E(apperr.Forbidden, "only compliance or an admin may revoke licenses")
		}
		if l.Status == Revoked || l.Status == Rejected {
			return "", nil, apperr.E(apperr.Conflict, "the license is already %s", l.Status)
		}
		l.Status, l.StatusNote = Revoked, reason
		return reason, nil, nil
	})
}

// Get returns a license its holder, compliance or an admin may see.
// Errors: unauthorized, forbidden (API keys), not_found (also for licenses
// of others).
func (s *Service) Get(ctx context.Context, id string) (*License, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("license")
	}
	l, err := s.store.Find(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSee(p, l) {
		return nil, apperr.NotFoundf("license")
	}
	return l, nil
}

// History returns a license's changes, oldest first, to whoever may see it.
// Errors: as Get.
func (s *Service) History(ctx context.Context, id string) ([]Event, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return s.store.History(ctx, id)
}

// List returns licenses: an agent's own (any UserID filter must be theirs),
// or anyone's for compliance and admins. Errors: unauthorized, forbidden.
func (s *Service) List(ctx context.Context, f Filter) ([]License, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if !p.SeesAllClients() {
		if f.UserID != "" && f.UserID != p.UserID {
			return nil, apperr.E(apperr.Forbidden, "you may list only your own licenses")
		}
		f.UserID = p.UserID
	}
	return s.store.List(ctx, f, DateOf(s.clock.Now()))
}

// Coverage returns what the user is licensed for at at, per jurisdiction:
// the verified licenses in force (effective ≤ at < expiry), and the others
// with their standing (unverified, not_effective, expired, rejected,
// revoked), so the routing gate can say why a state is not covered. It
// checks no permissions: the caller has. One indexed query.
func (s *Service) Coverage(ctx context.Context, userID string, at time.Time) (*Coverage, error) {
	if uuid.Validate(userID) != nil {
		return coverageOf(userID, at, nil), nil
	}
	ls, err := s.store.ForUsers(ctx, []string{userID})
	if err != nil {
		return nil, err
	}
	return coverageOf(userID, at, ls), nil
}

// expiryBatch is how many licenses one expiry transaction handles.
const expiryBatch = 100

// RunOnce expires every verified license whose expiry date has come by the
// clock, audited as the system (license.expire) with a license.changed
// event each, and returns how many it expired. Several replicas may run it
// at once: each locks its batch with SKIP LOCKED.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	actor := audit.System("license-expiry")
	total, err := jobs.Batches(ctx, expiryBatch, func(ctx context.Context) (int, error) {
		n := 0
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			now := s.now()
			due, err := dueForExpiry(tx, DateOf(now), expiryBatch)
			if err != nil {
				return err
			}
			for i := range due {
				l := &due[i]
				before := *l
				l.Status, l.StatusNote, l.UpdatedAt = Expired, "expired on "+l.ExpiryDate.String(), now
				if err := tx.Save(l).Error; err != nil {
					return fmt.Errorf("licensing: expire %s: %w", l.ID, err)
				}
				if err := s.record(ctx, tx, actor, "license.expire", &before, l, l.StatusNote, nil, now); err != nil {
					return err
				}
			}
			n = len(due)
			return nil
		})
		return n, err
	})
	if err != nil {
		return total, fmt.Errorf("licensing: expire: %w", err)
	}
	return total, nil
}
