package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/benchcpu"
	"github.com/skillgate/skillgate/server/internal/routing"
)

// BenchmarkEligibilityScale measures the gate's latency and the server's
// own cost as the center grows, open loop: for each size in
// BENCH_SCALE_AGENTS (default 1000,10000,100000; 40 clients, 200 programs)
// it seeds a fresh database (as of the real clock), starts the real
// `skillgate serve` on it as a child process (benchcpu.Skillgate: the view
// on and its change feed read every 100 ms, the background jobs running,
// production's admission limits), asks every assigned pair once (the view a
// replica that has served for a while holds), then sends single checks with
// an API key at a fixed BENCH_RATE (default 2,000/s) for BENCH_SECONDS
// (default 10), each at its scheduled instant whatever the earlier answers
// (an ACD's calls do not wait for each other), over at most 64 connections.
// Latency is measured from the scheduled send time, so a stalled server or
// load generator shows in it (no coordinated omission). The server is then
// stopped and the same schedule sent to the bare baseline (a Gin handler
// answering one primary-key lookup, with the server's default pool), also
// a child process: this test binary again (startBaseline). It reports
// p50/p99/p99.9 of both and their ratio; the CPU per check of the server
// process, of the PostgreSQL backends and of this process (the load
// generator) apart, from /proc; the server's resident memory (VmRSS at its
// start, after the warm-up, the largest sampled every 50 ms during the
// gate's run, and VmHWM at the end) and its heap as its /metrics tell it
// (heap in use at the start and after the warm-up, not after a forced GC,
// and the runtime's heap goal); the view's entries and failed change-feed
// reads (its metrics too), and the load average (BENCH_PROFILE_DIR=dir: a
// CPU profile of this process, the load generator, during each gate run);
// and after all sizes, each size's p99 as a multiple of the smallest
// size's. `make bench-scale` runs it (the 100,000-agent seed takes
// minutes). Run it once:
// go test -run '^$' -bench EligibilityScale -benchtime 1x -timeout 30m ./server/internal/routing/bench
func BenchmarkEligibilityScale(b *testing.B) {
	seconds := benchcpu.Seconds()
	rate := 2000
	if r, err := strconv.Atoi(os.Getenv("BENCH_RATE")); err == nil && r > 0 {
		rate = r
	}
	sizes := []int{1000, 10000, 100000}
	if s := os.Getenv("BENCH_SCALE_AGENTS"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 100 {
				b.Fatalf("BENCH_SCALE_AGENTS: %q is not a size of at least 100", f)
			}
			sizes = append(sizes, n)
		}
	}
	var rows []scaleRow
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			rows = append(rows, scaleRun(b, n, rate, time.Duration(seconds)*time.Second))
		})
	}
	if len(rows) == 0 {
		return
	}
	fmt.Printf("\nEligibility at scale, open loop: %d checks/s for %ds per run, latency from the scheduled send time; "+
		"the server (skillgate serve) and the baseline each a process of their own, GOMAXPROCS=%d here\n",
		rate, seconds, runtime.GOMAXPROCS(0))
	fmt.Printf("| agents | assignments (view entries) | gate p50 / p99 / p99.9 | baseline p50 / p99 / p99.9 | gate p99 ÷ baseline p99 | gate p99 ÷ p99 at %d | answered/s, gate / baseline | CPU per check, gate: server / PostgreSQL / load generator | CPU per check, baseline: server / PostgreSQL / load generator | server max RSS during the gate run | feed reads failed | errors (gate, baseline) | load average |\n",
		rows[0].agents)
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Printf("| %d | %d (%s) | %.2f / %.2f / %.2f ms | %.2f / %.2f / %.2f ms | %.2f | %.2f | %.0f / %.0f | %s | %s | %d MB | %s | %d, %d | %s → %s |\n",
			r.agents, r.assignments, known(r.entries), ms(r.gate.p50), ms(r.gate.p99), ms(r.gate.p999),
			ms(r.base.p50), ms(r.base.p99), ms(r.base.p999), ms(r.gate.p99)/ms(r.base.p99), ms(r.gate.p99)/ms(rows[0].gate.p99),
			r.gate.done, r.base.done, r.gate.cpu(), r.base.cpu(), r.rss>>20, known(r.feedFailures), r.gate.errors, r.base.errors, r.load0, r.load1)
	}
	fmt.Printf("\nThe server's memory (its process alone; heap figures from its /metrics, not after a forced GC)\n")
	fmt.Printf("| agents | view entries | RSS at start | RSS after the warm-up | max RSS during the gate run | VmHWM at the end | heap in use at start | heap in use after the warm-up | heap goal after the warm-up | baseline server's max RSS |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Printf("| %d | %s | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %.1f MB |\n", r.agents, known(r.entries),
			mib(r.rssStart), mib(r.rssWarm), mib(r.rss), mib(r.hwm), mb(r.heapStart), mb(r.heapWarm), mb(r.goalWarm), mib(r.baseRSS))
	}
	fmt.Printf("(targets: p99 at 100,000 agents ≤ 1.5× p99 at 1,000; server RSS ≤ 250 MB at 100,000; no failed feed reads; no errors.\n" +
		" An answered/s below the rate means the machine did not keep up: the latencies then measure the queue, not the center's size.\n" +
		" MB here is MiB (2^20 bytes) for RSS, 10^6 bytes for the heap, as before; \"?\" where the server's metrics did not say.)\n\n")
}

type scaleRow struct {
	agents, assignments           int
	entries, feedFailures         int64 // -1: unknown
	gate, base                    openResult
	rssStart, rssWarm, rss, hwm   int64
	baseRSS                       int64
	heapStart, heapWarm, goalWarm float64
	load0, load1                  string
}

type openResult struct {
	p50, p99, p999 time.Duration
	errors         int64
	done           float64 // answered a second, from the first scheduled send to the last answer
	n              int
	cost           benchcpu.Costs
}

// cpu is the CPU per check: the server's process, the PostgreSQL backends
// and the load generator (this process).
func (r openResult) cpu() string {
	n := time.Duration(max(r.n, 1))
	return fmt.Sprintf("%d / %d / %d µs", (r.cost.Server / n).Microseconds(), (r.cost.Postgres / n).Microseconds(),
		(r.cost.Self / n).Microseconds())
}

func scaleRun(b *testing.B, agents, rate int, d time.Duration) scaleRow {
	// The parent's app only makes the API key: the view and feed are the
	// child's.
	cen := newCenterAt(b, agents, func(c *app.Config) { c.RosterCacheTTL = routing.RosterCacheTTL }, time.Now())
	rep := cen.rep
	started := time.Now()
	srv := benchcpu.Skillgate(b, cen.env.URL)
	pid := srv.PID()
	row := scaleRow{agents: rep.Agents, assignments: rep.Assignments}
	row.rssStart, _ = benchcpu.Resident(pid)
	row.heapStart, _ = srv.Metric("go_memstats_heap_inuse_bytes")

	// At most 64 connections, as a real ACD's pool would hold: when the
	// server falls behind, checks wait in the client (their latency still
	// counts from their scheduled instant) instead of each opening a
	// connection whose buffers would swell both sides' memory.
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	eligible(b, client, srv.URL, cen.key, rep.Pairs[0]) // the key works and the server answers 200
	warm(b, client, rep.Pairs, func(p [2]string) *http.Request { return eligibilityRequest(srv.URL, cen.key, p) })
	row.rssWarm, _ = benchcpu.Resident(pid)
	row.heapWarm, _ = srv.Metric("go_memstats_heap_inuse_bytes")
	row.goalWarm, _ = srv.Metric("go_memstats_next_gc_bytes")
	row.entries = metricCount(srv, "skillgate_eligibility_view_entries")
	// What made the view drop entries since the server started: the
	// change feed's rows of that time, by what they name.
	var fed struct{ Pairs, Agents, Programs int }
	if err := cen.env.DB.Raw(`SELECT count(*) FILTER (WHERE user_id IS NOT NULL AND program_id IS NOT NULL) AS pairs,
  count(*) FILTER (WHERE user_id IS NOT NULL AND program_id IS NULL) AS agents,
  count(*) FILTER (WHERE user_id IS NULL AND program_id IS NOT NULL) AS programs
FROM eligibility_changes WHERE changed_at >= ?`, started).Scan(&fed).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("change-feed rows since the server started, by what they name: %d agent × program, %d agent, %d program", fed.Pairs, fed.Agents, fed.Programs)
	failures0 := metricCount(srv, "skillgate_eligibility_feed_read_failures_total")

	// The server's start-up work (the view's first snapshot, the jobs'
	// first passes) and the warm-up's are done before the measurement.
	benchcpu.Settle(b, cen.env.DB, pid)
	check := checks(rep.Pairs, srv.URL, cen.key)
	row.load0 = benchcpu.LoadAverage()
	sampled := benchcpu.SampleResident(pid, 50*time.Millisecond)
	stopProfile := benchcpu.Profile(b, fmt.Sprintf("scale-gate-%d", agents))
	row.gate = openLoop(b, cen.env.DB, pid, client, rate, d, check)
	stopProfile()
	row.rss = sampled()
	_, row.hwm = benchcpu.Resident(pid)
	if f := metricCount(srv, "skillgate_eligibility_feed_read_failures_total"); f >= 0 && failures0 >= 0 {
		row.feedFailures = f - failures0
	} else {
		row.feedFailures = -1
	}
	srv.Stop(b)
	client.CloseIdleConnections()

	base := startBaseline(b, cen.env.URL)
	benchcpu.Settle(b, cen.env.DB, base.PID())
	sampled = benchcpu.SampleResident(base.PID(), 50*time.Millisecond)
	row.base = openLoop(b, cen.env.DB, base.PID(), client, rate, d, baselineLookups(rep.Pairs, base.URL))
	row.baseRSS = sampled()
	base.Stop(b)
	row.load1 = benchcpu.LoadAverage()
	return row
}

// metricCount is a count the child's /metrics report, -1 when they do not.
func metricCount(c *benchcpu.Child, name string) int64 {
	v, ok := c.Metric(name)
	if !ok {
		return -1
	}
	return int64(v)
}

// known prints n, or "?" when it is unknown (negative).
func known(n int64) string {
	if n < 0 {
		return "?"
	}
	return strconv.FormatInt(n, 10)
}

// openLoop sends rate requests a second for d, each at its scheduled
// instant in a goroutine of its own, and measures each from that instant
// to its answer read whole. Any status but 200, and any transport error or
// timeout, is an error.
// The CPU time is measured apart for the server's process (server), the
// database's backends and this process.
func openLoop(b *testing.B, g *gorm.DB, server int, client *http.Client, rate int, d time.Duration, next func(*rand.Rand) *http.Request) openResult {
	total := int(int64(rate) * int64(d) / int64(time.Second))
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, total)
	var errs atomic.Int64
	var wg sync.WaitGroup
	rng := rand.New(rand.NewPCG(1, 7))
	meter := benchcpu.Measure(g, server)
	begin := time.Now()
	for i := range total {
		at := begin.Add(time.Duration(i) * interval)
		if w := time.Until(at); w > 0 {
			time.Sleep(w)
		}
		r := next(rng)
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := client.Do(r)
			if err != nil {
				errs.Add(1)
				lat[i] = time.Since(at)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			lat[i] = time.Since(at)
			if res.StatusCode != 200 {
				errs.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	cost := meter()
	slices.Sort(lat)
	if total == 0 {
		b.Fatal("no requests scheduled")
	}
	return openResult{p50: lat[total/2], p99: lat[total*99/100], p999: lat[total*999/1000], errors: errs.Load(), n: total,
		done: float64(total) / elapsed.Seconds(), cost: cost}
}

func mb(n float64) float64 { return n / 1e6 }

func mib(n int64) float64 { return float64(n) / (1 << 20) }
