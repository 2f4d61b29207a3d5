package benchcpu

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/testwait"
)

// ServingLine is what a child prints, followed by its URL, once it accepts
// requests: `skillgate serve` prints "Skillgate is serving on <url> ...",
// and a benchmark's own stand-in server should print the same words.
const ServingLine = "serving on "

// metricsLine is what `skillgate serve` prints before its metrics URL.
const metricsLine = "Metrics for operators on "

// Child is a server running as a process of its own, so its CPU time and
// memory are its own and not the load generator's.
type Child struct {
	URL        string // where it serves: http://host:port
	MetricsURL string // its /metrics, when it serves them ("" otherwise)
	cmd        *exec.Cmd
	stderr     *syncBuffer
	done       chan error
	stopped    bool // Stop has seen it exit
}

// PID is the child's process id.
func (c *Child) PID() int { return c.cmd.Process.Pid }

// Skillgate starts the real `skillgate serve --no-migrate` (the database
// at dbURL is migrated) on a free loopback port, with its metrics on
// another, in development with warnings logged only; the rest of this
// process's environment is passed on (GOMEMLIMIT, ADMISSION_*, ...). It
// runs the view and the background jobs as in production. The binary is
// BENCH_SERVER_BIN, else one built once per run (BuildServer).
func Skillgate(tb testing.TB, dbURL string) *Child {
	tb.Helper()
	cmd := exec.Command(ServerBinary(tb), "serve", "--no-migrate")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "HTTP_ADDR=127.0.0.1:0", "METRICS_ADDR=localhost:0",
		"JWT_SECRET=bench-secret-bench-secret-bench-secret", "LOG_LEVEL=warn", "SKILLGATE_ENV=development")
	return StartChild(tb, cmd, true)
}

// StartChild starts cmd and waits until it prints ServingLine and its URL
// (and, with metrics, its metrics URL after it). The child is killed when
// the test ends if Stop has not stopped it.
func StartChild(tb testing.TB, cmd *exec.Cmd, metrics bool) *Child {
	tb.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	c := &Child{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if !c.stopped {
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	type found struct{ url, metrics string }
	ready := make(chan found, 1)
	go func() {
		var f found
		sent := false
		sc := bufio.NewScanner(stdout)
		for sc.Scan() { // read to the end, so the child never blocks on a full pipe
			line := sc.Text()
			if _, rest, ok := strings.Cut(line, metricsLine); ok && f.metrics == "" {
				f.metrics = strings.Fields(rest + " ")[0]
			} else if _, rest, ok := strings.Cut(line, ServingLine); ok && f.url == "" {
				f.url = strings.Fields(rest + " ")[0]
			}
			if !sent && f.url != "" && (!metrics || f.metrics != "") {
				ready <- f
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		c.done <- cmd.Wait()
	}()
	select {
	case f := <-ready:
		c.URL, c.MetricsURL = f.url, f.metrics
		return c
	case err := <-c.done:
		c.done <- err
		tb.Fatalf("%s exited before serving: %v\n%s", cmd.Path, err, c.stderr)
	case <-time.After(testwait.Deadline):
		tb.Fatalf("%s did not start serving within %s\n%s", cmd.Path, testwait.Deadline, c.stderr)
	}
	return nil
}

// Stop asks the child to shut down (SIGTERM) and waits for it to exit; an
// exit other than a clean one fails the test.
func (c *Child) Stop(tb testing.TB) {
	tb.Helper()
	if c.stopped {
		return
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatal(err)
	}
	select {
	case err := <-c.done:
		c.stopped = true
		if err != nil {
			tb.Fatalf("%s: %v\n%s", c.cmd.Path, err, c.stderr)
		}
	case <-time.After(testwait.Deadline):
		tb.Fatalf("%s did not stop within %s of SIGTERM\n%s", c.cmd.Path, testwait.Deadline, c.stderr)
	}
}

// Metric reads one unlabelled sample from the child's /metrics (e.g.
// go_memstats_heap_inuse_bytes); false when it has none or serves no metrics.
func (c *Child) Metric(name string) (float64, bool) {
	if c.MetricsURL == "" {
		return 0, false
	}
	res, err := http.Get(c.MetricsURL)
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// ServerBinary is the skillgate binary the benchmarks start: BENCH_SERVER_BIN
// when set, else one `go build` makes once per run in a temporary directory
// (RemoveBuilt removes it). It embeds frontend/dist as it is (a placeholder
// unless the web app was built), which the eligibility and read APIs do not
// touch, so no npm is needed.
func ServerBinary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("BENCH_SERVER_BIN"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			tb.Fatal(err)
		}
		return abs
	}
	built.once.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
			built.err = fmt.Errorf("benchcpu: finding the module root (go env GOMOD): %v", err)
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "skillgate-bench-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "skillgate")
		cmd := exec.Command("go", "build", "-o", built.path, "./server/cmd/skillgate")
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("benchcpu: go build ./server/cmd/skillgate: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		tb.Fatal(built.err)
	}
	return built.path
}

// RemoveBuilt removes the binary ServerBinary built, if any: a benchmark
// package's TestMain calls it after the run.
func RemoveBuilt() {
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}

// syncBuffer is a child's stderr: written by exec's copier, read by a
// failing test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
