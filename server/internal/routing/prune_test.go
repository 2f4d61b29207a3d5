package routing_test

import (
	"context"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
)

// TestPruneFeedFinishesAfterABulkLoad: a bulk load leaves far more feed rows
// than one statement should delete; the prune deletes every row past the
// retention in batches and keeps the recent ones, and a second pass finds
// nothing left to do.
func TestPruneFeedFinishesAfterABulkLoad(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	const old, recent = 12_345, 7
	exec := func(q string, args ...any) {
		t.Helper()
		if err := env.DB.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	exec(`DELETE FROM eligibility_changes`)
	// Written an hour ago by a transaction long finished (xid 3: below the
	// oldest transaction running anywhere in the cluster, which parallel
	// tests in other databases would otherwise hold back).
	exec(`INSERT INTO eligibility_changes (xid, user_id, changed_at)
SELECT '3'::xid8, gen_random_uuid(), now() - interval '1 hour' FROM generate_series(1, ?)`, old)
	exec(`INSERT INTO eligibility_changes (user_id) SELECT gen_random_uuid() FROM generate_series(1, ?)`, recent)

	n, err := env.App.Routing.PruneFeed(context.Background())
	if err != nil || n != old {
		t.Fatalf("prune: got %d, %v; want %d rows deleted", n, err, old)
	}
	var left int
	if err := env.DB.Raw(`SELECT count(*) FROM eligibility_changes`).Scan(&left).Error; err != nil || left != recent {
		t.Errorf("rows left: got %d, %v; want the %d recent ones", left, err, recent)
	}
	if n, err := env.App.Routing.PruneFeed(context.Background()); err != nil || n != 0 {
		t.Errorf("second prune: got %d, %v; want nothing to do", n, err)
	}
}
