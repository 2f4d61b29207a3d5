package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

// statementLog records the SQL statements GORM sends while on.
type statementLog struct {
	mu  sync.Mutex
	on  bool
	sql []string
}

func (l *statementLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sql
	l.sql = nil
	return s
}

// TestFlowStatementBudget guards the round trips of the benchmark's flow
// (each statement is one round trip, besides BEGIN and COMMIT): start, save
// and submit must not grow past what they take now without someone
// deciding so. The submit includes the certification evaluation after
// commit; its audit entry is one insert.
func TestFlowStatementBudget(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	root := t.TempDir()
	writeLibrary(t, root)
	env.Import(filepath.Join(root, "content"), filepath.Join(root, "quizzes"))
	programID := env.ProgramID("benchbank", "cards")
	admin := env.User("admin@bench.test", auth.RoleAdmin)
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	srv := httptest.NewServer(env.App.Router)
	defer srv.Close()
	client := &http.Client{}
	var tokens []string
	for i := range 2 {
		email := fmt.Sprintf("agent%d@bench.test", i)
		u := env.User(email, auth.RoleAgent, env.ClientID("benchbank"))
		if _, err := env.App.Certification.Enroll(ctx, programID, u.ID); err != nil {
			t.Fatal(err)
		}
		var tk struct {
			AccessToken string `json:"access_token"`
		}
		if err := call(client, "POST", srv.URL+"/api/v1/auth/login", "", map[string]string{"email": email, "password": apitest.Password}, &tk); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tk.AccessToken)
	}
	var list struct{ Quizzes []quiz.QuizSummary }
	if err := call(client, "GET", srv.URL+"/api/v1/programs/"+programID+"/quizzes", tokens[0], nil, &list); err != nil || len(list.Quizzes) != 1 {
		t.Fatalf("list quizzes: %v %+v", err, list)
	}
	quizID := list.Quizzes[0].ID

	var l statementLog
	record := func(db *gorm.DB) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.on {
			l.sql = append(l.sql, strings.Join(strings.Fields(db.Statement.SQL.String()), " "))
		}
	}
	cb := env.DB.Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("budget:query", record),
		cb.Raw().After("gorm:raw").Register("budget:raw", record),
		cb.Row().After("gorm:row").Register("budget:row", record),
		cb.Create().After("gorm:create").Register("budget:create", record),
		cb.Update().After("gorm:update").Register("budget:update", record),
		cb.Delete().After("gorm:delete").Register("budget:delete", record),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var starts, saves, submits latencies
	// The first flow warms the caches (the quiz version); the second is counted.
	if err := flow(client, srv.URL, quizID, tokens[0], &starts, &saves, &submits); err != nil {
		t.Fatal(err)
	}
	var v quiz.AttemptView
	steps := []struct {
		name   string
		budget int
		run    func() error
	}{
		// Start: session, quiz, enrollments, the quiz's gate (program.yaml
		// opens_after: one statement, with the agent's completed modules), then
		// the lock, the agent's attempts and the insert.
		{"start", 7, func() error {
			return call(client, "POST", srv.URL+"/api/v1/quizzes/"+quizID+"/attempts", tokens[1], nil, &v)
		}},
		{"save", 3, func() error {
			answers := map[string]quiz.Response{}
			for _, q := range v.Questions {
				answers[q.ID] = quiz.Response{Text: "42"}
				if len(q.Options) > 0 {
					answers[q.ID] = quiz.Response{Choices: []string{q.Options[0].ID}}
				}
			}
			return call(client, "PUT", srv.URL+"/api/v1/attempts/"+v.ID+"/answers", tokens[1], map[string]any{"seq": 1, "answers": answers}, nil)
		}},
		{"submit", 11, func() error {
			return call(client, "POST", srv.URL+"/api/v1/attempts/"+v.ID+"/submit", tokens[1], nil, nil)
		}},
	}
	for _, st := range steps {
		l.mu.Lock()
		l.on = true
		l.mu.Unlock()
		err := st.run()
		l.mu.Lock()
		l.on = false
		l.mu.Unlock()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := l.take(); len(got) > st.budget {
			t.Errorf("%s: got %d statements, want at most %d:\n%s", st.name, len(got), st.budget, strings.Join(got, "\n"))
		}
	}
}
