package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/skillgate/skillgate/server/internal/testdb"
	"github.com/skillgate/skillgate/server/internal/testwait"
)

// runMainEnv makes the test binary run the real program (main) instead of
// the tests, so the restart tests can start Skillgate as a subprocess and
// signal or kill it without building anything.
const runMainEnv = "SKILLGATE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const restartPassword = "tangerine-orbit-lantern"

// server is Skillgate running as a child process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	done   chan error
}

// startServer starts `skillgate serve` on a free loopback port over dbURL
// and waits until it says where it listens.
func startServer(t *testing.T, dbURL string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "DATABASE_URL="+dbURL, "HTTP_ADDR=127.0.0.1:0",
		"JWT_SECRET=restart-test-secret-restart-test-secret", "LOG_LEVEL=warn", "SKILLGATE_ENV=development")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), "Skillgate is serving on "); ok {
				found <- strings.Fields(rest)[0]
			}
		}
		s.done <- cmd.Wait()
	}()
	select {
	case s.url = <-found:
		return s
	case err := <-s.done:
		s.done <- err
		t.Fatalf("the server exited before serving: %v\n%s", err, s.stderr)
	case <-time.After(testwait.Deadline):
		t.Fatalf("the server did not start within %s\n%s", testwait.Deadline, s.stderr)
	}
	return nil
}

// createAgents creates agents with the real CLI (skillgate user create).
func createAgents(t *testing.T, dbURL string, n int) []string {
	t.Helper()
	emails := make([]string, n)
	for i := range n {
		emails[i] = fmt.Sprintf("agent%d@restart.test", i)
		var out bytes.Buffer
		err := run(context.Background(), []string{"user", "create", "--email", emails[i], "--role", "agent", "--password-stdin"},
			func(k string) string {
				return map[string]string{"DATABASE_URL": dbURL, "LOG_LEVEL": "error"}[k]
			}, strings.NewReader(restartPassword+"\n"), &out, &out)
		if err != nil {
			t.Fatalf("user create: %v\n%s", err, out.String())
		}
	}
	return emails
}

func login(t *testing.T, base, email string) string {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"email": email, "password": restartPassword})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tk); err != nil || res.StatusCode != 200 {
		t.Fatalf("login %s: %d %v", email, res.StatusCode, err)
	}
	return tk.AccessToken
}

// outcome is one write's fate as the client saw it.
type outcome struct {
	number string // the license number written (unique per request)
	owner  int    // the index of the agent's token
	status int
	id     string
	err    error
	at     time.Time // when the answer (or error) came
}

// load submits licenses (each with its own number) from workers, one new
// connection per request, and keeps every outcome; a test waits on it for
// what the load has seen (so many writes acknowledged, so many refused)
// rather than for time to pass.
type load struct {
	mu      sync.Mutex
	all     []outcome
	changed chan struct{} // closed, and replaced, whenever an outcome arrives
	stop    chan struct{}
	stopped sync.Once
	done    chan struct{}
}

// startLoad starts workers writing to base until finish is called (at the
// latest when the test ends).
func startLoad(t *testing.T, base string, tokens []string, workers int) *load {
	l := &load{changed: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	t.Cleanup(func() { l.finish() })
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 60 * time.Second}
	var seq atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				o := outcome{number: fmt.Sprintf("R-%06d", seq.Add(1)), owner: w % len(tokens)}
				raw, _ := json.Marshal(map[string]any{
					"npn": "1234567", "jurisdiction": "TX", "license_number": o.number, "class": "insurance-producer",
					"lines_of_authority": []string{"life"}, "resident": true,
					"issue_date": "2025-01-10", "effective_date": "2025-01-15", "expiry_date": "2027-01-31",
				})
				req, _ := http.NewRequest("POST", base+"/api/v1/licenses", bytes.NewReader(raw))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tokens[o.owner])
				res, err := client.Do(req)
				if err == nil {
					var lic struct{ ID string }
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					o.status = res.StatusCode
					_ = json.Unmarshal(body, &lic)
					o.id = lic.ID
				}
				o.err, o.at = err, time.Now()
				l.mu.Lock()
				l.all = append(l.all, o)
				close(l.changed)
				l.changed = make(chan struct{})
				l.mu.Unlock()
				if err != nil {
					select { // the server is gone: knock less often
					case <-l.stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}
		}()
	}
	go func() { wg.Wait(); close(l.done) }()
	return l
}

// waitFor returns once the outcomes so far satisfy ok, and fails the test
// when they still do not after testwait.Deadline (the run is stuck).
func (l *load) waitFor(t *testing.T, what string, ok func([]outcome) bool) {
	t.Helper()
	deadline := time.NewTimer(testwait.Deadline)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		met, changed, n := ok(l.all), l.changed, len(l.all)
		l.mu.Unlock()
		if met {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("waited %s for %s (%d outcomes so far): the run is stuck", testwait.Deadline, what, n)
		}
	}
}

// finish stops the workers and returns every outcome.
func (l *load) finish() []outcome {
	l.stopped.Do(func() { close(l.stop) })
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all
}

// acknowledged is true once n writes were answered 201.
func acknowledged(n int) func([]outcome) bool {
	return func(all []outcome) bool {
		c := 0
		for _, o := range all {
			if o.err == nil && o.status == 201 {
				c++
			}
		}
		return c >= n
	}
}

func licensesByNumber(t *testing.T, dbURL string) map[string]string {
	t.Helper()
	sqlDB, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	rows, err := sqlDB.Query(`SELECT license_number, id FROM licenses`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var n, id string
		if err := rows.Scan(&n, &id); err != nil {
			t.Fatal(err)
		}
		m[n] = id
	}
	return m
}

// refusedBeforeServing reports whether a transport error means the server
// never took the request: the connection was refused, or reset before any
// answer (accepted by the kernel after the listener closed).
func refusedBeforeServing(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)
}

// TestSIGTERMUnderLoadDropsNoInFlightRequest starts the real program, puts
// it under write load and sends it SIGTERM: every request it accepted is
// answered (201) before it exits, cleanly; the only failures are requests
// the closed listener never took, and none of those was written.
func TestSIGTERMUnderLoadDropsNoInFlightRequest(t *testing.T) {
	t.Parallel()
	dbURL := testdb.NewURL(t)
	emails := createAgents(t, dbURL, 4)
	srv := startServer(t, dbURL)
	var tokens []string
	for _, e := range emails {
		tokens = append(tokens, login(t, srv.url, e))
	}
	l := startLoad(t, srv.url, tokens, 8)
	l.waitFor(t, "20 acknowledged writes", acknowledged(20))
	signalled := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	select {
	case exitErr = <-srv.done:
	case <-time.After(testwait.Deadline):
		t.Fatalf("the server did not exit within %s of SIGTERM\n%s", testwait.Deadline, srv.stderr)
	}
	exited := time.Now()
	l.waitFor(t, "requests refused after the exit", func(all []outcome) bool {
		n := 0
		for _, o := range all {
			if o.err != nil && o.at.After(exited) && refusedBeforeServing(o.err) {
				n++
			}
		}
		return n >= 8
	})
	all := l.finish()
	if exitErr != nil {
		t.Errorf("the server exited with %v, want a clean exit\n%s", exitErr, srv.stderr)
	}
	inDB := licensesByNumber(t, dbURL)
	var ok, refused, afterSignal int
	for _, o := range all {
		switch {
		case o.err == nil && o.status == 201:
			ok++
			if o.at.After(signalled) {
				afterSignal++
			}
			if inDB[o.number] != o.id {
				t.Errorf("license %s was acknowledged (%s) but is not in the database", o.number, o.id)
			}
		case o.err != nil && refusedBeforeServing(o.err):
			refused++
			if _, written := inDB[o.number]; written {
				t.Errorf("license %s was written but its request failed with %v: an in-flight request was dropped", o.number, o.err)
			}
		default:
			t.Errorf("license %s: got %d %v, want 201 or a refused connection", o.number, o.status, o.err)
		}
	}
	t.Logf("%d writes acknowledged (%d answered after SIGTERM), %d refused once the listener closed", ok, afterSignal, refused)
	if ok == 0 || refused == 0 {
		t.Errorf("got %d acknowledged and %d refused, want both: the load must straddle the shutdown", ok, refused)
	}
	if len(inDB) != ok {
		t.Errorf("got %d licenses in the database, want exactly the %d acknowledged", len(inDB), ok)
	}
}

// TestKilledServerLosesNoAcknowledgedWrite starts the real program, puts
// it under write load, kills it with SIGKILL (no chance to clean up),
// starts it again over the same database and finds every write it had
// acknowledged: PostgreSQL commits before any 2xx is sent.
func TestKilledServerLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	dbURL := testdb.NewURL(t)
	emails := createAgents(t, dbURL, 2)
	srv := startServer(t, dbURL)
	var tokens []string
	for _, e := range emails {
		tokens = append(tokens, login(t, srv.url, e))
	}
	l := startLoad(t, srv.url, tokens, 8)
	l.waitFor(t, "20 acknowledged writes", acknowledged(20))
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	all := l.finish()

	// Every acknowledged write, read back by its owner through the
	// restarted server.
	again := startServer(t, dbURL)
	var fresh []string
	for _, e := range emails {
		fresh = append(fresh, login(t, again.url, e))
	}
	acked := 0
	for _, o := range all {
		if o.err != nil || o.status != 201 {
			continue
		}
		acked++
		req, _ := http.NewRequest("GET", again.url+"/api/v1/licenses/"+o.id, nil)
		req.Header.Set("Authorization", "Bearer "+fresh[o.owner])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("license %s (%s) was acknowledged before the kill; after the restart GET answers %d", o.number, o.id, res.StatusCode)
		}
	}
	inDB := licensesByNumber(t, dbURL)
	for _, o := range all {
		if o.err == nil && o.status == 201 && inDB[o.number] != o.id {
			t.Errorf("license %s was acknowledged (%s) before the kill but is not in the database", o.number, o.id)
		}
	}
	t.Logf("%d writes acknowledged before SIGKILL, all found after the restart (%d rows)", acked, len(inDB))
	if acked == 0 {
		t.Fatal("no write was acknowledged before the kill: the test proved nothing")
	}
}
