// Package benchcpu measures the CPU time a benchmark costs: this process
// (server and load generator) and the PostgreSQL backends serving its
// database, so a run on a shared machine can be judged by cost per operation
// as well as by its wall-clock rate, which drifts with the machine's load.
// It also holds what the benchmark harnesses share besides: the run length
// (BENCH_SECONDS), CPU profiles (BENCH_PROFILE_DIR) and the load average.
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

// Start begins a measurement; the returned func reports the CPU time this
// process and the database's backends have spent since. The backends' time
// is read from /proc (Linux, PostgreSQL on the same machine); elsewhere it
// reads 0.
func Start(g *gorm.DB) func() (self, postgres time.Duration) {
	pg0, self0 := procCPU(backendPIDs(g)), selfCPU()
	return func() (time.Duration, time.Duration) {
		return selfCPU() - self0, procCPU(backendPIDs(g)) - pg0
	}
}

// procCPU is the user and system time of the processes, from /proc/<pid>/stat.
func procCPU(pids []int) time.Duration {
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
