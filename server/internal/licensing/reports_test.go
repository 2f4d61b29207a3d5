package licensing_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/licensing"
)

const day = 24 * time.Hour

func TestExpiringReportAndExpiryJob(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.User("agent@x.test", auth.RoleAgent)
	env.User("compliance@x.test", auth.RoleCompliance)
	agent := env.Login("agent@x.test")
	officer := env.Login("compliance@x.test")
	today := apitest.Start.Truncate(day)
	ids := map[int]string{}
	for i, offset := range []int{30, 31, 60, 90, 91} {
		jur := []string{"TX", "FL", "GA", "NC", "AZ"}[i]
		l := submit(t, env, agent, lic(jur, jur+"-1", map[string]any{"expiry_date": today.AddDate(0, 0, offset).Format("2006-01-02")}))
		verify(t, env, officer, l.ID)
		ids[offset] = l.ID
	}
	submit(t, env, agent, lic("CA", "CA-1", map[string]any{"expiry_date": today.AddDate(0, 0, 10).Format("2006-01-02")})) // pending: not in the report

	expiring := func(days string) []int {
		t.Helper()
		res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/licenses-expiring?days=" + days, Token: officer})
		if res.Status != 200 {
			t.Fatalf("days=%s: got %d %s, want 200", days, res.Status, res.Body)
		}
		var body struct {
			Licenses []struct {
				DaysLeft int `json:"days_left"`
			}
		}
		res.JSON(t, &body)
		var out []int
		for _, l := range body.Licenses {
			out = append(out, l.DaysLeft)
		}
		return out
	}
	cases := []struct {
		days string
		want []int
	}{{"30", []int{30}}, {"60", []int{30, 31, 60}}, {"90", []int{30, 31, 60, 90}}}
	for _, tc := range cases {
		if got := expiring(tc.days); !equal(got, tc.want) {
			t.Errorf("days=%s: got %v, want %v", tc.days, got, tc.want)
		}
	}
	if res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/licenses-expiring?days=45", Token: officer}); res.Status != 400 {
		t.Errorf("days=45: got %d, want 400", res.Status)
	}
	if res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/licenses-expiring?days=30", Token: agent}); res.Status != 403 {
		t.Errorf("agent: got %d, want 403", res.Status)
	}

	// One second before the 30-day license's expiry date it still counts.
	env.Clock.Set(today.AddDate(0, 0, 30).Add(-time.Second))
	officer = env.Login("compliance@x.test") // access tokens do not outlive the jump
	if n, err := env.App.Licensing.RunOnce(t.Context()); err != nil || n != 0 {
		t.Fatalf("before expiry: got %d, %v, want 0 expired", n, err)
	}
	cov, err := env.App.Licensing.Coverage(t.Context(), mustGet(t, env, officer, ids[30]).UserID, env.Clock.Now())
	if err != nil || cov.Check("TX", "insurance-producer", []string{"life"}).Reason != "" {
		t.Fatalf("before expiry: got %+v, %v, want TX covered", cov, err)
	}
	if got := expiring("30"); !equal(got, []int{1, 2}) {
		t.Errorf("a day before: got %v, want [1 2] (the 30- and 31-day licenses)", got)
	}

	env.Clock.Advance(time.Second)
	officer = env.Login("compliance@x.test")
	n, err := env.App.Licensing.RunOnce(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("at expiry: got %d, %v, want 1 expired", n, err)
	}
	if l := mustGet(t, env, officer, ids[30]); l.Status != "expired" {
		t.Errorf("got %s, want expired", l.Status)
	}
	if n, _ := env.App.Licensing.RunOnce(t.Context()); n != 0 {
		t.Errorf("second run: got %d, want 0", n)
	}
	var actor string
	if err := env.DB.Raw(`SELECT actor_kind || ':' || actor_id FROM audit_log WHERE action = 'license.expire'`).Scan(&actor).Error; err != nil || actor != "system:license-expiry" {
		t.Errorf("got expire audit actor %q (%v), want system:license-expiry", actor, err)
	}
	if es := licenseEvents(t, env, ids[30]); len(es) != 3 || !strings.Contains(string(es[2].Payload), `"status": "expired"`) && !strings.Contains(string(es[2].Payload), `"status":"expired"`) {
		t.Errorf("got events %v, want submit, verify, expire", es)
	}
	cov, _ = env.App.Licensing.Coverage(t.Context(), cov.UserID, env.Clock.Now())
	if g := cov.Check("TX", "insurance-producer", []string{"life"}); g.Reason != licensing.Lapsed {
		t.Errorf("after expiry: got %+v, want expired", g)
	}
	if got := expiring("30"); !equal(got, []int{1, 30}) {
		t.Errorf("after expiry: got %v, want [1 30] (the 31- and 60-day licenses; the expired one gone)", got)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustGet(t *testing.T, env *apitest.Env, token, id string) license {
	t.Helper()
	var l license
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/licenses/" + id, Token: token})
	if res.Status != 200 {
		t.Fatalf("get %s: got %d %s", id, res.Status, res.Body)
	}
	res.JSON(t, &l)
	return l
}

func TestCoverage(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	agentUser := env.User("agent@x.test", auth.RoleAgent)
	env.User("compliance@x.test", auth.RoleCompliance)
	agent := env.Login("agent@x.test")
	officer := env.Login("compliance@x.test")
	verify(t, env, officer, submit(t, env, agent, lic("TX", "TX-1", nil)).ID)
	verify(t, env, officer, submit(t, env, agent, lic("GA", "GA-1", map[string]any{"lines_of_authority": []string{"life"}})).ID)
	verify(t, env, officer, submit(t, env, agent, lic("AZ", "AZ-1", map[string]any{"effective_date": "2026-04-01"})).ID)
	submit(t, env, agent, lic("FL", "FL-1", nil))
	nc := submit(t, env, agent, lic("NC", "NC-1", nil))
	env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses/" + nc.ID + "/reject", Token: officer, Body: map[string]string{"note": "wrong number"}})

	cov, err := env.App.Licensing.Coverage(t.Context(), agentUser.ID, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	need := []string{"life", "accident-and-health"}
	cases := []struct {
		state, class string
		want         licensing.Standing
		missing      int
	}{
		{"TX", "insurance-producer", "", 0},
		{"GA", "insurance-producer", licensing.LinesMissing, 1},
		{"AZ", "insurance-producer", licensing.NotEffective, 2},
		{"FL", "insurance-producer", licensing.Unverified, 2},
		{"NC", "insurance-producer", licensing.WasRejected, 2},
		{"OH", "insurance-producer", licensing.Missing, 2},
		{"TX", "securities", licensing.Missing, 2},
	}
	for _, tc := range cases {
		g := cov.Check(tc.state, tc.class, need)
		if g.Reason != tc.want || len(g.MissingLines) != tc.missing {
			t.Errorf("%s %s: got %+v, want %q with %d missing lines", tc.state, tc.class, g, tc.want, tc.missing)
		}
	}
	if len(cov.Jurisdictions) != 5 || cov.Jurisdictions[0].Jurisdiction != "AZ" {
		t.Errorf("got %d jurisdictions starting %+v, want 5 sorted", len(cov.Jurisdictions), cov.Jurisdictions)
	}
	// In April the AZ license takes effect.
	cov, _ = env.App.Licensing.Coverage(t.Context(), agentUser.ID, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if g := cov.Check("AZ", "insurance-producer", need); !g.Met() {
		t.Errorf("AZ in April: got %+v, want covered", g)
	}
}

func TestGapReportAndCSV(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo()
	agentUser := env.User("agent@x.test", auth.RoleAgent)
	agentUser.DisplayName = "Ada Okoro" // the reports name the holder
	if err := env.DB.Exec(`UPDATE users SET display_name = ? WHERE id = ?`, agentUser.DisplayName, agentUser.ID).Error; err != nil {
		t.Fatal(err)
	}
	env.User("compliance@x.test", auth.RoleCompliance)
	agent := env.Login("agent@x.test")
	officer := env.Login("compliance@x.test")
	program := env.ProgramID("larkspur-life", "direct-sales")
	now := env.Clock.Now()
	err := env.DB.Exec(`INSERT INTO certifications (id, user_id, program_id, state, enrolled_at, enrolled_by, certified_at, updated_at)
		VALUES (gen_random_uuid(), ?, ?, 'certified', ?, 'test', ?, ?)`, agentUser.ID, program, now, now, now).Error
	if err != nil {
		t.Fatal(err)
	}
	verify(t, env, officer, submit(t, env, agent, lic("TX", "TX-1", map[string]any{"evidence": "=HYPERLINK(\"http://x\")"})).ID)
	submit(t, env, agent, lic("FL", "FL-1", map[string]any{"evidence": "=1+1, \"quoted\""}))

	var body struct {
		Gaps []struct {
			UserID       string   `json:"user_id"`
			Program      string   `json:"program"`
			Class        string   `json:"class"`
			States       []string `json:"states"`
			Reason       string   `json:"reason"`
			MissingLines []string `json:"missing_lines"`
		}
	}
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/license-gaps", Token: officer})
	res.JSON(t, &body)
	got := map[string]string{}
	for _, g := range body.Gaps {
		if g.UserID != agentUser.ID || g.Class != "insurance-producer" || len(g.MissingLines) != 2 {
			t.Errorf("got gap %+v, want the agent's insurance-producer gap with both lines missing", g)
		}
		got[g.Reason] = strings.Join(g.States, ",")
	}
	if len(got) != 2 || got["unverified"] != "FL" || got["missing"] != "GA,NC,AZ" {
		t.Errorf("got gaps %v, want FL unverified and GA,NC,AZ missing", got)
	}

	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/license-gaps?format=csv", Token: officer})
	recs := readCSV(t, res)
	if len(recs) != 3 || recs[0][0] != "email" || recs[1][7] == "" || recs[0][len(recs[0])-1] != "name" || recs[1][len(recs[1])-1] != agentUser.DisplayName {
		t.Errorf("got gap CSV %v, want a header and 2 rows, the agent's name (%q) last", recs, agentUser.DisplayName)
	}

	// The queue as CSV by Accept header: formulas neutralized, quotes and commas escaped.
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/license-queue", Token: officer, Header: map[string]string{"Accept": "text/csv"}})
	recs = readCSV(t, res)
	if len(recs) != 2 {
		t.Fatalf("got queue CSV %v, want a header and the FL license", recs)
	}
	evidence := recs[1][len(recs[1])-2]
	if evidence != `'=1+1, "quoted"` {
		t.Errorf("got evidence cell %q, want it neutralized with a leading quote", evidence)
	}
	if name := recs[1][len(recs[1])-1]; recs[0][len(recs[0])-1] != "name" || name != agentUser.DisplayName {
		t.Errorf("got name column %q = %q, want name = the holder's name %q", recs[0][len(recs[0])-1], name, agentUser.DisplayName)
	}
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/licenses-expiring?days=90&format=csv", Token: officer})
	if recs = readCSV(t, res); len(recs) != 1 {
		t.Errorf("got expiring CSV %v, want only the header", recs)
	}
}

func readCSV(t *testing.T, res *apitest.Response) [][]string {
	t.Helper()
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("got %d %s %s, want 200 text/csv", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	recs, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
	if err != nil {
		t.Fatalf("CSV %s: %v", res.Body, err)
	}
	return recs
}

func TestImport(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.User("agent@x.test", auth.RoleAgent)
	env.User("compliance@x.test", auth.RoleCompliance)
	agent := env.Login("agent@x.test")
	officer := env.Login("compliance@x.test")
	header := "email,npn,jurisdiction,license_number,class,lines_of_authority,resident,issue_date,effective_date,expiry_date,ce_hours\n"
	post := func(token, csv string) *apitest.Response {
		return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses/import", Token: token, Body: csv, Header: map[string]string{"Content-Type": "text/csv"}})
	}
	bad := header +
		"agent@x.test,12ab,TX,TX-1,insurance-producer,life;accident-and-health,yes,2025-01-10,2025-01-15,2027-01-31,\n" +
		"nobody@x.test,123,FL,FL-1,insurance-producer,life,no,2025-01-10,2025-01-15,2027-01-31,\n" +
		"agent@x.test,123,GA,GA-1,insurance-producer,life,maybe,2025-01-10,2025-01-15,2024-01-31,x\n" +
		"agent@x.test,123,NC,NC-1,insurance-producer,life,no,2025-01-10,2025-01-15,2027-01-31,\n" +
		"agent@x.test,123,NC,NC-1,insurance-producer,life,no,2025-01-10,2025-01-15,2027-01-31,\n"
	res := post(officer, bad)
	var body struct {
		Message string
		Fields  map[string]string
	}
	res.JSON(t, &body)
	if res.Status != 400 {
		t.Fatalf("bad file: got %d %s, want 400", res.Status, res.Body)
	}
	for _, f := range []string{"row 2.npn", "row 3.email", "row 4.resident", "row 4.expiry_date", "row 4.ce_hours", "row 6.license_number"} {
		if body.Fields[f] == "" {
			t.Errorf("got fields %v, want one for %s", body.Fields, f)
		}
	}
	if _, ok := body.Fields["row 5.license_number"]; ok || !strings.Contains(body.Message, "row 2: npn: ") {
		t.Errorf("got %v / %q, want row 5 clean and the message listing row 2: npn", body.Fields, body.Message)
	}
	var n int
	env.DB.Raw(`SELECT count(*) FROM licenses`).Scan(&n)
	if n != 0 || env.AuditCount("license.submit") != 0 {
		t.Errorf("got %d licenses after a bad import, want 0", n)
	}

	if res := post(agent, header); res.Status != 403 {
		t.Errorf("agent import: got %d, want 403", res.Status)
	}
	good := header +
		"agent@x.test,123,TX,TX-1,insurance-producer,life;accident-and-health,yes,2025-01-10,2025-01-15,2027-01-31,4.5\n" +
		"AGENT@x.test,123,FL,FL-1,insurance-producer,life,no,2025-01-10,2025-01-15,2027-01-31,\n"
	res = post(officer, good)
	var created struct {
		Created  int
		Licenses []license
	}
	res.JSON(t, &created)
	if res.Status != 201 || created.Created != 2 || created.Licenses[0].Status != "pending" || len(created.Licenses[0].Lines) != 2 {
		t.Fatalf("good file: got %d %s, want 201 with 2 pending licenses", res.Status, res.Body)
	}
	if got := env.AuditCount("license.submit"); got != 2 {
		t.Errorf("got %d submit audit rows, want 2", got)
	}
	if res := post(officer, good); res.Status != 400 || !strings.Contains(string(res.Body), "already on record") {
		t.Errorf("again: got %d %s, want 400 naming the licenses already on record", res.Status, res.Body)
	}
}
