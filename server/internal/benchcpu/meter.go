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
	"time"

	"gorm.io/gorm"
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
	pg0, srv0, self0 := ProcessCPU(backendPIDs(g)...), ProcessCPU(servers...), selfCPU()
	return func() Costs {
		return Costs{Self: selfCPU() - self0, Server: ProcessCPU(servers...) - srv0,
			Postgres: ProcessCPU(backendPIDs(g)...) - pg0}
	}
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
