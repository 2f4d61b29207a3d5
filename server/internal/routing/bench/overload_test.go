package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/logx"
	"github.com/skillgate/skillgate/server/internal/seed"
)

// BenchmarkEligibilityOverload measures admission control: over the same
// seeded 10,000-agent center as BenchmarkEligibility, with the server's
// admission limits (app.DefaultAdmission, or ADMISSION_* from the
// environment), it sends eligibility
// checks from 32 workers (the benchmarked load), then from 96 (3×), then
// the 3× load again against the same database with admission control off.
// For each it reports the admitted checks' rate and p50/p99, how many were
// refused (503 with Retry-After) and how fast, and how many timed out
// (no answer within 5 s). The eligibility view is off here, so every
// check reads the database: the case admission control is for (a replica
// just started, or one whose change feed is behind). Run it once:
// go test -run '^$' -bench EligibilityOverload -benchtime 1x ./server/internal/routing/bench
func BenchmarkEligibilityOverload(b *testing.B) {
	seconds := 10
	if s, err := strconv.Atoi(os.Getenv("BENCH_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	// The server's admission settings, ADMISSION_* from the environment
	// as serve reads them (defaults: app.DefaultAdmission).
	adm := app.DefaultAdmission
	if cfg, err := app.LoadConfig(os.Getenv); err == nil {
		adm = cfg.Admission
	} else {
		b.Logf("configuration: %v; using the default admission limits", err)
	}
	env := apitest.NewWith(b, func(c *app.Config) { c.Admission = adm })
	sqlDB, err := env.DB.DB()
	if err != nil {
		b.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(20) // the server's default pool (db.Open)
	sqlDB.SetMaxIdleConns(20)
	rep, err := seed.Center(context.Background(), env.DB, seed.Options{Agents: 10000, Clients: 40, Programs: 200,
		Seed: 1, Now: env.Clock.Now(), BigProgramAgents: 5000})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sqlDB.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	admin := env.User("admin@bench.test", auth.RoleAdmin)
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	key, err := env.App.Auth.CreateAPIKey(ctx, auth.CreateAPIKeyInput{Name: "acd", Scopes: []string{auth.ScopeEligibilityRead}})
	if err != nil {
		b.Fatal(err)
	}
	limited := httptest.NewServer(env.App.Router)
	defer limited.Close()
	openCfg := env.App.Config
	openCfg.Admission = app.Admission{}
	open, err := app.New(openCfg, logx.Discard(), env.DB, env.Clock)
	if err != nil {
		b.Fatal(err)
	}
	unlimited := httptest.NewServer(open.Router)
	defer unlimited.Close()

	states := []string{"", "TX", "FL", "CA", "NY"}
	check := func(base string) func(*rand.Rand) *http.Request {
		return func(rng *rand.Rand) *http.Request {
			p := rep.Pairs[rng.IntN(len(rep.Pairs))]
			url := base + "/api/v1/eligibility?agent=" + p[0] + "&program=" + p[1]
			if s := states[rng.IntN(len(states))]; s != "" {
				url += "&state=" + s
			}
			r, _ := http.NewRequest("GET", url, nil)
			r.Header.Set("Authorization", "Bearer "+key.Key)
			return r
		}
	}
	d := time.Duration(seconds) * time.Second
	runs := []struct {
		name    string
		workers int
		base    string
	}{
		{"1× (32 workers), admission control on", concurrency, limited.URL},
		{"3× (96 workers), admission control on", 3 * concurrency, limited.URL},
		{"3× (96 workers), admission control off", 3 * concurrency, unlimited.URL},
	}
	var results []overloadResult
	for _, r := range runs {
		results = append(results, overloadDrive(b, r.workers, d, check(r.base)))
	}
	fmt.Printf("\nEligibility under overload: %d agents, %ds per run, eligibility limit %d with %s queue wait, pool 20, GOMAXPROCS=%d\n",
		rep.Agents, seconds, adm.EligibilityLimit, adm.EligibilityWait, runtime.GOMAXPROCS(0))
	fmt.Printf("| load | admitted/s | admitted p50 / p99 | refused (503) | refused p99 | timeouts, other errors |\n|---|---|---|---|---|---|\n")
	for i, r := range results {
		fmt.Printf("| %s | %.0f | %.2f / %.2f ms | %d (%.0f%%) | %.2f ms | %d, %d |\n", runs[i].name, r.rate, ms(r.p50), ms(r.p99),
			r.refused, 100*float64(r.refused)/float64(max(r.refused+r.admitted, 1)), ms(r.refusedP99), r.timeouts, r.other)
	}
	fmt.Println("target at 3× with admission control on: admitted p99 ≤ 50 ms, refusals fast, no timeouts")
	b.ReportMetric(ms(results[1].p99), "admitted-p99-ms@3x")
	b.ReportMetric(float64(results[1].timeouts), "timeouts@3x")
	if results[1].timeouts > 0 || results[1].other > 0 {
		b.Errorf("at 3× with admission control: %d timeouts and %d other errors, want none", results[1].timeouts, results[1].other)
	}
}

type overloadResult struct {
	rate                 float64
	p50, p99, refusedP99 time.Duration
	admitted, refused    int
	timeouts, other      int
}

// overloadDrive sends requests from workers for d, keeping admitted (200)
// and refused (503 with Retry-After) latencies apart.
func overloadDrive(b *testing.B, workers int, d time.Duration, next func(*rand.Rand) *http.Request) overloadResult {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var mu sync.Mutex
	var ok, refused []time.Duration
	var timeouts, other int
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	begin := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			var myOK, myRefused []time.Duration
			myTimeouts, myOther := 0, 0
			for time.Now().Before(deadline) {
				t0 := time.Now()
				res, err := client.Do(next(rng))
				if err != nil {
					myTimeouts++
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				took := time.Since(t0)
				switch {
				case res.StatusCode == 200:
					myOK = append(myOK, took)
				case res.StatusCode == 503 && res.Header.Get("Retry-After") != "":
					myRefused = append(myRefused, took)
				default:
					myOther++
				}
			}
			mu.Lock()
			ok, refused = append(ok, myOK...), append(refused, myRefused...)
			timeouts, other = timeouts+myTimeouts, other+myOther
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	slices.Sort(ok)
	slices.Sort(refused)
	if len(ok) == 0 {
		b.Fatal("no request was admitted")
	}
	r := overloadResult{rate: float64(len(ok)) / elapsed.Seconds(), p50: ok[len(ok)/2], p99: ok[len(ok)*99/100],
		admitted: len(ok), refused: len(refused), timeouts: timeouts, other: other}
	if len(refused) > 0 {
		r.refusedP99 = refused[len(refused)*99/100]
	}
	return r
}
