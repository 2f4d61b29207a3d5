package licensing

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/csvimport"
	"github.com/skillgate/skillgate/server/internal/jurisdiction"
)

// AppointmentImportColumns are the appointment CSV import's columns. The
// agent is named by user_id or email, the carrier by client (its slug) or
// client_id; jurisdiction, lines_of_authority and status are required.
var AppointmentImportColumns = []string{"user_id", "email", "client", "client_id", "jurisdiction",
	"lines_of_authority", "status", "effective_date", "termination_date", "termination_reason", "reference", "evidence"}

// appointmentKey identifies an open appointment.
type appointmentKey struct{ UserID, ClientID, Jurisdiction string }

// AppointmentImport is what an import did: the appointments it created,
// activated or terminated, and how many rows matched the record already.
type AppointmentImport struct {
	Created      int           `json:"created"`
	Activated    int           `json:"activated"`
	Terminated   int           `json:"terminated"`
	Unchanged    int           `json:"unchanged"`
	Appointments []Appointment `json:"appointments"`
}

// importRow is one validated row and what it does.
type importRow struct {
	line   int
	in     RecordAppointmentInput
	status AppointmentStatus
	act    ActivateInput
	term   TerminateInput
}

// ImportAppointments applies a carrier's appointment list from CSV
// (compliance only), all or nothing. Each row states where an agent's
// appointment with a client in a state stands (status requested, active or
// terminated); against the open appointment on record it records a new
// one, activates a requested one, terminates an open one, or changes
// nothing when the record already says so (a terminated row matching a
// terminated appointment on record by its dates included), so a carrier's
// list can be applied again. Every problem is reported at
// once as an invalid error whose fields are "row N.column" (the header is
// row 1). Each change is audited and sends an appointment.changed event,
// as one by one. Errors: unauthorized, forbidden, invalid, too_large.
func (s *Service) ImportAppointments(ctx context.Context, r io.Reader) (*AppointmentImport, error) {
	p, err := requireOfficer(ctx, "import")
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	rows, err := csvimport.Read(r, csvimport.Spec{What: "appointments", Columns: AppointmentImportColumns,
		Required: []string{"jurisdiction", "lines_of_authority", "status"}, MaxRows: MaxImportRows}, f)
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		if !rows[0].Has("user_id") && !rows[0].Has("email") {
			f.Add("row 1", "a user_id or email column must name each appointment's agent")
		}
		if !rows[0].Has("client") && !rows[0].Has("client_id") {
			f.Add("row 1", "a client or client_id column must name each appointment's carrier")
		}
	}
	if err := importError(f); err != nil {
		return nil, err
	}
	agents, clients := map[string]string{}, map[string]string{}
	var todo []importRow
	var users []string
	for _, row := range rows {
		get := row.Get
		prefix := fmt.Sprintf("row %d.", row.Line)
		ir := importRow{line: row.Line, status: AppointmentStatus(strings.ToLower(get("status"))),
			in: RecordAppointmentInput{UserID: get("user_id"), Email: get("email"), ClientID: get("client_id"),
				Jurisdiction: get("jurisdiction"), Reference: get("reference"), Evidence: get("evidence")}}
		for _, line := range strings.Split(get("lines_of_authority"), ";") {
			if line = strings.TrimSpace(line); line != "" {
				ir.in.Lines = append(ir.in.Lines, line)
			}
		}
		s.resolveAgent(ctx, &ir.in, agents, f, prefix)
		s.resolveClient(ctx, &ir.in, get("client"), clients, f, prefix)
		switch ir.status {
		case AppointmentRequested, AppointmentActive, AppointmentTerminated:
		default:
			f.Add(prefix+"status", "must be requested, active or terminated")
		}
		ir.act = ActivateInput{EffectiveDate: get("effective_date"), Reference: ir.in.Reference, Evidence: ir.in.Evidence}
		ir.term = TerminateInput{TerminationDate: get("termination_date"), Reason: get("termination_reason"), Evidence: ir.in.Evidence}
		if ir.status == AppointmentTerminated && get("termination_date") == "" {
			f.Add(prefix+"termination_date", "is required for a terminated appointment")
		}
		if ir.status != AppointmentTerminated && (get("termination_date") != "" || get("termination_reason") != "") {
			f.Add(prefix+"termination_date", "only a terminated appointment has a termination date and reason")
		}
		if uuid.Validate(ir.in.UserID) == nil {
			users = append(users, ir.in.UserID)
		}
		todo = append(todo, ir)
	}
	out := &AppointmentImport{Appointments: []Appointment{}}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		open, closed, err := appointmentsForUpdate(tx, users)
		if err != nil {
			return err
		}
		now := s.now()
		today := DateOf(now)
		seen := map[appointmentKey]int{}
		type change struct {
			before *Appointment // nil: new
			after  *Appointment
			action string
			note   string
		}
		var changes []change
		for _, ir := range todo {
			prefix := fmt.Sprintf("row %d.", ir.line)
			in := ir.in
			in.Status, in.EffectiveDate = string(ir.status), ir.act.EffectiveDate
			if ir.status == AppointmentTerminated {
				in.Status = string(AppointmentActive)
			}
			if ir.status == AppointmentRequested {
				in.EffectiveDate = ""
			}
			// A row that restates an open appointment may leave its date out.
			state, _ := jurisdiction.Parse(in.Jurisdiction)
			if cur := open[appointmentKey{in.UserID, in.ClientID, state}]; cur != nil && cur.Status == ir.status &&
				in.EffectiveDate == "" && cur.EffectiveDate != nil {
				in.EffectiveDate = cur.EffectiveDate.String()
			}
			fresh := s.newAppointment(ctx, in, f, prefix)
			key := appointmentKey{fresh.UserID, fresh.ClientID, fresh.Jurisdiction}
			if first, dup := seen[key]; dup && fresh.UserID != "" && fresh.ClientID != "" && fresh.Jurisdiction != "" {
				f.Add(prefix+"jurisdiction", "repeats row %d (the same agent, client and state)", first)
				continue
			}
			seen[key] = ir.line
			cur := open[key]
			switch {
			case cur == nil && ir.status == AppointmentTerminated && slices.ContainsFunc(closed[key], func(a *Appointment) bool {
				return sameDay(a.EffectiveDate, fresh.EffectiveDate) && a.TerminationDate != nil && a.TerminationDate.String() == ir.term.TerminationDate
			}):
				out.Unchanged++ // this terminated appointment is on record already
			case cur == nil && ir.status == AppointmentTerminated:
				note := terminate(fresh, ir.term, today, f, prefix)
				changes = append(changes, change{after: fresh, action: "appointment.record_terminated", note: note})
			case cur == nil:
				changes = append(changes, change{after: fresh})
			case !slices.Equal(sortedLines(cur.Lines), sortedLines(fresh.Lines)):
				f.Add(prefix+"lines_of_authority", "differ from the %s appointment on record (%s): terminate it and record a new one",
					cur.Status, strings.Join(cur.Lines, ";"))
			case cur.Status == ir.status:
				out.Unchanged++
			case cur.Status == AppointmentRequested && ir.status == AppointmentActive:
				after := *cur
				note := activate(&after, ir.act, f, prefix)
				changes = append(changes, change{before: cur, after: &after, action: "appointment.activate", note: note})
			case ir.status == AppointmentTerminated:
				after := *cur
				note := terminate(&after, ir.term, today, f, prefix)
				changes = append(changes, change{before: cur, after: &after, action: "appointment.terminate", note: note})
			default:
				f.Add(prefix+"status", "the appointment on record is %s; it cannot go back to %s", cur.Status, ir.status)
			}
		}
		if err := importError(f); err != nil {
			return err
		}
		for _, c := range changes {
			if c.before == nil {
				if err := s.createAppointment(ctx, tx, p.Actor(), c.after, now); err != nil {
					return err
				}
				switch c.after.Status {
				case AppointmentTerminated:
					out.Terminated++
				default:
					out.Created++
				}
			} else {
				c.after.UpdatedAt = now
				if err := saveAppointment(tx, c.after); err != nil {
					return err
				}
				if err := s.recordAppointment(ctx, tx, p.Actor(), c.action, c.before, c.after, c.note, now); err != nil {
					return err
				}
				if c.after.Status == AppointmentTerminated {
					out.Terminated++
				} else {
					out.Activated++
				}
			}
			out.Appointments = append(out.Appointments, *c.after)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("licensing: import appointments: %w", err)
	}
	return out, nil
}

func sameDay(a, b *Date) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(b.Time))
}

func sortedLines(ls []string) []string {
	out := slices.Clone(ls)
	slices.Sort(out)
	return out
}

// resolveClient fills in.ClientID from the row's client_id or client slug.
func (s *Service) resolveClient(ctx context.Context, in *RecordAppointmentInput, slug string, clients map[string]string, f apperr.Fields, prefix string) {
	switch {
	case in.ClientID != "" && slug != "":
		f.Add(prefix+"client", "give client or client_id, not both")
	case in.ClientID != "":
		// checked by newAppointment
	case slug != "":
		key := strings.ToLower(slug)
		if id, ok := clients[key]; ok {
			in.ClientID = id
			return
		}
		c, err := s.programs.ClientBySlug(ctx, key)
		if err != nil {
			f.Add(prefix+"client", "no client has the slug %q", slug)
			return
		}
		clients[key] = c.ID
		in.ClientID = c.ID
	default:
		f.Add(prefix+"client", "is required (or client_id)")
	}
}
