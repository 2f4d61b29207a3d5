package licensing_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/licensing"
)

// Completing a module the CE library approves as a course records its
// credit once in each approved state where the agent holds a license, on
// the day of the latest completion; completing it again later earns it
// again, in the same job, once.
func TestCEModuleCourseCredits(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo() // larkspur-life/sales-compliance is approved in TX and FL: 2 hours of ethics
	agent := env.User("ana@x.test", auth.RoleAgent)
	env.User("compliance@x.test", auth.RoleCompliance)
	officer := env.Login("compliance@x.test")
	l := submit(t, env, officer, lic("TX", "TX-9", map[string]any{"user_id": agent.ID}))
	verify(t, env, officer, l.ID)
	submit(t, env, officer, lic("GA", "GA-9", map[string]any{"user_id": agent.ID})) // not an approved state: no credit
	var moduleID string
	env.DB.Raw(`SELECT m.id::text FROM modules m JOIN clients c ON c.id = m.client_id WHERE c.slug = 'larkspur-life' AND m.slug = 'sales-compliance'`).Scan(&moduleID)
	complete := func(version int, at time.Time) {
		t.Helper()
		if err := env.DB.Exec(`INSERT INTO module_progress (user_id, module_id, version, opened_at, completed_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (user_id, module_id, version) DO UPDATE SET completed_at = EXCLUDED.completed_at`, agent.ID, moduleID, version, at, at).Error; err != nil {
			t.Fatal(err)
		}
	}
	run := func(want int) {
		t.Helper()
		n, err := env.App.Licensing.RunCECourseCredits(context.Background())
		if err != nil || n != want {
			t.Fatalf("course credits: got %d %v, want %d", n, err, want)
		}
	}
	run(0) // nothing completed yet
	first := env.Clock.Now().Add(-48 * time.Hour)
	complete(1, first)
	run(1)
	run(0)
	var rows []string
	env.DB.Raw(`SELECT jurisdiction || ' ' || hours::text || ' ' || category || ' ' || approval_number || ' ' || source || ' ' || (module_id IS NOT NULL)::text || ' ' || title
FROM ce_credits WHERE user_id = ? ORDER BY completed_on`, agent.ID).Scan(&rows)
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "TX 2.00 ethics SAMPLE-LL-0002 course true ") {
		t.Fatalf("credits: got %v, want one TX credit of 2 hours of ethics from the module", rows)
	}
	if n := env.AuditCount("ce.credit.course"); n != 1 {
		t.Errorf("audit: got %d, want 1", n)
	}
	// The credit counts on the TX license's standing, in its category.
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/ce/standing?user_id=" + agent.ID, Token: officer})
	var body struct{ Standings []ceStanding }
	res.JSON(t, &body)
	for _, s := range body.Standings {
		if s.License.ID == l.ID && (s.Earned != 2 || len(s.Categories) != 1 || s.Categories[0].Earned != 2) {
			t.Errorf("TX standing: got %+v, want 2 hours earned, of ethics", s)
		}
	}
	// Completed again (a later reading): credited again, once.
	env.Clock.Advance(400 * 24 * time.Hour)
	complete(1, env.Clock.Now())
	run(1)
	run(0)
	if n := env.AuditCount("ce.credit.course"); n != 2 {
		t.Errorf("audit after the second completion: got %d, want 2", n)
	}
}

// Compliance maintains the CE requirements in the app: field errors, audit,
// the standing follows, the export reads back as the same library, an
// import of the unchanged file keeps the edits and a changed file replaces
// them (the audit keeps what it replaced).
func TestCERequirementEditing(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	root := apitest.RepoRoot()
	content := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(content, os.DirFS(filepath.Join(root, "content"))); err != nil {
		t.Fatal(err)
	}
	quizzes := filepath.Join(root, "quizzes")
	env.Import(content, quizzes)
	agent := env.User("ana@x.test", auth.RoleAgent)
	env.User("compliance@x.test", auth.RoleCompliance)
	env.User("admin@x.test", auth.RoleAdmin)
	officer, admin, anaTok := env.Login("compliance@x.test"), env.Login("admin@x.test"), env.Login("ana@x.test")
	getLibrary := func() licensing.CELibrary {
		t.Helper()
		var lib licensing.CELibrary
		res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/ce/library", Token: env.Login("compliance@x.test")})
		if res.Status != 200 {
			t.Fatalf("library: got %d %s", res.Status, res.Body)
		}
		res.JSON(t, &lib)
		return lib
	}
	requirement := func(lib licensing.CELibrary, state string) licensing.CERequirement {
		for _, r := range lib.Requirements {
			if r.State == state {
				return r
			}
		}
		return licensing.CERequirement{}
	}
	put := func(token, path string, body any) *apitest.Response {
		return env.Do(apitest.Request{Method: "PUT", Path: "/api/v1/ce/requirements/" + path, Token: token, Body: body})
	}
	valid := map[string]any{"period_months": 24, "hours": 30, "categories": map[string]any{"ethics": 4, "annuities": 2}, "sample": false}

	for _, tc := range []struct {
		name, token, path string
		body              any
		status            int
		fields            []string
	}{
		{"an agent", anaTok, "TX/insurance-producer", valid, 403, nil},
		{"no values", officer, "TX/insurance-producer", map[string]any{}, 400, []string{"period_months", "hours", "sample"}},
		{"bad state and class", officer, "ZZ/Insurance%20Producer", valid, 400, []string{"state", "class"}},
		{"out of range", officer, "TX/insurance-producer", map[string]any{"period_months": 200, "hours": 600, "sample": true}, 400, []string{"period_months", "hours"}},
		{"categories over the total", officer, "TX/insurance-producer", map[string]any{"period_months": 24, "hours": 4,
			"categories": map[string]any{"ethics": 3, "Long Term": 1, "annuities": 2}, "sample": true}, 400, []string{"categories", "categories.Long Term"}},
		{"a category of no hours", officer, "TX/insurance-producer", map[string]any{"period_months": 24, "hours": 4,
			"categories": map[string]any{"ethics": 0}, "sample": true}, 400, []string{"categories.ethics"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := put(tc.token, tc.path, tc.body)
			if res.Status != tc.status {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.status)
			}
			var e struct{ Fields map[string]string }
			res.JSON(t, &e)
			for _, f := range tc.fields {
				if e.Fields[f] == "" {
					t.Errorf("got fields %v, want one for %s", e.Fields, f)
				}
			}
		})
	}
	if n := env.AuditCount("ce.requirement.set"); n != 0 {
		t.Fatalf("refused edits audited: got %d", n)
	}

	// Compliance changes TX (checked: not a sample); an admin adds OK.
	res := put(officer, "tx/insurance-producer", valid)
	if res.Status != 200 {
		t.Fatalf("set TX: got %d %s", res.Status, res.Body)
	}
	var lib licensing.CELibrary
	res.JSON(t, &lib)
	if lib.EditedAt == nil || lib.EditedBy == "" {
		t.Errorf("after an edit: got edited_at %v by %q, want set", lib.EditedAt, lib.EditedBy)
	}
	if res := put(admin, "OK/insurance-producer", map[string]any{"period_months": 24, "hours": 24, "sample": true}); res.Status != 200 {
		t.Fatalf("admin adds OK: got %d %s", res.Status, res.Body)
	}
	if n := env.AuditCount("ce.requirement.set"); n != 2 {
		t.Errorf("audit: got %d ce.requirement.set, want 2", n)
	}
	var before string
	env.DB.Raw(`SELECT before::text FROM audit_log WHERE action = 'ce.requirement.set' AND subject_id = 'TX insurance-producer'`).Scan(&before)
	if !strings.Contains(before, `"hours": 24`) && !strings.Contains(before, `"hours":24`) {
		t.Errorf("audit before: got %s, want the file's 24 hours", before)
	}

	// A TX license's standing reads the edited requirement.
	l := submit(t, env, officer, lic("TX", "TX-1", map[string]any{"user_id": agent.ID}))
	verify(t, env, officer, l.ID)
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/ce/standing", Token: anaTok})
	var body struct{ Standings []ceStanding }
	res.JSON(t, &body)
	if len(body.Standings) != 1 || body.Standings[0].Required != 30 || body.Standings[0].Sample || len(body.Standings[0].Categories) != 2 {
		t.Errorf("standing: got %+v, want 30 hours required, not a sample, two categories", body.Standings)
	}

	// The export reads back as the library held.
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/ce/library/export", Token: officer})
	if res.Status != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), licensing.CEFile) {
		t.Fatalf("export: got %d %v", res.Status, res.Header)
	}
	known := map[string]bool{"larkspur-life/direct-sales": true, "larkspur-life/sales-compliance": true}
	back, ps := licensing.ParseCELibrary("export.yaml", res.Body, known)
	if len(ps) > 0 {
		t.Fatalf("export does not read back: %v\n%s", ps, res.Body)
	}
	lib = getLibrary()
	if len(back.Requirements) != len(lib.Requirements) || len(back.Courses) != len(lib.Courses) || !back.Sample {
		t.Fatalf("export: got %+v, want the library's %d requirements and %d courses", back, len(lib.Requirements), len(lib.Courses))
	}
	for i, r := range back.Requirements {
		w := lib.Requirements[i]
		if r.State != w.State || r.Class != w.Class || r.Hours != w.Hours || r.PeriodMonths != w.PeriodMonths || r.Sample != w.Sample ||
			len(r.Categories) != len(w.Categories) {
			t.Errorf("export requirement %d: got %+v, want %+v", i, r, w)
		}
	}

	// Deleting: once, then not found.
	del := func() int {
		return env.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/ce/requirements/OK/insurance-producer", Token: officer}).Status
	}
	if got := del(); got != 200 {
		t.Errorf("delete: got %d, want 200", got)
	}
	if got := del(); got != 404 {
		t.Errorf("delete again: got %d, want 404", got)
	}

	// The unchanged file imported again keeps the edits.
	env.Import(content, quizzes)
	lib = getLibrary()
	if lib.EditedAt == nil || requirement(lib, "TX").Hours != 30 {
		t.Errorf("after importing the unchanged file: got %+v, want the edits kept", lib)
	}
	// A changed file replaces them; the audit entry keeps them.
	file := filepath.Join(content, licensing.CEFile)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), "{state: AZ, class: insurance-producer, period_months: 24, hours: 24",
		"{state: AZ, class: insurance-producer, period_months: 24, hours: 20", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	env.Import(content, quizzes)
	lib = getLibrary()
	if lib.EditedAt != nil || requirement(lib, "AZ").Hours != 20 || requirement(lib, "TX").Hours != 24 {
		t.Errorf("after importing a changed file: got %+v, want the file's requirements", lib)
	}
	var replaced int
	env.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = 'ce.library.import' AND after ->> 'replaced_app_edits' = 'true'
  AND before::text LIKE '%"hours": 30%'`).Scan(&replaced)
	if replaced != 1 {
		t.Errorf("audit of the replacing import: got %d, want 1 keeping the edited requirements", replaced)
	}
}
