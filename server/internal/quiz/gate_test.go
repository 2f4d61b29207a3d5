package quiz_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

// TestGatedQuiz gates the limited quiz on the card-products module: the
// agent sees it locked and why, the server refuses to start it until the
// module is completed, then starts it.
func TestGatedQuiz(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	_, content, quizzes := apitest.CopyLibrary(t, "_testlibrary")
	path := filepath.Join(content, "northbank", "card-services", "program.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "  - limited\n", "  - {slug: limited, opens_after: [card-products]}\n", 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	env.Import(content, quizzes)
	f := &fixture{t: t, env: env, quiz: map[string]string{}}
	nb := env.ClientID("northbank")
	f.programID = env.ProgramID("northbank", "card-services")
	env.User("trainer@nb.test", auth.RoleTrainer, nb)
	f.trainer = env.Login("trainer@nb.test")
	_, f.agent = f.enrolledAgent("agent@nb.test")
	mod, err := catalog.NewStore(env.DB).ModuleBySlug(context.Background(), nb, "card-products")
	if err != nil {
		t.Fatal(err)
	}
	var modTitle string
	env.DB.Raw(`SELECT title FROM module_versions WHERE module_id = ? AND number = 1`, mod.ID).Scan(&modTitle)

	list := func(token string) map[string]quiz.QuizSummary {
		var l struct{ Quizzes []quiz.QuizSummary }
		f.do("GET", "/api/v1/programs/"+f.programID+"/quizzes", token, nil, 200).JSON(t, &l)
		out := map[string]quiz.QuizSummary{}
		for _, q := range l.Quizzes {
			out[q.Slug] = q
			f.quiz[q.Slug] = q.ID
		}
		return out
	}
	startLimited := func() *apitest.Response {
		return f.do("POST", "/api/v1/quizzes/"+f.quiz["limited"]+"/attempts", f.agent, nil, 0)
	}
	tests := []struct {
		name string
		// before runs first (reading the module)
		before     func()
		locked     bool
		doneModule bool
		start      int
	}{
		{name: "module not read", locked: true, start: 409},
		{name: "module opened, not completed", before: func() {
			f.do("POST", "/api/v1/modules/"+mod.ID+"/open", f.agent, nil, 200)
		}, locked: true, start: 409},
		{name: "module completed", before: func() {
			f.do("POST", "/api/v1/modules/"+mod.ID+"/complete", f.agent, map[string]int{"version": 1}, 200)
		}, locked: false, doneModule: true, start: 201},
	}
	for _, tc := range tests { // in order: each step builds on the last
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			qs := list(f.agent)
			if g := qs["graded"]; g.OpensAfter != nil || !g.MyAttempts.CanStart {
				t.Errorf("graded: got gate %+v, can start %v; want an open quiz", g.OpensAfter, g.MyAttempts.CanStart)
			}
			l := qs["limited"]
			if l.OpensAfter == nil || len(l.OpensAfter.Modules) != 1 {
				t.Fatalf("limited: got gate %+v, want card-products", l.OpensAfter)
			}
			gm := l.OpensAfter.Modules[0]
			if gm.ModuleID != mod.ID || gm.Title != modTitle || gm.Done != tc.doneModule || l.OpensAfter.Open == tc.locked ||
				l.MyAttempts.Locked != tc.locked || l.MyAttempts.CanStart == tc.locked {
				t.Errorf("limited: got gate %+v, attempts %+v; want locked %v", l.OpensAfter, l.MyAttempts, tc.locked)
			}
			res := startLimited()
			if res.Status != tc.start {
				t.Fatalf("start: got %d %s, want %d", res.Status, res.Body, tc.start)
			}
			if tc.start == 409 {
				var e struct {
					Code    string `json:"code"`
					Message string `json:"message"`
					Details struct {
						Locked     bool      `json:"locked"`
						OpensAfter quiz.Gate `json:"opens_after"`
					} `json:"details"`
				}
				if err := json.Unmarshal(res.Body, &e); err != nil {
					t.Fatal(err)
				}
				if e.Code != "conflict" || !strings.Contains(e.Message, "opens once you have completed this module: "+modTitle) ||
					!e.Details.Locked || len(e.Details.OpensAfter.Modules) != 1 {
					t.Errorf("locked start: got %s", res.Body)
				}
			}
		})
	}
	// Staff see the gate without an agent's progress.
	if g := list(f.trainer)["limited"].OpensAfter; g == nil || g.Open || g.Modules[0].Done {
		t.Errorf("trainer's view of the gate: got %+v", g)
	}
}
