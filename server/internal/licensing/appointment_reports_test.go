package licensing_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/licensing"
)

func TestAppointmentReports(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo()
	larkspur, sales := env.ClientID("larkspur-life"), env.ProgramID("larkspur-life", "direct-sales")
	officerUser := env.User("compliance@x.test", auth.RoleCompliance)
	adminUser := env.User("admin@x.test", auth.RoleAdmin)
	env.User("trainer@x.test", auth.RoleTrainer, larkspur)
	officer := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: officerUser.ID, Role: auth.RoleCompliance})
	admin := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: adminUser.ID, Role: auth.RoleAdmin})
	svc := env.App.Licensing
	svc.FilingDeadlines = licensing.FilingDeadlines{Default: 30, ByState: map[string]int{"NC": 10}}
	today := env.Clock.Now().UTC().Format(time.DateOnly)
	both := []string{"life", "accident-and-health"}

	license := func(u *auth.User, state string) string {
		t.Helper()
		res := true
		l, err := svc.Submit(officer, licensing.SubmitInput{UserID: u.ID, NPN: "1234567", Jurisdiction: state,
			LicenseNumber: state + "-" + uuid.NewString()[:6], Class: "insurance-producer", Lines: both, Resident: &res,
			IssueDate: "2025-01-01", EffectiveDate: "2025-01-01", ExpiryDate: "2028-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Verify(officer, l.ID, "ok"); err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	appoint := func(u *auth.User, state, status string) string {
		t.Helper()
		in := licensing.RecordAppointmentInput{UserID: u.ID, ClientID: larkspur, Jurisdiction: state, Lines: both, Status: status}
		if status == "active" {
			in.EffectiveDate = "2025-02-01"
		}
		a, err := svc.RecordAppointment(officer, in)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	assign := func(u *auth.User) {
		t.Helper()
		exp := env.Clock.Now().Add(90 * 24 * time.Hour)
		if err := env.DB.Exec(`INSERT INTO certifications (id, user_id, program_id, state, enrolled_at, enrolled_by, expires_at, updated_at)
VALUES (?, ?, ?, 'certified', now(), 'test', ?, now())`, uuid.NewString(), u.ID, sales, exp).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Routing.Assign(admin, sales, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	ana := env.User("ana@x.test", auth.RoleAgent, larkspur)
	license(ana, "TX")
	license(ana, "GA")
	appoint(ana, "TX", "active")
	gaRequest := appoint(ana, "GA", "requested")
	assign(ana)
	ben := env.User("ben@x.test", auth.RoleAgent, larkspur)
	license(ben, "FL")
	appoint(ben, "FL", "active")
	nc := license(ben, "NC")
	appoint(ben, "NC", "active")
	assign(ben)
	if _, err := svc.Revoke(officer, nc, "board action"); err != nil {
		t.Fatal(err)
	}
	cara := env.User("cara@x.test", auth.RoleAgent, larkspur)
	license(cara, "TX")
	appoint(cara, "TX", "active")
	assign(cara)
	if err := env.App.Routing.Unassign(admin, sales, cara.ID); err != nil {
		t.Fatal(err)
	}

	tok := env.Login("compliance@x.test")
	get := func(path string, v any) *apitest.Response {
		t.Helper()
		res := env.Do(apitest.Request{Method: "GET", Path: path, Token: tok})
		if res.Status != 200 {
			t.Fatalf("GET %s: got %d %s", path, res.Status, res.Body)
		}
		if v != nil {
			res.JSON(t, v)
		}
		return res
	}

	var gaps struct{ Gaps []licensing.AppointmentGap }
	get("/api/v1/reports/appointment-gaps", &gaps)
	if len(gaps.Gaps) != 1 || gaps.Gaps[0].UserID != ana.ID || gaps.Gaps[0].State != "GA" || gaps.Gaps[0].Appointment != "requested" ||
		gaps.Gaps[0].AppointmentID == nil || *gaps.Gaps[0].AppointmentID != gaRequest {
		t.Errorf("gaps: got %+v, want ana's GA appointment, requested", gaps.Gaps)
	}

	var terms struct{ Terminations []licensing.TerminationToFile }
	get("/api/v1/reports/appointment-terminations", &terms)
	got := map[string]string{}
	for _, r := range terms.Terminations {
		got[r.Email+" "+r.Jurisdiction] = r.Reason + " " + dateOf(r.Since) + " " + dateOf(r.FileBy)
	}
	ncBy := env.Clock.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	txBy := env.Clock.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
	want := map[string]string{
		"ben@x.test NC":  "license_lapsed " + today + " " + ncBy,
		"cara@x.test TX": "left_client " + today + " " + txBy,
	}
	if len(got) != len(want) || got["ben@x.test NC"] != want["ben@x.test NC"] || got["cara@x.test TX"] != want["cara@x.test TX"] {
		t.Errorf("terminations: got %v, want %v", got, want)
	}
	if len(terms.Terminations) == 2 && terms.Terminations[0].Jurisdiction != "NC" {
		t.Errorf("terminations: got %s first, want NC (filed by the earlier date)", terms.Terminations[0].Jurisdiction)
	}
	// The clock passes NC's deadline: overdue.
	env.Clock.Advance(11 * 24 * time.Hour)
	tok = env.Login("compliance@x.test")
	get("/api/v1/reports/appointment-terminations", &terms)
	if len(terms.Terminations) == 0 || !terms.Terminations[0].Overdue || terms.Terminations[1].Overdue {
		t.Errorf("after 11 days: got %+v, want NC overdue and TX not", terms.Terminations)
	}

	var counts struct{ Counts []licensing.AppointmentCount }
	get("/api/v1/reports/appointment-counts", &counts)
	c := map[string][3]int{}
	for _, r := range counts.Counts {
		c[r.State] = [3]int{r.Requested, r.Active, r.Terminated}
	}
	if len(c) != 4 || c["TX"] != [3]int{0, 2, 0} || c["GA"] != [3]int{1, 0, 0} || c["FL"] != [3]int{0, 1, 0} || c["NC"] != [3]int{0, 1, 0} {
		t.Errorf("counts: got %v", c)
	}

	res := get("/api/v1/reports/appointment-terminations?format=csv", nil)
	lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "email,name,user_id,client,") || !strings.Contains(lines[1], "license_lapsed") {
		t.Errorf("csv: got %s", res.Body)
	}
	for _, who := range []string{"trainer@x.test", "ana@x.test"} {
		for _, path := range []string{"/api/v1/reports/appointment-gaps", "/api/v1/reports/appointment-terminations", "/api/v1/reports/appointment-counts"} {
			if res := env.Do(apitest.Request{Method: "GET", Path: path, Token: env.Login(who)}); res.Status != 403 {
				t.Errorf("%s GET %s: got %d, want 403", who, path, res.Status)
			}
		}
	}
}

func dateOf(d *licensing.Date) string {
	if d == nil {
		return "-"
	}
	return d.String()
}

func TestParseFilingDeadlines(t *testing.T) {
	t.Parallel()
	f, err := licensing.ParseFilingDeadlines("45, fl=15,TX=30")
	if err != nil || f.Days("FL") != 15 || f.Days("TX") != 30 || f.Days("GA") != 45 {
		t.Errorf("got %+v %v", f, err)
	}
	for _, bad := range []string{"", "0", "400", "30,XX=1", "30,FL=0", "30,40"} {
		if _, err := licensing.ParseFilingDeadlines(bad); err == nil {
			t.Errorf("%q: got no error", bad)
		}
	}
}
