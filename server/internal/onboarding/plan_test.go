package onboarding_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/onboarding"
)

// editPlan imports the testdata library with its program's onboarding plan
// edited by replacing old with new in program.yaml.
func (f *fixture) editPlan(t *testing.T, edits ...[2]string) {
	t.Helper()
	_, content, quizzes := apitest.CopyLibrary(t, "testdata")
	path := filepath.Join(content, "acme", "support", "program.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, e := range edits {
		if !strings.Contains(s, e[0]) {
			t.Fatalf("program.yaml has no %q", e[0])
		}
		s = strings.Replace(s, e[0], e[1], 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	f.env.Import(content, quizzes)
}

// changeLines reads changes as "who change title from→to" lines.
func changeLines(pc onboarding.PlanChanges) string {
	var out []string
	for _, c := range pc.Changes {
		out = append(out, c.Email+" "+c.Change+" "+c.Title+" "+c.FromDue+"→"+c.ToDue)
	}
	return strings.Join(out, "\n")
}

// TestApplyChangedPlan: a program's plan changes after the cohort's members
// got their tasks; the preview lists what would move, for whom, writing
// nothing; applying with the preview's fingerprint writes exactly that,
// audited once; a retry changes nothing; a stale fingerprint is refused.
func TestApplyChangedPlan(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cohort := f.cohort("2026-03-05") // Thursday: plan days 1..5 are Mar 5, 6, 9, 10, 11
	f.member(cohort, "ada@acme.test")
	f.member(cohort, "bo@acme.test")
	base := "/api/v1/cohorts/" + cohort + "/plan-changes"

	var none onboarding.PlanChanges
	f.do(f.trainer, "GET", base, nil, 200, &none)
	if len(none.Changes) != 0 || none.Members != 0 || none.Applied {
		t.Fatalf("before any change: got %+v, want nothing to apply", none)
	}

	// The quiz moves from day 3 to day 5; the role-play leaves the plan.
	f.editPlan(t, [2]string{"{day: 3, quiz: basics}", "{day: 5, quiz: basics}"}, [2]string{"  - {day: 4, roleplay: fee-call}\n", ""})
	tasks := func() int {
		var n int
		f.env.DB.Raw(`SELECT count(*) FROM onboarding_tasks WHERE cohort_id = ?`, cohort).Scan(&n)
		return n
	}
	if got := tasks(); got != 8 {
		t.Fatalf("tasks before applying: got %d, want 8 (the import changes no cohort)", got)
	}
	var preview onboarding.PlanChanges
	f.do(f.trainer, "GET", base, nil, 200, &preview)
	want := "ada@acme.test moved Pass Card basics 2026-03-09→2026-03-11\n" +
		"ada@acme.test removed Play A disputed fee 2026-03-10→\n" +
		"bo@acme.test moved Pass Card basics 2026-03-09→2026-03-11\n" +
		"bo@acme.test removed Play A disputed fee 2026-03-10→"
	if got := changeLines(preview); got != want || preview.Members != 2 || preview.Applied {
		t.Fatalf("preview: got\n%s\n(%d members, applied %v), want\n%s", got, preview.Members, preview.Applied, want)
	}
	if got := tasks(); got != 8 {
		t.Errorf("tasks after the preview: got %d, want 8 (a preview writes nothing)", got)
	}

	res := f.env.Do(apitest.Request{Method: "POST", Path: base + "/apply", Token: f.trainer, Body: map[string]string{"fingerprint": strings.Repeat("0", 32)}})
	if res.Status != 409 || res.Code() != "conflict" {
		t.Errorf("a stale fingerprint: got %d %s, want 409 conflict", res.Status, res.Body)
	}
	res = f.env.Do(apitest.Request{Method: "POST", Path: base + "/apply", Token: f.trainer, Body: map[string]string{"fingerprint": "latest"}})
	if res.Status != 400 || !strings.Contains(string(res.Body), `"fingerprint"`) {
		t.Errorf("a bad fingerprint: got %d %s, want 400 naming fingerprint", res.Status, res.Body)
	}

	var applied onboarding.PlanChanges
	f.do(f.trainer, "POST", base+"/apply", map[string]string{"fingerprint": preview.Fingerprint}, 200, &applied)
	if !applied.Applied || changeLines(applied) != want {
		t.Fatalf("apply: got %+v, want the preview's changes applied", applied)
	}
	var dues []string
	f.env.DB.Raw(`SELECT kind || ' ' || to_char(due_date, 'YYYY-MM-DD') FROM onboarding_tasks WHERE cohort_id = ? ORDER BY user_id, position`, cohort).Scan(&dues)
	if got := strings.Join(dues, ", "); got != "module 2026-03-05, module 2026-03-06, quiz 2026-03-11, module 2026-03-05, module 2026-03-06, quiz 2026-03-11" {
		t.Errorf("tasks after applying: got %s", got)
	}
	if n := f.env.AuditCount("cohort.plan_apply"); n != 1 {
		t.Errorf("audit entries: got %d, want 1", n)
	}

	// A retry (a double click, a lost answer) changes nothing and is not audited again.
	var again onboarding.PlanChanges
	f.do(f.trainer, "POST", base+"/apply", map[string]string{"fingerprint": preview.Fingerprint}, 200, &again)
	if again.Applied || len(again.Changes) != 0 || f.env.AuditCount("cohort.plan_apply") != 1 {
		t.Errorf("retry: got %+v and %d audit entries, want nothing applied, 1 entry", again, f.env.AuditCount("cohort.plan_apply"))
	}

	// The original plan back: the role-play returns, the quiz moves back.
	f.editPlan(t)
	var back onboarding.PlanChanges
	f.do(f.supervisor, "GET", base, nil, 200, &back)
	if got := changeLines(back); !strings.Contains(got, "ada@acme.test added Play A disputed fee →2026-03-10") ||
		!strings.Contains(got, "bo@acme.test moved Pass Card basics 2026-03-11→2026-03-09") || len(back.Changes) != 4 {
		t.Errorf("the plan restored: got\n%s", got)
	}
	f.do(f.supervisor, "POST", base+"/apply", map[string]string{}, 200, nil)
	if got := tasks(); got != 8 {
		t.Errorf("tasks after restoring: got %d, want 8", got)
	}
}

// TestPlanChangesScoping: only those who may change the cohort preview or
// apply; another client's staff get 404, as for the cohort itself.
func TestPlanChangesScoping(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	cohort := f.cohort("2026-03-05")
	f.member(cohort, "ada@acme.test")
	env.User("outsider@x.test", auth.RoleTrainer, f.other)
	env.User("compliance@x.test", auth.RoleCompliance)
	env.User("admin@x.test", auth.RoleAdmin)
	base := "/api/v1/cohorts/" + cohort + "/plan-changes"
	cases := []struct {
		name, token, method, path string
		status                    int
		code                      string
	}{
		{"trainer previews", f.trainer, "GET", base, 200, ""},
		{"supervisor previews", f.supervisor, "GET", base, 200, ""},
		{"admin applies", env.Login("admin@x.test"), "POST", base + "/apply", 200, ""},
		{"compliance previews", env.Login("compliance@x.test"), "GET", base, 403, "forbidden"},
		{"compliance applies", env.Login("compliance@x.test"), "POST", base + "/apply", 403, "forbidden"},
		{"another client's trainer previews", env.Login("outsider@x.test"), "GET", base, 404, "not_found"},
		{"another client's trainer applies", env.Login("outsider@x.test"), "POST", base + "/apply", 404, "not_found"},
		{"an agent", env.Login("ada@acme.test"), "GET", base, 403, "forbidden"},
		{"signed out", "", "POST", base + "/apply", 401, "unauthorized"},
		{"no such cohort", f.trainer, "GET", "/api/v1/cohorts/00000000-0000-4000-8000-000000000000/plan-changes", 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token}
			if tc.method == "POST" {
				req.Body = map[string]string{}
			}
			res := env.Do(req)
			if res.Status != tc.status || res.Code() != tc.code {
				t.Fatalf("got %d %s, want %d %q", res.Status, res.Body, tc.status, tc.code)
			}
		})
	}
}
