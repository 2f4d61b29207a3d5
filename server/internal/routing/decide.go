// Package routing is the gate: it answers the routing system's question
// "may agent A take a contact for program P (caller in state S) now?", keeps
// the agents' queue assignments, and tells subscribers when answers change.
//
// Decide is the one place where eligibility is decided; everything else in
// this package loads its inputs or reports its answers.
package routing

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Reason codes, stable for machines.
const (
	ReasonAgentInactive        = "agent_inactive"
	ReasonNotAssigned          = "not_assigned"
	ReasonNotCertified         = "not_certified"
	ReasonRefresherOverdue     = "refresher_overdue"
	ReasonCertificationExpired = "certification_expired"
	ReasonCertificationRevoked = "certification_revoked"
	ReasonLicenseMissing       = "license_missing"
	ReasonLicenseUnverified    = "license_unverified"
	ReasonLicenseExpired       = "license_expired"
	ReasonLicenseLineMissing   = "license_line_missing"
	// ReasonAppointmentMissing: the requirement needs an appointment with
	// the program's client in the state, and none is in force (none at all,
	// only requested, or effective later).
	ReasonAppointmentMissing = "appointment_missing"
	// ReasonAppointmentTerminated: the client's appointment in the state
	// was terminated and no other is in force.
	ReasonAppointmentTerminated = "appointment_terminated"
	// ReasonAppointmentLineMissing: an appointment is in force in the state
	// but without a line of authority the requirement needs.
	ReasonAppointmentLineMissing = "appointment_line_missing"
	// ReasonStateNotServed: the program serves only the states its license
	// requirements list, and the caller's state is not one of them.
	ReasonStateNotServed = "state_not_served"
)

// Certification states, as the certification package names them.
const (
	certInTraining   = "in_training"
	certCertified    = "certified"
	certRefresherDue = "refresher_due"
	certExpired      = "expired"
	certRevoked      = "revoked"
)

// License statuses, as the licensing package names them.
const licenseVerified = "verified"

// Appointment statuses, as the licensing package names them.
const (
	appointmentRequested  = "requested"
	appointmentTerminated = "terminated"
)

// CertificationInput is the agent's certification for the program.
type CertificationInput struct {
	State string
	// ExpiresAt is when the certification lapses (certified, refresher_due).
	ExpiresAt *time.Time
	// RefresherDueAt is when a due refresher must be done by (refresher_due).
	RefresherDueAt *time.Time
}

// LicenseRequirement is one of the program's license requirements: a class
// and lines of authority, needed for callers in the listed states.
type LicenseRequirement struct {
	Class  string
	Lines  []string
	States []string
	// Appointment: an active appointment with the program's client in the
	// state, covering Lines, is needed too.
	Appointment bool
}

// LicenseInput is one license the agent holds, in any status.
type LicenseInput struct {
	Jurisdiction  string
	Class         string
	Lines         []string
	Status        string
	EffectiveDate time.Time
	ExpiryDate    time.Time // the license is valid before this instant
}

// AppointmentInput is one of the agent's appointments with the program's
// client, in any status.
type AppointmentInput struct {
	Jurisdiction string
	Lines        []string
	Status       string
	// EffectiveDate is when the appointment takes effect (nil while requested).
	EffectiveDate *time.Time
	// TerminationDate is the first day it no longer holds (terminated only).
	TerminationDate *time.Time
}

// inForce reports whether the appointment holds at the instant: active or
// terminated, effective, and before its termination date.
func (a *AppointmentInput) inForce(at time.Time) bool {
	return a.Status != appointmentRequested && a.EffectiveDate != nil && !at.Before(*a.EffectiveDate) &&
		(a.TerminationDate == nil || at.Before(*a.TerminationDate))
}

// Input is everything Decide needs, loaded by the caller at one instant.
type Input struct {
	At           time.Time
	CallerState  string // "" when the routing system did not say
	AgentActive  bool
	Assigned     bool
	Cert         *CertificationInput // nil when the agent was never enrolled
	Requirements []LicenseRequirement
	// ServesOnlyListedStates: the program serves only the states its
	// requirements list; a caller from another state is not eligible.
	ServesOnlyListedStates bool
	Licenses               []LicenseInput
	// Appointments are the agent's appointments with the program's client.
	Appointments []AppointmentInput
	// states is requiredStates without a caller state, when the caller
	// worked it out once for many agents of a program (a roster); nil
	// otherwise.
	states []string
}

// Reason is one machine-readable reason an agent is not eligible.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	State   string `json:"state,omitempty"`
	Class   string `json:"class,omitempty"`
	Line    string `json:"line,omitempty"`
}

// Decision is the gate's answer.
type Decision struct {
	Eligible bool     `json:"eligible"`
	Reasons  []Reason `json:"reasons"`
	// ValidUntil is the earliest moment the answer can change by itself
	// (a certification or license expiring, a refresher falling due, a
	// license taking effect); nil when nothing scheduled can change it.
	ValidUntil *time.Time `json:"valid_until"`
	// CoveredStates lists, for a program that needs licenses, the caller
	// states this agent may serve now (so the ACD can route by state).
	CoveredStates []string `json:"covered_states,omitempty"`
}

// Decide applies the rules: an active agent, assigned to the program, with
// a current certification (a due refresher counts until its due date), and
// for every license requirement that applies to the caller's state a
// verified license in effect with the class and every line and, when the
// requirement says so, an appointment with the program's client in force in
// that state with every line. A program that serves only its listed states
// refuses callers from other states. Without a caller state, every state
// the program requires must be covered.
func Decide(in Input) Decision {
	d := Decision{Reasons: []Reason{}}
	at := in.At
	until := soonest{after: at}

	if !in.AgentActive {
		d.add(Reason{Code: ReasonAgentInactive, Message: "the agent's account is deactivated"})
	}
	if !in.Assigned {
		d.add(Reason{Code: ReasonNotAssigned, Message: "the agent is not assigned to this program's queue"})
	}
	decideCertification(in.Cert, at, &d, &until)
	decideLicenses(in, &d, &until)

	d.Eligible = len(d.Reasons) == 0
	d.ValidUntil = until.get()
	return d
}

// soonest keeps the earliest of the instants it is given that fall after
// a moment: when an answer decided at that moment changes by itself.
// Deciding a roster of thousands of agents keeps one per agent instead of
// collecting every instant in slices.
type soonest struct {
	after, t time.Time
	set      bool
}

func (s *soonest) add(t time.Time) {
	if t.After(s.after) && (!s.set || t.Before(s.t)) {
		s.t, s.set = t, true
	}
}

// get is the earliest instant added after the moment, or nil.
func (s *soonest) get() *time.Time {
	if !s.set {
		return nil
	}
	t := s.t
	return &t
}

func (d *Decision) add(r Reason) { d.Reasons = append(d.Reasons, r) }

// decideCertification adds the certification's reasons and the instants at
// which its answer changes by itself.
func decideCertification(c *CertificationInput, at time.Time, d *Decision, until *soonest) {
	if c == nil || c.State == certInTraining {
		d.add(Reason{Code: ReasonNotCertified, Message: "the agent has not been certified for this program"})
		return
	}
	switch c.State {
	case certRevoked:
		d.add(Reason{Code: ReasonCertificationRevoked, Message: "the agent's certification was revoked"})
		return
	case certExpired:
		d.add(Reason{Code: ReasonCertificationExpired, Message: "the agent's certification expired"})
		return
	case certCertified, certRefresherDue:
	default:
		d.add(Reason{Code: ReasonNotCertified, Message: "the certification is in an unknown state " + c.State})
		return
	}
	// Decide by the clock, not only by the stored state: a certification
	// past its expiry fails even before the expiry job has moved it.
	if c.ExpiresAt == nil || !at.Before(*c.ExpiresAt) {
		d.add(Reason{Code: ReasonCertificationExpired, Message: "the agent's certification expired"})
		return
	}
	if c.State == certRefresherDue && c.RefresherDueAt != nil {
		if !at.Before(*c.RefresherDueAt) {
			d.add(Reason{Code: ReasonRefresherOverdue, Message: "the agent's refresher was due and is not done"})
			return
		}
		until.add(*c.RefresherDueAt)
	}
	until.add(*c.ExpiresAt)
}

// requiredStates is the caller states the decision covers: the caller's,
// or every state a requirement names, sorted.
func requiredStates(in Input) []string {
	if in.CallerState != "" {
		return []string{strings.ToUpper(in.CallerState)}
	}
	if in.states != nil {
		return in.states
	}
	if len(in.Requirements) == 1 && sortedUnique(in.Requirements[0].States) {
		return in.Requirements[0].States // only read: no copy needed
	}
	var states []string
	for _, r := range in.Requirements {
		for _, s := range r.States {
			if !slices.Contains(states, s) {
				states = append(states, s)
			}
		}
	}
	sort.Strings(states)
	return states
}

func sortedUnique(xs []string) bool {
	for i := 1; i < len(xs); i++ {
		if xs[i-1] >= xs[i] {
			return false
		}
	}
	return true
}

// decideLicenses adds license reasons for the states that matter and the
// instants at which the licensing answer changes by itself.
func decideLicenses(in Input, d *Decision, until *soonest) {
	if len(in.Requirements) == 0 {
		return
	}
	states := requiredStates(in)
	var covered []string
	for _, state := range states {
		ok := true
		listed := false
		for _, req := range in.Requirements {
			if !slices.Contains(req.States, state) {
				continue
			}
			listed = true
			if !checkRequirement(in.Licenses, req, state, in.At, d, until) {
				ok = false
			}
			if req.Appointment && !checkAppointment(in.Appointments, req, state, in.At, d, until) {
				ok = false
			}
		}
		if !listed && in.ServesOnlyListedStates {
			d.add(Reason{Code: ReasonStateNotServed, State: state,
				Message: "this program serves callers only in the states it lists, not " + state})
			ok = false
		}
		if ok {
			if covered == nil {
				covered = make([]string, 0, len(states))
			}
			covered = append(covered, state)
		}
	}
	if in.CallerState == "" {
		d.CoveredStates = covered
		if covered == nil {
			d.CoveredStates = []string{}
		}
	}
}

// checkRequirement reports whether a license meets req in state at the
// instant; when none does, it adds the reasons for the best near miss. It
// adds the instants at which the answer changes by itself.
func checkRequirement(ls []LicenseInput, req LicenseRequirement, state string, at time.Time, d *Decision, until *soonest) bool {
	candidate := func(l *LicenseInput) bool { return l.Jurisdiction == state && l.Class == req.Class }
	var best *LicenseInput // the first verified license in effect lacking a line
	for i := range ls {
		l := &ls[i]
		if !candidate(l) || l.Status != licenseVerified {
			continue
		}
		if at.Before(l.EffectiveDate) {
			until.add(l.EffectiveDate) // will start to count
			continue
		}
		if !at.Before(l.ExpiryDate) {
			continue
		}
		if len(missingLines(l.Lines, req.Lines)) == 0 {
			until.add(l.ExpiryDate)
			return true
		}
		if best == nil {
			best = l
		}
	}
	if best != nil {
		for _, line := range missingLines(best.Lines, req.Lines) {
			d.add(Reason{Code: ReasonLicenseLineMissing, State: state, Class: req.Class, Line: line,
				Message: "the agent's " + state + " " + req.Class + " license lacks the " + line + " line of authority"})
		}
		return false
	}
	// No license meets the requirement: name the most actionable near miss.
	// A pending or rejected license (compliance can act) comes before an
	// expired one, which comes before none at all.
	code, what := ReasonLicenseMissing, "the agent holds no "+req.Class+" license in effect for "+state
	for i := range ls {
		l := &ls[i]
		if !candidate(l) {
			continue
		}
		switch {
		case l.Status == "pending" || l.Status == "rejected":
			code, what = ReasonLicenseUnverified, "the agent's "+state+" "+req.Class+" license is "+l.Status+", not verified"
		case code == ReasonLicenseMissing && (l.Status == "expired" || (l.Status == licenseVerified && !at.Before(l.ExpiryDate))):
			code, what = ReasonLicenseExpired, "the agent's "+state+" "+req.Class+" license has expired"
		}
	}
	d.add(Reason{Code: code, Message: what, State: state, Class: req.Class, Line: strings.Join(req.Lines, ",")})
	return false
}

// checkAppointment reports whether an appointment with the program's
// client is in force in state at the instant covering req's lines; when
// none is, it adds the reason for the nearest miss. It adds the instants at
// which the answer changes by itself (an appointment taking effect or
// reaching its termination date).
func checkAppointment(as []AppointmentInput, req LicenseRequirement, state string, at time.Time, d *Decision, until *soonest) bool {
	var best *AppointmentInput // the first appointment in force lacking a line
	terminated, requested := false, false
	for i := range as {
		a := &as[i]
		if a.Jurisdiction != state {
			continue
		}
		if a.Status != appointmentRequested && a.EffectiveDate != nil && at.Before(*a.EffectiveDate) {
			until.add(*a.EffectiveDate) // will start to count
		}
		if !a.inForce(at) {
			switch {
			case a.Status == appointmentRequested:
				requested = true
			case a.Status == appointmentTerminated && a.TerminationDate != nil && !at.Before(*a.TerminationDate):
				terminated = true
			}
			continue
		}
		if len(missingLines(a.Lines, req.Lines)) == 0 {
			if a.TerminationDate != nil {
				until.add(*a.TerminationDate)
			}
			return true
		}
		if best == nil {
			best = a
		}
	}
	if best != nil {
		for _, line := range missingLines(best.Lines, req.Lines) {
			d.add(Reason{Code: ReasonAppointmentLineMissing, State: state, Class: req.Class, Line: line,
				Message: "the agent's " + state + " appointment lacks the " + line + " line of authority"})
		}
		return false
	}
	code, what := ReasonAppointmentMissing, "the agent is not appointed by this program's client in "+state
	switch {
	case requested:
		what = "the agent's appointment by this program's client in " + state + " is requested, not yet active"
	case terminated:
		code, what = ReasonAppointmentTerminated, "the agent's appointment by this program's client in "+state+" was terminated"
	}
	d.add(Reason{Code: code, Message: what, State: state, Class: req.Class, Line: strings.Join(req.Lines, ",")})
	return false
}

func missingLines(have, need []string) []string {
	var out []string
	for _, n := range need {
		if !slices.Contains(have, n) {
			out = append(out, n)
		}
	}
	return out
}

// Routable reports whether a decision made without a caller state leaves the
// agent routable somewhere: eligible, or, for a program that needs licenses,
// failing only license (and appointment) requirements while covered for at least one of the
// states the program requires. An assignment is accepted, and stays active,
// on this answer; the ACD still asks per caller state.
func Routable(d Decision, needsLicenses bool) bool {
	if d.Eligible {
		return true
	}
	if !needsLicenses || len(d.CoveredStates) == 0 {
		return false
	}
	for _, r := range d.Reasons {
		switch r.Code {
		case ReasonLicenseMissing, ReasonLicenseUnverified, ReasonLicenseExpired, ReasonLicenseLineMissing,
			ReasonAppointmentMissing, ReasonAppointmentTerminated, ReasonAppointmentLineMissing:
		default:
			return false
		}
	}
	return true
}
