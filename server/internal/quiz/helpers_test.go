package quiz_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

// fixture is a server with _testlibrary imported: northbank/card-services
// (quizzes graded, timed, limited) and southbank/loans (loans-quiz), a
// northbank trainer and an agent enrolled in card-services.
type fixture struct {
	t         *testing.T
	env       *apitest.Env
	content   string
	quizzes   string
	programID string
	trainer   string // token
	agent     string // token
	agentID   string
	quiz      map[string]string // slug → id, northbank/card-services
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := apitest.New(t)
	_, content, quizzes := apitest.CopyLibrary(t, "_testlibrary")
	f := &fixture{t: t, env: env, content: content, quizzes: quizzes, quiz: map[string]string{}}
	env.Import(f.content, f.quizzes)
	nb := env.ClientID("northbank")
	f.programID = env.ProgramID("northbank", "card-services")
	env.User("trainer@nb.test", auth.RoleTrainer, nb)
	f.trainer = env.Login("trainer@nb.test")
	f.agentID, f.agent = f.enrolledAgent("agent@nb.test")
	res := f.do("GET", "/api/v1/programs/"+f.programID+"/quizzes", f.agent, nil, 200)
	var list struct{ Quizzes []quiz.QuizSummary }
	res.JSON(t, &list)
	for _, q := range list.Quizzes {
		f.quiz[q.Slug] = q.ID
	}
	if len(f.quiz) != 3 {
		t.Fatalf("got quizzes %v, want graded, limited, timed", f.quiz)
	}
	return f
}

// enrolledAgent creates an agent of northbank enrolled in card-services and
// returns its id and token.
func (f *fixture) enrolledAgent(email string) (string, string) {
	f.t.Helper()
	u := f.env.User(email, auth.RoleAgent, f.env.ClientID("northbank"))
	f.do("POST", "/api/v1/programs/"+f.programID+"/enrollments", f.trainer, map[string]string{"user_id": u.ID}, 201)
	return u.ID, f.env.Login(email)
}

// relogin signs the agent in again (access tokens last 15 minutes of the
// manual clock).
func (f *fixture) relogin() {
	f.t.Helper()
	f.agent = f.env.Login("agent@nb.test")
}

// do sends a request and checks its status (0 checks nothing).
func (f *fixture) do(method, path, token string, body any, want int) *apitest.Response {
	f.t.Helper()
	res := f.env.Do(apitest.Request{Method: method, Path: path, Token: token, Body: body})
	if want != 0 && res.Status != want {
		f.t.Fatalf("%s %s: got %d %s, want %d", method, path, res.Status, res.Body, want)
	}
	return res
}

// start starts (or resumes) an attempt and returns it.
func (f *fixture) start(token, slug string, want int) quiz.AttemptView {
	f.t.Helper()
	var v quiz.AttemptView
	f.do("POST", "/api/v1/quizzes/"+f.quiz[slug]+"/attempts", token, nil, want).JSON(f.t, &v)
	return v
}

func (f *fixture) save(token, attemptID string, seq int, answers map[string]quiz.Response, want int) *apitest.Response {
	f.t.Helper()
	return f.do("PUT", "/api/v1/attempts/"+attemptID+"/answers", token, map[string]any{"seq": seq, "answers": answers}, want)
}

func (f *fixture) submit(token, attemptID string) quiz.Submission {
	f.t.Helper()
	var s quiz.Submission
	f.do("POST", "/api/v1/attempts/"+attemptID+"/submit", token, nil, 200).JSON(f.t, &s)
	return s
}

// edit replaces old with new in a file of the fixture's library.
func (f *fixture) edit(path, old, new string) {
	f.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		f.t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// leaks walks a JSON document and returns every object key that carries
// correctness data, and every string holding one of secrets.
func leaks(t *testing.T, body []byte, secrets []string) []string {
	t.Helper()
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	forbidden := map[string]bool{"correct": true, "weight": true, "feedback": true, "right_feedback": true,
		"wrong_feedback": true, "pattern": true, "tolerance": true, "numbers": true, "pairs": true, "right": true,
		"correct_answer": true, "is_range": true, "min": true, "max": true, "value": true, "result": true,
		"reread": true, "mark": true, "score": true, "percent": true}
	var found []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if forbidden[k] {
					found = append(found, path+"."+k)
				}
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		case string:
			for _, s := range secrets {
				if strings.Contains(v, s) {
					found = append(found, path+" holds "+s)
				}
			}
		}
	}
	walk("$", doc)
	return found
}

// byText returns the id of the item with the text.
func byText(t *testing.T, items []quiz.PublicItem, text string) string {
	t.Helper()
	for _, it := range items {
		if it.Text == text {
			return it.ID
		}
	}
	t.Fatalf("no item %q in %v", text, items)
	return ""
}

// question returns the attempt's question with the id.
func question(t *testing.T, v quiz.AttemptView, id string) quiz.PublicQuestion {
	t.Helper()
	for _, q := range v.Questions {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("attempt has no question %s", id)
	return quiz.PublicQuestion{}
}
