package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/logx"
	"github.com/skillgate/skillgate/server/internal/quiz"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/testdb"
	"github.com/skillgate/skillgate/server/internal/testwait"
)

// tcpProxy forwards connections to Postgres until it is cut: then it
// closes every open connection and every new one at once, as a database
// restart or a network failure does. Stalled, it keeps every connection
// open and accepts new ones but passes no bytes either way, as a network
// partition or a stuck proxy does, until it heals.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
	// flowing is closed while bytes pass; open while stalled.
	flowing chan struct{}
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, flowing: make(chan struct{})}
	close(p.flowing)
	t.Cleanup(func() { ln.Close(); p.cut(); p.heal() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
	return p
}

func (p *tcpProxy) forward(c net.Conn) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.pipe(up, c); done <- struct{}{} }()
	go func() { p.pipe(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// pipe copies src to dst, holding each chunk while the proxy is stalled.
func (p *tcpProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			flowing := p.flowing
			p.mu.Unlock()
			<-flowing
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// stall stops passing bytes, leaving every connection open.
func (p *tcpProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flowing:
		p.flowing = make(chan struct{})
	default:
	}
}

// heal passes bytes again, the held ones first.
func (p *tcpProxy) heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flowing:
	default:
		close(p.flowing)
	}
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// servedApp builds the app over g as the outage and partition tests serve
// it — the real clock, admission control and the eligibility view on (its
// feed read until the test ends), the outage library imported — behind a
// test server, with an admin; edit changes the configuration first. It
// returns the app, the server, a client and the admin's context.
func servedApp(t *testing.T, g *gorm.DB, adminEmail string, edit func(*app.Config)) (*app.App, *httptest.Server, *http.Client, context.Context) {
	t.Helper()
	ctx := context.Background()
	cfg := app.Config{Env: app.Development, HTTPAddr: ":0", JWTSecret: []byte("test-secret-test-secret-test-secret!"),
		LogFormat: "text", MaxBodyBytes: 1 << 20, Admission: app.DefaultAdmission, EligibilityView: true}
	edit(&cfg)
	a, err := app.New(cfg, logx.Discard(), g, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	views, stopViews := context.WithCancel(ctx)
	t.Cleanup(stopViews)
	go a.Routing.RunView(views)
	content, quizzes := outageLibrary(t)
	if _, err := a.Import(ctx, content, quizzes, catalog.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Router)
	t.Cleanup(srv.Close)
	admin, err := a.Auth.CreateUserAs(ctx, audit.System("test"), auth.CreateUserInput{Email: adminEmail, Role: auth.RoleAdmin, Password: "tangerine-orbit-lantern"})
	if err != nil {
		t.Fatal(err)
	}
	return a, srv, &http.Client{Timeout: 30 * time.Second}, auth.WithPrincipal(ctx, &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
}

// outageLibrary is one program with one quiz of five questions.
func outageLibrary(t *testing.T) (string, string) {
	root := t.TempDir()
	var q strings.Builder
	q.WriteString("title: Outage quiz\npass_percent: 50\nquestions_per_attempt: 5\ntime_limit: 30m\nreview: feedback\nquestions:\n")
	for i := range 5 {
		fmt.Fprintf(&q, "  - id: q%d\n    type: true_false\n    text: Statement %d.\n    answer: true\n", i, i)
	}
	files := map[string]string{
		"content/outbank/client.yaml":          "slug: outbank\nname: Outage Bank\nindustry: banking\ndescription: For the outage test.\n",
		"content/outbank/cards/program.yaml":   "slug: cards\nname: Cards\nchannels: [voice]\ndescription: Cards.\nmodules: [intro]\nquizzes: [quiz]\ncertification: {valid_days: 365, refresher_window_days: 30, material_change_grace_days: 14}\n",
		"content/outbank/cards/intro.md":       "---\nslug: intro\ntitle: Intro\nkind: product\nsummary: Intro.\nminutes: 5\nchange: minor\n---\n\n# Intro\n\nText.\n",
		"quizzes/outbank/cards/quiz.quiz.yaml": q.String(),
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(root, "content"), filepath.Join(root, "quizzes")
}

// httpCall sends one request and decodes a 2xx JSON answer into out.
func httpCall(client *http.Client, method, url, token string, header map[string]string, body, out any) (int, http.Header, error) {
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, res.Header, err
	}
	if res.StatusCode < 300 && out != nil {
		return res.StatusCode, res.Header, json.Unmarshal(raw, out)
	}
	if res.StatusCode >= 300 && out != nil {
		if e, ok := out.(*errorAnswer); ok {
			_ = json.Unmarshal(raw, e)
		}
	}
	return res.StatusCode, res.Header, nil
}

type errorAnswer struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// TestDatabaseOutageFailsFastAndRecovers puts a TCP proxy between a real
// server (the real router on a loopback listener) and PostgreSQL, drives
// quiz sittings from several agents, cuts the database off for a while and
// brings it back. While it is down: readiness fails, requests fail fast
// with 503 unavailable and Retry-After, eligibility fails closed. After:
// the server recovers by itself, and every submission answered 2xx is in
// the database exactly once.
func TestDatabaseOutageFailsFastAndRecovers(t *testing.T) {
	t.Parallel()
	direct := testdb.NewURL(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	ctx := context.Background()
	g, err := db.Open(ctx, u.String(), db.Options{MaxOpenConns: 10, StatementTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(g)
	a, srv, client, actx := servedApp(t, g, "admin@outage.test", func(c *app.Config) {})
	key, err := a.Auth.CreateAPIKey(actx, auth.CreateAPIKeyInput{Name: "acd", Scopes: []string{auth.ScopeEligibilityRead}})
	if err != nil {
		t.Fatal(err)
	}
	var programID string
	if err := g.Raw(`SELECT id FROM programs WHERE slug = 'cards'`).Scan(&programID).Error; err != nil || programID == "" {
		t.Fatalf("program: %v", err)
	}
	const workers = 6
	tokens := make([]string, workers)
	agentIDs := make([]string, workers)
	for i := range workers {
		email := fmt.Sprintf("agent%d@outage.test", i)
		ag, err := a.Auth.CreateUserAs(ctx, audit.System("test"), auth.CreateUserInput{Email: email, Role: auth.RoleAgent, Password: "tangerine-orbit-lantern"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Certification.Enroll(actx, programID, ag.ID); err != nil {
			t.Fatal(err)
		}
		var tk struct {
			AccessToken string `json:"access_token"`
		}
		if st, _, err := httpCall(client, "POST", srv.URL+"/api/v1/auth/login", "", nil, map[string]string{"email": email, "password": "tangerine-orbit-lantern"}, &tk); err != nil || st != 200 {
			t.Fatalf("login: %d %v", st, err)
		}
		tokens[i], agentIDs[i] = tk.AccessToken, ag.ID
	}
	var list struct{ Quizzes []quiz.QuizSummary }
	if st, _, err := httpCall(client, "GET", srv.URL+"/api/v1/programs/"+programID+"/quizzes", tokens[0], nil, nil, &list); err != nil || st != 200 || len(list.Quizzes) != 1 {
		t.Fatalf("quizzes: %d %v %+v", st, err, list)
	}
	quizID := list.Quizzes[0].ID
	eligibility := srv.URL + "/api/v1/eligibility?agent=" + agentIDs[0] + "&program=" + programID
	// Asked once before the outage, so the replica's view holds the answer.
	if st, _, err := httpCall(client, "GET", eligibility, key.Key, nil, nil, nil); st != 200 || err != nil {
		t.Fatalf("eligibility before the outage: %d %v", st, err)
	}

	// The load: each agent sits the quiz again and again; a failed submit
	// is retried with the same Idempotency-Key, as a careful client does.
	var (
		mu          sync.Mutex
		submitted   = map[string]bool{} // attempts whose submit answered 2xx
		bad         []string            // answers that are neither 2xx nor 503 unavailable
		slowFail    atomic.Int64        // 503s that took longer than 2 s
		afterUp     atomic.Int64        // submissions answered 2xx after the database came back
		phase       atomic.Int32        // 0 up, 1 down, 2 back
		downAnswers atomic.Int64        // 503s answered while the database was away
	)
	note := func(what string, st int, hdr http.Header, took time.Duration, err error) bool {
		switch {
		case err != nil:
			mu.Lock()
			bad = append(bad, fmt.Sprintf("%s: %v", what, err))
			mu.Unlock()
		case st < 300:
			return true
		case st == 503:
			if phase.Load() == 1 {
				downAnswers.Add(1)
			}
			if hdr.Get("Retry-After") == "" {
				mu.Lock()
				bad = append(bad, what+": 503 without Retry-After")
				mu.Unlock()
			}
			if took > 2*time.Second {
				slowFail.Add(1)
			}
		case st == 409 && phase.Load() == 2:
			// A key whose first request died with the connection, still
			// being settled: retried below.
		default:
			mu.Lock()
			bad = append(bad, fmt.Sprintf("%s: %d (phase %d)", what, st, phase.Load()))
			mu.Unlock()
		}
		return false
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			token := tokens[w]
			pause := func() bool {
				select {
				case <-stop:
					return false
				case <-time.After(50 * time.Millisecond):
					return true
				}
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				var v quiz.AttemptView
				t0 := time.Now()
				st, hdr, err := httpCall(client, "POST", srv.URL+"/api/v1/quizzes/"+quizID+"/attempts", token, nil, nil, &v)
				if !note("start", st, hdr, time.Since(t0), err) {
					if !pause() {
						return
					}
					continue
				}
				answers := map[string]quiz.Response{}
				for _, q := range v.Questions {
					answers[q.ID] = quiz.Response{Choices: []string{q.Options[0].ID}}
				}
				if v.Seq == 0 {
					t0 = time.Now()
					st, hdr, err = httpCall(client, "PUT", srv.URL+"/api/v1/attempts/"+v.ID+"/answers", token, nil, map[string]any{"seq": 1, "answers": answers}, nil)
					if !note("save", st, hdr, time.Since(t0), err) && st != 409 {
						if !pause() {
							return
						}
						continue // start again: it resumes the open attempt
					}
				}
				for {
					t0 = time.Now()
					st, hdr, err = httpCall(client, "POST", srv.URL+"/api/v1/attempts/"+v.ID+"/submit", token,
						map[string]string{"Idempotency-Key": "submit-" + v.ID}, nil, nil)
					if note("submit", st, hdr, time.Since(t0), err) {
						mu.Lock()
						submitted[v.ID] = true
						mu.Unlock()
						if phase.Load() == 2 {
							afterUp.Add(1)
						}
						break
					}
					if !pause() {
						return
					}
				}
			}
		}()
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()

	// within fails the test unless ok holds within d: for the time bounds
	// this test is about (failing closed, recovering).
	within := func(what string, d time.Duration, ok func() bool) time.Duration {
		t.Helper()
		took, held := testwait.Within(d, ok)
		if !held {
			t.Fatalf("%s: not within %s", what, d)
		}
		return took
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(submitted) }
	testwait.Until(t, "10 submissions before the outage", func() bool { return count() >= 10 })

	// Down.
	phase.Store(1)
	proxy.cut()
	t0 := time.Now()
	var ready errorAnswer
	st, hdr, _ := httpCall(client, "GET", srv.URL+"/readyz", "", nil, nil, &ready)
	if st != 503 || hdr.Get("Retry-After") == "" || time.Since(t0) > 3*time.Second {
		t.Errorf("readyz while down: got %d (Retry-After %q) after %s, want 503 with Retry-After within 3 s", st, hdr.Get("Retry-After"), time.Since(t0))
	}
	// The view may answer from what it read before the cut for up to
	// ViewMaxLag (no answer is older than that); then eligibility fails
	// closed like every other read.
	cached := within("eligibility to fail closed", routing.ViewMaxLag+time.Second, func() bool {
		st, _, _ := httpCall(client, "GET", eligibility, key.Key, nil, nil, nil)
		if st != 200 && st != 503 {
			t.Errorf("eligibility while down: got %d, want 200 from the view or 503", st)
		}
		return st == 503
	})
	t.Logf("eligibility failed closed %s after the cut", cached.Round(time.Millisecond))
	for _, check := range []struct{ name, url, token string }{
		{"eligibility (API key)", eligibility, key.Key},
		{"my certifications (user)", srv.URL + "/api/v1/me/certifications", tokens[1]},
	} {
		var e errorAnswer
		t0 = time.Now()
		st, hdr, err := httpCall(client, "GET", check.url, check.token, nil, nil, &e)
		if err != nil || st != 503 || e.Code != "unavailable" || hdr.Get("Retry-After") == "" || time.Since(t0) > time.Second {
			t.Errorf("%s while down: got %d %q (Retry-After %q, %v) after %s; want 503 unavailable with Retry-After within 1 s",
				check.name, st, e.Code, hdr.Get("Retry-After"), err, time.Since(t0))
		}
	}
	// The load keeps knocking while the database is away: every worker is
	// refused a few times before it comes back.
	testwait.Until(t, "the load to be refused while the database is away", func() bool { return downAnswers.Load() >= 3*workers })
	downCount := count()

	// Back.
	proxy.restore()
	phase.Store(2)
	up := within("readyz after the database returned", 10*time.Second, func() bool {
		st, _, _ := httpCall(client, "GET", srv.URL+"/readyz", "", nil, nil, nil)
		return st == 200
	})
	t.Logf("ready %s after the database returned; %d submissions before the cut", up.Round(time.Millisecond), downCount)
	var ans struct{ Eligible *bool }
	if st, _, err := httpCall(client, "GET", eligibility, key.Key, nil, nil, &ans); st != 200 || err != nil || ans.Eligible == nil {
		t.Errorf("eligibility after recovery: got %d %v", st, err)
	}
	testwait.Until(t, "submissions after recovery", func() bool { return afterUp.Load() >= 2*workers })
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("%d answers were neither 2xx nor a fast 503, e.g. %q", len(bad), bad[:min(len(bad), 5)])
	}
	if n := slowFail.Load(); n > 0 {
		t.Errorf("%d requests took over 2 s to fail, want every failure fast", n)
	}
	// Every acknowledged submission is in the database, exactly once.
	for id := range submitted {
		var graded, audited int
		g.Raw(`SELECT count(*) FROM quiz_attempts WHERE id = ? AND submitted_at IS NOT NULL`, id).Scan(&graded)
		g.Raw(`SELECT count(*) FROM audit_log WHERE action = 'quiz.attempt_submitted' AND subject_id = ?`, id).Scan(&audited)
		if graded != 1 || audited != 1 {
			t.Errorf("attempt %s answered 2xx: got %d graded rows and %d submit audits, want exactly 1 each", id, graded, audited)
		}
	}
	var total int
	g.Raw(`SELECT count(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL`).Scan(&total)
	if total < len(submitted) {
		t.Errorf("got %d graded attempts in the database, want at least the %d acknowledged", total, len(submitted))
	}
	t.Logf("%d submissions acknowledged, all in the database once", len(submitted))
}
