// Package benchcpu measures what a benchmark costs, process by process: the
// CPU time of this process (the load generator, and the server when it runs
// in process), of a server running as a child process (Child), and of the
// PostgreSQL backends serving its database, so a run on a shared machine can
// be judged by cost per operation as well as by its wall-clock rate, which
// drifts with the machine's load; and a child's resident memory (Resident).
// It also holds what the benchmark harnesses share besides: the run length
// (BENCH_SECONDS), CPU profiles (BENCH_PROFILE_DIR), the load average, and
// the real `skillgate serve` started as a child (BENCH_SERVER_BIN). The
// server never links it.
package benchcpu

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/testwait"
)

// Costs is the CPU time (user and system) each side of a measurement spent.
type Costs struct {
	Self     time.Duration // this process: the load generator (and the server, when in process)
	Server   time.Duration // the server's own process, when it runs as a child (else 0)
	Postgres time.Duration // the database's backends
}

// Start begins a measurement; the returned func reports the CPU time this
// process and the database's backends have spent since. The backends' time
// is read from /proc (Linux, PostgreSQL on the same machine); elsewhere it
// reads 0.
func Start(g *gorm.DB) func() (self, postgres time.Duration) {
	m := Measure(g, 0)
	return func() (time.Duration, time.Duration) {
		c := m()
		return c.Self, c.Postgres
	}
}

// Measure is Start with the server in a process of its own, server (its
// pid; 0 for none): the returned func reports the three apart.
func Measure(g *gorm.DB, server int) func() Costs {
	servers := []int{}
	if server > 0 {
		servers = append(servers, server)
	}
	pg0, srv0, self0 := backendCPU(g), ProcessCPU(servers...), selfCPU()
	return func() Costs {
		var pg time.Duration
		for pid, t := range backendCPU(g) {
			pg += t - pg0[pid] // a backend started since counts whole
		}
		return Costs{Self: selfCPU() - self0, Server: ProcessCPU(servers...) - srv0, Postgres: pg}
	}
}

// backendCPU is each of the database's backends' CPU time so far. A
// backend that ends between two readings (a pool closing an idle
// connection) takes its time with it: the sum of the differences is then a
// lower bound, never the negative figure subtracting two sums gave.
func backendCPU(g *gorm.DB) map[int]time.Duration {
	out := map[int]time.Duration{}
	for _, pid := range backendPIDs(g) {
		out[pid] = ProcessCPU(pid)
	}
	return out
}

// ProcessCPU is the user and system time the processes pids have spent,
// from /proc/<pid>/stat (a process that is gone counts 0).
func ProcessCPU(pids ...int) time.Duration {
	var ticks int64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndex(s, ")")+1:]) // state is f[0]; utime, stime are fields 14 and 15
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// selfCPU is this process's user and system time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Settle waits until the server process pid and the database's backends
// have gone quiet: under a tenth of a core together over a quarter of a
// second. A server just started runs its background jobs' first passes
// and loads its view's first snapshot (most of a second of CPU on each
// side at 1,000 agents); measured, they would be charged to the first
// requests. It fails the test when they do not settle within
// testwait.Deadline.
func Settle(tb testing.TB, g *gorm.DB, pid int) {
	tb.Helper()
	const window, quiet = 250 * time.Millisecond, 25 * time.Millisecond
	deadline := time.Now().Add(testwait.Deadline)
	for {
		m := Measure(g, pid)
		<-time.After(window)
		c := m()
		if c.Server+c.Postgres <= quiet {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the server (pid %d) and PostgreSQL did not go quiet within %s: %s and %s in the last %s",
				pid, testwait.Deadline, c.Server, c.Postgres, window)
		}
	}
}
