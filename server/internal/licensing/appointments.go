package licensing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/jurisdiction"
	"github.com/skillgate/skillgate/server/internal/outbox"
)

// AppointmentStatus is where an appointment stands.
type AppointmentStatus string

// The appointment statuses. Compliance requests an appointment of the
// carrier (requested), records it once the carrier has appointed the agent
// (active, from its effective date), and terminates it (terminated, in
// force until its termination date).
const (
	AppointmentRequested  AppointmentStatus = "requested"
	AppointmentActive     AppointmentStatus = "active"
	AppointmentTerminated AppointmentStatus = "terminated"
)

// Appointment is a carrier's (a client's) appointment of an agent to sell
// its products in a state for some lines of authority.
type Appointment struct {
	ID           string             `gorm:"column:id" json:"id"`
	UserID       string             `gorm:"column:user_id" json:"user_id"`
	ClientID     string             `gorm:"column:client_id" json:"client_id"`
	Jurisdiction string             `gorm:"column:jurisdiction" json:"jurisdiction"`
	Lines        catalog.StringList `gorm:"column:lines_of_authority" json:"lines_of_authority"`
	Status       AppointmentStatus  `gorm:"column:status" json:"status"`
	// EffectiveDate is the first day the appointment holds (nil while requested).
	EffectiveDate *Date `gorm:"column:effective_date" json:"effective_date"`
	// TerminationDate is the first day it no longer holds (terminated only).
	TerminationDate   *Date     `gorm:"column:termination_date" json:"termination_date"`
	TerminationReason string    `gorm:"column:termination_reason" json:"termination_reason"`
	Reference         string    `gorm:"column:reference" json:"reference"`
	Evidence          string    `gorm:"column:evidence" json:"evidence"`
	CreatedBy         string    `gorm:"column:created_by" json:"created_by"`
	CreatedAt         time.Time `gorm:"column:created_at;autoCreateTime:false" json:"created_at"`
	UpdatedAt         time.Time `gorm:"column:updated_at;autoUpdateTime:false" json:"updated_at"`
	// Email, DisplayName and ClientName are read with lists (joined), not stored.
	Email       string `gorm:"column:email;->" json:"email,omitempty"`
	DisplayName string `gorm:"column:display_name;->" json:"display_name,omitempty"`
	ClientName  string `gorm:"column:client_name;->" json:"client_name,omitempty"`
}

// TableName names the table.
func (Appointment) TableName() string { return "appointments" }

// InForceAt reports whether the appointment holds at t: active or
// terminated, effective, and before its termination date.
func (a *Appointment) InForceAt(t time.Time) bool {
	return a.Status != AppointmentRequested && a.EffectiveDate != nil && !t.Before(a.EffectiveDate.Time) &&
		(a.TerminationDate == nil || t.Before(a.TerminationDate.Time))
}

// summary is the appointment as the audit trail and the outbox keep it (no
// evidence text).
func (a *Appointment) summary() map[string]any {
	m := map[string]any{"user_id": a.UserID, "client_id": a.ClientID, "jurisdiction": a.Jurisdiction,
		"lines_of_authority": []string(a.Lines), "status": a.Status, "reference": a.Reference,
		"effective_date": nil, "termination_date": nil}
	if a.EffectiveDate != nil {
		m["effective_date"] = a.EffectiveDate.String()
	}
	if a.TerminationDate != nil {
		m["termination_date"] = a.TerminationDate.String()
		m["termination_reason"] = a.TerminationReason
	}
	return m
}

// AppointmentEvent is one entry of an appointment's readable history.
type AppointmentEvent struct {
	Seq           int64              `gorm:"column:seq" json:"-"`
	ID            string             `gorm:"column:id" json:"id"`
	AppointmentID string             `gorm:"column:appointment_id" json:"appointment_id"`
	At            time.Time          `gorm:"column:at" json:"at"`
	ActorKind     string             `gorm:"column:actor_kind" json:"actor_kind"`
	ActorID       string             `gorm:"column:actor_id" json:"actor_id"`
	Action        string             `gorm:"column:action" json:"action"`
	FromStatus    *AppointmentStatus `gorm:"column:from_status" json:"from_status,omitempty"`
	ToStatus      AppointmentStatus  `gorm:"column:to_status" json:"to_status"`
	Note          string             `gorm:"column:note" json:"note"`
}

// TableName names the table.
func (AppointmentEvent) TableName() string { return "appointment_events" }

// AppointmentFilter narrows an appointment list. Zero fields do not filter.
type AppointmentFilter struct {
	UserID       string
	ClientID     string
	Jurisdiction string
	Status       AppointmentStatus
	// clientIDs limits the list to these clients (a trainer's or
	// supervisor's memberships); nil does not limit.
	clientIDs     []string
	Limit, Offset int
}

// RecordAppointmentInput is a new appointment: requested of the carrier,
// or already active (then EffectiveDate is required). The agent is named by
// UserID or Email.
type RecordAppointmentInput struct {
	UserID        string   `json:"user_id"`
	Email         string   `json:"email"`
	ClientID      string   `json:"client_id"`
	Jurisdiction  string   `json:"jurisdiction"`
	Lines         []string `json:"lines_of_authority"`
	Status        string   `json:"status"`
	EffectiveDate string   `json:"effective_date"`
	Reference     string   `json:"reference"`
	Evidence      string   `json:"evidence"`
}

// ActivateInput records that the carrier appointed the agent.
type ActivateInput struct {
	EffectiveDate string `json:"effective_date"`
	Reference     string `json:"reference"`
	Evidence      string `json:"evidence"`
	Note          string `json:"note"`
}

// TerminateInput ends an appointment: from TerminationDate on (today when
// empty) it no longer holds.
type TerminateInput struct {
	TerminationDate string `json:"termination_date"`
	Reason          string `json:"reason"`
	Evidence        string `json:"evidence"`
}

// lineList validates lines of authority into a list of unique slugs.
func lineList(in []string, f apperr.Fields, field string) []string {
	var v []string
	for _, line := range in {
		line = strings.ToLower(strings.TrimSpace(line))
		if !catalog.ValidSlug(line) {
			f.Add(field, "%q is not a line of authority slug such as accident-and-health", line)
		}
		if !slices.Contains(v, line) {
			v = append(v, line)
		}
	}
	if len(v) == 0 {
		f.Add(field, "must name at least one line of authority")
	}
	return v
}

// checkText adds a problem when a free text is too long or has control
// characters (reference) and returns it trimmed.
func checkText(s string, max int, f apperr.Fields, field string, printable bool) string {
	s = strings.TrimSpace(s)
	if len(s) > max {
		f.Add(field, "must be at most %d characters", max)
	}
	if printable && strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }) {
		f.Add(field, "must be printable characters")
	}
	return s
}

// parseDay reads an optional date field; def is used when s is empty.
func parseDay(s string, def *Date, f apperr.Fields, field string) *Date {
	s = strings.TrimSpace(s)
	if s == "" {
		return def
	}
	d, err := ParseDate(s)
	if err != nil {
		f.Add(field, "%v", err)
		return nil
	}
	return &d
}

// newAppointment validates in (the agent already resolved into UserID) into
// an appointment, adding problems to f with field names prefixed by prefix.
func (s *Service) newAppointment(ctx context.Context, in RecordAppointmentInput, f apperr.Fields, prefix string) *Appointment {
	a := &Appointment{UserID: in.UserID}
	if cid := strings.TrimSpace(in.ClientID); cid == "" {
		if _, named := f[prefix+"client"]; !named { // an import's client slug already said what is wrong
			f.Add(prefix+"client_id", "is required: the carrier (client) that appoints the agent")
		}
	} else if uuid.Validate(cid) != nil {
		f.Add(prefix+"client_id", "must be a client id")
	} else if _, err := s.programs.ClientByID(ctx, cid); err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			f.Add(prefix+"client_id", "could not be checked: %v", err)
		} else {
			f.Add(prefix+"client_id", "no such client")
		}
	} else {
		a.ClientID = cid
	}
	if code, ok := jurisdiction.Parse(in.Jurisdiction); ok {
		a.Jurisdiction = code
	} else {
		f.Add(prefix+"jurisdiction", "must be %s", jurisdiction.Described)
	}
	a.Lines = lineList(in.Lines, f, prefix+"lines_of_authority")
	switch AppointmentStatus(strings.TrimSpace(in.Status)) {
	case "", AppointmentRequested:
		a.Status = AppointmentRequested
		if strings.TrimSpace(in.EffectiveDate) != "" {
			f.Add(prefix+"effective_date", "a requested appointment has no effective date yet: record it as active")
		}
	case AppointmentActive:
		a.Status = AppointmentActive
		if strings.TrimSpace(in.EffectiveDate) == "" {
			f.Add(prefix+"effective_date", "is required for an active appointment")
		}
		a.EffectiveDate = parseDay(in.EffectiveDate, nil, f, prefix+"effective_date")
	default:
		f.Add(prefix+"status", "must be requested or active (terminate an appointment on record instead)")
	}
	a.Reference = checkText(in.Reference, 100, f, prefix+"reference", true)
	a.Evidence = checkText(in.Evidence, 2000, f, prefix+"evidence", false)
	return a
}

// requireOfficer returns the principal when it is a compliance officer.
func requireOfficer(ctx context.Context, verb string) (*auth.Principal, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Is(auth.RoleCompliance) {
		return nil, apperr.E(apperr.Forbidden, "only compliance may %s appointments", verb)
	}
	return p, nil
}

// canSeeAppointment reports whether p may read a: its agent, compliance and
// admins, and the trainers and supervisors of its client.
func canSeeAppointment(p *auth.Principal, a *Appointment) bool {
	return p.UserID == a.UserID || p.SeesAllClients() ||
		(p.Is(auth.RoleTrainer, auth.RoleSupervisor) && p.MemberOf(a.ClientID))
}

// RecordAppointment records a new appointment, requested or already active
// (compliance only). Audited as appointment.request or appointment.record
// with an appointment.changed event. Errors: unauthorized, forbidden,
// invalid (naming each field), conflict (the agent already has an open,
// requested or active, appointment with the client in the state).
func (s *Service) RecordAppointment(ctx context.Context, in RecordAppointmentInput) (*Appointment, error) {
	p, err := requireOfficer(ctx, "record")
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	s.resolveAgent(ctx, &in, map[string]string{}, f, "")
	a := s.newAppointment(ctx, in, f, "")
	if err := f.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.createAppointment(ctx, tx, p.Actor(), a, s.now())
	})
	if err != nil {
		return nil, fmt.Errorf("licensing: record appointment: %w", err)
	}
	return a, nil
}

// resolveAgent fills in.UserID from its UserID or Email, adding problems to f.
func (s *Service) resolveAgent(ctx context.Context, in *RecordAppointmentInput, agents map[string]string, f apperr.Fields, prefix string) {
	si := SubmitInput{UserID: strings.TrimSpace(in.UserID)}
	s.resolveHolder(ctx, &si, strings.TrimSpace(in.Email), agents, f, prefix)
	in.UserID = si.UserID
}

// createAppointment inserts a with its history, audit entry and event.
func (s *Service) createAppointment(ctx context.Context, tx *gorm.DB, actor audit.Actor, a *Appointment, now time.Time) error {
	a.ID = uuid.NewString()
	a.CreatedBy = actor.ID
	a.CreatedAt, a.UpdatedAt = now, now
	if err := insertAppointment(tx, a); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.E(apperr.Conflict, "the agent already has a requested or active appointment with this client in %s: activate or terminate that one", a.Jurisdiction)
		}
		return err
	}
	action := "appointment.request"
	if a.Status == AppointmentActive {
		action = "appointment.record"
	}
	if a.Status == AppointmentTerminated {
		action = "appointment.record_terminated"
	}
	return s.recordAppointment(ctx, tx, actor, action, nil, a, "", now)
}

// recordAppointment writes the history row, the audit entry and the
// appointment.changed event of a change from before (nil: new) to after.
func (s *Service) recordAppointment(ctx context.Context, tx *gorm.DB, actor audit.Actor, action string, before, after *Appointment, note string, now time.Time) error {
	ev := AppointmentEvent{ID: uuid.NewString(), AppointmentID: after.ID, At: now, ActorKind: actor.Kind, ActorID: actor.ID,
		Action: strings.TrimPrefix(action, "appointment."), ToStatus: after.Status, Note: note}
	entry := audit.Entry{Actor: actor, Action: action, SubjectType: "appointment", SubjectID: after.ID,
		ClientID: after.ClientID, After: after.summary()}
	payload := after.summary()
	payload["appointment_id"], payload["action"] = after.ID, ev.Action
	if before != nil {
		from := before.Status
		ev.FromStatus = &from
		entry.Before = before.summary()
		payload["previous_status"] = from
	}
	if err := insertAppointmentEvent(tx, &ev); err != nil {
		return err
	}
	if err := s.audit.Record(ctx, tx, entry); err != nil {
		return err
	}
	_, err := outbox.Enqueue(ctx, tx, now, outbox.AppointmentChanged, after.ClientID, "appointment:"+after.ID, payload)
	return err
}

// changeAppointment locks appointment id, lets mutate check the rules and
// change it (compliance only), then saves it with its history, audit entry
// and event.
func (s *Service) changeAppointment(ctx context.Context, id, action string, mutate func(a *Appointment, now time.Time) (note string, err error)) (*Appointment, error) {
	p, err := requireOfficer(ctx, strings.TrimPrefix(action, "appointment."))
	if err != nil {
		return nil, err
	}
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("appointment")
	}
	var a *Appointment
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err = appointmentForUpdate(tx, id)
		if err != nil {
			return err
		}
		before := *a
		now := s.now()
		note, err := mutate(a, now)
		if err != nil {
			return err
		}
		a.UpdatedAt = now
		if err := saveAppointment(tx, a); err != nil {
			return err
		}
		return s.recordAppointment(ctx, tx, p.Actor(), action, &before, a, note, now)
	})
	if err != nil {
		return nil, fmt.Errorf("licensing: %s: %w", action, err)
	}
	return a, nil
}

// activate applies in to a requested appointment.
func activate(a *Appointment, in ActivateInput, f apperr.Fields, prefix string) string {
	if a.Status != AppointmentRequested {
		f.Add(prefix+"status", "the appointment is %s; only a requested appointment can be activated", a.Status)
	}
	if strings.TrimSpace(in.EffectiveDate) == "" {
		f.Add(prefix+"effective_date", "is required: the day the carrier's appointment takes effect")
	}
	a.EffectiveDate = parseDay(in.EffectiveDate, nil, f, prefix+"effective_date")
	if ref := checkText(in.Reference, 100, f, prefix+"reference", true); ref != "" {
		a.Reference = ref
	}
	if ev := checkText(in.Evidence, 2000, f, prefix+"evidence", false); ev != "" {
		a.Evidence = ev
	}
	a.Status = AppointmentActive
	return checkText(in.Note, 2000, f, prefix+"note", false)
}

// terminate applies in to an open appointment; today is the default
// termination date.
func terminate(a *Appointment, in TerminateInput, today Date, f apperr.Fields, prefix string) string {
	if a.Status == AppointmentTerminated {
		f.Add(prefix+"status", "the appointment is already terminated")
	}
	reason := checkText(in.Reason, 2000, f, prefix+"reason", false)
	if reason == "" {
		f.Add(prefix+"reason", "say why the appointment is terminated")
	}
	end := parseDay(in.TerminationDate, &today, f, prefix+"termination_date")
	if end != nil && a.EffectiveDate != nil && end.Before(a.EffectiveDate.Time) {
		f.Add(prefix+"termination_date", "must not be before the effective date %s", a.EffectiveDate)
	}
	if ev := checkText(in.Evidence, 2000, f, prefix+"evidence", false); ev != "" {
		a.Evidence = ev
	}
	a.Status, a.TerminationDate, a.TerminationReason = AppointmentTerminated, end, reason
	return reason
}

// ActivateAppointment records that the carrier appointed the agent: a
// requested appointment becomes active from the effective date (compliance
// only). Audited as appointment.activate with an appointment.changed event.
// Errors: unauthorized, forbidden, not_found, invalid (effective_date,
// status when not requested).
func (s *Service) ActivateAppointment(ctx context.Context, id string, in ActivateInput) (*Appointment, error) {
	return s.changeAppointment(ctx, id, "appointment.activate", func(a *Appointment, _ time.Time) (string, error) {
		if a.Status != AppointmentRequested {
			return "", apperr.E(apperr.Conflict, "the appointment is %s; only a requested appointment can be activated", a.Status)
		}
		f := apperr.Fields{}
		note := activate(a, in, f, "")
		return note, f.Err()
	})
}

// TerminateAppointment ends a requested or active appointment from the
// termination date (today when none is given; a later date keeps it in
// force until then) with a reason (compliance only). Audited as
// appointment.terminate with an appointment.changed event. Errors:
// unauthorized, forbidden, not_found, invalid (reason, termination_date),
// conflict (already terminated).
func (s *Service) TerminateAppointment(ctx context.Context, id string, in TerminateInput) (*Appointment, error) {
	return s.changeAppointment(ctx, id, "appointment.terminate", func(a *Appointment, now time.Time) (string, error) {
		if a.Status == AppointmentTerminated {
			return "", apperr.E(apperr.Conflict, "the appointment is already terminated")
		}
		f := apperr.Fields{}
		note := terminate(a, in, DateOf(now), f, "")
		return note, f.Err()
	})
}

// GetAppointment returns an appointment whoever may see it asks for (its
// agent, compliance, admins, the trainers and supervisors of its client).
// Errors: unauthorized, forbidden (API keys), not_found (also for those of
// others).
func (s *Service) GetAppointment(ctx context.Context, id string) (*Appointment, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("appointment")
	}
	a, err := s.store.FindAppointment(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSeeAppointment(p, a) {
		return nil, apperr.NotFoundf("appointment")
	}
	return a, nil
}

// AppointmentHistory returns an appointment's changes, oldest first.
// Errors: as GetAppointment.
func (s *Service) AppointmentHistory(ctx context.Context, id string) ([]AppointmentEvent, error) {
	if _, err := s.GetAppointment(ctx, id); err != nil {
		return nil, err
	}
	return s.store.AppointmentHistory(ctx, id)
}

// ListAppointments returns the appointments the caller may see matching f:
// an agent's own; the client's for its trainers and supervisors; any for
// compliance and admins. Errors: unauthorized, forbidden (an agent naming
// someone else, a trainer or supervisor naming a client they do not belong
// to).
func (s *Service) ListAppointments(ctx context.Context, f AppointmentFilter) ([]Appointment, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case p.SeesAllClients():
	case p.Is(auth.RoleTrainer, auth.RoleSupervisor):
		if f.ClientID != "" && !p.MemberOf(f.ClientID) {
			return nil, apperr.E(apperr.Forbidden, "you may list only the appointments of your clients")
		}
		f.clientIDs = append([]string{}, p.ClientIDs...)
	default:
		if f.UserID != "" && f.UserID != p.UserID {
			return nil, apperr.E(apperr.Forbidden, "you may list only your own appointments")
		}
		f.UserID = p.UserID
	}
	return s.store.ListAppointments(ctx, f)
}
