package quiz_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/quiz"
	"github.com/skillgate/skillgate/server/internal/testwait"
)

func TestImportQuizzesIsVersionedAndIdempotent(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := &fixture{t: t, env: env}
	_, content, quizzes := apitest.CopyLibrary(t, "_testlibrary")

	outcomes := func(rep *catalog.Report) map[string]string {
		m := map[string]string{}
		for _, it := range rep.Items {
			if it.Kind == "quiz" {
				m[it.Key] = it.Outcome + "@" + string(rune('0'+it.Version))
			}
		}
		return m
	}
	rep := env.Import(content, quizzes)
	want := map[string]string{
		"northbank/card-services/graded": "created@1", "northbank/card-services/limited": "created@1",
		"northbank/card-services/timed": "created@1", "southbank/loans/loans-quiz": "created@1",
	}
	if got := outcomes(rep); !maps.Equal(got, want) {
		t.Errorf("first import: got %v, want %v", got, want)
	}
	gift := filepath.Join(quizzes, "northbank", "card-services", "card-fees.gift")
	wantSkipped := []string{gift + ":48: ", gift + ":50: "}
	if len(rep.Skipped) != 2 || !strings.HasPrefix(rep.Skipped[0], wantSkipped[0]) || !strings.HasPrefix(rep.Skipped[1], wantSkipped[1]) {
		t.Errorf("skipped: got %q, want the essay and the description of %s", rep.Skipped, gift)
	}
	if got := env.AuditCount("quiz.publish"); got != 4 {
		t.Errorf("quiz.publish audits: got %d, want 4", got)
	}

	rep = env.Import(content, quizzes)
	for k := range want {
		want[k] = "unchanged@1"
	}
	if got := outcomes(rep); !maps.Equal(got, want) {
		t.Errorf("second import: got %v, want %v", got, want)
	}

	// A bank change is a new version of the quiz drawing from it; moving a
	// question down a line is not.
	f.edit(gift, "What is the purchase APR in percent?", "What is the purchase APR, in percent?")
	f.edit(filepath.Join(quizzes, "northbank", "card-services", "limited.quiz.yaml"), "title: Limited", "\ntitle: Limited")
	rep = env.Import(content, quizzes)
	want["northbank/card-services/timed"] = "changed@2"
	if got := outcomes(rep); !maps.Equal(got, want) {
		t.Errorf("after a bank edit: got %v, want %v", got, want)
	}
	if got := env.AuditCount("quiz.publish"); got != 5 {
		t.Errorf("quiz.publish audits: got %d, want 5", got)
	}
	var versions int
	env.DB.Raw(`SELECT count(*) FROM quiz_versions`).Scan(&versions)
	if versions != 5 {
		t.Errorf("quiz versions: got %d, want 5", versions)
	}

	problems := []struct {
		name string
		edit func()
		want string
	}{
		{"not listed in program.yaml", func() {
			f.edit(filepath.Join(content, "northbank", "card-services", "program.yaml"), "  - limited\n", "")
		}, filepath.Join(quizzes, "northbank", "card-services", "limited.quiz.yaml") + ":1: " +
			filepath.Join(content, "northbank", "card-services", "program.yaml") + " does not list the quiz limited"},
		{"bad quiz file", func() {
			f.edit(filepath.Join(quizzes, "southbank", "loans", "loans-quiz.quiz.yaml"), "pass_percent: 50", "pass_percent: 500")
		}, filepath.Join(quizzes, "southbank", "loans", "loans-quiz.quiz.yaml") + ":2: "},
	}
	for _, tc := range problems {
		t.Run(tc.name, func(t *testing.T) {
			tc.edit()
			_, err := env.App.Import(context.Background(), content, quizzes, catalog.ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a problem %q", err, tc.want)
			}
		})
	}
	env.DB.Raw(`SELECT count(*) FROM quiz_versions`).Scan(&versions)
	if versions != 5 {
		t.Errorf("quiz versions after refused imports: got %d, want 5 (nothing written)", versions)
	}
}

// TestImportChecksRereads: a reread must name a heading of one of the
// program's modules, whether written in a quiz or in a GIFT comment; each
// problem names the question's file and line, and nothing is imported.
func TestImportChecksRereads(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := &fixture{t: t, env: env}
	cards := filepath.Join("northbank", "card-services")
	tests := []struct {
		name string
		edit func(content, quizzes string)
		at   string // "file under quizzes:line: question …"
		says string // what follows it, {content} standing for the content folder
	}{
		{"a heading the module lacks", func(_, quizzes string) {
			f.edit(filepath.Join(quizzes, cards, "graded.quiz.yaml"), "reread: card-products#classic", "reread: card-products#platinum")
		}, filepath.Join(cards, "graded.quiz.yaml") + ":9: question sc: reread card-products#platinum: ",
			filepath.Join("{content}", cards, "card-products.md") + " has no heading #platinum; its headings are northbank-credit-cards, classic"},
		{"a module of another client, from a GIFT comment", func(_, quizzes string) {
			f.edit(filepath.Join(quizzes, cards, "card-fees.gift"), "::late-fee::", "// reread: loan-basics#rates\n::late-fee::")
		}, filepath.Join(cards, "card-fees.gift") + ":7: question late-fee: reread loan-basics#rates: ", "loan-basics is not one of the modules of"},
		{"a module the program does not list", func(content, _ string) {
			f.edit(filepath.Join(content, cards, "program.yaml"), "modules:\n  - card-products\n", "modules: []\n")
		}, filepath.Join(cards, "graded.quiz.yaml") + ":9: question sc: reread card-products#classic: ", "card-products is not one of the modules of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, content, quizzes := apitest.CopyLibrary(t, "_testlibrary")
			tc.edit(content, quizzes)
			_, err := env.App.Import(context.Background(), content, quizzes, catalog.ImportOptions{})
			want := filepath.Join(quizzes, tc.at) + strings.ReplaceAll(tc.says, "{content}", content)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want a problem %q", err, want)
			}
		})
	}
	var versions int
	env.DB.Raw(`SELECT count(*) FROM quiz_versions`).Scan(&versions)
	if versions != 0 {
		t.Errorf("quiz versions after refused imports: got %d, want 0", versions)
	}
}

func TestAttemptGradingSavesAndResults(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.start(f.agent, "graded", 201)
	if v.Status != quiz.StatusOpen || v.QuizVersion != 1 || v.Seq != 0 || len(v.Questions) != 6 || v.Deadline != nil {
		t.Fatalf("got %+v, want an open untimed attempt at version 1 with 6 questions", v)
	}
	if again := f.start(f.agent, "graded", 200); again.ID != v.ID {
		t.Errorf("second start: got attempt %s, want the open one %s resumed", again.ID, v.ID)
	}
	m := question(t, v, "match")
	if got := []string{m.Rights[0].Text, m.Rights[1].Text, m.Rights[2].Text}; !slices.Equal(got, []string{"Blue", "Gold", "Silver"}) {
		t.Errorf("matching choices: got %v, want them alphabetical", got)
	}
	// 0.5 + 0.5 + 1 + 0.5 + 1 + 0.5 = 4 of 6 points: 66.66 %, a pass at 60.
	answers := map[string]quiz.Response{
		"sc":    {Choices: []string{"b"}},
		"mr":    {Choices: []string{"x"}},
		"tf":    {Choices: []string{"true"}},
		"sa":    {Text: "  THANKS "},
		"num":   {Text: "509.5"},
		"match": {Matches: map[string]string{byText(t, m.Lefts, "Classic"): byText(t, m.Rights, "Blue"), byText(t, m.Lefts, "Voyager"): byText(t, m.Rights, "Gold")}},
	}
	path := "/api/v1/attempts/" + v.ID
	f.save(f.agent, v.ID, 1, map[string]quiz.Response{"sc": {Choices: []string{"c"}}}, 200)
	f.save(f.agent, v.ID, 2, answers, 200)

	refused := []struct {
		name    string
		seq     int
		answers map[string]quiz.Response
	}{
		{"replayed save", 2, map[string]quiz.Response{"sc": {Choices: []string{"a"}}}},
		{"save from the future", 4, map[string]quiz.Response{"sc": {Choices: []string{"a"}}}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			res := f.save(f.agent, v.ID, tc.seq, tc.answers, 409)
			if !strings.Contains(string(res.Body), `"seq":2`) {
				t.Errorf("got %s, want details.seq 2", res.Body)
			}
		})
	}
	// An answer that does not fit its question is left out and named; the
	// save's other answer is kept all the same.
	rejected := []struct {
		name, key string
		answer    quiz.Response
		reason    string
	}{
		{"unknown question", "nope", quiz.Response{Text: "x"}, "no such question"},
		{"unknown option", "sc", quiz.Response{Choices: []string{"q"}}, `no option "q"`},
		{"two choices for one", "sc", quiz.Response{Choices: []string{"a", "b"}}, "one option at most"},
		{"text for a choice", "tf", quiz.Response{Text: "true"}, "answered with choices"},
		{"words for a number", "num", quiz.Response{Text: "ten dollars"}, "without words, units or currency signs"},
		{"decimal comma", "num", quiz.Response{Text: "509,5"}, "point for decimals"},
		{"unknown match", "match", quiz.Response{Matches: map[string]string{"p1": "rnope"}}, `no choice "rnope"`},
	}
	seq := 2
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			seq++
			kept := fmt.Sprintf("kept %d", seq)
			var rc quiz.SaveReceipt
			f.save(f.agent, v.ID, seq, map[string]quiz.Response{tc.key: tc.answer, "sa": {Text: kept}}, 200).JSON(t, &rc)
			if rc.Seq != seq || len(rc.Rejected) != 1 || !strings.Contains(rc.Rejected[tc.key], tc.reason) {
				t.Errorf("receipt: got seq %d rejected %v, want seq %d and %s rejected for %q", rc.Seq, rc.Rejected, seq, tc.key, tc.reason)
			}
			var a quiz.AttemptView
			f.do("GET", path, f.agent, nil, 200).JSON(t, &a)
			if a.Answers["sa"].Text != kept || !reflect.DeepEqual(a.Answers[tc.key], answers[tc.key]) {
				t.Errorf("answers after the save: got sa %q and %s %+v, want %q kept and %s as before", a.Answers["sa"].Text, tc.key, a.Answers[tc.key], kept, tc.key)
			}
		})
	}
	seq++
	var rc quiz.SaveReceipt
	f.save(f.agent, v.ID, seq, map[string]quiz.Response{"sa": answers["sa"]}, 200).JSON(t, &rc)
	if len(rc.Rejected) != 0 {
		t.Errorf("a save that fits: got rejected %v, want none", rc.Rejected)
	}
	var got quiz.AttemptView
	f.do("GET", path, f.agent, nil, 200).JSON(t, &got)
	if got.Seq != seq || got.Answers["sc"].Choices[0] != "b" || got.Answers["sa"].Text != "  THANKS " {
		t.Errorf("attempt after refused saves: got seq %d answers %v, want seq %d and the second save", got.Seq, got.Answers, seq)
	}
	f.do("GET", path+"/result", f.agent, nil, 409)

	sub := f.submit(f.agent, v.ID)
	r := sub.Result
	if r.Percent != 66.66 || !r.Passed || r.PassPercent != 60 || sub.AutoSubmitted {
		t.Fatalf("got %+v, want 66.66 %% passed", r)
	}
	marks := map[string]float64{}
	for _, q := range r.Questions {
		marks[q.ID] = q.Mark
	}
	wantMarks := map[string]float64{"sc": 0.5, "mr": 0.5, "tf": 1, "sa": 0.5, "num": 1, "match": 0.5}
	if !maps.Equal(marks, wantMarks) {
		t.Errorf("marks: got %v, want %v", marks, wantMarks)
	}
	// Review "feedback" shows correct answers, feedback and what to re-read.
	if sc := r.Questions[0]; sc.CorrectAnswer == nil || !slices.Equal(sc.CorrectAnswer.Choices, []string{"a"}) ||
		!slices.Equal(sc.Feedback, []string{"SECRET-half-right", "SECRET-general-feedback"}) || sc.Reread != "card-products#classic" {
		t.Errorf("single choice under review feedback: got %+v", sc)
	}
	if !slices.Equal(r.Reread, []string{"card-products#classic"}) {
		t.Errorf("reread: got %v, want [card-products#classic]", r.Reread)
	}

	again := f.do("POST", path+"/submit", f.agent, nil, 200)
	result := f.do("GET", path+"/result", f.agent, nil, 200)
	var s2, s3 quiz.Submission
	again.JSON(t, &s2)
	result.JSON(t, &s3)
	if s2.SubmittedAt != sub.SubmittedAt || s2.Result.Percent != r.Percent || s3.Result.Percent != r.Percent || len(s3.Result.Questions) != 6 {
		t.Errorf("second submit and result: got %+v / %+v, want the first result", s2, s3)
	}
	f.save(f.agent, v.ID, seq+1, map[string]quiz.Response{"sc": {Choices: []string{"a"}}}, 409)
	if n := f.env.AuditCount("quiz.attempt_submitted"); n != 1 {
		t.Errorf("quiz.attempt_submitted audits: got %d, want 1", n)
	}

	// The trainer sees the result and the attempt list; another agent does not.
	f.do("GET", path+"/result", f.trainer, nil, 200)
	var rows struct{ Attempts []quiz.AttemptRow }
	f.do("GET", "/api/v1/quizzes/"+f.quiz["graded"]+"/attempts", f.trainer, nil, 200).JSON(t, &rows)
	if len(rows.Attempts) != 1 || rows.Attempts[0].Email != "agent@nb.test" || *rows.Attempts[0].Percent != 66.66 {
		t.Errorf("attempt list: got %+v", rows.Attempts)
	}
	_, other := f.enrolledAgent("other@nb.test")
	f.do("GET", path+"/result", other, nil, 404)
	f.do("GET", path, other, nil, 404)
	f.do("POST", path+"/submit", other, nil, 404)

	// Passed quizzes, as certification will read them.
	passed, err := f.env.App.Quiz.Store().PassedQuizzes(context.Background(), f.agentID, f.programID)
	if err != nil || len(passed) != 1 || passed[0].QuizSlug != "graded" || passed[0].AttemptID != v.ID || passed[0].Score != "2/3" {
		t.Errorf("PassedQuizzes: got %+v, %v; want graded by %s with score 2/3", passed, err, v.ID)
	}
}

// TestStandingsOfSeveralAgents reads several agents' standings with a
// program's quizzes at once, as certification does: every quiz by slug for
// each agent (one without attempts too), only graded attempts counted, and
// the counting attempt under the quiz's grading (highest here) as the pass.
func TestStandingsOfSeveralAgents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	otherID, other := f.enrolledAgent("other@nb.test")
	idleID, _ := f.enrolledAgent("idle@nb.test")
	sit := func(token, slug string, answers map[string]quiz.Response) quiz.Submission {
		v := f.start(token, slug, 201)
		if answers != nil {
			f.save(token, v.ID, 1, answers, 200)
		}
		return f.submit(token, v.ID)
	}
	right := map[string]quiz.Response{"tf": {Choices: []string{"true"}}}
	wrong := map[string]quiz.Response{"tf": {Choices: []string{"false"}}}
	pass := sit(f.agent, "limited", right)
	f.env.Clock.Advance(time.Minute)
	sit(f.agent, "limited", wrong)
	sit(f.agent, "graded", nil)
	f.start(f.agent, "timed", 201) // open: not counted
	sit(other, "limited", wrong)

	all, err := f.env.App.Quiz.Store().StandingsOf(context.Background(), []string{f.agentID, otherID, idleID}, f.programID)
	if err != nil {
		t.Fatal(err)
	}
	type stat struct {
		slug   string
		graded int
		best   float64 // -1: none
		passed bool
	}
	stats := func(st quiz.Standing) []stat {
		var out []stat
		for _, s := range st.Stats {
			x := stat{s.Slug, s.Graded, -1, s.LastPassAt != nil}
			if s.BestPercent != nil {
				x.best = *s.BestPercent
			}
			out = append(out, x)
		}
		return out
	}
	want := map[string][]stat{
		f.agentID: {{"graded", 1, 0, false}, {"limited", 2, 100, true}, {"timed", 0, -1, false}},
		otherID:   {{"graded", 0, -1, false}, {"limited", 1, 0, false}, {"timed", 0, -1, false}},
		idleID:    {{"graded", 0, -1, false}, {"limited", 0, -1, false}, {"timed", 0, -1, false}},
	}
	for id, w := range want {
		if got := stats(all[id]); !slices.Equal(got, w) {
			t.Errorf("stats of %s: got %v, want %v", id, got, w)
		}
	}
	if p := all[f.agentID].Passed; len(p) != 1 || p[0].QuizSlug != "limited" || p[0].AttemptID != pass.AttemptID ||
		p[0].Percent != 100 || p[0].Score != "1/1" || !p[0].PassedAt.Equal(pass.SubmittedAt) {
		t.Errorf("agent's passes: got %+v, want limited by attempt %s", p, pass.AttemptID)
	}
	for _, id := range []string{otherID, idleID} {
		if p := all[id].Passed; p == nil || len(p) != 0 {
			t.Errorf("passes of %s: got %#v, want none", id, p)
		}
	}
}

func TestReviewPolicyScoreShowsNoQuestions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.start(f.agent, "timed", 201)
	sub := f.submit(f.agent, v.ID)
	if sub.Review != "score" || sub.Result.Questions != nil || sub.Result.Percent != 0 || sub.Result.Passed {
		t.Errorf("got %+v, want a failed score-only result", sub)
	}
	raw := f.do("GET", "/api/v1/attempts/"+v.ID+"/result", f.agent, nil, 200).Body
	if strings.Contains(string(raw), "correct_answer") || strings.Contains(string(raw), "feedback") {
		t.Errorf("score-only result shows more: %s", raw)
	}
	// Staff see every question's mark and correct answer, whatever the policy.
	var staff quiz.Submission
	f.do("GET", "/api/v1/attempts/"+v.ID+"/result", f.trainer, nil, 200).JSON(t, &staff)
	if staff.Review != "score" || !staff.Full || len(staff.Result.Questions) != 3 || staff.Result.Percent != sub.Result.Percent {
		t.Fatalf("trainer: got %+v, want the full result of 3 questions at %v%%", staff, sub.Result.Percent)
	}
	for _, q := range staff.Result.Questions {
		if q.Mark != 0 || q.CorrectAnswer == nil {
			t.Errorf("trainer: question %s: got mark %v, correct answer %v; want 0 and the correct answer", q.ID, q.Mark, q.CorrectAnswer)
		}
	}
}

func TestStartLimitsAndWait(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	list := func() quiz.AttemptsSummary {
		var l struct{ Quizzes []quiz.QuizSummary }
		f.do("GET", "/api/v1/programs/"+f.programID+"/quizzes", f.agent, nil, 200).JSON(t, &l)
		for _, q := range l.Quizzes {
			if q.Slug == "timed" {
				return *q.MyAttempts
			}
		}
		t.Fatal("no timed quiz")
		return quiz.AttemptsSummary{}
	}
	if s := list(); s.Used != 0 || *s.Remaining != 2 || !s.CanStart {
		t.Errorf("before: got %+v, want 2 remaining and can start", s)
	}
	v := f.start(f.agent, "timed", 201)
	if v.Deadline == nil || !v.Deadline.Equal(apitest.Start.Add(10*time.Minute)) {
		t.Errorf("deadline: got %v, want start + 10m", v.Deadline)
	}
	f.env.Clock.Advance(2 * time.Minute)
	sub := f.submit(f.agent, v.ID)
	next := sub.SubmittedAt.Add(time.Hour)

	res := f.do("POST", "/api/v1/quizzes/"+f.quiz["timed"]+"/attempts", f.agent, nil, 409)
	var body struct {
		Details struct {
			NextStartAt  *time.Time `json:"next_start_at"`
			AttemptsUsed int        `json:"attempts_used"`
		}
	}
	res.JSON(t, &body)
	if body.Details.NextStartAt == nil || !body.Details.NextStartAt.Equal(next) || res.Header.Get("Retry-After") != "3600" {
		t.Errorf("during the wait: got %s (Retry-After %s), want next_start_at %s", res.Body, res.Header.Get("Retry-After"), next)
	}
	if s := list(); s.CanStart || s.NextStartAt == nil || !s.NextStartAt.Equal(next) || *s.Remaining != 1 || *s.LastPercent != sub.Result.Percent {
		t.Errorf("summary during the wait: got %+v", s)
	}
	f.env.Clock.Advance(time.Hour - time.Second)
	f.relogin()
	f.do("POST", "/api/v1/quizzes/"+f.quiz["timed"]+"/attempts", f.agent, nil, 409)
	f.env.Clock.Advance(time.Second)
	v2 := f.start(f.agent, "timed", 201)
	if v2.Number != 2 {
		t.Errorf("second attempt number: got %d, want 2", v2.Number)
	}
	f.submit(f.agent, v2.ID)
	f.env.Clock.Advance(48 * time.Hour)
	f.relogin()
	res = f.do("POST", "/api/v1/quizzes/"+f.quiz["timed"]+"/attempts", f.agent, nil, 409)
	res.JSON(t, &body)
	if body.Details.NextStartAt != nil || body.Details.AttemptsUsed != 2 {
		t.Errorf("after the limit: got %s, want no next start", res.Body)
	}
	if s := list(); s.CanStart || *s.Remaining != 0 || s.Used != 2 {
		t.Errorf("summary after the limit: got %+v", s)
	}
}

func TestConcurrentStartsNeverExceedTheLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, workers := range []int{2, 10} {
		t.Run("", func(t *testing.T) {
			id, token := f.enrolledAgent("conc" + string(rune('0'+workers%10)) + "@nb.test")
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 5 {
						res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/quizzes/" + f.quiz["limited"] + "/attempts", Token: token})
						if res.Status == 409 {
							return
						}
						if res.Status != 200 && res.Status != 201 {
							t.Errorf("start: got %d %s", res.Status, res.Body)
							return
						}
						var v quiz.AttemptView
						res.JSON(t, &v)
						f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/attempts/" + v.ID + "/submit", Token: token})
					}
				}()
			}
			wg.Wait()
			var n, graded int
			f.env.DB.Raw(`SELECT count(*), count(submitted_at) FROM quiz_attempts WHERE user_id = ?`, id).Row().Scan(&n, &graded)
			if n != 3 || graded != 3 {
				t.Errorf("%d concurrent starters: got %d attempts (%d graded), want exactly 3", workers, n, graded)
			}
		})
	}
}

func TestConcurrentSubmitsGradeOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.start(f.agent, "graded", 201)
	f.save(f.agent, v.ID, 1, map[string]quiz.Response{"tf": {Choices: []string{"true"}}}, 200)
	bodies := make([]string, 10)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := f.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/attempts/" + v.ID + "/submit", Token: f.agent})
			if res.Status != 200 {
				t.Errorf("submit: got %d %s", res.Status, res.Body)
			}
			bodies[i] = string(res.Body)
		}()
	}
	wg.Wait()
	for i, b := range bodies {
		if b != bodies[0] {
			t.Errorf("submit %d: got %s, want the same as %s", i, b, bodies[0])
		}
	}
	var items int
	f.env.DB.Raw(`SELECT jsonb_array_length(items) FROM quiz_attempts WHERE id = ?`, v.ID).Scan(&items)
	if n := f.env.AuditCount("quiz.attempt_submitted"); n != 1 || items != 6 {
		t.Errorf("got %d audits and %d items, want 1 and 6: graded once", n, items)
	}
}

// TestOverdueAttemptGradedOnce races two graders of an attempt past its
// deadline and grace: the agent's submit and the agent's next start (which
// grades an overdue open attempt first). A transaction holds the attempts'
// rows until both requests of every agent wait for them, then lets go; the
// auto-submit job joins in. Each attempt is graded and audited once, and
// nobody gets a 5xx.
func TestOverdueAttemptGradedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const agents = 4 // two requests each, the holding transaction and the poll fit the test pool of 10
	emails := make([]string, agents)
	attempts := make([]string, agents)
	for i := range agents {
		emails[i] = fmt.Sprintf("racer%d@nb.test", i)
		_, token := f.enrolledAgent(emails[i])
		attempts[i] = f.start(token, "timed", 201).ID
	}
	// Past the 10-minute limit, the grace and the hour's wait that follows an
	// attempt: a start grades the overdue attempt, then begins the next.
	f.env.Clock.Advance(71 * time.Minute)
	tokens := make([]string, agents)
	for i, email := range emails {
		tokens[i] = f.env.Login(email)
	}

	hold := f.env.DB.Begin()
	if err := hold.Exec(`SELECT id FROM quiz_attempts WHERE id IN ? FOR UPDATE`, attempts).Error; err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	send := func(what, method, path, token string, want int) {
		defer wg.Done()
		res := f.env.Do(apitest.Request{Method: method, Path: path, Token: token})
		if res.Status != want {
			t.Errorf("%s: got %d %s, want %d", what, res.Status, res.Body, want)
		}
	}
	// The submits queue for the rows first, so they grade first; the starts
	// come after them, having read the attempts as open.
	for i := range agents {
		wg.Add(1)
		go send("submit", "POST", "/api/v1/attempts/"+attempts[i]+"/submit", tokens[i], 200)
	}
	err := waitForLockWaiters(f.env, agents)
	for i := range agents {
		if err != nil {
			break
		}
		wg.Add(1)
		go send("start", "POST", "/api/v1/quizzes/"+f.quiz["timed"]+"/attempts", tokens[i], 201)
	}
	if err == nil {
		err = waitForLockWaiters(f.env, 2*agents)
	}
	if err != nil {
		hold.Rollback()
		wg.Wait()
		t.Fatal(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := f.env.App.Quiz.RunOnce(context.Background()); err != nil {
			t.Errorf("RunOnce: %v", err)
		}
	}()
	if err := hold.Commit().Error; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, id := range attempts {
		var audits int
		f.env.DB.Raw(`SELECT count(*) FROM audit_log WHERE action = 'quiz.attempt_submitted' AND subject_id = ?`, id).Scan(&audits)
		var s quiz.Submission
		f.do("GET", "/api/v1/attempts/"+id+"/result", tokens[i], nil, 200).JSON(t, &s)
		if audits != 1 || !s.AutoSubmitted {
			t.Errorf("attempt %d: got %d audit entries, auto-submitted %v; want graded once, as auto-submitted", i, audits, s.AutoSubmitted)
		}
	}
}

// waitForLockWaiters returns once n sessions of the test's database wait
// for a lock, or an error after testwait.Deadline (something did not get as
// far as the lock).
func waitForLockWaiters(env *apitest.Env, n int) error {
	const q = `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`
	var waiting int
	var err error
	if _, ok := testwait.Within(testwait.Deadline, func() bool {
		err = env.DB.Raw(q).Scan(&waiting).Error
		return err != nil || waiting >= n
	}); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("got %d sessions waiting for a lock, want %d", waiting, n)
	}
	return nil
}

// TestClearedAnswerIsUnanswered: saving an empty answer takes the question's
// answer back; it is graded, and counted by item analysis, as unanswered.
func TestClearedAnswerIsUnanswered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.start(f.agent, "graded", 201)
	f.save(f.agent, v.ID, 1, map[string]quiz.Response{"sc": {Choices: []string{"b"}}, "sa": {Text: "Thanks"}}, 200)
	f.save(f.agent, v.ID, 2, map[string]quiz.Response{"sc": {}, "sa": {Text: "   "}}, 200)
	var got quiz.AttemptView
	f.do("GET", "/api/v1/attempts/"+v.ID, f.agent, nil, 200).JSON(t, &got)
	if len(got.Answers) != 0 || got.Seq != 2 {
		t.Errorf("after clearing: got answers %v at seq %d, want none at seq 2", got.Answers, got.Seq)
	}
	f.submit(f.agent, v.ID)
	var answered int
	f.env.DB.Raw(`SELECT count(*) FROM quiz_attempts, jsonb_to_recordset(items) AS i(answered bool) WHERE id = ? AND i.answered`, v.ID).Scan(&answered)
	if answered != 0 {
		t.Errorf("got %d questions counted as answered, want 0", answered)
	}
}

func TestDeadlineGraceAndAutoSubmit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.start(f.agent, "timed", 201)
	q := v.Questions[0]
	answer := quiz.Response{Text: "1"}
	if len(q.Options) > 0 {
		answer = quiz.Response{Choices: []string{q.Options[0].ID}}
	} else if len(q.Lefts) > 0 {
		answer = quiz.Response{Matches: map[string]string{q.Lefts[0].ID: q.Rights[0].ID}}
	}
	f.env.Clock.Advance(10*time.Minute + 20*time.Second) // past the deadline, within the grace
	f.save(f.agent, v.ID, 1, map[string]quiz.Response{q.ID: answer}, 200)
	f.env.Clock.Advance(11 * time.Second) // past the grace
	f.relogin()
	f.save(f.agent, v.ID, 2, map[string]quiz.Response{q.ID: answer}, 409)

	n, err := f.env.App.Quiz.RunOnce(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("RunOnce: got %d, %v; want 1 graded", n, err)
	}
	if n, _ := f.env.App.Quiz.RunOnce(context.Background()); n != 0 {
		t.Errorf("second RunOnce: got %d, want 0", n)
	}
	var s quiz.Submission
	f.do("GET", "/api/v1/attempts/"+v.ID+"/result", f.agent, nil, 200).JSON(t, &s)
	if !s.AutoSubmitted || !s.SubmittedAt.Equal(*v.Deadline) {
		t.Errorf("got %+v, want auto-submitted as of the deadline %s", s, v.Deadline)
	}
	var got quiz.AttemptView
	f.do("GET", "/api/v1/attempts/"+v.ID, f.agent, nil, 200).JSON(t, &got)
	if got.Status != quiz.StatusSubmitted || got.Seq != 1 || len(got.Answers) != 1 {
		t.Errorf("got %+v, want submitted with the answer saved in time", got)
	}
	var actor string
	f.env.DB.Raw(`SELECT actor_id FROM audit_log WHERE action = 'quiz.attempt_submitted'`).Scan(&actor)
	if actor != "quiz-deadline" {
		t.Errorf("audit actor: got %q, want quiz-deadline", actor)
	}

	// A submit by the agent after the grace is graded as auto-submitted too.
	f.env.Clock.Advance(time.Hour)
	f.relogin()
	v2 := f.start(f.agent, "timed", 201)
	f.env.Clock.Advance(11 * time.Minute)
	f.relogin()
	if s := f.submit(f.agent, v2.ID); !s.AutoSubmitted {
		t.Errorf("late submit: got %+v, want auto-submitted", s)
	}
}

func TestOpenAttemptKeepsItsVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.start(f.agent, "graded", 201)
	f.edit(filepath.Join(f.quizzes, "northbank", "card-services", "graded.quiz.yaml"), "Who is the Classic card for?", "Who is the Classic card made for?")
	f.env.Import(f.content, f.quizzes)

	var got quiz.AttemptView
	f.do("GET", "/api/v1/attempts/"+v.ID, f.agent, nil, 200).JSON(t, &got)
	if got.QuizVersion != 1 || question(t, got, "sc").Text != "Who is the Classic card for?" {
		t.Errorf("open attempt after a new version: got version %d, %q; want version 1 unchanged", got.QuizVersion, question(t, got, "sc").Text)
	}
	if s := f.submit(f.agent, v.ID); s.QuizVersion != 1 {
		t.Errorf("graded at version %d, want 1", s.QuizVersion)
	}
	v2 := f.start(f.agent, "graded", 201)
	if v2.QuizVersion != 2 || question(t, v2, "sc").Text != "Who is the Classic card made for?" {
		t.Errorf("new attempt: got version %d, want 2 with the new text", v2.QuizVersion)
	}
}

func TestNoCorrectnessDataWhileOpen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	secrets := []string{"SECRET", "thank you for calling", "Thank you for calling"}
	var bodies [][]byte
	for _, slug := range []string{"graded", "timed"} {
		res := f.do("POST", "/api/v1/quizzes/"+f.quiz[slug]+"/attempts", f.agent, nil, 201)
		var v quiz.AttemptView
		res.JSON(t, &v)
		bodies = append(bodies, res.Body,
			f.do("GET", "/api/v1/attempts/"+v.ID, f.agent, nil, 200).Body,
			f.save(f.agent, v.ID, 1, map[string]quiz.Response{}, 200).Body)
	}
	bodies = append(bodies, f.do("GET", "/api/v1/programs/"+f.programID+"/quizzes", f.agent, nil, 200).Body)
	for _, b := range bodies {
		if found := leaks(t, b, secrets); len(found) > 0 {
			t.Errorf("correctness data in an in-progress response: %v\n%s", found, b)
		}
	}
	// The walker does find what a graded result carries.
	v := f.start(f.agent, "graded", 200)
	if found := leaks(t, f.do("POST", "/api/v1/attempts/"+v.ID+"/submit", f.agent, nil, 200).Body, secrets); len(found) == 0 {
		t.Error("the leak walker finds nothing in a full-review result; it would not catch a leak either")
	}
}

func TestAccessFollowsEnrollmentAndClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sb := f.env.ClientID("southbank")
	loans := f.env.ProgramID("southbank", "loans")
	f.env.User("loner@nb.test", auth.RoleAgent, f.env.ClientID("northbank"))
	loner := f.env.Login("loner@nb.test")
	f.env.User("trainer@sb.test", auth.RoleTrainer, sb)
	sbTrainer := f.env.Login("trainer@sb.test")
	f.env.User("admin@x.test", auth.RoleAdmin)
	admin := f.env.Login("admin@x.test")
	graded := f.quiz["graded"]
	cases := []struct {
		name, method, path, token string
		want                      int
	}{
		{"agent not enrolled lists", "GET", "/api/v1/programs/" + f.programID + "/quizzes", loner, 404},
		{"agent not enrolled starts", "POST", "/api/v1/quizzes/" + graded + "/attempts", loner, 404},
		{"agent of another program", "GET", "/api/v1/programs/" + loans + "/quizzes", f.agent, 404},
		{"unknown quiz", "POST", "/api/v1/quizzes/00000000-0000-0000-0000-000000000000/attempts", f.agent, 404},
		{"malformed quiz id", "POST", "/api/v1/quizzes/nope/attempts", f.agent, 404},
		{"trainer lists", "GET", "/api/v1/programs/" + f.programID + "/quizzes", f.trainer, 200},
		{"trainer cannot start", "POST", "/api/v1/quizzes/" + graded + "/attempts", f.trainer, 403},
		{"agent cannot analyse", "GET", "/api/v1/quizzes/" + graded + "/analysis", f.agent, 403},
		{"other client's trainer", "GET", "/api/v1/quizzes/" + graded + "/analysis", sbTrainer, 404},
		{"other client's trainer lists", "GET", "/api/v1/programs/" + f.programID + "/quizzes", sbTrainer, 404},
		{"admin analyses", "GET", "/api/v1/quizzes/" + graded + "/analysis", admin, 200},
		{"anonymous", "GET", "/api/v1/programs/" + f.programID + "/quizzes", "", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.do(tc.method, tc.path, tc.token, nil, tc.want)
		})
	}
}

func TestItemAnalysis(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	take := func(token string, answers map[string]quiz.Response) {
		v := f.start(token, "graded", 201)
		f.save(token, v.ID, 1, answers, 200)
		f.submit(token, v.ID)
	}
	take(f.agent, map[string]quiz.Response{"sc": {Choices: []string{"b"}}, "mr": {Choices: []string{"x", "y"}}, "tf": {Choices: []string{"true"}}})
	_, a2 := f.enrolledAgent("a2@nb.test")
	take(a2, map[string]quiz.Response{"sc": {Choices: []string{"c"}}, "mr": {Choices: []string{"x", "z"}}, "tf": {Choices: []string{"false"}}})
	_, a3 := f.enrolledAgent("a3@nb.test")
	take(a3, map[string]quiz.Response{"sc": {Choices: []string{"c"}}, "tf": {Choices: []string{"true"}}})

	var an quiz.Analysis
	f.do("GET", "/api/v1/quizzes/"+f.quiz["graded"]+"/analysis", f.trainer, nil, 200).JSON(t, &an)
	if an.Attempts != 3 || len(an.Questions) != 6 {
		t.Fatalf("got %d attempts, %d questions; want 3 and 6", an.Attempts, len(an.Questions))
	}
	stats := map[string]quiz.ItemStats{}
	for _, q := range an.Questions {
		stats[q.QuestionID] = q
	}
	type want struct {
		drawn, answered, full int
		pct                   float64
		wrong                 string
		wrongCount            int
	}
	for id, w := range map[string]want{
		"sc":  {3, 3, 0, 16.67, "c", 2}, // marks 0.5, 0, 0; b earns half, still not right
		"mr":  {3, 2, 1, 33.33, "z", 1}, // marks 1, 0, 0
		"tf":  {3, 3, 2, 66.67, "false", 1},
		"num": {3, 0, 0, 0, "", 0},
	} {
		s := stats[id]
		got := want{s.Drawn, s.Answered, s.FullyCorrect, s.PercentCorrect, "", 0}
		if s.MostChosenWrong != nil {
			got.wrong, got.wrongCount = s.MostChosenWrong.OptionID, s.MostChosenWrong.Count
		}
		if got != w {
			t.Errorf("%s: got %+v, want %+v", id, got, w)
		}
	}
	if w := stats["sc"].MostChosenWrong; w == nil || w.Text != "Travellers" {
		t.Errorf("sc most chosen wrong: got %+v, want Travellers", w)
	}
}

// TestItemsSurviveTheirMigration takes attempts, rolls the schema back past
// 00021 (which moved items into the attempt row) and forward again: the
// items come back as rows and return unchanged, so analysis reads the same.
func TestItemsSurviveTheirMigration(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.start(f.agent, "graded", 201)
	f.save(f.agent, v.ID, 1, map[string]quiz.Response{"sc": {Choices: []string{"c"}}, "mr": {Choices: []string{"x", "z"}}}, 200)
	f.submit(f.agent, v.ID)
	pending := f.start(f.agent, "graded", 201) // not graded: no items
	before := f.do("GET", "/api/v1/quizzes/"+f.quiz["graded"]+"/analysis", f.trainer, nil, 200).Body
	var items string
	f.env.DB.Raw(`SELECT items::text FROM quiz_attempts WHERE id = ?`, v.ID).Scan(&items)
	if !strings.Contains(items, `"key": "sc"`) || !strings.Contains(items, `"wrong": ["c"]`) {
		t.Fatalf("got items %s, want sc among them with wrong choice c", items)
	}

	sqlDB, _ := f.env.DB.DB()
	m, err := db.NewMigrator(sqlDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for cur, _ := m.Current(ctx); cur >= 21; cur, _ = m.Current(ctx) {
		if err := m.Down(ctx, nil); err != nil {
			t.Fatalf("down from %d: %v", cur, err)
		}
	}
	var rows []struct {
		QuestionKey  string
		Mark         float64
		WrongChoices string
	}
	f.env.DB.Raw(`SELECT question_key, mark::float8 AS mark, wrong_choices::text AS wrong_choices
FROM quiz_attempt_items WHERE attempt_id = ? ORDER BY position`, v.ID).Scan(&rows)
	var openRows int
	f.env.DB.Raw(`SELECT count(*) FROM quiz_attempt_items WHERE attempt_id = ?`, pending.ID).Scan(&openRows)
	if len(rows) != 6 || openRows != 0 {
		t.Fatalf("rolled back: got %d item rows for the graded attempt and %d for the open one, want 6 and 0", len(rows), openRows)
	}
	for _, r := range rows {
		if r.QuestionKey == "sc" && (r.Mark != 0 || r.WrongChoices != "{c}") {
			t.Errorf("rolled back sc: got %+v, want mark 0 and wrong {c}", r)
		}
	}

	if err := m.Up(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var again string
	f.env.DB.Raw(`SELECT items::text FROM quiz_attempts WHERE id = ?`, v.ID).Scan(&again)
	if again != items {
		t.Errorf("items after down and up:\ngot  %s\nwant %s", again, items)
	}
	if after := f.do("GET", "/api/v1/quizzes/"+f.quiz["graded"]+"/analysis", f.trainer, nil, 200).Body; string(after) != string(before) {
		t.Errorf("analysis after down and up:\ngot  %s\nwant %s", after, before)
	}
}
