package quiz_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/skillgate/skillgate/server/internal/quiz"
)

const clozeQuiz = `title: Refunds
pass_percent: 50
review: feedback
questions:
  - id: refunds
    type: cloze
    points: 4
    text: |
      A refund is due within {2:MULTICHOICE:=30 days#SECRET-A~14 days} for a
      {1:SHORTANSWER:=damaged#SECRET-B~*#SECRET-C} unit; the fee is {1:NUMERICAL:=10:0.5#SECRET-D}%.
`

// TestClozeAttemptThroughTheAPI: the open attempt shows the gaps with no
// answer key; gap answers are checked one by one as they are saved; the
// result shows each gap's mark, answer and feedback.
func TestClozeAttemptThroughTheAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := os.WriteFile(filepath.Join(f.quizzes, "northbank", "card-services", "refunds.quiz.yaml"), []byte(clozeQuiz), 0o644); err != nil {
		t.Fatal(err)
	}
	f.edit(filepath.Join(f.content, "northbank", "card-services", "program.yaml"), "  - limited\n", "  - limited\n  - refunds\n")
	f.env.Import(f.content, f.quizzes)
	var list struct{ Quizzes []quiz.QuizSummary }
	f.do("GET", "/api/v1/programs/"+f.programID+"/quizzes", f.agent, nil, 200).JSON(t, &list)
	for _, q := range list.Quizzes {
		f.quiz[q.Slug] = q.ID
	}
	res := f.do("POST", "/api/v1/quizzes/"+f.quiz["refunds"]+"/attempts", f.agent, nil, 201)
	var v quiz.AttemptView
	res.JSON(t, &v)
	secrets := []string{"SECRET", "damaged", "10:0.5", "=30", "MULTICHOICE"}
	if found := leaks(t, res.Body, secrets); len(found) > 0 {
		t.Errorf("correctness data in the open attempt: %v\n%s", found, res.Body)
	}
	q := v.Questions[0]
	if len(q.Gaps) != 3 || q.Gaps[0].Kind != quiz.GapChoice || len(q.Gaps[0].Options) != 2 || q.Gaps[1].Kind != quiz.GapShort || q.Gaps[2].Kind != quiz.GapNumeric {
		t.Fatalf("got gaps %+v, want choice, short, numeric", q.Gaps)
	}
	right := quiz.OptionID("30 days")

	var receipt struct{ Rejected map[string]string }
	f.save(f.agent, v.ID, 1, map[string]quiz.Response{q.ID: {Gaps: map[string]string{"1": right, "3": "12,5"}}}, 200).JSON(t, &receipt)
	if got := receipt.Rejected[q.ID]; got != "Gap 3: Use a point for decimals, such as 12.5." {
		t.Errorf("got rejected %q, want gap 3's decimal comma named", receipt.Rejected)
	}
	f.save(f.agent, v.ID, 2, map[string]quiz.Response{q.ID: {Gaps: map[string]string{"1": right, "2": "lost", "3": "10.4"}}}, 200)
	s := f.submit(f.agent, v.ID)
	if s.Result.Percent != 75 {
		t.Errorf("got %v%%, want 75 (gaps of weight 2 and 1 right, weight 1 wrong)", s.Result.Percent)
	}
	gaps := s.Result.Questions[0].Gaps
	if len(gaps) != 3 || !gaps[0].Correct || gaps[1].Mark != 0 || !gaps[2].Correct {
		t.Fatalf("got gaps %+v, want right, wrong, right", gaps)
	}
	if gaps[1].CorrectAnswer == nil || gaps[1].CorrectAnswer.Texts[0] != "damaged" || len(gaps[1].Feedback) != 1 || gaps[1].Feedback[0] != "SECRET-C" {
		t.Errorf("got gap 2 %+v, want its correct answer and feedback", gaps[1])
	}
}
