package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/benchcpu"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/seed"
)

// BenchmarkEligibilityScale measures the gate's latency as the center
// grows, open loop: for each size in BENCH_SCALE_AGENTS (default
// 1000,10000,100000; 40 clients, 200 programs) it seeds a fresh database,
// serves the real router on a loopback listener with the change feed read
// every 100 ms as in production, asks every assigned pair once (the view a
// replica that has served for a while holds), then sends single checks with
// an API key at a fixed BENCH_RATE (default 2,000/s) for BENCH_SECONDS
// (default 10), each at its scheduled instant whatever the earlier answers
// (an ACD's calls do not wait for each other), over at most 64 connections. Latency is measured from the
// scheduled send time, so a stalled server or load generator shows in it
// (no coordinated omission). Then the same schedule against the bare
// baseline (a Gin handler answering one primary-key lookup from the same
// pool) in the same run. It reports p50/p99/p99.9 of both and their ratio,
// the CPU per check (this process + PostgreSQL), the process's resident
// memory (VmRSS sampled every 50 ms during the gate's run; the process also
// holds the load generator and the seed's list of pairs, so it is an upper
// bound on the server's), the server's own memory apart from it (the live
// heap after a GC before and after the view is filled, the view's share per
// entry, and the runtime's heap goal), the view's entries, failed change-feed reads,
// and the load average (BENCH_PROFILE_DIR=dir: a CPU profile of each
// size's gate run there); and after all sizes, each size's p99 as a multiple
// of the smallest size's. `make bench-scale` runs it (the 100,000-agent
// seed takes minutes). Run it once:
// go test -run '^$' -bench EligibilityScale -benchtime 1x -timeout 30m ./server/internal/routing/bench
func BenchmarkEligibilityScale(b *testing.B) {
	seconds := 10
	if s, err := strconv.Atoi(os.Getenv("BENCH_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
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
	fmt.Printf("\nEligibility at scale, open loop: %d checks/s for %ds per run, latency from the scheduled send time, GOMAXPROCS=%d\n",
		rate, seconds, runtime.GOMAXPROCS(0))
	fmt.Printf("| agents | assignments (view entries) | gate p50 / p99 / p99.9 | baseline p50 / p99 / p99.9 | gate p99 ÷ baseline p99 | gate p99 ÷ p99 at %d | answered/s, gate / baseline | CPU per check, gate / baseline | max RSS during the run | feed reads failed | errors (gate, baseline) | load average |\n",
		rows[0].agents)
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Printf("| %d | %d (%d) | %.2f / %.2f / %.2f ms | %.2f / %.2f / %.2f ms | %.2f | %.2f | %.0f / %.0f | %s / %s | %d MB | %d | %d, %d | %s → %s |\n",
			r.agents, r.assignments, r.entries, ms(r.gate.p50), ms(r.gate.p99), ms(r.gate.p999),
			ms(r.base.p50), ms(r.base.p99), ms(r.base.p999), ms(r.gate.p99)/ms(r.base.p99), ms(r.gate.p99)/ms(rows[0].gate.p99),
			r.gate.done, r.base.done, r.gate.cpu(), r.base.cpu(), r.rss>>20, r.feedFailures, r.gate.errors, r.base.errors, r.load0, r.load1)
	}
	fmt.Printf("\nThe server's memory, apart from the load generator (live heap after a GC; the process's RSS above holds both)\n")
	fmt.Printf("| agents | view entries | live heap before filling the view | live heap with the view | the view's heap | per entry | heap goal with the view (GOGC) |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Printf("| %d | %d | %.1f MB | %.1f MB | %.1f MB | %.0f bytes | %.1f MB |\n", r.agents, r.entries, mb(r.heap0), mb(r.heapView),
			mb(r.heapView-min(r.heap0, r.heapView)), float64(r.heapView-min(r.heap0, r.heapView))/float64(max(r.entries, 1)), mb(r.goalView))
	}
	fmt.Printf("(targets: p99 at 100,000 agents ≤ 1.5× p99 at 1,000; RSS ≤ 250 MB at 100,000; no failed feed reads; no errors.\n" +
		" An answered/s below the rate means the machine did not keep up: the latencies then measure the queue, not the center's size.)\n\n")
}

type scaleRow struct {
	agents, assignments, entries int
	gate, base                   openResult
	rss                          int64
	heap0, heapView, goalView    uint64
	feedFailures                 int64
	load0, load1                 string
}

type openResult struct {
	p50, p99, p999 time.Duration
	errors         int64
	done           float64 // answered a second, from the first scheduled send to the last answer
	n              int
	self, pg       time.Duration
}

func (r openResult) cpu() string {
	n := time.Duration(max(r.n, 1))
	return fmt.Sprintf("%d µs", ((r.self + r.pg) / n).Microseconds())
}

func scaleRun(b *testing.B, agents, rate int, d time.Duration) scaleRow {
	env := apitest.NewWith(b, func(c *app.Config) {
		c.RosterCacheTTL = routing.RosterCacheTTL
		c.EligibilityView = true
	})
	sqlDB, err := env.DB.DB()
	if err != nil {
		b.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(20) // the server's default pool (db.Open)
	sqlDB.SetMaxIdleConns(20)
	start := time.Now()
	rep, err := seed.Center(context.Background(), env.DB, seed.Options{Agents: agents, Clients: 40, Programs: 200,
		Seed: 1, Now: env.Clock.Now(), BigProgramAgents: min(5000, agents/2)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sqlDB.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d agents, %d certifications, %d licenses, %d assignments in %s", rep.Agents, rep.Certifications,
		rep.Licenses, rep.Assignments, time.Since(start).Round(time.Millisecond))

	admin := env.User("admin@bench.test", auth.RoleAdmin)
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	key, err := env.App.Auth.CreateAPIKey(ctx, auth.CreateAPIKeyInput{Name: "acd", Scopes: []string{auth.ScopeEligibilityRead}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(env.App.Router)
	defer srv.Close()
	views, stopViews := context.WithCancel(context.Background())
	defer stopViews()
	go env.App.Routing.RunView(views)

	gin.SetMode(gin.ReleaseMode)
	base := gin.New()
	base.GET("/user", func(c *gin.Context) {
		var id, email string
		var active bool
		err := sqlDB.QueryRowContext(c.Request.Context(), `SELECT id, email, active FROM users WHERE id = $1`, c.Query("id")).Scan(&id, &email, &active)
		if err != nil {
			c.JSON(500, gin.H{"error": err.Error()})
			return
		}
		c.JSON(200, gin.H{"id": id, "email": email, "active": active})
	})
	baseSrv := httptest.NewServer(base)
	defer baseSrv.Close()

	// At most 64 connections, as a real ACD's pool would hold: when the
	// server falls behind, checks wait in the client (their latency still
	// counts from their scheduled instant) instead of each opening a
	// connection whose buffers would swell both sides' memory.
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	// The server's own memory, apart from the load generator's: the live
	// heap after a GC before the view is filled and after (the difference is
	// the view's), and the heap goal the runtime sets from it (GOGC).
	heap0, _ := liveHeap()
	warm(b, client, rep.Pairs, func(p [2]string) *http.Request {
		r, _ := http.NewRequest("GET", srv.URL+"/api/v1/eligibility?agent="+p[0]+"&program="+p[1], nil)
		r.Header.Set("Authorization", "Bearer "+key.Key)
		return r
	})
	heapView, goalView := liveHeap()
	_, entries := env.App.Routing.ViewStats()
	failures0 := env.App.Routing.FeedReadFailures()

	states := []string{"", "TX", "FL", "CA", "NY"}
	check := func(rng *rand.Rand) *http.Request {
		p := rep.Pairs[rng.IntN(len(rep.Pairs))]
		url := srv.URL + "/api/v1/eligibility?agent=" + p[0] + "&program=" + p[1]
		if s := states[rng.IntN(len(states))]; s != "" {
			url += "&state=" + s
		}
		r, _ := http.NewRequest("GET", url, nil)
		r.Header.Set("Authorization", "Bearer "+key.Key)
		return r
	}
	// The seeding's garbage is returned first, so the RSS is what serving
	// holds.
	runtime.GC()
	debug.FreeOSMemory()
	load0 := loadAverage()
	var rss atomic.Int64
	sampling, stopSampling := context.WithCancel(context.Background())
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v := residentBytes(); v > rss.Load() {
				rss.Store(v)
			}
			select {
			case <-sampling.Done():
				return
			case <-t.C:
			}
		}
	}()
	stopProfile := cpuProfile(b, fmt.Sprintf("scale-gate-%d", agents))
	gate := openLoop(b, env, client, rate, d, check)
	stopProfile()
	stopSampling()
	<-sampled
	baseline := openLoop(b, env, client, rate, d, func(rng *rand.Rand) *http.Request {
		p := rep.Pairs[rng.IntN(len(rep.Pairs))]
		r, _ := http.NewRequest("GET", baseSrv.URL+"/user?id="+p[0], nil)
		return r
	})
	return scaleRow{agents: rep.Agents, assignments: rep.Assignments, entries: entries, gate: gate, base: baseline,
		heap0: heap0, heapView: heapView, goalView: goalView,
		rss: rss.Load(), feedFailures: env.App.Routing.FeedReadFailures() - failures0, load0: load0, load1: loadAverage()}
}

// openLoop sends rate requests a second for d, each at its scheduled
// instant in a goroutine of its own, and measures each from that instant
// to its answer read whole. Any status but 200, and any transport error or
// timeout, is an error.
func openLoop(b *testing.B, env *apitest.Env, client *http.Client, rate int, d time.Duration, next func(*rand.Rand) *http.Request) openResult {
	total := int(int64(rate) * int64(d) / int64(time.Second))
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, total)
	var errs atomic.Int64
	var wg sync.WaitGroup
	rng := rand.New(rand.NewPCG(1, 7))
	meter := benchcpu.Start(env.DB)
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
	self, pg := meter()
	slices.Sort(lat)
	if total == 0 {
		b.Fatal("no requests scheduled")
	}
	return openResult{p50: lat[total/2], p99: lat[total*99/100], p999: lat[total*999/1000], errors: errs.Load(), n: total,
		done: float64(total) / elapsed.Seconds(), self: self, pg: pg}
}

// cpuProfile writes a CPU profile to BENCH_PROFILE_DIR/<name>.pprof when
// that variable is set; the returned func stops it.
func cpuProfile(b *testing.B, name string) func() {
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

// residentBytes is this process's resident set (VmRSS), 0 when unknown.
func residentBytes() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// liveHeap is the heap's live objects after a full GC, and the heap size
// the runtime will let the heap reach before its next GC (runtime/metrics).
func liveHeap() (live, goal uint64) {
	runtime.GC()
	runtime.GC()
	ms := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(ms)
	return ms[0].Value.Uint64(), ms[1].Value.Uint64()
}

func mb(n uint64) float64 { return float64(n) / 1e6 }
