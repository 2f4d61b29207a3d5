// Package bench load-tests the routing gate through the real HTTP server:
// `make bench` runs BenchmarkEligibility once.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/benchcpu"
	"github.com/skillgate/skillgate/server/internal/logx"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/seed"
)

const concurrency = 32

// BenchmarkEligibility seeds a 10,000-agent center (40 clients, 200
// programs, 5,000 agents in one licensed program) on a fresh database,
// serves the real router on a loopback listener and drives single
// eligibility checks with an API key from 32 workers for BENCH_SECONDS
// (default 10), twice: a replica just started (its view empty), then, after
// every pair has been asked once, the measured run; then the same load against a bare baseline (a Gin handler
// answering one primary-key lookup from the same pool); then the
// 5,000-agent roster and the TaskRouter export of every agent; then how
// long a certification revocation and an API key revocation take to show
// on the replica that made them and on a second one. It prints
// one table. Run it once:
// go test -run '^$' -bench Eligibility -benchtime 1x ./server/internal/routing/bench
func BenchmarkEligibility(b *testing.B) {
	seconds := benchcpu.Seconds()
	// Rosters are cached and single checks answered from each replica's
	// view, as in production (LoadConfig).
	cen := newCenter(b, 10000, func(c *app.Config) {
		c.RosterCacheTTL = routing.RosterCacheTTL
		c.EligibilityView = true
	})
	env, rep, ctx, key := cen.env, cen.rep, cen.ctx, cen.key
	srv := httptest.NewServer(env.App.Router)
	defer srv.Close()
	// A second replica over the same database, for what one replica's
	// change takes to show on another.
	replica, err := app.New(env.App.Config, logx.Discard(), env.DB, env.Clock)
	if err != nil {
		b.Fatal(err)
	}
	srvB := httptest.NewServer(replica.Router)
	defer srvB.Close()
	// Each replica reads the change feed, as App.Start has it do.
	views, stopViews := context.WithCancel(context.Background())
	defer stopViews()
	go env.App.Routing.RunView(views)
	go replica.Routing.RunView(views)

	// The baseline: one indexed primary-key lookup, the same pool, bare Gin.
	baseSrv := baselineServer(cen.sqlDB)
	defer baseSrv.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	check := checks(rep.Pairs, srv.URL, key)
	// First with the view empty (a replica just started: each pair is read
	// from the database the first time it is asked), then, once every pair
	// has been asked, the measured run.
	load0 := benchcpu.LoadAverage()
	cold := drive(b, env, client, time.Duration(seconds)*time.Second, check)
	warm(b, client, rep.Pairs, func(p [2]string) *http.Request { return eligibilityRequest(srv.URL, key, p) })
	gate := drive(b, env, client, time.Duration(seconds)*time.Second, check)
	baseline := drive(b, env, client, time.Duration(seconds)*time.Second, baselineLookups(rep.Pairs, baseSrv.URL))
	load1 := benchcpu.LoadAverage()

	// The roster of the 5,000-agent program, five times one after the
	// other (the first computes it; the next ones within RosterCacheTTL
	// are served from this replica's cache), then five more times each after
	// the cache has expired.
	var rosters, coldRosters []time.Duration
	var rosterSize int
	for i := range 10 {
		if i >= 5 {
			time.Sleep(routing.RosterCacheTTL)
		}
		r, _ := http.NewRequest("GET", srv.URL+"/api/v1/programs/"+rep.BigProgramID+"/roster", nil)
		r.Header.Set("Authorization", "Bearer "+key)
		t0 := time.Now()
		res, err := client.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		var body struct{ Agents []json.RawMessage }
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if i < 5 {
			rosters = append(rosters, time.Since(t0))
		} else {
			coldRosters = append(coldRosters, time.Since(t0))
		}
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("roster: %d %v", res.StatusCode, err)
		}
		rosterSize = len(body.Agents)
	}
	slices.Sort(rosters)
	slices.Sort(coldRosters)

	// The TaskRouter export of every agent, three times.
	var exports []time.Duration
	var workers int
	for range 3 {
		r, _ := http.NewRequest("GET", srv.URL+"/api/v1/exports/taskrouter-workers", nil)
		r.Header.Set("Authorization", "Bearer "+key)
		t0 := time.Now()
		res, err := client.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		var body struct{ Workers []json.RawMessage }
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		exports = append(exports, time.Since(t0))
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("export: %d %v", res.StatusCode, err)
		}
		workers = len(body.Workers)
	}
	slices.Sort(exports)

	// A revocation: how long until each replica says not eligible.
	revoke, revokeB := revocationDelay(b, env, client, srv.URL, srvB.URL, key, rep)
	// A revocation in the big roster: how long until each replica's roster
	// (both cached just before) says not eligible.
	rosterHere, rosterThere := rosterRevocationDelay(b, env, client, srv.URL, srvB.URL, key, rep.BigProgramID)
	// An API key revoked on one replica: how long until the other refuses it.
	keyHere, keyThere := keyRevocationDelay(b, env, ctx, client, srv.URL, srvB.URL, rep)

	fmt.Printf("\nEligibility benchmark: %d agents, %d assignments, %d workers, %ds per run, GOMAXPROCS=%d, load average %s → %s\n",
		rep.Agents, rep.Assignments, concurrency, seconds, runtime.GOMAXPROCS(0), load0, load1)
	fmt.Printf("| measure | value | target |\n|---|---|---|\n")
	fmt.Printf("| eligibility checks/s, replica just started (view empty) | %.0f | |\n", cold.rate)
	fmt.Printf("| eligibility p50 / p99, replica just started | %.2f / %.2f ms | |\n", ms(cold.p50), ms(cold.p99))
	fmt.Printf("| eligibility checks/s | %.0f | ≥ 2,000 |\n", gate.rate)
	fmt.Printf("| eligibility p50 | %.2f ms | |\n", ms(gate.p50))
	fmt.Printf("| eligibility p99 | %.2f ms | ≤ 10 ms |\n", ms(gate.p99))
	fmt.Printf("| errors (non-200) | %d | 0 |\n", gate.errors+cold.errors)
	fmt.Printf("| baseline checks/s (bare Gin, one PK lookup) | %.0f | |\n", baseline.rate)
	fmt.Printf("| baseline p50 / p99 | %.2f / %.2f ms | |\n", ms(baseline.p50), ms(baseline.p99))
	fmt.Printf("| ratio eligibility / baseline | %.2f | ≥ 0.5 |\n", gate.rate/baseline.rate)
	fmt.Printf("| CPU per check, this process + PostgreSQL: eligibility / baseline | %s / %s | |\n", gate.cpu(), baseline.cpu())
	fmt.Printf("| roster, %d-agent program, back to back (median of 5; cached after the first) | %.1f ms | ≤ 100 ms |\n", rosterSize, ms(rosters[2]))
	fmt.Printf("| roster, computed (cache expired; median of 5) | %.1f ms | |\n", ms(coldRosters[2]))
	fmt.Printf("| TaskRouter export, %d workers, %d assignments (median of 3) | %.1f ms | |\n", workers, rep.Assignments, ms(exports[1]))
	fmt.Printf("| certification revocation visible, same / other replica | %.2f / %.2f ms | ≤ 1 s |\n", ms(revoke), ms(revokeB))
	fmt.Printf("| certification revocation in the roster, same / other replica | %.2f / %.2f ms | ≤ 1 s |\n", ms(rosterHere), ms(rosterThere))
	fmt.Printf("| API key revocation refused, same / other replica | %.2f / %.2f ms | ≤ 1 s |\n\n", ms(keyHere), ms(keyThere))
}

type result struct {
	rate     float64
	p50, p99 time.Duration
	errors   int64
	n        int
	self, pg time.Duration // CPU time: this process (server and load generator), PostgreSQL's backends
}

// cpu is the CPU time per request, in all and split.
func (r result) cpu() string {
	n := time.Duration(max(r.n, 1))
	return fmt.Sprintf("%d µs (%d + %d)", ((r.self + r.pg) / n).Microseconds(), (r.self / n).Microseconds(), (r.pg / n).Microseconds())
}

// drive sends requests from concurrency workers for d and measures them.
func drive(b *testing.B, env *apitest.Env, client *http.Client, d time.Duration, next func(*rand.Rand) *http.Request) result {
	var wg sync.WaitGroup
	var errs atomic.Int64
	lat := make([][]time.Duration, concurrency)
	meter := benchcpu.Start(env.DB)
	deadline := time.Now().Add(d)
	begin := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for time.Now().Before(deadline) {
				r := next(rng)
				t0 := time.Now()
				res, err := client.Do(r)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat[w] = append(lat[w], time.Since(t0))
				if res.StatusCode != 200 {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	self, pg := meter()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		b.Fatal("no requests completed")
	}
	return result{rate: float64(len(all)) / elapsed.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100], errors: errs.Load(),
		n: len(all), self: self, pg: pg}
}

// warm sends one request per pair from concurrency workers.
func warm(b *testing.B, client *http.Client, pairs [][2]string, req func([2]string) *http.Request) {
	var wg sync.WaitGroup
	var next atomic.Int64
	var refused sync.Map // status → count
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(pairs)); i = next.Add(1) - 1 {
				res, err := client.Do(req(pairs[i]))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					n, _ := refused.LoadOrStore(res.StatusCode, new(atomic.Int64))
					n.(*atomic.Int64).Add(1)
				}
			}
		}()
	}
	wg.Wait()
	refused.Range(func(status, n any) bool {
		b.Logf("warm-up: %d questions answered %d", n.(*atomic.Int64).Load(), status)
		return true
	})
}

// eligible asks base whether the pair is eligible for a TX caller.
func eligible(b *testing.B, client *http.Client, base, key string, p [2]string) bool {
	r, _ := http.NewRequest("GET", base+"/api/v1/eligibility?agent="+p[0]+"&program="+p[1]+"&state=TX", nil)
	r.Header.Set("Authorization", "Bearer "+key)
	res, err := client.Do(r)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var a struct{ Eligible bool }
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || res.StatusCode != 200 {
		b.Fatalf("check: %d %v", res.StatusCode, err)
	}
	return a.Eligible
}

// until polls ok every millisecond until it holds, returning how long that
// took from t0; it fails the benchmark after 5 s.
func until(b *testing.B, t0 time.Time, ok func() bool) time.Duration {
	for !ok() {
		if time.Since(t0) > 5*time.Second {
			b.Fatal("the change did not show within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(t0)
}

// revocationDelay revokes an eligible agent's certification (as the
// certification engine does: one committed UPDATE) and polls both
// replicas until each answers not eligible, returning the delays.
func revocationDelay(b *testing.B, env *apitest.Env, client *http.Client, base, other, key string, rep *seed.Report) (time.Duration, time.Duration) {
	for _, p := range rep.Pairs {
		if !eligible(b, client, base, key, p) || !eligible(b, client, other, key, p) {
			continue
		}
		if err := env.DB.Exec(`UPDATE certifications SET state = 'revoked', updated_at = now() WHERE user_id = ? AND program_id = ?`, p[0], p[1]).Error; err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		here := until(b, t0, func() bool { return !eligible(b, client, base, key, p) })
		there := until(b, t0, func() bool { return !eligible(b, client, other, key, p) })
		return here, there
	}
	b.Fatal("no eligible pair to revoke")
	return 0, 0
}

// roster reads the program's roster from base and reports whether agentID
// is listed eligible (and the first eligible agent listed).
func roster(b *testing.B, client *http.Client, base, key, programID, agentID string) (bool, string) {
	r, _ := http.NewRequest("GET", base+"/api/v1/programs/"+programID+"/roster", nil)
	r.Header.Set("Authorization", "Bearer "+key)
	res, err := client.Do(r)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Agents []struct {
			AgentID  string `json:"agent_id"`
			Eligible bool
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		b.Fatalf("roster: %d %v", res.StatusCode, err)
	}
	listed, first := false, ""
	for _, a := range body.Agents {
		if a.Eligible && first == "" {
			first = a.AgentID
		}
		if a.AgentID == agentID {
			listed = a.Eligible
		}
	}
	return listed, first
}

// rosterRevocationDelay revokes the certification of an agent the
// program's roster lists eligible on both replicas (so both have it
// cached) and polls each replica's roster until it lists them not
// eligible, returning the delays.
func rosterRevocationDelay(b *testing.B, env *apitest.Env, client *http.Client, base, other, key, programID string) (time.Duration, time.Duration) {
	_, agent := roster(b, client, base, key, programID, "")
	if agent == "" {
		b.Fatal("no eligible agent in the roster")
	}
	if ok, _ := roster(b, client, other, key, programID, agent); !ok {
		b.Fatal("the replicas disagree about the roster")
	}
	if err := env.DB.Exec(`UPDATE certifications SET state = 'revoked', updated_at = now() WHERE user_id = ? AND program_id = ?`, agent, programID).Error; err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	gone := func(url string) func() bool {
		return func() bool { ok, _ := roster(b, client, url, key, programID, agent); return !ok }
	}
	return until(b, t0, gone(base)), until(b, t0, gone(other))
}

// keyRevocationDelay makes a key, uses it on both replicas (so both have
// it cached), revokes it through the first and polls each replica until it
// answers 401, returning the delays.
func keyRevocationDelay(b *testing.B, env *apitest.Env, ctx context.Context, client *http.Client, base, other string, rep *seed.Report) (time.Duration, time.Duration) {
	k, err := env.App.Auth.CreateAPIKey(ctx, auth.CreateAPIKeyInput{Name: "acd-revoked", Scopes: []string{auth.ScopeEligibilityRead}})
	if err != nil {
		b.Fatal(err)
	}
	p := rep.Pairs[0]
	refused := func(url string) func() bool {
		return func() bool {
			res, err := client.Do(eligibilityRequest(url, k.Key, p))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode == http.StatusUnauthorized
		}
	}
	if refused(base)() || refused(other)() {
		b.Fatal("a fresh key was refused")
	}
	if err := env.App.Auth.RevokeAPIKey(ctx, k.ID); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	here := until(b, t0, refused(base))
	there := until(b, t0, refused(other))
	return here, there
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
