package routing

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"testing"
)

// loadedInputs returns inputs shaped as Store.Inputs returns them for a
// seeded center (seed.Center: 200 programs of 40 clients, one in five
// needing licenses in a few states, agents with licenses in 1–3 states and
// an external id): every string read afresh, as a load allocates it.
func loadedInputs(rng *rand.Rand, agent, program int) *inputs {
	fresh := func(s string) string { return strings.Clone(s) }
	uuid := func(kind string, n int) string {
		return fmt.Sprintf("%08x-%04x-4000-8000-%012x", n, len(kind), n*7919+len(kind))
	}
	ext := fresh(fmt.Sprintf("agent-%06d", agent))
	in := &inputs{UserID: uuid("user", agent), ExternalID: &ext, Role: fresh("agent"),
		Email: fmt.Sprintf("agent%06d@bench.test", agent), Active: agent%50 != 0,
		ProgramID: uuid("program", program), ProgramName: fmt.Sprintf("Program %d", program),
		ClientID: uuid("client", program%40), Assigned: true}
	exp := t0.Add(days(30 + agent%300))
	in.Cert = &CertificationInput{State: fresh(certCertified), ExpiresAt: &exp}
	if program%5 == 0 {
		states := []string{"TX", "FL", "GA", "NY", "AZ"}[:2+program%4]
		in.Requirements = []LicenseRequirement{{Class: fresh("insurance-producer"),
			Lines: []string{fresh("life"), fresh("accident-and-health")}, States: append([]string(nil), states...)}}
		for i := range 1 + rng.IntN(3) {
			in.Licenses = append(in.Licenses, LicenseInput{Jurisdiction: fresh(states[(agent+i)%len(states)]),
				Class: fresh("insurance-producer"), Lines: []string{fresh("life"), fresh("accident-and-health")},
				Status: fresh(licenseVerified), EffectiveDate: t0.Add(-days(400)), ExpiryDate: t0.Add(days(400))})
		}
	}
	return in
}

// BenchmarkViewEntryBytes fills a view the way single checks do (one put
// per agent × program, an agent asked about 1.6 programs on average, as in
// the seeded centers) with VIEW_ENTRIES entries (default 100,000) and
// reports the heap it holds per entry (heap in use after a GC, after
// filling it, less before: heap-B/entry) and how much of that the
// collector must scan for pointers (/gc/scan/heap:bytes: scan-B/entry, what
// a cycle's mark work grows with). The figures are the view's alone (no database, no
// HTTP; VIEW_HEAP_PROFILE=file writes the heap profile with the view
// full): go test -run '^$' -bench ViewEntryBytes -benchtime 1x ./server/internal/routing
func BenchmarkViewEntryBytes(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	// heap is the heap in use after a GC, and the part of it the collector
	// must scan for pointers (what a cycle's mark work grows with).
	heap := func() (uint64, uint64) {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		scan := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
		metrics.Read(scan)
		return m.HeapAlloc, scan[0].Value.Uint64()
	}
	var perEntry, scanPerEntry float64
	for range b.N {
		rng := rand.New(rand.NewPCG(28, 2))
		before, scanBefore := heap()
		v := newView()
		v.apply(nil, at)
		for agent, e := 0, 0; e < n; agent++ {
			programs := 1 + rng.IntN(2) // 1–2, and a third for one agent in five
			if rng.IntN(5) == 0 {
				programs++
			}
			for p := range programs {
				if e == n {
					break
				}
				program := (agent*13 + p*71) % 200
				in := loadedInputs(rng, agent, program)
				v.put(viewKey{agent: Agent{ID: strings.Clone(in.UserID)}, programID: strings.Clone(in.ProgramID)}, in, v.begin())
				e++
			}
		}
		after, scanAfter := heap()
		if v.size() != n {
			b.Fatalf("the view holds %d entries, want %d", v.size(), n)
		}
		perEntry = float64(after-before) / float64(n)
		scanPerEntry = float64(scanAfter-min(scanBefore, scanAfter)) / float64(n)
		if f := os.Getenv("VIEW_HEAP_PROFILE"); f != "" {
			out, err := os.Create(f)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.WriteHeapProfile(out); err != nil {
				b.Fatal(err)
			}
			out.Close()
		}
		runtime.KeepAlive(v)
	}
	b.ReportMetric(perEntry, "heap-B/entry")
	b.ReportMetric(scanPerEntry, "scan-B/entry")
	b.ReportMetric(0, "ns/op")
}
