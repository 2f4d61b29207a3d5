package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/routing"
	"github.com/skillgate/skillgate/server/internal/seed"
)

// BenchmarkViewMemory seeds a center (BENCH_AGENTS agents, default 10,000;
// 40 clients, 200 programs, 5,000 agents in one licensed program), asks the
// gate once about every assignment through the service so the eligibility
// view holds each pair, and prints the heap the view holds per entry (heap
// in use after a GC, before and after filling it). Run it once:
// go test -run '^$' -bench ViewMemory -benchtime 1x ./server/internal/routing/bench
func BenchmarkViewMemory(b *testing.B) {
	agents := 10000
	if n, err := strconv.Atoi(os.Getenv("BENCH_AGENTS")); err == nil && n >= 5000 {
		agents = n
	}
	env := apitest.NewWith(b, func(c *app.Config) { c.EligibilityView = true })
	rep, err := seed.Center(context.Background(), env.DB, seed.Options{Agents: agents, Clients: 40, Programs: 200,
		Seed: 1, Now: env.Clock.Now(), BigProgramAgents: 5000})
	if err != nil {
		b.Fatal(err)
	}
	var pairs []struct{ UserID, ProgramID string }
	if err := env.DB.Raw(`SELECT user_id::text, program_id::text FROM assignments ORDER BY user_id, program_id`).Scan(&pairs).Error; err != nil {
		b.Fatal(err)
	}
	admin := env.User("admin@bench.test", auth.RoleAdmin)
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	if err := env.App.Routing.SyncView(ctx); err != nil {
		b.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for _, p := range pairs {
		if _, err := env.App.Routing.Check(ctx, routing.Check{Agent: routing.Agent{ID: p.UserID}, ProgramID: p.ProgramID}); err != nil {
			b.Fatal(err)
		}
	}
	after := heap()
	_, n := env.App.Routing.ViewStats()
	if n == 0 {
		b.Fatal("the view kept nothing")
	}
	fmt.Printf("\nView memory: %d agents, %d licenses, %d assignments; the view holds %d entries, %.0f bytes each (heap %.1f → %.1f MB)\n\n",
		rep.Agents, rep.Licenses, len(pairs), n, float64(after-before)/float64(n), float64(before)/1e6, float64(after)/1e6)
	runtime.KeepAlive(env)
}
