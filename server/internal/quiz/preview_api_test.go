package quiz_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

const previewQuiz = `# a comment the editor keeps
title: Preview
pass_percent: 50
shuffle_questions: false
questions:
  - id: tf
    type: true_false
    text: You verify the caller first.
    answer: true
    right_feedback: SECRET-right
  - id: sc
    type: single_choice
    text: Which card builds credit?
    options:
      - {text: Classic, correct: true, feedback: SECRET-yes}
      - {text: Voyager}
`

// previewBody is a preview request for northbank/card-services.
func previewBody(quizText string, banks map[string]string) map[string]any {
	b := map[string]any{"client": "northbank", "program": "card-services", "quiz": quizText}
	if banks != nil {
		b["banks"] = banks
	}
	return b
}

func (f *fixture) attempts() int64 {
	f.t.Helper()
	var n int64
	if err := f.env.DB.Table("quiz_attempts").Count(&n).Error; err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestPreviewScoping: the preview and its check are for the client's
// trainers and admins (catalog.MayAuthor); a trainer of another client or
// of none cannot tell the client exists (404), other roles are refused
// (403), and core content has no programs.
func TestPreviewScoping(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := f.env
	env.User("trainer@sb.test", auth.RoleTrainer, env.ClientID("southbank"))
	env.User("trainer@none.test", auth.RoleTrainer)
	env.User("super@nb.test", auth.RoleSupervisor, env.ClientID("northbank"))
	env.User("admin@x.test", auth.RoleAdmin)
	tokens := map[string]string{"trainer": f.trainer, "other client's trainer": env.Login("trainer@sb.test"),
		"trainer of none": env.Login("trainer@none.test"), "supervisor": env.Login("super@nb.test"),
		"agent": f.agent, "admin": env.Login("admin@x.test"), "anonymous": ""}
	core := previewBody(previewQuiz, nil)
	core["client"] = "_core"
	unknown := previewBody(previewQuiz, nil)
	unknown["program"] = "no-such-program"
	cases := []struct {
		who  string
		body map[string]any
		want int
	}{
		{"trainer", previewBody(previewQuiz, nil), 200},
		{"admin", previewBody(previewQuiz, nil), 200},
		{"other client's trainer", previewBody(previewQuiz, nil), 404},
		{"trainer of none", previewBody(previewQuiz, nil), 404},
		{"supervisor", previewBody(previewQuiz, nil), 403},
		{"agent", previewBody(previewQuiz, nil), 403},
		{"anonymous", previewBody(previewQuiz, nil), 401},
		{"trainer", core, 403},
		{"admin", core, 404},
		{"trainer", unknown, 404},
	}
	check := previewBody(previewQuiz, nil)
	check["question_ids"] = []string{"tf"}
	check["answers"] = map[string]any{"tf": map[string]any{"choices": []string{"true"}}}
	for _, tc := range cases {
		t.Run(tc.who+" "+tc.body["client"].(string)+"/"+tc.body["program"].(string), func(t *testing.T) {
			f.do("POST", "/api/v1/quiz-preview", tokens[tc.who], tc.body, tc.want)
			body := map[string]any{}
			for k, v := range tc.body {
				body[k] = v
			}
			body["question_ids"], body["answers"] = check["question_ids"], check["answers"]
			f.do("POST", "/api/v1/quiz-preview/check", tokens[tc.who], body, tc.want)
		})
	}
}

// TestPreviewDrawsAsAnAgentSees: a preview shows the drawn questions with
// no answer key, keeps the quiz's settings, and writes no attempt.
func TestPreviewDrawsAsAnAgentSees(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.attempts()
	res := f.do("POST", "/api/v1/quiz-preview", f.trainer, previewBody(previewQuiz, nil), 200)
	var pv quiz.Preview
	res.JSON(t, &pv)
	if !pv.OK || len(pv.Problems) != 0 || pv.Settings == nil || pv.Settings.Title != "Preview" || pv.Settings.PassPercent != 50 {
		t.Fatalf("got %s, want an ok preview with its settings", res.Body)
	}
	if len(pv.Questions) != 2 || pv.Questions[0].ID != "tf" || pv.Questions[1].Type != quiz.SingleChoice {
		t.Fatalf("got questions %+v, want tf then sc (not shuffled)", pv.Questions)
	}
	raw, _ := json.Marshal(pv.Questions)
	if found := leaks(t, raw, []string{"SECRET"}); len(found) > 0 {
		t.Errorf("correctness data in the preview's questions: %v", found)
	}
	// The same seed draws the same attempt.
	body := previewBody(previewQuiz, nil)
	body["seed"] = pv.Seed
	var again quiz.Preview
	f.do("POST", "/api/v1/quiz-preview", f.trainer, body, 200).JSON(t, &again)
	if !reflect.DeepEqual(again.Questions, pv.Questions) {
		t.Errorf("got %+v, want the same draw for seed %d", again.Questions, pv.Seed)
	}
	if n := f.attempts(); n != before {
		t.Errorf("got %d attempts, want %d: a preview is never an attempt", n, before)
	}
}

// TestPreviewReportsProblemsWithFileAndLine: a broken quiz answers 200
// with its problems (file and line) so the editor shows them while typing;
// checking answers to it is 400 with the same file:line.
func TestPreviewReportsProblemsWithFileAndLine(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	broken := strings.Replace(previewQuiz, "pass_percent: 50", "pass_percent: 150", 1)
	broken = strings.Replace(broken, "type: single_choice", "type: essay", 1)
	body := previewBody(broken, nil)
	body["slug"] = "fees"
	var pv quiz.Preview
	f.do("POST", "/api/v1/quiz-preview", f.trainer, body, 200).JSON(t, &pv)
	if pv.OK || len(pv.Questions) != 0 {
		t.Fatalf("got ok %v with %d questions, want not ok and none", pv.OK, len(pv.Questions))
	}
	lines := map[int]string{}
	for _, p := range pv.Problems {
		if p.File != "quizzes/northbank/card-services/fees.quiz.yaml" {
			t.Errorf("got file %q, want the library path of the quiz", p.File)
		}
		lines[p.Line] = p.Message
	}
	if !strings.Contains(lines[3], "pass_percent") || !strings.Contains(lines[11], "essay") {
		t.Errorf("got problems %+v, want pass_percent at line 3 and the type at line 11", pv.Problems)
	}
	body["question_ids"] = []string{"tf"}
	body["answers"] = map[string]any{}
	res := f.do("POST", "/api/v1/quiz-preview/check", f.trainer, body, 400)
	if !strings.Contains(string(res.Body), "quizzes/northbank/card-services/fees.quiz.yaml:3") {
		t.Errorf("got %s, want the problem's file:line in the fields", res.Body)
	}
	// A request without any text is refused naming the field.
	res = f.do("POST", "/api/v1/quiz-preview", f.trainer, map[string]any{"client": "northbank", "program": "card-services"}, 400)
	if !strings.Contains(string(res.Body), `"quiz"`) {
		t.Errorf("got %s, want the quiz field named", res.Body)
	}
}

// TestPreviewDrawFeasibility: a quiz drawing from the published bank gets
// the bank's questions; quotas and questions per attempt the pool cannot
// give are reported per tag (needed against available) with their lines;
// a bank text in the request overrides the published bank.
func TestPreviewDrawFeasibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const drawn = `title: Drawn
pass_percent: 50
questions_per_attempt: 3
quotas:
  - {tag: card-fees/rates, count: 2}
banks:
  - name: card-fees
`
	var pv quiz.Preview
	f.do("POST", "/api/v1/quiz-preview", f.trainer, previewBody(drawn, nil), 200).JSON(t, &pv)
	if !pv.OK || !pv.Draw.Feasible || len(pv.Questions) != 3 || len(pv.Banks) != 1 || pv.Banks[0].Origin != quiz.OriginPublished {
		t.Fatalf("got ok %v draw %+v banks %+v problems %+v, want 3 questions from the published bank", pv.OK, pv.Draw, pv.Banks, pv.Problems)
	}
	pool := pv.Draw.PoolSize
	if len(pv.Draw.Quotas) != 1 || pv.Draw.Quotas[0].Needed != 2 || pv.Draw.Quotas[0].Available < 2 {
		t.Fatalf("got quotas %+v, want 2 needed of the rates", pv.Draw.Quotas)
	}
	rates := pv.Draw.Quotas[0].Available

	tooMany := strings.Replace(drawn, "count: 2", "count: 9", 1)
	tooMany = strings.Replace(tooMany, "questions_per_attempt: 3", "questions_per_attempt: 99", 1)
	f.do("POST", "/api/v1/quiz-preview", f.trainer, previewBody(tooMany, nil), 200).JSON(t, &pv)
	if pv.OK || pv.Draw.Feasible || len(pv.Questions) != 0 {
		t.Fatalf("got ok %v feasible %v, want an infeasible draw", pv.OK, pv.Draw.Feasible)
	}
	if pv.Draw.Quotas[0].Needed != 9 || pv.Draw.Quotas[0].Available != rates {
		t.Errorf("got quota %+v, want 9 needed, %d available", pv.Draw.Quotas[0], rates)
	}
	lines := map[int]bool{}
	for _, p := range pv.Draw.Problems {
		lines[p.Line] = true
	}
	if !lines[3] || !lines[5] {
		t.Errorf("got draw problems %+v, want questions_per_attempt (line 3) and the quota (line 5)", pv.Draw.Problems)
	}

	// The bank's draft text overrides the published bank.
	raw, err := os.ReadFile(filepath.Join(f.quizzes, "northbank", "card-services", "card-fees.gift"))
	if err != nil {
		t.Fatal(err)
	}
	draft := string(raw) + "\n::extra::An extra question.{TRUE}\n"
	f.do("POST", "/api/v1/quiz-preview", f.trainer, previewBody(drawn, map[string]string{"card-fees.gift": draft}), 200).JSON(t, &pv)
	if !pv.OK || pv.Draw.PoolSize != pool+1 || pv.Banks[0].Origin != quiz.OriginDraft {
		t.Errorf("got pool %d banks %+v, want %d from the draft bank", pv.Draw.PoolSize, pv.Banks, pool+1)
	}
	// A broken bank names its file and line.
	f.do("POST", "/api/v1/quiz-preview", f.trainer, previewBody(drawn, map[string]string{"card-fees.gift": "::q::Broken {=a ~b"}), 200).JSON(t, &pv)
	if pv.OK || len(pv.Problems) == 0 || pv.Problems[0].File != "quizzes/northbank/card-services/card-fees.gift" || pv.Problems[0].Line != 1 {
		t.Errorf("got problems %+v, want the bank's file and line", pv.Problems)
	}
	// A bank alone (the bank editor) shows every question.
	f.do("POST", "/api/v1/quiz-preview", f.trainer, previewBody("", map[string]string{"card-fees.gift": draft}), 200).JSON(t, &pv)
	if !pv.OK || pv.Settings != nil || len(pv.Questions) != pool+1 || len(pv.Banks) != 1 || len(pv.Banks[0].Questions) != pool+1 {
		t.Errorf("got ok %v, %d questions, want the bank's %d", pv.OK, len(pv.Questions), pool+1)
	}
}

// TestPreviewCheckGradesAsAttemptsAre: answers to every question type get
// from the preview's check exactly the result a submitted attempt gets,
// correct answers and feedback included; the check writes no attempt.
func TestPreviewCheckGradesAsAttemptsAre(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := filepath.Join(f.quizzes, "northbank", "card-services")
	if err := os.WriteFile(filepath.Join(dir, "refunds.quiz.yaml"), []byte(clozeQuiz), 0o644); err != nil {
		t.Fatal(err)
	}
	f.edit(filepath.Join(f.content, "northbank", "card-services", "program.yaml"), "  - limited\n", "  - limited\n  - refunds\n")
	f.env.Import(f.content, f.quizzes)
	var list struct{ Quizzes []quiz.QuizSummary }
	f.do("GET", "/api/v1/programs/"+f.programID+"/quizzes", f.agent, nil, 200).JSON(t, &list)
	for _, q := range list.Quizzes {
		f.quiz[q.Slug] = q.ID
	}
	cases := []struct {
		slug    string
		answers func(v quiz.AttemptView) map[string]quiz.Response
	}{
		{"graded", func(v quiz.AttemptView) map[string]quiz.Response {
			m := question(t, v, "match")
			return map[string]quiz.Response{
				"sc":    {Choices: []string{"b"}},
				"mr":    {Choices: []string{"x", "z"}},
				"tf":    {Choices: []string{"false"}},
				"sa":    {Text: "thanks"},
				"num":   {Text: "505"},
				"match": {Matches: map[string]string{m.Lefts[0].ID: byText(t, m.Rights, "Blue"), m.Lefts[1].ID: byText(t, m.Rights, "Gold")}},
			}
		}},
		{"refunds", func(v quiz.AttemptView) map[string]quiz.Response {
			return map[string]quiz.Response{v.Questions[0].ID: {Gaps: map[string]string{"1": quiz.OptionID("30 days"), "2": "lost", "3": "10.4"}}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.slug, func(t *testing.T) {
			v := f.start(f.agent, tc.slug, 201)
			answers := tc.answers(v)
			f.save(f.agent, v.ID, 1, answers, 200)
			real := f.submit(f.agent, v.ID)
			before := f.attempts()

			text, err := os.ReadFile(filepath.Join(dir, tc.slug+".quiz.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			body := previewBody(string(text), nil)
			ids := make([]string, len(v.Questions))
			for i, q := range v.Questions {
				ids[i] = q.ID
			}
			body["question_ids"], body["answers"] = ids, answers
			var chk quiz.PreviewCheck
			f.do("POST", "/api/v1/quiz-preview/check", f.trainer, body, 200).JSON(t, &chk)
			if !reflect.DeepEqual(chk.Result, real.Result) {
				t.Errorf("got preview result\n%+v\nwant the attempt's\n%+v", chk.Result, real.Result)
			}
			if !reflect.DeepEqual(chk.AgentSees, real.Result) { // both quizzes review: feedback
				t.Errorf("got agent_sees %+v, want the attempt's result", chk.AgentSees)
			}
			if n := f.attempts(); n != before {
				t.Errorf("got %d attempts, want %d", n, before)
			}
		})
	}
	// An answer that does not fit its question is refused, naming it.
	body := previewBody(previewQuiz, nil)
	body["question_ids"] = []string{"tf", "sc"}
	body["answers"] = map[string]any{"tf": map[string]any{"text": "yes"}, "nope": map[string]any{}}
	res := f.do("POST", "/api/v1/quiz-preview/check", f.trainer, body, 400)
	if !strings.Contains(string(res.Body), "answers.tf") || !strings.Contains(string(res.Body), "answers.nope") {
		t.Errorf("got %s, want answers.tf and answers.nope named", res.Body)
	}
	// The author sees everything even when agents would see the score only.
	body = previewBody(previewQuiz, nil)
	body["question_ids"] = []string{"tf", "sc"}
	body["answers"] = map[string]any{"tf": map[string]any{"choices": []string{"true"}}}
	var chk quiz.PreviewCheck
	f.do("POST", "/api/v1/quiz-preview/check", f.trainer, body, 200).JSON(t, &chk)
	if chk.Review != quiz.ReviewScore || len(chk.AgentSees.Questions) != 0 || len(chk.Result.Questions) != 2 ||
		chk.Result.Percent != 50 || chk.Result.Questions[1].CorrectAnswer == nil {
		t.Errorf("got %+v, want 50%% with every question in full for the author and the score only for agents", chk)
	}
}
