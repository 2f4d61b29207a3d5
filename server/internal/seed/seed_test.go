package seed_test

import (
	"context"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/seed"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

// TestCenterWritesEveryRowInBatches: a center written in small batches has
// every row the report counts, the same as one written in one batch a table.
func TestCenterWritesEveryRowInBatches(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	count := func(t *testing.T, batch int) (*seed.Report, map[string]int) {
		g := testdb.New(t)
		rep, err := seed.Center(context.Background(), g, seed.Options{Agents: 300, Clients: 3, Programs: 6, Seed: 7, Now: now, BatchRows: batch})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, table := range []string{"clients", "programs", "users", "certifications", "licenses", "assignments"} {
			var n int
			if err := g.Raw(`SELECT count(*) FROM ` + table).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			got[table] = n
		}
		return rep, got
	}
	rep, small := count(t, 7)
	_, whole := count(t, 1_000_000)
	want := map[string]int{"clients": rep.Clients, "programs": rep.Programs, "users": rep.Agents,
		"certifications": rep.Certifications, "licenses": rep.Licenses, "assignments": rep.Assignments}
	for table, n := range want {
		if small[table] != n || whole[table] != n {
			t.Errorf("%s: got %d rows in batches of 7 and %d in one batch, want %d", table, small[table], whole[table], n)
		}
	}
	if rep.Licenses <= 7 || rep.Certifications <= 7 {
		t.Errorf("report %+v: want more licenses and certifications than one batch holds", rep)
	}
}

// TestCenterIsSettled: a seeded center's assignments were checked after
// their agents and certifications were written, so the re-decide job finds
// none due at once (as it would not in a center that has run a while);
// before, every one was, and a server started on a 100,000-agent center spent
// its first minutes re-deciding them all.
func TestCenterIsSettled(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	if _, err := seed.Center(context.Background(), g, seed.Options{Agents: 200, Clients: 2, Programs: 4, Seed: 3,
		Now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	var stale int
	err := g.Raw(`SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id
LEFT JOIN certifications c ON c.user_id = a.user_id AND c.program_id = a.program_id
WHERE u.updated_at >= a.checked_at OR c.updated_at >= a.checked_at`).Scan(&stale).Error
	if err != nil {
		t.Fatal(err)
	}
	if stale != 0 {
		t.Errorf("%d assignments were checked before their inputs were written", stale)
	}
}
