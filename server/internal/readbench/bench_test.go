// Package readbench load-tests the reads of a center at scale through the
// real HTTP server: an agent reading a module (200 and 304) and a program's
// roster computed fresh, each beside a bare baseline in the same run.
// `make bench` runs BenchmarkReads once.
package readbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/benchcpu"
	"github.com/skillgate/skillgate/server/internal/seed"
)

const concurrency = 32

// BenchmarkReads seeds a 10,000-agent center (BENCH_AGENTS to change it;
// 40 clients, 200 programs, 5,000 agents in one program) plus the demo
// content library, serves the real router on a loopback listener with the
// change feed read every 100 ms as in production, and measures for
// BENCH_SECONDS (default 10) each: GET /api/v1/modules/{id} by a signed-in
// agent enrolled in one program (the largest module that program lists),
// answered 200 and then 304 (If-None-Match with its ETag); and a bare
// baseline (plain net/http, one primary-key lookup through the same pool).
// Then the 5,000-agent roster computed fresh (no roster cache): once with
// its snapshot read whole, then ten times one after the other as JSON and
// as CSV, and ten times with one agent's certification changed (plain SQL,
// then a feed read) before each; beside a bare baseline that reads the
// program's assignment rows in one statement and writes them as JSON.
// Every phase reports its CPU per operation: this process (server and
// load generator) and the PostgreSQL backends. Last, the module reads (200,
// then 304) again against the real `skillgate serve` started as a child
// process over the same database (benchcpu.Skillgate), with the server's
// process's CPU per read apart, so a 304's cost as a share of a 200's is
// the server's own. BENCH_PROFILE_DIR=dir
// writes a CPU profile of each module-read and roster phase. Run it once:
// go test -run '^$' -bench Reads -benchtime 1x ./server/internal/readbench
func BenchmarkReads(b *testing.B) {
	seconds := benchcpu.Seconds()
	// Every roster is computed (RosterCacheTTL zero): the fresh cost.
	env := apitest.NewWith(b, func(c *app.Config) { c.EligibilityView = true })
	// The center is as of now, not apitest's date: the module reads run
	// again on skillgate serve, on the real clock, which must find it
	// settled (seeded as of March, its jobs spent minutes lapsing and
	// re-deciding a 100,000-agent center first).
	env.Clock.Set(time.Now().UTC().Truncate(time.Microsecond))
	sqlDB, err := env.DB.DB()
	if err != nil {
		b.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(20) // the server's default pool (db.Open)
	sqlDB.SetMaxIdleConns(20)
	env.ImportDemo()
	agents := 10000
	if n, err := strconv.Atoi(os.Getenv("BENCH_AGENTS")); err == nil && n >= 5000 {
		agents = n
	}
	rep, err := seed.Center(context.Background(), env.DB, seed.Options{Agents: agents, Clients: 40, Programs: 200,
		Seed: 1, Now: env.Clock.Now(), BigProgramAgents: 5000})
	if err != nil {
		b.Fatal(err)
	}

	// The reader: an agent enrolled in the program listing the largest module.
	var pick struct{ ModuleID, ProgramID string }
	if err := env.DB.Raw(`SELECT pm.module_id, pm.program_id FROM program_modules pm
		JOIN modules m ON m.id = pm.module_id
		JOIN module_versions v ON v.module_id = m.id AND v.number = m.current_version
		ORDER BY length(v.source) + length(v.html) + length(v.markdown) DESC LIMIT 1`).Scan(&pick).Error; err != nil || pick.ModuleID == "" {
		b.Fatalf("pick a module: %v", err)
	}
	env.User("admin@bench.test", auth.RoleAdmin)
	agent := env.User("agent@bench.test", auth.RoleAgent)
	adminTok, agentTok := env.Login("admin@bench.test"), env.Login("agent@bench.test")
	if res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/programs/" + pick.ProgramID + "/enrollments", Token: adminTok,
		Body: map[string]string{"user_id": agent.ID}}); res.Status != 201 {
		b.Fatalf("enroll: %d %s", res.Status, res.Body)
	}
	if _, err := sqlDB.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}

	// The change feed is read as in production (every 100 ms): it keeps
	// the eligibility view and the readers' caches (sessions, enrollments,
	// module listings) current.
	feedCtx, stopFeed := context.WithCancel(context.Background())
	defer stopFeed()
	go env.App.Routing.RunView(feedCtx)
	load0 := benchcpu.LoadAverage()

	srv := httptest.NewServer(env.App.Router)
	defer srv.Close()
	// The baseline: plain net/http, one primary-key lookup, the same pool.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		var id, email string
		var active bool
		err := sqlDB.QueryRowContext(r.Context(), `SELECT id, email, active FROM users WHERE id = $1`, r.URL.Query().Get("id")).Scan(&id, &email, &active)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"email":%q,"active":%t}`, id, email, active)
	})
	mux.HandleFunc("GET /assignments", func(w http.ResponseWriter, r *http.Request) {
		rows, err := sqlDB.QueryContext(r.Context(), `SELECT user_id, status FROM assignments WHERE program_id = $1 ORDER BY user_id`, r.URL.Query().Get("program"))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rows.Close()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"agents":[`)
		for n := 0; rows.Next(); n++ {
			var id, status string
			if err := rows.Scan(&id, &status); err != nil {
				return
			}
			if n > 0 {
				_, _ = io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `{"agent_id":%q,"status":%q}`, id, status)
		}
		_, _ = io.WriteString(w, "]}")
	})
	baseSrv := httptest.NewServer(mux)
	defer baseSrv.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	d := time.Duration(seconds) * time.Second
	modulePath := srv.URL + "/api/v1/modules/" + pick.ModuleID
	read := moduleReads(modulePath, agentTok)
	first, err := client.Do(read("")())
	if err != nil || first.StatusCode != 200 {
		b.Fatalf("module read: %v %v", first, err)
	}
	body, _ := io.ReadAll(first.Body)
	first.Body.Close()
	etag := first.Header.Get("ETag")

	stop := benchcpu.Profile(b, "read200")
	ok200 := drive(b, env, 0, client, d, 200, read(""))
	stop()
	stop = benchcpu.Profile(b, "read304")
	ok304 := drive(b, env, 0, client, d, 304, read(etag))
	stop()
	baseline := drive(b, env, 0, client, d, 200, func() *http.Request {
		r, _ := http.NewRequest("GET", baseSrv.URL+"/user?id="+agent.ID, nil)
		return r
	})

	rosterReq := func(url string, tok string) func() *http.Request {
		return func() *http.Request {
			r, _ := http.NewRequest("GET", url, nil)
			if tok != "" {
				r.Header.Set("Authorization", "Bearer "+tok)
			}
			return r
		}
	}
	rosterURL := srv.URL + "/api/v1/programs/" + rep.BigProgramID + "/roster"
	// The first roster reads the program's snapshot whole (with the view
	// on, later ones keep it current from the change feed).
	rosterFirst := sequential(b, env, client, 1, rosterReq(rosterURL, adminTok))
	stop = benchcpu.Profile(b, "rosterjson")
	rosterJSON := sequential(b, env, client, 10, rosterReq(rosterURL, adminTok))
	stop()
	stop = benchcpu.Profile(b, "rostercsv")
	rosterCSV := sequential(b, env, client, 10, rosterReq(rosterURL+"?format=csv", adminTok))
	stop()
	// Before each roster one agent's certification changes (plain SQL) and
	// the feed is read, as the poller would: the roster re-reads that agent.
	var changing []string
	if err := env.DB.Raw(`SELECT user_id::text FROM assignments WHERE program_id = ? ORDER BY user_id LIMIT 10`, rep.BigProgramID).
		Scan(&changing).Error; err != nil || len(changing) == 0 {
		b.Fatalf("agents to change: %v", err)
	}
	turn := 0
	changeOne := func() {
		if err := env.DB.Exec(`UPDATE certifications SET expires_at = expires_at + interval '1 day' WHERE user_id = ? AND program_id = ?`,
			changing[turn%len(changing)], rep.BigProgramID).Error; err != nil {
			b.Fatal(err)
		}
		turn++
		if err := env.App.Routing.SyncView(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	rosterChanged := sequentialAfter(b, env, client, 10, changeOne, rosterReq(rosterURL, adminTok))
	rosterBase := sequential(b, env, client, 10, rosterReq(baseSrv.URL+"/assignments?program="+rep.BigProgramID, ""))

	// The module reads again, served by the real `skillgate serve` as a
	// process of its own, so the server's CPU per read is its own.
	child := childReads(b, env, client, d, pick.ModuleID)

	fmt.Printf("\nReads benchmark: %d agents, module of %d bytes (JSON), %d workers, %ds per run, GOMAXPROCS=%d, load average %s → %s\n",
		rep.Agents, len(body), concurrency, seconds, runtime.GOMAXPROCS(0), load0, benchcpu.LoadAverage())
	fmt.Printf("| measure | /s or ms | p50 / p99 | CPU per op (this process + PostgreSQL) | ratio to baseline | target |\n|---|---|---|---|---|---|\n")
	row := func(name string, r result, target string) {
		fmt.Printf("| %s | %.0f/s | %.2f / %.2f ms | %s | %.2f | %s |\n", name, r.rate, ms(r.p50), ms(r.p99), r.cpu(), r.rate/baseline.rate, target)
	}
	row("module read, 200", ok200, "≥ 5,000/s, ≥ 0.35")
	row("module read, 304", ok304, "CPU ≤ ⅓ of the 200's")
	row("baseline: net/http, one PK lookup", baseline, "")
	fmt.Printf("| errors (unexpected status) | %d | | | | 0 |\n", ok200.errors+ok304.errors+baseline.errors)
	seq := func(name string, r result, target string) {
		fmt.Printf("| %s | %.1f ms (median of %d) | | %s | %.1f× | %s |\n", name, ms(r.p50), r.n, r.cpu(), ms(r.p50)/ms(rosterBase.p50), target)
	}
	seq("roster, first request (the snapshot read whole), JSON", rosterFirst, "")
	seq("roster computed, JSON", rosterJSON, "≤ 50 ms")
	seq("roster computed, CSV", rosterCSV, "≤ 50 ms")
	seq("roster computed, JSON, one agent changed before each", rosterChanged, "≤ 50 ms")
	seq("baseline: net/http, the program's assignment rows as JSON", rosterBase, "")
	fmt.Printf("| 304 CPU / 200 CPU | %.2f | | | | ≤ 0.33 |\n", float64(ok304.perOp())/float64(ok200.perOp()))
	fmt.Printf("| change-feed reads that failed (missed their 0.5 s deadline) during the run | %d | | | | 0 |\n\n", env.App.Routing.FeedReadFailures())
	fmt.Printf("Module reads served by skillgate serve as its own process (%d workers, %ds per run)\n", concurrency, seconds)
	fmt.Printf("| measure | /s | p50 / p99 | CPU per read: server / PostgreSQL / load generator | target |\n|---|---|---|---|---|\n")
	for _, r := range []struct {
		name   string
		r      result
		target string
	}{{"module read, 200", child.ok200, ""}, {"module read, 304", child.ok304, "server CPU ≤ ⅓ of the 200's"}} {
		n := time.Duration(max(r.r.n, 1))
		fmt.Printf("| %s | %.0f/s | %.2f / %.2f ms | %d / %d / %d µs | %s |\n", r.name, r.r.rate, ms(r.r.p50), ms(r.r.p99),
			(r.r.server / n).Microseconds(), (r.r.pg / n).Microseconds(), (r.r.self / n).Microseconds(), r.target)
	}
	fmt.Printf("| 304 ÷ 200, the server's CPU per read | %.2f | | | ≤ 0.33 |\n", child.ratio())
	fmt.Printf("| errors (unexpected status) | %d | | | 0 |\n\n", child.ok200.errors+child.ok304.errors)
}

// childRun is the module reads' phases served by a child process.
type childRun struct{ ok200, ok304 result }

// ratio is a 304's server CPU as a share of a 200's.
func (c childRun) ratio() float64 {
	per := func(r result) float64 { return float64(r.server) / float64(max(r.n, 1)) }
	return per(c.ok304) / per(c.ok200)
}

// childReads starts the real `skillgate serve` over env's database, signs
// the agent in there (the child runs on the real clock, so a token from
// env's manual clock would have expired), and reads the module for d as a
// 200 and then as a 304, measuring the child's CPU apart.
func childReads(b *testing.B, env *apitest.Env, client *http.Client, d time.Duration, moduleID string) childRun {
	b.Helper()
	srv := benchcpu.Skillgate(b, env.URL)
	defer srv.Stop(b)
	raw, _ := json.Marshal(map[string]string{"email": "agent@bench.test", "password": apitest.Password, "refresh_token_delivery": "body"})
	res, err := client.Post(srv.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&tk)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("login on the child: %d %v", res.StatusCode, err)
	}
	read := moduleReads(srv.URL+"/api/v1/modules/"+moduleID, tk.AccessToken)
	first, err := client.Do(read("")())
	if err != nil || first.StatusCode != 200 {
		b.Fatalf("module read on the child: %v %v", first, err)
	}
	_, _ = io.Copy(io.Discard, first.Body)
	first.Body.Close()
	pid := srv.PID()
	benchcpu.Settle(b, env.DB, pid) // the child's start-up work is not the reads'
	ok200 := drive(b, env, pid, client, d, 200, read(""))
	ok304 := drive(b, env, pid, client, d, 304, read(first.Header.Get("ETag")))
	client.CloseIdleConnections()
	return childRun{ok200: ok200, ok304: ok304}
}

type result struct {
	rate     float64
	p50, p99 time.Duration
	errors   int64
	n        int
	self, pg time.Duration
	server   time.Duration // the server's process, when it runs as a child
}

// perOp is the CPU time per operation, this process and PostgreSQL.
func (r result) perOp() time.Duration { return (r.self + r.pg) / time.Duration(max(r.n, 1)) }

func (r result) cpu() string {
	n := time.Duration(max(r.n, 1))
	return fmt.Sprintf("%d µs (%d + %d)", r.perOp().Microseconds(), (r.self / n).Microseconds(), (r.pg / n).Microseconds())
}

// drive sends requests from concurrency workers for d, counting any other
// status than want as an error.
// server is the pid of the server's process when it runs as a child (its
// CPU is then measured apart), 0 when it runs in this one.
func drive(b *testing.B, env *apitest.Env, server int, client *http.Client, d time.Duration, want int, next func() *http.Request) result {
	var wg sync.WaitGroup
	var errs atomic.Int64
	lat := make([][]time.Duration, concurrency)
	meter := benchcpu.Measure(env.DB, server)
	deadline := time.Now().Add(d)
	begin := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				res, err := client.Do(next())
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat[w] = append(lat[w], time.Since(t0))
				if res.StatusCode != want {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	cost := meter()
	r := summarize(b, lat, elapsed, errs.Load(), cost.Self, cost.Postgres)
	r.server = cost.Server
	return r
}

// sequential sends n requests one after the other (each must answer 200).
func sequential(b *testing.B, env *apitest.Env, client *http.Client, n int, next func() *http.Request) result {
	return sequentialAfter(b, env, client, n, func() {}, next)
}

// sequentialAfter is sequential with before called ahead of each request
// (its time is not in the latency; its CPU is in the CPU per request).
func sequentialAfter(b *testing.B, env *apitest.Env, client *http.Client, n int, before func(), next func() *http.Request) result {
	lat := make([]time.Duration, 0, n)
	meter := benchcpu.Start(env.DB)
	begin := time.Now()
	for range n {
		before()
		t0 := time.Now()
		res, err := client.Do(next())
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("%s: %d", res.Request.URL, res.StatusCode)
		}
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(begin)
	self, pg := meter()
	return summarize(b, [][]time.Duration{lat}, elapsed, 0, self, pg)
}

func summarize(b *testing.B, lat [][]time.Duration, elapsed time.Duration, errs int64, self, pg time.Duration) result {
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		b.Fatal("no requests completed")
	}
	return result{rate: float64(len(all)) / elapsed.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100],
		errors: errs, n: len(all), self: self, pg: pg}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// moduleReads makes the reads of a module at url with the token: with
// If-None-Match: inm, unless inm is "".
func moduleReads(url, token string) func(inm string) func() *http.Request {
	return func(inm string) func() *http.Request {
		return func() *http.Request {
			r, _ := http.NewRequest("GET", url, nil)
			r.Header.Set("Authorization", "Bearer "+token)
			if inm != "" {
				r.Header.Set("If-None-Match", inm)
			}
			return r
		}
	}
}
