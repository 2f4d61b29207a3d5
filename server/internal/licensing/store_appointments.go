package licensing

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/db"
)

// appointmentCols selects an appointment with its agent's and client's names.
const appointmentCols = `appointments.*, u.email, u.display_name, c.name AS client_name`

// appointmentJoins joins the agent and the client.
const appointmentJoins = `JOIN users u ON u.id = appointments.user_id JOIN clients c ON c.id = appointments.client_id`

// insertAppointment inserts a in tx. Errors: conflict (an open appointment
// for the agent, client and state exists).
func insertAppointment(tx *gorm.DB, a *Appointment) error {
	if err := tx.Omit("email", "display_name", "client_name").Create(a).Error; err != nil {
		return db.Translate(err, "appointment")
	}
	return nil
}

// saveAppointment writes a's changeable columns in tx.
func saveAppointment(tx *gorm.DB, a *Appointment) error {
	err := tx.Model(&Appointment{}).Where("id = ?", a.ID).Updates(map[string]any{
		"status": a.Status, "effective_date": a.EffectiveDate, "termination_date": a.TerminationDate,
		"termination_reason": a.TerminationReason, "reference": a.Reference, "evidence": a.Evidence,
		"updated_at": a.UpdatedAt,
	}).Error
	if err != nil {
		return db.Translate(err, "appointment")
	}
	return nil
}

// insertAppointmentEvent appends a history row in tx.
func insertAppointmentEvent(tx *gorm.DB, ev *AppointmentEvent) error {
	if err := tx.Omit("seq").Create(ev).Error; err != nil {
		return fmt.Errorf("licensing: appointment history: %w", err)
	}
	return nil
}

// appointmentForUpdate returns the appointment locked in tx. Errors: not_found.
func appointmentForUpdate(tx *gorm.DB, id string) (*Appointment, error) {
	var a Appointment
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&a).Error; err != nil {
		return nil, db.Translate(err, "appointment")
	}
	return &a, nil
}

// appointmentsForUpdate returns, locked in tx, the appointments of the
// users: the open (requested or active) ones by user, client and state, and
// the terminated ones.
func appointmentsForUpdate(tx *gorm.DB, userIDs []string) (map[appointmentKey]*Appointment, map[appointmentKey][]*Appointment, error) {
	var as []Appointment
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("user_id IN ?", append(userIDs, "00000000-0000-0000-0000-000000000000")).Find(&as).Error
	if err != nil {
		return nil, nil, fmt.Errorf("licensing: appointments: %w", err)
	}
	open, closed := map[appointmentKey]*Appointment{}, map[appointmentKey][]*Appointment{}
	for i := range as {
		a := &as[i]
		k := appointmentKey{a.UserID, a.ClientID, a.Jurisdiction}
		if a.Status == AppointmentTerminated {
			closed[k] = append(closed[k], a)
		} else {
			open[k] = a
		}
	}
	return open, closed, nil
}

// FindAppointment returns an appointment with its names. Errors: not_found.
func (s *Store) FindAppointment(ctx context.Context, id string) (*Appointment, error) {
	var a Appointment
	err := s.db.WithContext(ctx).Table("appointments").Select(appointmentCols).Joins(appointmentJoins).
		Where("appointments.id = ?", id).Take(&a).Error
	if err != nil {
		return nil, db.Translate(err, "appointment")
	}
	return &a, nil
}

// ListAppointments returns the appointments matching f, by client, state,
// agent email.
func (s *Store) ListAppointments(ctx context.Context, f AppointmentFilter) ([]Appointment, error) {
	q := s.db.WithContext(ctx).Table("appointments").Select(appointmentCols).Joins(appointmentJoins)
	if f.UserID != "" {
		q = q.Where("appointments.user_id = ?", f.UserID)
	}
	if f.ClientID != "" {
		q = q.Where("appointments.client_id = ?", f.ClientID)
	}
	if f.clientIDs != nil {
		q = q.Where("appointments.client_id IN ?", append(f.clientIDs, "00000000-0000-0000-0000-000000000000"))
	}
	if f.Jurisdiction != "" {
		q = q.Where("appointments.jurisdiction = ?", f.Jurisdiction)
	}
	if f.Status != "" {
		q = q.Where("appointments.status = ?", f.Status)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	if f.Offset > 0 {
		q = q.Offset(f.Offset)
	}
	as := []Appointment{}
	if err := q.Order("c.name, appointments.jurisdiction, u.email, appointments.created_at, appointments.id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("licensing: list appointments: %w", err)
	}
	return as, nil
}

// AppointmentHistory returns an appointment's events, oldest first.
func (s *Store) AppointmentHistory(ctx context.Context, id string) ([]AppointmentEvent, error) {
	es := []AppointmentEvent{}
	if err := s.db.WithContext(ctx).Where("appointment_id = ?", id).Order("seq").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("licensing: appointment history: %w", err)
	}
	return es, nil
}
