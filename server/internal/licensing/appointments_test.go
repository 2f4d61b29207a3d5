package licensing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/outbox"
)

type appointment struct {
	ID              string   `json:"id"`
	UserID          string   `json:"user_id"`
	ClientID        string   `json:"client_id"`
	Jurisdiction    string   `json:"jurisdiction"`
	Lines           []string `json:"lines_of_authority"`
	Status          string   `json:"status"`
	EffectiveDate   *string  `json:"effective_date"`
	TerminationDate *string  `json:"termination_date"`
	Reason          string   `json:"termination_reason"`
	Reference       string   `json:"reference"`
	Email           string   `json:"email"`
	ClientName      string   `json:"client_name"`
}

// appointmentWorld is two carriers, an agent appointed by each, and staff.
type appointmentWorld struct {
	env                        *apitest.Env
	larkspur, fenmore          string
	ana, ben                   *auth.User // agents
	officer                    string     // tokens
	agentAna, agentBen, admin  string
	trainerLark, trainerFen    string
	supervisorLark, supervisor string // supervisor: of both clients
	anaLark, benFen            appointment
}

func newAppointmentWorld(t *testing.T) *appointmentWorld {
	t.Helper()
	env := apitest.New(t)
	env.ImportDemo()
	w := &appointmentWorld{env: env, larkspur: env.ClientID("larkspur-life"), fenmore: env.ClientID("fenmore-bank")}
	w.ana = env.User("ana@x.test", auth.RoleAgent, w.larkspur)
	w.ben = env.User("ben@x.test", auth.RoleAgent, w.fenmore)
	env.User("compliance@x.test", auth.RoleCompliance)
	env.User("admin@x.test", auth.RoleAdmin)
	env.User("trainer-l@x.test", auth.RoleTrainer, w.larkspur)
	env.User("trainer-f@x.test", auth.RoleTrainer, w.fenmore)
	env.User("super-l@x.test", auth.RoleSupervisor, w.larkspur)
	env.User("super@x.test", auth.RoleSupervisor, w.larkspur, w.fenmore)
	w.officer, w.admin = env.Login("compliance@x.test"), env.Login("admin@x.test")
	w.agentAna, w.agentBen = env.Login("ana@x.test"), env.Login("ben@x.test")
	w.trainerLark, w.trainerFen = env.Login("trainer-l@x.test"), env.Login("trainer-f@x.test")
	w.supervisorLark, w.supervisor = env.Login("super-l@x.test"), env.Login("super@x.test")
	w.anaLark = w.record(t, map[string]any{"user_id": w.ana.ID, "client_id": w.larkspur, "jurisdiction": "TX",
		"lines_of_authority": []string{"life", "accident-and-health"}, "status": "active", "effective_date": "2026-01-05", "reference": "LL-TX-1"})
	w.benFen = w.record(t, map[string]any{"email": "ben@x.test", "client_id": w.fenmore, "jurisdiction": "fl",
		"lines_of_authority": []string{"life"}})
	return w
}

// record posts an appointment as compliance, failing unless it is created.
func (w *appointmentWorld) record(t *testing.T, body map[string]any) appointment {
	t.Helper()
	res := w.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/appointments", Token: w.officer, Body: body})
	if res.Status != 201 {
		t.Fatalf("record %v: got %d %s, want 201", body, res.Status, res.Body)
	}
	var a appointment
	res.JSON(t, &a)
	return a
}

func (w *appointmentWorld) list(t *testing.T, token, query string) (int, []appointment) {
	t.Helper()
	res := w.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/appointments" + query, Token: token})
	var body struct{ Appointments []appointment }
	if res.Status == 200 {
		res.JSON(t, &body)
	}
	return res.Status, body.Appointments
}

func ids(as []appointment) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	slices.Sort(out)
	return out
}

// Who sees which appointments: agents their own, trainers and supervisors
// their clients', compliance and admins all; only compliance writes.
func TestAppointmentScoping(t *testing.T) {
	t.Parallel()
	w := newAppointmentWorld(t)
	both := ids([]appointment{w.anaLark, w.benFen})
	cases := []struct {
		name   string
		token  string
		query  string
		status int
		want   []string
	}{
		{"signed out", "", "", 401, nil},
		{"agent sees their own", w.agentAna, "", 200, []string{w.anaLark.ID}},
		{"other agent sees theirs", w.agentBen, "", 200, []string{w.benFen.ID}},
		{"agent may not name another agent", w.agentAna, "?user_id=" + w.ben.ID, 403, nil},
		{"trainer sees their client's", w.trainerLark, "", 200, []string{w.anaLark.ID}},
		{"trainer of the other client", w.trainerFen, "", 200, []string{w.benFen.ID}},
		{"trainer may not name another client", w.trainerFen, "?client_id=" + w.larkspur, 403, nil},
		{"supervisor of one client", w.supervisorLark, "", 200, []string{w.anaLark.ID}},
		{"supervisor of both clients", w.supervisor, "", 200, both},
		{"supervisor filters by client", w.supervisor, "?client_id=" + w.fenmore, 200, []string{w.benFen.ID}},
		{"compliance sees all", w.officer, "", 200, both},
		{"admin sees all", w.admin, "", 200, both},
		{"filter by state", w.officer, "?jurisdiction=tx", 200, []string{w.anaLark.ID}},
		{"filter by status", w.officer, "?status=requested", 200, []string{w.benFen.ID}},
		{"unknown state", w.officer, "?jurisdiction=XX", 400, nil},
	}
	for _, tc := range cases {
		t.Run("list: "+tc.name, func(t *testing.T) {
			status, as := w.list(t, tc.token, tc.query)
			if status != tc.status {
				t.Fatalf("got %d, want %d", status, tc.status)
			}
			if tc.status == 200 && !slices.Equal(ids(as), tc.want) {
				t.Errorf("got %v, want %v", ids(as), tc.want)
			}
		})
	}
	reads := []struct {
		name   string
		token  string
		status int
	}{
		{"its agent", w.agentAna, 200}, {"another agent", w.agentBen, 404}, {"its client's trainer", w.trainerLark, 200},
		{"another client's trainer", w.trainerFen, 404}, {"its client's supervisor", w.supervisorLark, 200},
		{"compliance", w.officer, 200}, {"admin", w.admin, 200},
	}
	for _, tc := range reads {
		t.Run("get: "+tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/appointments/" + w.anaLark.ID, "/api/v1/appointments/" + w.anaLark.ID + "/history"} {
				if res := w.env.Do(apitest.Request{Method: "GET", Path: path, Token: tc.token}); res.Status != tc.status {
					t.Errorf("GET %s: got %d %s, want %d", path, res.Status, res.Body, tc.status)
				}
			}
		})
	}
	body := map[string]any{"user_id": w.ana.ID, "client_id": w.larkspur, "jurisdiction": "GA", "lines_of_authority": []string{"life"}}
	for _, tok := range []string{w.agentAna, w.trainerLark, w.supervisor, w.admin} {
		for _, r := range []apitest.Request{
			{Method: "POST", Path: "/api/v1/appointments", Body: body},
			{Method: "POST", Path: "/api/v1/appointments/" + w.benFen.ID + "/activate", Body: map[string]any{"effective_date": "2026-02-01"}},
			{Method: "POST", Path: "/api/v1/appointments/" + w.anaLark.ID + "/terminate", Body: map[string]any{"reason": "x"}},
			{Method: "POST", Path: "/api/v1/appointments/import", Body: "email,client,jurisdiction,lines_of_authority,status\n", Header: map[string]string{"Content-Type": "text/csv"}},
		} {
			r.Token = tok
			if res := w.env.Do(r); res.Status != 403 {
				t.Errorf("%s by a non-officer: got %d %s, want 403", r.Path, res.Status, res.Body)
			}
		}
	}
}

func TestAppointmentLifecycle(t *testing.T) {
	t.Parallel()
	w := newAppointmentWorld(t)
	env := w.env
	if w.benFen.Status != "requested" || w.benFen.Jurisdiction != "FL" || w.benFen.UserID != w.ben.ID || w.benFen.EffectiveDate != nil {
		t.Fatalf("got %+v, want a requested FL appointment of ben", w.benFen)
	}
	bad := []struct {
		name  string
		path  string
		body  map[string]any
		code  string
		field string
	}{
		{"unknown client", "/api/v1/appointments", map[string]any{"user_id": w.ana.ID, "client_id": "00000000-0000-0000-0000-000000000001",
			"jurisdiction": "TX", "lines_of_authority": []string{"life"}}, "invalid", "client_id"},
		{"bad state", "/api/v1/appointments", map[string]any{"user_id": w.ana.ID, "client_id": w.larkspur,
			"jurisdiction": "Texas", "lines_of_authority": []string{"life"}}, "invalid", "jurisdiction"},
		{"active without a date", "/api/v1/appointments", map[string]any{"user_id": w.ana.ID, "client_id": w.larkspur,
			"jurisdiction": "GA", "lines_of_authority": []string{"life"}, "status": "active"}, "invalid", "effective_date"},
		{"no lines", "/api/v1/appointments", map[string]any{"user_id": w.ana.ID, "client_id": w.larkspur,
			"jurisdiction": "GA", "lines_of_authority": []string{}}, "invalid", "lines_of_authority"},
		{"unknown agent", "/api/v1/appointments", map[string]any{"email": "nobody@x.test", "client_id": w.larkspur,
			"jurisdiction": "GA", "lines_of_authority": []string{"life"}}, "invalid", "email"},
		{"second open appointment", "/api/v1/appointments", map[string]any{"user_id": w.ana.ID, "client_id": w.larkspur,
			"jurisdiction": "TX", "lines_of_authority": []string{"life"}}, "conflict", ""},
		{"activate an active one", "/api/v1/appointments/" + w.anaLark.ID + "/activate", map[string]any{"effective_date": "2026-02-01"}, "conflict", ""},
		{"activate without a date", "/api/v1/appointments/" + w.benFen.ID + "/activate", map[string]any{}, "invalid", ""},
		{"terminate without a reason", "/api/v1/appointments/" + w.anaLark.ID + "/terminate", map[string]any{}, "invalid", ""},
		{"terminate before it took effect", "/api/v1/appointments/" + w.anaLark.ID + "/terminate",
			map[string]any{"reason": "x", "termination_date": "2025-12-31"}, "invalid", "termination_date"},
	}
	for _, tc := range bad {
		res := env.Do(apitest.Request{Method: "POST", Path: tc.path, Token: w.officer, Body: tc.body, NoValidate: tc.name == "activate without a date" || tc.name == "terminate without a reason"})
		if res.Code() != tc.code || (tc.field != "" && !strings.Contains(string(res.Body), `"`+tc.field+`"`)) {
			t.Errorf("%s: got %d %s, want %s naming %q", tc.name, res.Status, res.Body, tc.code, tc.field)
		}
	}
	// Activate ben's request, then terminate both.
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/appointments/" + w.benFen.ID + "/activate", Token: w.officer,
		Body: map[string]any{"effective_date": "2026-02-01", "reference": "FB-FL-7"}})
	var a appointment
	res.JSON(t, &a)
	if res.Status != 200 || a.Status != "active" || a.EffectiveDate == nil || *a.EffectiveDate != "2026-02-01" || a.Reference != "FB-FL-7" {
		t.Fatalf("activate: got %d %s", res.Status, res.Body)
	}
	res = env.Do(apitest.Request{Method: "POST", Path: "/api/v1/appointments/" + w.anaLark.ID + "/terminate", Token: w.officer,
		Body: map[string]any{"reason": "left Larkspur's programs", "termination_date": "2026-12-31"}})
	res.JSON(t, &a)
	if res.Status != 200 || a.Status != "terminated" || a.TerminationDate == nil || *a.TerminationDate != "2026-12-31" || a.Reason != "left Larkspur's programs" {
		t.Fatalf("terminate: got %d %s", res.Status, res.Body)
	}
	if res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/appointments/" + w.anaLark.ID + "/terminate", Token: w.officer,
		Body: map[string]any{"reason": "again"}}); res.Status != 409 {
		t.Errorf("terminate twice: got %d, want 409", res.Status)
	}
	// A new TX appointment may follow the terminated one.
	w.record(t, map[string]any{"user_id": w.ana.ID, "client_id": w.larkspur, "jurisdiction": "TX", "lines_of_authority": []string{"life"}})

	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/appointments/" + w.anaLark.ID + "/history", Token: w.agentAna})
	var hist struct {
		Events []struct{ Action, ToStatus string }
	}
	res.JSON(t, &hist)
	if len(hist.Events) != 2 || hist.Events[0].Action != "record" || hist.Events[1].Action != "terminate" {
		t.Errorf("history: got %s, want record then terminate", res.Body)
	}
	for action, want := range map[string]int{"appointment.record": 1, "appointment.request": 2, "appointment.activate": 1, "appointment.terminate": 1} {
		if n := env.AuditCount(action); n != want {
			t.Errorf("audit %s: got %d, want %d", action, n, want)
		}
	}
	es, err := outbox.After(t.Context(), env.DB, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range es {
		if e.Type == outbox.AppointmentChanged {
			events = append(events, e.Subject)
			if e.ClientID == nil {
				t.Errorf("event %s has no client", e.Subject)
			}
		}
	}
	if len(events) != 5 {
		t.Errorf("got %d appointment.changed events %v, want 5", len(events), events)
	}
}

func TestAppointmentImport(t *testing.T) {
	t.Parallel()
	w := newAppointmentWorld(t)
	env := w.env
	post := func(csv string) *apitest.Response {
		return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/appointments/import", Token: w.officer, Body: csv,
			Header: map[string]string{"Content-Type": "text/csv"}})
	}
	header := "email,client,jurisdiction,lines_of_authority,status,effective_date,termination_date,termination_reason,reference\n"
	bad := header +
		"ana@x.test,larkspur-life,GA,life;accident-and-health,active,2026-02-01,,,LL-GA\n" + // fine
		"nobody@x.test,larkspur-life,FL,life,active,2026-02-01,,,\n" + // unknown agent
		"ana@x.test,no-such-client,FL,life,active,2026-02-01,,,\n" + // unknown client
		"ana@x.test,larkspur-life,ZZ,life,maybe,,,,\n" + // bad state and status
		"ana@x.test,larkspur-life,GA,life,active,2026-02-01,,,\n" + // repeats row 2
		"ana@x.test,larkspur-life,TX,life;accident-and-health,requested,,,,\n" + // TX is active: cannot go back
		"ana@x.test,larkspur-life,NC,life,terminated,2026-01-01,,,\n" // terminated without a date
	res := post(bad)
	var body struct {
		Code   string
		Fields map[string]string
	}
	res.JSON(t, &body)
	want := []string{"row 3.email", "row 4.client", "row 5.jurisdiction", "row 5.status", "row 6.jurisdiction", "row 7.status", "row 8.termination_date"}
	for _, f := range want {
		if body.Fields[f] == "" {
			t.Errorf("no problem reported for %s: %s", f, res.Body)
		}
	}
	if res.Status != 400 || body.Code != "invalid" || body.Fields["row 2.email"] != "" {
		t.Errorf("bad import: got %d %s", res.Status, res.Body)
	}
	if _, as := w.list(t, w.officer, ""); len(as) != 2 {
		t.Errorf("got %d appointments after a bad import, want the 2 from before", len(as))
	}
	good := header +
		"ana@x.test,larkspur-life,GA,life;accident-and-health,active,2026-02-01,,,LL-GA\n" + // new
		"ana@x.test,larkspur-life,TX,accident-and-health;life,active,,,,\n" + // as on record
		"ben@x.test,fenmore-bank,FL,life,active,2026-02-10,,,FB-FL\n" + // activates the request
		"ben@x.test,fenmore-bank,AZ,life,terminated,2025-01-01,2026-01-31,left the program,\n" // a past appointment
	res = post(good)
	var out struct {
		Created, Activated, Terminated, Unchanged int
		Appointments                              []appointment
	}
	res.JSON(t, &out)
	if res.Status != 200 || out.Created != 1 || out.Activated != 1 || out.Terminated != 1 || out.Unchanged != 1 || len(out.Appointments) != 3 {
		t.Fatalf("good import: got %d %s", res.Status, res.Body)
	}
	// Applying the same file again changes nothing.
	res = post(good)
	res.JSON(t, &out)
	if res.Status != 200 || out.Unchanged != 4 || out.Created+out.Activated+out.Terminated != 0 {
		t.Errorf("re-import: got %d %s, want 4 unchanged", res.Status, res.Body)
	}
	_, as := w.list(t, w.officer, "?user_id="+w.ben.ID)
	statuses := map[string]string{}
	for _, a := range as {
		statuses[a.Jurisdiction] = a.Status
	}
	if statuses["FL"] != "active" || statuses["AZ"] != "terminated" {
		t.Errorf("ben's appointments: got %v, want FL active and AZ terminated", statuses)
	}
}
