package quiz_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

// TestBankUploadDryRunThenApply: a client's trainer uploads a bank file;
// the dry run reports what each question and each quiz drawing the bank
// would become and writes nothing; problems name the file and line and
// block applying; applying makes the quizzes' next versions; the same file
// again changes nothing; other clients' trainers, supervisors and unknown
// banks are refused.
func TestBankUploadDryRunThenApply(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	_, content, quizzes := apitest.CopyLibrary(t, "_testlibrary")
	env.Import(content, quizzes)
	f := &fixture{t: t, env: env}
	nb, sb := env.ClientID("northbank"), env.ClientID("southbank")
	env.User("trainer@nb.test", auth.RoleTrainer, nb)
	env.User("trainer@sb.test", auth.RoleTrainer, sb)
	env.User("super@nb.test", auth.RoleSupervisor, nb)
	env.User("admin@x.test", auth.RoleAdmin)
	trainer, other, super, admin := env.Login("trainer@nb.test"), env.Login("trainer@sb.test"), env.Login("super@nb.test"), env.Login("admin@x.test")

	var banks struct{ Banks []quiz.BankSummary }
	f.do("GET", "/api/v1/clients/"+nb+"/banks", trainer, nil, 200).JSON(t, &banks)
	if len(banks.Banks) != 1 || banks.Banks[0].Name != "card-fees" || len(banks.Banks[0].Quizzes) != 1 || banks.Banks[0].Quizzes[0].Slug != "timed" {
		t.Fatalf("got banks %+v, want card-fees drawn by timed", banks.Banks)
	}
	before := banks.Banks[0].Questions

	raw, err := os.ReadFile(filepath.Join(quizzes, "northbank", "card-services", "card-fees.gift"))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(raw), "#Right: see the fee table.", "#Right: the fee table says so.", 1)
	edited = strings.Replace(edited, "::no-fee::Cash advances are free.{FALSE}\n", "::cash-fee::Cash advances cost a fee.{TRUE}\n", 1)
	upload := func(token, body, query string) *apitest.Response {
		return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/clients/" + nb + "/banks/card-fees/import?" + query, Token: token, Body: body})
	}
	report := func(res *apitest.Response) quiz.BankImportReport {
		t.Helper()
		if res.Status != 200 {
			t.Fatalf("got %d %s, want 200", res.Status, res.Body)
		}
		var rep quiz.BankImportReport
		res.JSON(t, &rep)
		return rep
	}
	outcomes := func(rep quiz.BankImportReport) map[string]string {
		out := map[string]string{}
		for _, q := range rep.Questions {
			out[q.ID] = q.Outcome
		}
		for _, q := range rep.Quizzes {
			out["quiz "+q.Slug] = q.Outcome
		}
		return out
	}

	// The dry run says what would happen and writes nothing.
	dry := report(upload(trainer, edited, "format=gift&file=card-fees-v2.gift"))
	got := outcomes(dry)
	for id, want := range map[string]string{"late-fee": "changed", "cash-fee": "created", "no-fee": "removed", "apr": "unchanged", "quiz timed": "changed"} {
		if got[id] != want {
			t.Errorf("dry run: %s: got %q, want %q (report %+v)", id, got[id], want, dry)
		}
	}
	if dry.Applied || dry.Quizzes[0].Version != 2 || len(dry.Problems) != 0 || !strings.Contains(strings.Join(dry.Skipped, "\n"), "card-fees-v2.gift:") {
		t.Errorf("got %+v, want a dry run to version 2 with no problems and the essay skipped at card-fees-v2.gift:line", dry)
	}
	for _, q := range dry.Questions {
		if q.ID == "cash-fee" && q.Line != 15 {
			t.Errorf("got cash-fee at line %d, want 14", q.Line)
		}
	}
	if again := report(upload(trainer, edited, "format=gift")); outcomes(again)["quiz timed"] != "changed" {
		t.Errorf("a second dry run: got %+v, want the same changes (the first wrote nothing)", again)
	}

	// Problems name the file and line; they block applying.
	broken := strings.Replace(edited, "{TRUE}", "{=a ~b =c ~d}", 1)
	bad := report(upload(trainer, broken, "format=gift&file=card-fees-v2.gift"))
	if len(bad.Problems) != 1 || !strings.HasPrefix(bad.Problems[0], "card-fees-v2.gift:15: question cash-fee:") {
		t.Errorf("got problems %q, want one at card-fees-v2.gift:15", bad.Problems)
	}
	if res := upload(trainer, broken, "format=gift&file=card-fees-v2.gift&apply=true"); res.Status != 400 || res.Code() != "invalid" || !strings.Contains(string(res.Body), `"card-fees-v2.gift:15"`) {
		t.Errorf("applying a file with problems: got %d %s, want 400 invalid naming card-fees-v2.gift:15", res.Status, res.Body)
	}
	// A file the quizzes cannot draw from is refused at the quiz.
	tiny := "$CATEGORY: $course$/top/Card Fees\n\n::only::One question.{T}\n"
	if rep := report(upload(trainer, tiny, "format=gift")); len(rep.Problems) == 0 || !strings.Contains(rep.Problems[0], "timed.quiz.yaml") {
		t.Errorf("got problems %q, want the timed quiz's draw refused", rep.Problems)
	}

	// Applied: the quiz's next version draws the new questions.
	applied := report(upload(trainer, edited, "format=gift&file=card-fees-v2.gift&apply=true"))
	if !applied.Applied || applied.Quizzes[0].Version != 2 {
		t.Errorf("got %+v, want applied as version 2", applied)
	}
	res := f.do("GET", "/api/v1/clients/"+nb+"/banks/card-fees/export?format=gift", admin, nil, 200)
	if body := string(res.Body); !strings.Contains(body, "::cash-fee::") || strings.Contains(body, "::no-fee::") || !strings.Contains(body, "the fee table says so") {
		t.Errorf("got the exported bank\n%s\nwant the uploaded questions", body)
	}
	f.do("GET", "/api/v1/clients/"+nb+"/banks", trainer, nil, 200).JSON(t, &banks)
	if banks.Banks[0].Questions != before {
		t.Errorf("got %d questions, want %d (one removed, one created)", banks.Banks[0].Questions, before)
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = 'quiz.publish' AND after->>'bank' = 'card-fees'`).Scan(&n)
	if n != 1 {
		t.Errorf("got %d quiz.publish entries for the upload, want 1", n)
	}
	if same := report(upload(admin, edited, "format=gift&apply=true")); outcomes(same)["quiz timed"] != "unchanged" || outcomes(same)["cash-fee"] != "unchanged" {
		t.Errorf("the same file again: got %+v, want everything unchanged", same)
	}

	for _, tc := range []struct {
		name, token, path string
		status            int
		code              string
	}{
		{"another client's trainer", other, "/api/v1/clients/" + nb + "/banks/card-fees/import?format=gift", 404, "not_found"},
		{"another client's trainer lists", other, "/api/v1/clients/" + nb + "/banks", 404, "not_found"},
		{"a supervisor", super, "/api/v1/clients/" + nb + "/banks/card-fees/import?format=gift", 403, "forbidden"},
		{"a bank no quiz draws", trainer, "/api/v1/clients/" + nb + "/banks/nope/import?format=gift", 404, "not_found"},
		{"an unknown format", trainer, "/api/v1/clients/" + nb + "/banks/card-fees/import?format=qti", 400, "invalid"},
		{"signed out", "", "/api/v1/clients/" + nb + "/banks/card-fees/import?format=gift", 401, "unauthorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if strings.HasSuffix(tc.path, "/banks") {
				method = "GET"
			}
			res := env.Do(apitest.Request{Method: method, Path: tc.path, Token: tc.token, Body: map[bool]any{true: edited, false: nil}[method == "POST"], NoValidate: tc.code == "invalid"})
			if res.Status != tc.status || res.Code() != tc.code {
				t.Errorf("got %d %s, want %d %s", res.Status, res.Body, tc.status, tc.code)
			}
		})
	}
}
