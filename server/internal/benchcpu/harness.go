package benchcpu

import (
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
)

// Fataler is what a benchmark's helpers need of testing.B: a way to stop it.
type Fataler interface {
	Helper()
	Fatal(args ...any)
}

// Profile writes a CPU profile of one phase to BENCH_PROFILE_DIR/<name>.pprof
// when that variable is set (go tool pprof it); the returned func stops it.
func Profile(b Fataler, name string) func() {
	b.Helper()
	dir := os.Getenv("BENCH_PROFILE_DIR")
	if dir == "" {
		return func() {}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// LoadAverage is the machine's one-minute load average (Linux; "?" when
// unknown): the machine is shared, so each run says how busy it was.
func LoadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(raw)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// Seconds is how long each measured run lasts: BENCH_SECONDS, default 10.
func Seconds() int {
	if s, err := strconv.Atoi(os.Getenv("BENCH_SECONDS")); err == nil && s > 0 {
		return s
	}
	return 10
}
