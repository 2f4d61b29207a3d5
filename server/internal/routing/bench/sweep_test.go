package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/benchcpu"
)

// BenchmarkSweep measures the re-decide job over a whole center: every
// assignment of a seeded center (BENCH_AGENTS agents, default 10,000) marked
// dirty, then one RunOnce, timed and metered (CPU of this process and of
// PostgreSQL per assignment re-decided). At 100,000 agents a pass of the
// spread-out sweep re-decides thousands of assignments every 30 seconds, so
// this is what keeps it from taking a visible share of a core:
// go test -run '^$' -bench Sweep -benchtime 1x ./server/internal/routing/bench
func BenchmarkSweep(b *testing.B) {
	agents := 10000
	if n, err := strconv.Atoi(os.Getenv("BENCH_AGENTS")); err == nil && n >= 100 {
		agents = n
	}
	cen := newCenter(b, agents, nil)
	for range b.N {
		if err := cen.env.DB.Exec(`UPDATE assignments SET dirty = true`).Error; err != nil {
			b.Fatal(err)
		}
		load0 := benchcpu.LoadAverage()
		meter := benchcpu.Start(cen.env.DB)
		start := time.Now()
		if _, err := cen.env.App.Routing.RunOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		self, pg := meter()
		var left int
		if err := cen.env.DB.Raw(`SELECT count(*) FROM assignments WHERE dirty`).Scan(&left).Error; err != nil || left != 0 {
			b.Fatalf("%d assignments left dirty (%v)", left, err)
		}
		n := time.Duration(cen.rep.Assignments)
		fmt.Printf("\nRe-decide job: %d assignments of %d agents, one pass: %s wall, CPU per assignment %s (this process) + %s (PostgreSQL), load average %s → %s\n",
			cen.rep.Assignments, agents, wall.Round(time.Millisecond), (self / n).Round(time.Microsecond), (pg / n).Round(time.Microsecond),
			load0, benchcpu.LoadAverage())
	}
}
