package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/benchcpu"
	"github.com/skillgate/skillgate/server/internal/db"
)

// baselineEnv makes the test binary serve the bare baseline over the
// database at its URL instead of running the benchmarks, so the baseline,
// like the server, runs as a process of its own (startBaseline).
const baselineEnv = "BENCH_BASELINE_DATABASE_URL"

func TestMain(m *testing.M) {
	if url := os.Getenv(baselineEnv); url != "" {
		if err := serveBaseline(url); err != nil {
			fmt.Fprintln(os.Stderr, "baseline:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	benchcpu.RemoveBuilt()
	os.Exit(code)
}

// serveBaseline serves baselineHandler over the database at url, with the
// server's default pool, on a free loopback port until SIGTERM.
func serveBaseline(url string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g, err := db.Open(ctx, url, db.Options{MaxOpenConns: 20})
	if err != nil {
		return err
	}
	defer db.Close(g)
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: baselineHandler(sqlDB), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("the baseline is %shttp://%s\n", benchcpu.ServingLine, ln.Addr())
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startBaseline runs the baseline in a child process (this test binary
// again) over the database at url.
func startBaseline(b *testing.B, url string) *benchcpu.Child {
	b.Helper()
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), baselineEnv+"="+url)
	return benchcpu.StartChild(b, cmd, false)
}
