package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/benchcpu"
	"github.com/skillgate/skillgate/server/internal/logx"
)

// BenchmarkEligibilityOverload measures admission control: over the same
// seeded 10,000-agent center as BenchmarkEligibility, with the server's
// admission limits (app.DefaultAdmission, or ADMISSION_* from the
// environment). First 32 workers send checks, each its next when the last
// is answered, with admission control off: their rate is the sustainable
// rate. Then checks arrive at three times that rate, paced whatever the
// answers (an ACD's calls do not wait for each other), on at most 96
// connections (an arrival finding them all busy is dropped at the client
// and counted), against the server with admission control and without.
// For each it reports, measured in the server (from the router's ServeHTTP
// to its return, leaving out the client's own scheduling), the admitted
// checks' rate and p50/p99, how many were refused (503 with Retry-After)
// and how fast (p99 and the slowest: a refused request's latency is its
// wait in the queue plus the refusal), the client's timeouts (no answer
// within 5 s), the offered rate as a multiple of the sustainable one, and
// the load average. The eligibility view is off here, so every check reads
// the database: the case admission control is for (a replica just started,
// or one whose change feed is behind). Run it once:
// go test -run '^$' -bench EligibilityOverload -benchtime 1x ./server/internal/routing/bench
func BenchmarkEligibilityOverload(b *testing.B) {
	seconds := benchcpu.Seconds()
	// The server's admission settings, ADMISSION_* from the environment
	// as serve reads them (defaults: app.DefaultAdmission).
	adm := app.DefaultAdmission
	if cfg, err := app.LoadConfig(os.Getenv); err == nil {
		adm = cfg.Admission
	} else {
		b.Logf("configuration: %v; using the default admission limits", err)
	}
	cen := newCenter(b, 10000, func(c *app.Config) { c.Admission = adm })
	env, rep := cen.env, cen.rep
	served := &serverTimes{}
	limited := httptest.NewServer(served.wrap(env.App.Router))
	defer limited.Close()
	openCfg := env.App.Config
	openCfg.Admission = app.Admission{}
	open, err := app.New(openCfg, logx.Discard(), env.DB, env.Clock)
	if err != nil {
		b.Fatal(err)
	}
	unlimited := httptest.NewServer(served.wrap(open.Router))
	defer unlimited.Close()

	check := func(base string) func(*rand.Rand) *http.Request { return checks(rep.Pairs, base, cen.key) }
	d := time.Duration(seconds) * time.Second
	// The sustainable rate: what 32 workers, each sending its next check
	// when the last is answered, get answered (nothing refused). Then checks arrive at three
	// times that rate whatever the answers (an open loop, as an ACD's calls
	// do), against the server with admission control and without.
	// The second run is the same 32 workers with admission control on: at
	// their own pace nothing should be refused (the queue is sized to the
	// work; a queue the size of the limit refused some).
	runs := []string{"1× (32 workers, closed loop), admission control off", "1× (32 workers, closed loop), admission control on",
		"3× the sustainable rate (paced, 96 connections), admission control on",
		"3× the sustainable rate (paced, 96 connections), admission control off"}
	results := []overloadResult{overloadDrive(b, concurrency, 0, d, check(unlimited.URL), served)}
	sustainable := results[0].rate
	results = append(results, overloadDrive(b, concurrency, 0, d, check(limited.URL), served))
	results = append(results, overloadDrive(b, 0, 3*sustainable, d, check(limited.URL), served))
	results = append(results, overloadDrive(b, 0, 3*sustainable, d, check(unlimited.URL), served))
	fmt.Printf("\nEligibility under overload: %d agents, %ds per run, eligibility limit %d, queue of %d, wait %s (%s when overloaded), pool 20, GOMAXPROCS=%d\n",
		rep.Agents, seconds, adm.EligibilityLimit, adm.EligibilityQueue, adm.EligibilityWait, min(adm.EligibilityTarget, adm.EligibilityWait), runtime.GOMAXPROCS(0))
	fmt.Printf("Latencies measured in the server; sustainable rate: the 1× run's rate, %.0f/s.\n", sustainable)
	fmt.Printf("| load | offered/s (× sustainable) | sent/s (×) | admitted/s | admitted p50 / p99 | refused (503) | refused p99 / slowest | dropped at the client, client timeouts, other errors | load average |\n|---|---|---|---|---|---|---|---|---|\n")
	for i, r := range results {
		fmt.Printf("| %s | %.0f (%.1f×) | %.0f (%.1f×) | %.0f | %.2f / %.2f ms | %d (%.0f%%) | %.2f / %.2f ms | %d, %d, %d | %s |\n", runs[i],
			r.offered, r.offered/max(sustainable, 1), r.sent, r.sent/max(sustainable, 1), r.rate, ms(r.p50), ms(r.p99),
			r.refused, 100*float64(r.refused)/float64(max(r.refused+r.admitted, 1)), ms(r.refusedP99), ms(r.refusedMax),
			r.dropped, r.timeouts, r.other, r.load)
	}
	fmt.Println("target at 3× with admission control on: admitted p99 ≤ 50 ms, refusals ≤ 5 ms (p99), none slower than the queue wait, no timeouts")
	b.ReportMetric(float64(results[1].refused), "refused@1x")
	b.ReportMetric(ms(results[2].p99), "admitted-p99-ms@3x")
	b.ReportMetric(ms(results[2].refusedP99), "refused-p99-ms@3x")
	b.ReportMetric(float64(results[2].timeouts), "timeouts@3x")
	if results[2].timeouts > 0 || results[2].other > 0 {
		b.Errorf("at 3× with admission control: %d timeouts and %d other errors, want none", results[2].timeouts, results[2].other)
	}
}

// serverTimes records how long the server took over each request, by
// status: from the router's ServeHTTP to its return.
type serverTimes struct {
	mu      sync.Mutex
	ok      []time.Duration
	refused []time.Duration
}

func (s *serverTimes) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		h.ServeHTTP(sw, r)
		took := time.Since(t0)
		s.mu.Lock()
		switch {
		case sw.status == 200:
			s.ok = append(s.ok, took)
		case sw.status == 503 && sw.Header().Get("Retry-After") != "":
			s.refused = append(s.refused, took)
		}
		s.mu.Unlock()
	})
}

// take returns the times recorded since the last take.
func (s *serverTimes) take() (ok, refused []time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok, refused = s.ok, s.refused
	s.ok, s.refused = nil, nil
	return ok, refused
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

type overloadResult struct {
	rate, offered, sent              float64
	p50, p99, refusedP99, refusedMax time.Duration
	admitted, refused                int
	dropped, timeouts, other         int
	load                             string
}

// overloadDrive sends requests for d, from workers each sending its next
// when the last is answered (a closed loop), or, with workers 0, at rate
// per second whatever the answers (an open loop), and reads the server's
// times of admitted (200) and refused (503 with Retry-After) answers.
func overloadDrive(b *testing.B, workers int, rate float64, d time.Duration, next func(*rand.Rand) *http.Request, served *serverTimes) overloadResult {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	var mu sync.Mutex
	var sent, dropped, timeouts, other int
	send := func(req *http.Request) {
		res, err := client.Do(req)
		mu.Lock()
		defer mu.Unlock()
		sent++
		if err != nil {
			timeouts++
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 && (res.StatusCode != 503 || res.Header.Get("Retry-After") == "") {
			other++
		}
	}
	var wg sync.WaitGroup
	served.take()
	deadline := time.Now().Add(d)
	begin := time.Now()
	if workers > 0 {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 11))
				for time.Now().Before(deadline) {
					send(next(rng))
				}
			}()
		}
	} else {
		// A check arrives every 1/rate and is sent on one of 3×32
		// connections; when all of them are busy, the arrival is dropped
		// at the client (counted) rather than queued there.
		tickets := make(chan *http.Request)
		for range 3 * concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for req := range tickets {
					send(req)
				}
			}()
		}
		rng := rand.New(rand.NewPCG(7, 11))
		interval := time.Duration(float64(time.Second) / rate)
		for i := 0; ; i++ {
			at := begin.Add(time.Duration(i) * interval)
			if !at.Before(deadline) {
				break
			}
			if wait := time.Until(at); wait > 0 {
				time.Sleep(wait)
			}
			select {
			case tickets <- next(rng):
			default:
				mu.Lock()
				dropped++
				mu.Unlock()
			}
		}
		close(tickets)
	}
	wg.Wait()
	elapsed := time.Since(begin)
	load := benchcpu.LoadAverage()
	ok, refused := served.take()
	slices.Sort(ok)
	slices.Sort(refused)
	if len(ok) == 0 {
		b.Fatal("no request was admitted")
	}
	r := overloadResult{rate: float64(len(ok)) / elapsed.Seconds(), offered: float64(sent+dropped) / elapsed.Seconds(), sent: float64(sent) / elapsed.Seconds(), dropped: dropped,
		p50: ok[len(ok)/2], p99: ok[len(ok)*99/100],
		admitted: len(ok), refused: len(refused), timeouts: timeouts, other: other, load: load}
	if len(refused) > 0 {
		r.refusedP99, r.refusedMax = refused[len(refused)*99/100], refused[len(refused)-1]
	}
	return r
}
