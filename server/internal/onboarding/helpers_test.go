package onboarding_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// fixture is the acme/support library of testdata: two modules, the basics
// quiz, a role-play the program wants signed off, a four-day onboarding
// plan and a refresher set (the fees module and the refresh quiz).
type fixture struct {
	env        *apitest.Env
	program    string
	acme       string
	other      string // a client the acme staff do not belong to
	modules    map[string]string
	quizzes    map[string]string
	roleplay   string
	trainerID  string
	trainer    string
	supervisor string
}

func setup(t *testing.T) *fixture {
	t.Helper()
	env := apitest.New(t)
	env.Import(filepath.Join("testdata", "content"), filepath.Join("testdata", "quizzes"))
	f := &fixture{env: env, program: env.ProgramID("acme", "support"), acme: env.ClientID("acme"),
		modules: map[string]string{}, quizzes: map[string]string{}}
	for _, slug := range []string{"fees", "verify-caller"} {
		m, err := catalog.NewStore(env.DB).ModuleBySlug(context.Background(), f.acme, slug)
		if err != nil {
			t.Fatal(err)
		}
		f.modules[slug] = m.ID
	}
	f.quizzes["basics"] = f.id(`SELECT id FROM quizzes WHERE slug = 'basics'`)
	f.quizzes["refresh"] = f.id(`SELECT id FROM quizzes WHERE slug = 'refresh'`)
	f.roleplay = f.id(`SELECT id FROM roleplays WHERE slug = 'fee-call'`)
	f.other = f.id(`INSERT INTO clients (id, slug, name, industry, description, created_at, updated_at)
		VALUES (gen_random_uuid(), 'globex', 'Globex', '', '', now(), now()) RETURNING id`)
	f.trainerID = env.User("trainer@acme.test", auth.RoleTrainer, f.acme).ID
	env.User("supervisor@acme.test", auth.RoleSupervisor, f.acme)
	f.login()
	return f
}

// login signs the staff in again (tokens last 15 minutes of the manual clock).
func (f *fixture) login() {
	f.trainer = f.env.Login("trainer@acme.test")
	f.supervisor = f.env.Login("supervisor@acme.test")
}

func (f *fixture) id(q string) string {
	f.env.T.Helper()
	var id string
	if err := f.env.DB.Raw(q).Scan(&id).Error; err != nil || id == "" {
		f.env.T.Fatalf("%s: got %q, %v", q, id, err)
	}
	return id
}

func (f *fixture) do(token, method, path string, body any, want int, out any) *apitest.Response {
	f.env.T.Helper()
	res := f.env.Do(apitest.Request{Method: method, Path: path, Token: token, Body: body})
	if res.Status != want {
		f.env.T.Fatalf("%s %s: got %d %s, want %d", method, path, res.Status, res.Body, want)
	}
	if out != nil {
		res.JSON(f.env.T, out)
	}
	return res
}

type cohortView struct {
	ID        string   `json:"id"`
	StartDate string   `json:"start_date"`
	DaysOff   []string `json:"days_off"`
	Members   []struct {
		UserID string `json:"user_id"`
	} `json:"members"`
}

// cohort creates a cohort of acme/support starting on start.
func (f *fixture) cohort(start string) string {
	f.env.T.Helper()
	var v cohortView
	f.do(f.trainer, "POST", "/api/v1/cohorts", map[string]any{"name": "March hires", "start_date": start,
		"trainer_id": f.trainerID, "program_ids": []string{f.program}}, 201, &v)
	return v.ID
}

// member creates an agent and adds them to the cohort: their id.
func (f *fixture) member(cohortID, email string) string {
	f.env.T.Helper()
	u := f.env.User(email, auth.RoleAgent, f.acme)
	f.do(f.trainer, "POST", "/api/v1/cohorts/"+cohortID+"/members", map[string]string{"user_id": u.ID}, 201, nil)
	return u.ID
}

func (f *fixture) read(token, slug string, version int) {
	f.env.T.Helper()
	f.do(token, "POST", "/api/v1/modules/"+f.modules[slug]+"/open", nil, 200, nil)
	f.do(token, "POST", "/api/v1/modules/"+f.modules[slug]+"/complete", map[string]int{"version": version}, 200, nil)
}

// takeQuiz answers every question of the quiz with answers and submits:
// whether it passed.
func (f *fixture) takeQuiz(token, quiz string, answers map[string]string) bool {
	f.env.T.Helper()
	var a struct {
		ID string `json:"id"`
	}
	f.do(token, "POST", "/api/v1/quizzes/"+f.quizzes[quiz]+"/attempts", nil, 201, &a)
	body := map[string]any{}
	for q, choice := range answers {
		body[q] = map[string]any{"choices": []string{choice}}
	}
	f.do(token, "PUT", "/api/v1/attempts/"+a.ID+"/answers", map[string]any{"seq": 1, "answers": body}, 200, nil)
	var sub struct {
		Result struct {
			Passed bool `json:"passed"`
		} `json:"result"`
	}
	f.do(token, "POST", "/api/v1/attempts/"+a.ID+"/submit", nil, 200, &sub)
	return sub.Result.Passed
}

// playRoleplay plays the passing path: the run's id.
func (f *fixture) playRoleplay(token string) string {
	f.env.T.Helper()
	type view struct {
		ID      string `json:"id"`
		Seq     int    `json:"seq"`
		Current *struct {
			TurnID string `json:"turn_id"`
		} `json:"current"`
	}
	var v view
	f.do(token, "POST", "/api/v1/roleplays/"+f.roleplay+"/runs", nil, 201, &v)
	for v.Current != nil {
		var next view
		f.do(token, "POST", "/api/v1/runs/"+v.ID+"/turns", map[string]any{"seq": v.Seq, "turn_id": v.Current.TurnID, "option_id": "a"}, 200, &next)
		v = next
	}
	return v.ID
}

// setDay moves the clock to 10:00 UTC of the date.
func (f *fixture) setDay(date string) {
	f.env.T.Helper()
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		f.env.T.Fatal(err)
	}
	f.env.Clock.Set(d.Add(10 * time.Hour))
	f.login()
}

type matrix struct {
	AsOf    string `json:"as_of"`
	Columns []struct {
		Kind string `json:"kind"`
		Slug string `json:"slug"`
		Day  int    `json:"day"`
		Due  string `json:"due_date"`
	} `json:"columns"`
	Rows []struct {
		Email   string `json:"email"`
		Status  string `json:"status"`
		Overdue int    `json:"overdue"`
		Cells   []struct {
			Status string `json:"status"`
		} `json:"cells"`
	} `json:"rows"`
}

func apiReq(token, path, accept string) apitest.Request {
	return apitest.Request{Method: "GET", Path: path, Token: token, Header: map[string]string{"Accept": accept}}
}
