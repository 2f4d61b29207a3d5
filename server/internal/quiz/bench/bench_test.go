// Package bench load-tests quiz submissions through the real HTTP server:
// `make bench` runs BenchmarkQuizSubmissions once.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/benchcpu"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

const (
	agents    = 500
	workers   = 50
	questions = 20
)

// BenchmarkQuizSubmissions starts the real router on a loopback listener
// over a fresh database, with 500 agents enrolled in a program whose quiz
// draws 20 questions. 50 concurrent workers drive each agent through
// start → save 20 answers (one batch) → submit, and it reports graded
// submissions per second (whole flows completed over wall time), the p50
// and p99 latency of each step, the error count, and the CPU time spent
// per flow (this process, and the database backends serving it). Run it once:
// go test -run '^$' -bench QuizSubmissions -benchtime 1x ./server/internal/quiz/bench
// With BENCH_PROFILE_DIR set it writes CPU, mutex and block profiles of the
// measured phase there.
func BenchmarkQuizSubmissions(b *testing.B) {
	env := apitest.New(b)
	if sqlDB, err := env.DB.DB(); err == nil {
		sqlDB.SetMaxOpenConns(20) // the server's default pool (db.Open)
		sqlDB.SetMaxIdleConns(20)
	}
	root := b.TempDir()
	writeLibrary(b, root)
	env.Import(filepath.Join(root, "content"), filepath.Join(root, "quizzes"))
	programID := env.ProgramID("benchbank", "cards")
	clientID := env.ClientID("benchbank")

	admin := env.User("admin@bench.test", auth.RoleAdmin)
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	srv := httptest.NewServer(env.App.Router)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}

	b.Logf("setting up %d agents (argon2 hashing makes this take a while)", agents)
	tokens := make([]string, agents)
	var setup sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range agents {
		setup.Add(1)
		go func() {
			defer setup.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("agent%03d@bench.test", i)
			u := env.User(email, auth.RoleAgent, clientID)
			if _, err := env.App.Certification.Enroll(ctx, programID, u.ID); err != nil {
				b.Errorf("enroll: %v", err)
				return
			}
			tokens[i] = login(b, client, srv.URL, email)
		}()
	}
	setup.Wait()
	var list struct{ Quizzes []quiz.QuizSummary }
	if err := call(client, "GET", srv.URL+"/api/v1/programs/"+programID+"/quizzes", tokens[0], nil, &list); err != nil || len(list.Quizzes) != 1 {
		b.Fatalf("list quizzes: %v %+v", err, list)
	}
	quizID := list.Quizzes[0].ID

	stopProfiles := startProfiles(b)
	defer stopProfiles()
	for b.Loop() {
		var starts, saves, submits, flows latencies
		var errs atomic.Int64
		jobs := make(chan string)
		var wg sync.WaitGroup
		t0 := time.Now()
		meter := benchcpu.Start(env.DB)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for token := range jobs {
					f0 := time.Now()
					if err := flow(client, srv.URL, quizID, token, &starts, &saves, &submits); err != nil {
						errs.Add(1)
						b.Logf("flow: %v", err)
						continue
					}
					flows.add(time.Since(f0))
				}
			}()
		}
		for _, tk := range tokens {
			jobs <- tk
		}
		close(jobs)
		wg.Wait()
		elapsed := time.Since(t0)
		selfCPU, pgCPU := meter()
		rate := float64(flows.n()) / elapsed.Seconds()
		b.ReportMetric(rate, "submissions/s")
		b.ReportMetric(float64(submits.pct(99).Microseconds())/1000, "submit-p99-ms")
		b.ReportMetric(float64(errs.Load()), "errors")
		fmt.Fprintf(os.Stdout, "\n%d agents × (start, save %d answers, submit), %d workers, %s wall\n", agents, questions, workers, elapsed.Round(time.Millisecond))
		fmt.Fprintf(os.Stdout, "graded submissions/s: %.0f   errors: %d\n", rate, errs.Load())
		for _, l := range []struct {
			name string
			l    *latencies
		}{{"start", &starts}, {"save", &saves}, {"submit", &submits}, {"whole flow", &flows}} {
			fmt.Fprintf(os.Stdout, "%-10s p50 %6.1f ms   p99 %6.1f ms\n", l.name, ms(l.l.pct(50)), ms(l.l.pct(99)))
		}
		fmt.Fprintf(os.Stdout, "CPU per flow: %.1f ms in this process (server and load), %.1f ms in PostgreSQL\n",
			ms(selfCPU)/agents, ms(pgCPU)/agents)
		var graded, passed int
		env.DB.Raw(`SELECT count(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL`).Scan(&graded)
		env.DB.Raw(`SELECT count(*) FROM quiz_attempts WHERE passed`).Scan(&passed)
		fmt.Fprintf(os.Stdout, "passed: %d of %d (each pass is evaluated for certification after its commit)\n", passed, graded)
		if graded != agents || errs.Load() != 0 {
			b.Errorf("got %d graded attempts and %d errors, want %d and 0", graded, errs.Load(), agents)
		}
	}
}

// flow is one agent's sitting: start, save every answer in one batch, submit.
func flow(client *http.Client, base, quizID, token string, starts, saves, submits *latencies) error {
	var v quiz.AttemptView
	t := time.Now()
	if err := call(client, "POST", base+"/api/v1/quizzes/"+quizID+"/attempts", token, nil, &v); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	starts.add(time.Since(t))
	answers := map[string]quiz.Response{}
	for _, q := range v.Questions {
		switch {
		case len(q.Options) > 0:
			answers[q.ID] = quiz.Response{Choices: []string{q.Options[0].ID}}
		default:
			answers[q.ID] = quiz.Response{Text: "42"}
		}
	}
	t = time.Now()
	if err := call(client, "PUT", base+"/api/v1/attempts/"+v.ID+"/answers", token, map[string]any{"seq": 1, "answers": answers}, nil); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	saves.add(time.Since(t))
	var s quiz.Submission
	t = time.Now()
	if err := call(client, "POST", base+"/api/v1/attempts/"+v.ID+"/submit", token, nil, &s); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	submits.add(time.Since(t))
	return nil
}

func call(client *http.Client, method, url, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func login(b *testing.B, client *http.Client, base, email string) string {
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	err := call(client, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": apitest.Password}, &tk)
	if err != nil {
		b.Errorf("login %s: %v", email, err)
	}
	return tk.AccessToken
}

// latencies collects durations from several goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) n() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// pct is the p-th percentile (nearest rank).
func (l *latencies) pct(p int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(i, 0)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// writeLibrary writes a one-program library whose quiz has 20 questions of
// several types, drawn and shuffled per attempt, unlimited attempts.
func writeLibrary(b testing.TB, root string) {
	files := map[string]string{
		"content/benchbank/client.yaml": "slug: benchbank\nname: Bench Bank\nindustry: banking\ndescription: For the benchmark.\n",
		"content/benchbank/cards/program.yaml": `slug: cards
name: Cards
channels: [voice]
description: Cards.
modules: [cards-intro]
quizzes: [cards-quiz]
certification: {valid_days: 365, refresher_window_days: 30, material_change_grace_days: 14}
`,
		"content/benchbank/cards/cards-intro.md": "---\nslug: cards-intro\ntitle: Cards\nkind: product\nsummary: Cards.\nminutes: 5\nchange: minor\n---\n\n# Cards\n\nText.\n",
	}
	var q strings.Builder
	q.WriteString("title: Cards quiz\npass_percent: 70\nquestions_per_attempt: 20\ntime_limit: 30m\nreview: feedback\nquestions:\n")
	for i := range 30 {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&q, "  - id: q%d\n    type: single_choice\n    text: Question %d?\n    feedback: General.\n    options:\n      - {text: Right, correct: true, feedback: Yes.}\n      - {text: Half, weight: 50}\n      - {text: Wrong, feedback: No.}\n", i, i)
		case 1:
			fmt.Fprintf(&q, "  - id: q%d\n    type: true_false\n    text: Statement %d.\n    answer: true\n", i, i)
		default:
			fmt.Fprintf(&q, "  - id: q%d\n    type: numeric\n    text: How many %d?\n    answers:\n      - {value: 42, tolerance: 1}\n", i, i)
		}
	}
	files["quizzes/benchbank/cards/cards-quiz.quiz.yaml"] = q.String()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
