package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/seed"
)

// TestSweepIsSpreadOut: assignments all checked at the same instant (a bulk
// load, a restart) are not re-decided all in one pass a sweep period later,
// which took a visible share of a core while it ran, but each at its own
// phase: over one period of 30-second passes every one is re-decided once,
// and no pass takes more than a small share of them.
func TestSweepIsSpreadOut(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	rep, err := seed.Center(context.Background(), env.DB, seed.Options{Agents: 400, Clients: 2, Programs: 4, Seed: 3,
		Now: env.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	n := rep.Assignments
	if n < 200 {
		t.Fatalf("seeded %d assignments, want a few hundred", n)
	}
	const period, pass = 10 * time.Minute, 30 * time.Second
	env.App.Routing.SweepEvery = period
	t0 := env.Clock.Now().UTC().Truncate(time.Second)
	env.Clock.Set(t0)
	// Nothing is due but the sweep: checked at t0, no expiry, no change since.
	for _, q := range []string{
		`UPDATE assignments SET checked_at = ?, valid_until = NULL, dirty = false`,
		`UPDATE users SET updated_at = ?::timestamptz - interval '1 day'`,
		`UPDATE certifications SET updated_at = ?::timestamptz - interval '1 day'`,
	} {
		if err := env.DB.Exec(q, t0).Error; err != nil {
			t.Fatal(err)
		}
	}
	total, most := 0, 0
	for i := 1; i <= int(period/pass); i++ {
		env.Clock.Advance(pass)
		if _, err := env.App.Routing.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		var got int
		if err := env.DB.Raw(`SELECT count(*) FROM assignments WHERE checked_at = ?`, env.Clock.Now().UTC()).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		total += got
		most = max(most, got)
	}
	var left int
	if err := env.DB.Raw(`SELECT count(*) FROM assignments WHERE checked_at <= ?`, t0).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if left != 0 || total < n {
		t.Errorf("after one period: %d of %d assignments not re-decided (%d re-decisions), want every one", left, n, total)
	}
	if total > n+n/20 {
		t.Errorf("one period made %d re-decisions of %d assignments, want about one each", total, n)
	}
	if most > n/5 {
		t.Errorf("the busiest pass re-decided %d of %d assignments, want the sweep spread over the period's %d passes",
			most, n, period/pass)
	}
	t.Logf("%d assignments; the busiest of %d passes re-decided %d", n, period/pass, most)
}
