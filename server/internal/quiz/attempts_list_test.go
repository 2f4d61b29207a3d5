package quiz_test

import (
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

// TestQuizAttemptsForStaff lists a quiz's attempts filtered by agent, state
// and pass, with the agents' names, for the quiz's client's staff only.
func TestQuizAttemptsForStaff(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Ada passes (4 of 6 points, a pass at 60).
	v := f.start(f.agent, "graded", 201)
	m := question(t, v, "match")
	f.save(f.agent, v.ID, 1, map[string]quiz.Response{
		"sc": {Choices: []string{"b"}}, "mr": {Choices: []string{"x"}}, "tf": {Choices: []string{"true"}},
		"sa": {Text: "thanks"}, "num": {Text: "509.5"},
		"match": {Matches: map[string]string{byText(t, m.Lefts, "Classic"): byText(t, m.Rights, "Blue"), byText(t, m.Lefts, "Voyager"): byText(t, m.Rights, "Gold")}},
	}, 200)
	passed := f.submit(f.agent, v.ID)
	if !passed.Result.Passed {
		t.Fatalf("Ada's attempt: got %+v, want a pass", passed.Result)
	}
	// Bea fails one attempt (nothing answered) and leaves the next open.
	// A minute apart, so newest first is one order.
	beaID, bea := f.enrolledAgent("bea@nb.test")
	f.env.Clock.Advance(time.Minute)
	failed := f.submit(bea, f.start(bea, "graded", 201).ID)
	f.env.Clock.Advance(time.Minute)
	open := f.start(bea, "graded", 201)

	sb := f.env.ClientID("southbank")
	f.env.User("trainer@sb.test", auth.RoleTrainer, sb)
	f.env.User("compliance@x.test", auth.RoleCompliance)
	base := "/api/v1/quizzes/" + f.quiz["graded"] + "/attempts"
	cases := []struct {
		name, query, token string
		wantStatus         int
		wantCode           string
		want               []string // attempt ids, newest first
	}{
		{"every attempt", "", f.trainer, 200, "", []string{open.ID, failed.AttemptID, v.ID}},
		{"one agent", "?user_id=" + beaID, f.trainer, 200, "", []string{open.ID, failed.AttemptID}},
		{"open", "?state=open", f.trainer, 200, "", []string{open.ID}},
		{"submitted", "?state=submitted", f.trainer, 200, "", []string{failed.AttemptID, v.ID}},
		{"passed", "?passed=true", f.trainer, 200, "", []string{v.ID}},
		{"failed", "?passed=false", f.trainer, 200, "", []string{failed.AttemptID}},
		{"combined", "?user_id=" + beaID + "&state=submitted&passed=false", f.trainer, 200, "", []string{failed.AttemptID}},
		{"compliance sees every client", "?state=open", f.env.Login("compliance@x.test"), 200, "", []string{open.ID}},
		{"bad state", "?state=graded", f.trainer, 400, "invalid", nil},
		{"bad user id", "?user_id=bea", f.trainer, 400, "invalid", nil},
		{"bad passed", "?passed=maybe", f.trainer, 400, "invalid", nil},
		{"another client's trainer", "", f.env.Login("trainer@sb.test"), 404, "not_found", nil},
		{"an agent", "", bea, 403, "forbidden", nil},
		{"signed out", "", "", 401, "unauthorized", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := f.env.Do(apitest.Request{Method: "GET", Path: base + tc.query, Token: tc.token})
			if res.Status != tc.wantStatus || res.Code() != tc.wantCode {
				t.Fatalf("got %d %s, want %d %q", res.Status, res.Body, tc.wantStatus, tc.wantCode)
			}
			if tc.wantStatus != 200 {
				return
			}
			var got struct{ Attempts []quiz.AttemptRow }
			res.JSON(t, &got)
			ids := make([]string, len(got.Attempts))
			for i, a := range got.Attempts {
				ids[i] = a.ID
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("got attempts %v, want %v", ids, tc.want)
			}
		})
	}
	if err := f.env.DB.Exec("UPDATE users SET display_name = 'Ada Lovelace' WHERE id = ?", f.agentID).Error; err != nil {
		t.Fatal(err)
	}
	var all struct{ Attempts []quiz.AttemptRow }
	f.env.Do(apitest.Request{Method: "GET", Path: base + "?user_id=" + f.agentID, Token: f.trainer}).JSON(t, &all)
	if len(all.Attempts) != 1 || all.Attempts[0].Email != "agent@nb.test" || all.Attempts[0].DisplayName != "Ada Lovelace" {
		t.Errorf("Ada's row: got %+v, want her email and name", all.Attempts)
	}
}

// TestStaffResultCarriesTheQuestions: staff open an attempt in full with the
// questions it drew, in its order, beside their marks; the agent's own result
// stays as the review policy allows, without them.
func TestStaffResultCarriesTheQuestions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.start(f.agent, "graded", 201)
	f.submit(f.agent, v.ID)
	var staff quiz.Submission
	f.do("GET", "/api/v1/attempts/"+v.ID+"/result", f.trainer, nil, 200).JSON(t, &staff)
	if !staff.Full || staff.QuizTitle == "" || len(staff.Questions) != len(v.Questions) || len(staff.Result.Questions) != len(v.Questions) {
		t.Fatalf("staff result: got full %v, title %q, %d questions, %d marks; want full, a title and %d of each",
			staff.Full, staff.QuizTitle, len(staff.Questions), len(staff.Result.Questions), len(v.Questions))
	}
	for i, q := range staff.Questions {
		if q.ID != v.Questions[i].ID || q.Text != v.Questions[i].Text || staff.Result.Questions[i].ID != q.ID {
			t.Errorf("question %d: got %s %q (mark for %s), want %s %q as drawn", i, q.ID, q.Text, staff.Result.Questions[i].ID, v.Questions[i].ID, v.Questions[i].Text)
		}
	}
	var own quiz.Submission
	f.do("GET", "/api/v1/attempts/"+v.ID+"/result", f.agent, nil, 200).JSON(t, &own)
	if own.Full || own.Questions != nil || own.QuizTitle != "" {
		t.Errorf("agent's own result: got full %v, %d questions, title %q; want neither", own.Full, len(own.Questions), own.QuizTitle)
	}
}
