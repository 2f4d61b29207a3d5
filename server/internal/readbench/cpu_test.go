package readbench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gorm.io/gorm"
)

// cpuMeter measures the CPU time this process (server and load generator)
// and the database's backends serving it spend from now until the returned
// func is called, so a run on a shared machine can be judged by cost per
// flow as well as by wall-clock rate. The backends' time is read from
// /proc (Linux, PostgreSQL on the same machine); elsewhere it reads 0.
func cpuMeter(g *gorm.DB) func() (self, postgres time.Duration) {
	backends := func() []int {
		var pids []int
		g.Raw(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`).Scan(&pids)
		return pids
	}
	pg0, self0 := procCPU(backends()), selfCPU()
	return func() (time.Duration, time.Duration) {
		return selfCPU() - self0, procCPU(backends()) - pg0
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

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
