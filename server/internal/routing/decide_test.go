package routing

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func ptr(t time.Time) *time.Time { return &t }

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func certified(expiresIn time.Duration) *CertificationInput {
	return &CertificationInput{State: certCertified, ExpiresAt: ptr(t0.Add(expiresIn))}
}

var insurance = []LicenseRequirement{{Class: "insurance-producer", Lines: []string{"life", "accident-and-health"}, States: []string{"TX", "FL"}}}

func lic(state, status string, lines []string, effective, expiry time.Time) LicenseInput {
	return LicenseInput{Jurisdiction: state, Class: "insurance-producer", Lines: lines, Status: status, EffectiveDate: effective, ExpiryDate: expiry}
}

var both = []string{"life", "accident-and-health"}

// appointed is insurance with an appointment required.
var appointed = []LicenseRequirement{{Class: "insurance-producer", Lines: both, States: []string{"TX", "FL"}, Appointment: true}}

func appt(state, status string, lines []string, effective, ended *time.Time) AppointmentInput {
	return AppointmentInput{Jurisdiction: state, Lines: lines, Status: status, EffectiveDate: effective, TerminationDate: ended}
}

// txLicense is a verified TX license with both lines, in force for 40 days.
func txLicense() []LicenseInput {
	return []LicenseInput{lic("TX", "verified", both, t0.Add(-days(10)), t0.Add(days(40)))}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	base := Input{At: t0, AgentActive: true, Assigned: true, Cert: certified(days(100))}
	with := func(f func(*Input)) Input { in := base; f(&in); return in }
	cases := []struct {
		name     string
		in       Input
		eligible bool
		codes    []string
		until    *time.Time
		covered  []string
	}{
		{"eligible without licenses", base, true, nil, ptr(t0.Add(days(100))), nil},
		{"inactive", with(func(in *Input) { in.AgentActive = false }), false, []string{ReasonAgentInactive}, ptr(t0.Add(days(100))), nil},
		{"not assigned", with(func(in *Input) { in.Assigned = false }), false, []string{ReasonNotAssigned}, ptr(t0.Add(days(100))), nil},
		{"never enrolled", with(func(in *Input) { in.Cert = nil }), false, []string{ReasonNotCertified}, nil, nil},
		{"in training", with(func(in *Input) { in.Cert = &CertificationInput{State: certInTraining} }), false, []string{ReasonNotCertified}, nil, nil},
		{"revoked", with(func(in *Input) { in.Cert = &CertificationInput{State: certRevoked} }), false, []string{ReasonCertificationRevoked}, nil, nil},
		{"expired state", with(func(in *Input) { in.Cert = &CertificationInput{State: certExpired} }), false, []string{ReasonCertificationExpired}, nil, nil},
		{"certified but past expiry (job not run yet)", with(func(in *Input) { in.Cert = certified(-time.Second) }), false, []string{ReasonCertificationExpired}, nil, nil},
		{"expiry instant is exclusive", with(func(in *Input) { in.Cert = certified(0) }), false, []string{ReasonCertificationExpired}, nil, nil},
		{"refresher due, before its due date", with(func(in *Input) {
			in.Cert = &CertificationInput{State: certRefresherDue, ExpiresAt: ptr(t0.Add(days(30))), RefresherDueAt: ptr(t0.Add(days(7)))}
		}), true, nil, ptr(t0.Add(days(7))), nil},
		{"refresher overdue", with(func(in *Input) {
			in.Cert = &CertificationInput{State: certRefresherDue, ExpiresAt: ptr(t0.Add(days(30))), RefresherDueAt: ptr(t0)}
		}), false, []string{ReasonRefresherOverdue}, nil, nil},
		{"several reasons at once", with(func(in *Input) { in.AgentActive, in.Assigned, in.Cert = false, false, nil }), false,
			[]string{ReasonAgentInactive, ReasonNotAssigned, ReasonNotCertified}, nil, nil},

		{"licensed for the caller's state", with(func(in *Input) {
			in.CallerState, in.Requirements = "tx", insurance
			in.Licenses = []LicenseInput{lic("TX", "verified", both, t0.Add(-days(10)), t0.Add(days(40)))}
		}), true, nil, ptr(t0.Add(days(40))), nil},
		{"caller state the program does not license", with(func(in *Input) {
			in.CallerState, in.Requirements = "NY", insurance
		}), true, nil, ptr(t0.Add(days(100))), nil},
		{"no license for the state", with(func(in *Input) {
			in.CallerState, in.Requirements = "FL", insurance
			in.Licenses = []LicenseInput{lic("TX", "verified", both, t0.Add(-days(10)), t0.Add(days(40)))}
		}), false, []string{ReasonLicenseMissing}, ptr(t0.Add(days(100))), nil},
		{"pending license", with(func(in *Input) {
			in.CallerState, in.Requirements = "TX", insurance
			in.Licenses = []LicenseInput{lic("TX", "pending", both, t0.Add(-days(10)), t0.Add(days(40)))}
		}), false, []string{ReasonLicenseUnverified}, ptr(t0.Add(days(100))), nil},
		{"expired license", with(func(in *Input) {
			in.CallerState, in.Requirements = "TX", insurance
			in.Licenses = []LicenseInput{lic("TX", "verified", both, t0.Add(-days(400)), t0)}
		}), false, []string{ReasonLicenseExpired}, ptr(t0.Add(days(100))), nil},
		{"pending renewal beats expired", with(func(in *Input) {
			in.CallerState, in.Requirements = "TX", insurance
			in.Licenses = []LicenseInput{lic("TX", "expired", both, t0.Add(-days(400)), t0.Add(-days(1))), lic("TX", "pending", both, t0, t0.Add(days(700)))}
		}), false, []string{ReasonLicenseUnverified}, ptr(t0.Add(days(100))), nil},
		{"missing a line of authority", with(func(in *Input) {
			in.CallerState, in.Requirements = "TX", insurance
			in.Licenses = []LicenseInput{lic("TX", "verified", []string{"life"}, t0.Add(-days(10)), t0.Add(days(40)))}
		}), false, []string{ReasonLicenseLineMissing}, ptr(t0.Add(days(100))), nil},
		{"license not in effect yet changes the answer later", with(func(in *Input) {
			in.CallerState, in.Requirements = "TX", insurance
			in.Licenses = []LicenseInput{lic("TX", "verified", both, t0.Add(days(3)), t0.Add(days(40)))}
		}), false, []string{ReasonLicenseMissing}, ptr(t0.Add(days(3))), nil},
		{"revoked license counts as missing", with(func(in *Input) {
			in.CallerState, in.Requirements = "TX", insurance
			in.Licenses = []LicenseInput{lic("TX", "revoked", both, t0.Add(-days(10)), t0.Add(days(40)))}
		}), false, []string{ReasonLicenseMissing}, ptr(t0.Add(days(100))), nil},
		{"no caller state: every required state covered", with(func(in *Input) {
			in.Requirements = insurance
			in.Licenses = []LicenseInput{
				lic("TX", "verified", both, t0.Add(-days(10)), t0.Add(days(40))),
				lic("FL", "verified", both, t0.Add(-days(10)), t0.Add(days(20))),
			}
		}), true, nil, ptr(t0.Add(days(20))), []string{"FL", "TX"}},
		{"no caller state: one state uncovered", with(func(in *Input) {
			in.Requirements = insurance
			in.Licenses = []LicenseInput{lic("TX", "verified", both, t0.Add(-days(10)), t0.Add(days(40)))}
		}), false, []string{ReasonLicenseMissing}, ptr(t0.Add(days(40))), []string{"TX"}},
		{"no caller state: nothing covered", with(func(in *Input) { in.Requirements = insurance }), false,
			[]string{ReasonLicenseMissing, ReasonLicenseMissing}, ptr(t0.Add(days(100))), []string{}},

		{"licensed and appointed", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses = "TX", appointed, txLicense()
			in.Appointments = []AppointmentInput{appt("TX", "active", both, ptr(t0.Add(-days(5))), nil)}
		}), true, nil, ptr(t0.Add(days(40))), nil},
		{"licensed, not appointed", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses = "TX", appointed, txLicense()
			in.Appointments = []AppointmentInput{appt("FL", "active", both, ptr(t0.Add(-days(5))), nil)}
		}), false, []string{ReasonAppointmentMissing}, ptr(t0.Add(days(40))), nil},
		{"appointed, not licensed: both named", with(func(in *Input) {
			in.CallerState, in.Requirements = "FL", appointed
			in.Appointments = []AppointmentInput{appt("TX", "active", both, ptr(t0.Add(-days(5))), nil)}
		}), false, []string{ReasonLicenseMissing, ReasonAppointmentMissing}, ptr(t0.Add(days(100))), nil},
		{"appointment only requested", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses = "TX", appointed, txLicense()
			in.Appointments = []AppointmentInput{appt("TX", "requested", both, nil, nil)}
		}), false, []string{ReasonAppointmentMissing}, ptr(t0.Add(days(40))), nil},
		{"appointment effective later changes the answer then", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses = "TX", appointed, txLicense()
			in.Appointments = []AppointmentInput{appt("TX", "active", both, ptr(t0.Add(days(2))), nil)}
		}), false, []string{ReasonAppointmentMissing}, ptr(t0.Add(days(2))), nil},
		{"appointment terminated", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses = "TX", appointed, txLicense()
			in.Appointments = []AppointmentInput{appt("TX", "terminated", both, ptr(t0.Add(-days(50))), ptr(t0.Add(-days(1))))}
		}), false, []string{ReasonAppointmentTerminated}, ptr(t0.Add(days(40))), nil},
		{"termination ahead: in force until then", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses = "TX", appointed, txLicense()
			in.Appointments = []AppointmentInput{appt("TX", "terminated", both, ptr(t0.Add(-days(50))), ptr(t0.Add(days(3))))}
		}), true, nil, ptr(t0.Add(days(3))), nil},
		{"new appointment after a terminated one", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses = "TX", appointed, txLicense()
			in.Appointments = []AppointmentInput{appt("TX", "terminated", both, ptr(t0.Add(-days(50))), ptr(t0.Add(-days(9)))),
				appt("TX", "active", both, ptr(t0.Add(-days(2))), nil)}
		}), true, nil, ptr(t0.Add(days(40))), nil},
		{"appointment lacks a line", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses = "TX", appointed, txLicense()
			in.Appointments = []AppointmentInput{appt("TX", "active", []string{"life"}, ptr(t0.Add(-days(5))), nil)}
		}), false, []string{ReasonAppointmentLineMissing}, ptr(t0.Add(days(40))), nil},
		{"no caller state: covered where licensed and appointed", with(func(in *Input) {
			in.Requirements = appointed
			in.Licenses = []LicenseInput{lic("TX", "verified", both, t0.Add(-days(10)), t0.Add(days(40))),
				lic("FL", "verified", both, t0.Add(-days(10)), t0.Add(days(40)))}
			in.Appointments = []AppointmentInput{appt("TX", "active", both, ptr(t0.Add(-days(5))), nil)}
		}), false, []string{ReasonAppointmentMissing}, ptr(t0.Add(days(40))), []string{"TX"}},
		{"serves only listed states: caller elsewhere", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses, in.ServesOnlyListedStates = "NY", insurance, txLicense(), true
		}), false, []string{ReasonStateNotServed}, ptr(t0.Add(days(100))), nil},
		{"serves only listed states: listed caller", with(func(in *Input) {
			in.CallerState, in.Requirements, in.Licenses, in.ServesOnlyListedStates = "TX", insurance, txLicense(), true
		}), true, nil, ptr(t0.Add(days(40))), nil},
		{"serves only listed states: no caller state", with(func(in *Input) {
			in.Requirements, in.ServesOnlyListedStates = insurance, true
			in.Licenses = []LicenseInput{lic("TX", "verified", both, t0.Add(-days(10)), t0.Add(days(40))),
				lic("FL", "verified", both, t0.Add(-days(10)), t0.Add(days(40)))}
		}), true, nil, ptr(t0.Add(days(40))), []string{"FL", "TX"}},
		{"unlicensed program ignores serving only listed states", with(func(in *Input) {
			in.CallerState, in.ServesOnlyListedStates = "NY", true
		}), true, nil, ptr(t0.Add(days(100))), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.in)
			if d.Eligible != tc.eligible {
				t.Errorf("got eligible=%v, want %v (%+v)", d.Eligible, tc.eligible, d.Reasons)
			}
			var codes []string
			for _, r := range d.Reasons {
				codes = append(codes, r.Code)
				if r.Message == "" {
					t.Errorf("reason %s has no message", r.Code)
				}
			}
			if !reflect.DeepEqual(codes, tc.codes) {
				t.Errorf("got reasons %v, want %v", codes, tc.codes)
			}
			if (d.ValidUntil == nil) != (tc.until == nil) || (d.ValidUntil != nil && !d.ValidUntil.Equal(*tc.until)) {
				t.Errorf("got valid_until %v, want %v", d.ValidUntil, tc.until)
			}
			if !reflect.DeepEqual(d.CoveredStates, tc.covered) {
				t.Errorf("got covered states %v, want %v", d.CoveredStates, tc.covered)
			}
		})
	}
}

func TestDecideNamesStateAndLine(t *testing.T) {
	t.Parallel()
	d := Decide(Input{At: t0, AgentActive: true, Assigned: true, Cert: certified(days(9)), CallerState: "TX", Requirements: insurance,
		Licenses: []LicenseInput{lic("TX", "verified", []string{"life"}, t0.Add(-days(1)), t0.Add(days(9)))}})
	want := Reason{Code: ReasonLicenseLineMissing, State: "TX", Class: "insurance-producer", Line: "accident-and-health"}
	if len(d.Reasons) != 1 || d.Reasons[0].State != want.State || d.Reasons[0].Line != want.Line || d.Reasons[0].Class != want.Class {
		t.Errorf("got %+v, want %+v", d.Reasons, want)
	}
}

func TestRoutableWithAppointments(t *testing.T) {
	t.Parallel()
	// Licensed and appointed in TX, only licensed in FL: routable (TX).
	d := Decide(Input{At: t0, AgentActive: true, Assigned: true, Cert: certified(days(9)), Requirements: appointed,
		Licenses:     []LicenseInput{lic("TX", "verified", both, t0.Add(-days(1)), t0.Add(days(9))), lic("FL", "verified", both, t0.Add(-days(1)), t0.Add(days(9)))},
		Appointments: []AppointmentInput{appt("TX", "active", both, ptr(t0.Add(-days(1))), nil)}})
	if !Routable(d, true) || d.Eligible {
		t.Errorf("got routable %v eligible %v (%v), want routable, not eligible everywhere", Routable(d, true), d.Eligible, d.Reasons)
	}
	// Licensed in both, appointed nowhere: not routable.
	d = Decide(Input{At: t0, AgentActive: true, Assigned: true, Cert: certified(days(9)), Requirements: appointed,
		Licenses: []LicenseInput{lic("TX", "verified", both, t0.Add(-days(1)), t0.Add(days(9)))}})
	if Routable(d, true) {
		t.Errorf("got routable without any appointment: %v", d.Reasons)
	}
}
