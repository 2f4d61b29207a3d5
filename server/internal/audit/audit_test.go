package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/logx"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

func record(t *testing.T, g *gorm.DB, rec *audit.Recorder, n int) {
	t.Helper()
	ctx := logx.WithRequestID(context.Background(), "req-1")
	for i := 0; i < n; i++ {
		err := g.Transaction(func(tx *gorm.DB) error {
			return rec.Record(ctx, tx, audit.Entry{
				Actor: audit.Actor{Kind: audit.ActorUser, ID: "u1"}, Action: "user.update",
				SubjectType: "user", SubjectID: "u2",
				Before: map[string]any{"role": "agent", "n": i}, After: map[string]any{"role": "trainer", "n": i + 1},
			})
		})
		if err != nil {
			t.Fatalf("record: %v", err)
		}
	}
}

// seal links every row appended so far into the chain.
func seal(t *testing.T, g *gorm.DB) {
	t.Helper()
	if _, err := audit.Seal(context.Background(), g); err != nil {
		t.Fatalf("seal: %v", err)
	}
}

func TestChainVerifies(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	rec := audit.NewRecorder(clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)))
	record(t, g, rec, 5)
	seal(t, g)
	checked, broken, err := audit.Verify(context.Background(), g)
	if err != nil || broken != nil || checked != 5 {
		t.Fatalf("got checked=%d broken=%+v err=%v, want 5 rows and an intact chain", checked, broken, err)
	}
	rows, err := audit.List(context.Background(), g, audit.Filter{Action: "user."})
	if err != nil || len(rows) != 5 || rows[0].RequestID != "req-1" || rows[0].Seq < rows[1].Seq {
		t.Fatalf("got %d rows (%v), want 5 newest first with the request id", len(rows), err)
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	rec := audit.NewRecorder(clock.System{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() { defer wg.Done(); record(t, g, rec, 10) }()
	}
	// Two sealers (two replicas) link rows while they are appended.
	done := make(chan struct{})
	var sealers sync.WaitGroup
	for range 2 {
		sealers.Add(1)
		go func() {
			defer sealers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := audit.Seal(context.Background(), g); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	sealers.Wait()
	seal(t, g)
	checked, broken, err := audit.Verify(context.Background(), g)
	if err != nil || broken != nil || checked != 80 {
		t.Fatalf("got checked=%d broken=%+v err=%v, want 80 rows in one intact chain", checked, broken, err)
	}
	if n, oldest, err := audit.Unsealed(context.Background(), g); n != 0 || oldest != nil || err != nil {
		t.Errorf("unsealed: got %d %v %v, want none", n, oldest, err)
	}
}

// A row whose transaction commits after a later row's is linked after it:
// the chain's order is the order of sealing, and it verifies.
func TestSealLinksRowsInCommitOrder(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	rec := audit.NewRecorder(clock.System{})
	ctx := context.Background()
	open, commit := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- g.Transaction(func(tx *gorm.DB) error {
			if err := rec.Record(ctx, tx, entry(1, "")); err != nil { // takes seq 1
				return err
			}
			close(open)
			<-commit
			return nil
		})
	}()
	<-open
	record(t, g, rec, 1) // seq 2, committed first
	if n, err := audit.Seal(ctx, g); n != 1 || err != nil {
		t.Fatalf("first seal: got %d %v, want the committed row only", n, err)
	}
	if n, oldest, err := audit.Unsealed(ctx, g); n != 0 || oldest != nil || err != nil {
		t.Errorf("unsealed while the first transaction is open: got %d %v %v, want none visible", n, oldest, err)
	}
	close(commit)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n, _, err := audit.Unsealed(ctx, g); n != 1 || err != nil {
		t.Errorf("unsealed after its commit: got %d %v, want 1", n, err)
	}
	if n, err := audit.Seal(ctx, g); n != 1 || err != nil {
		t.Fatalf("second seal: got %d %v, want the late row", n, err)
	}
	var order []int64
	g.Raw(`SELECT seq FROM audit_log ORDER BY chain_pos`).Scan(&order)
	if fmt.Sprint(order) != "[2 1]" {
		t.Errorf("got seqs %v in chain order, want [2 1]", order)
	}
	checked, broken, err := audit.Verify(ctx, g)
	if err != nil || broken != nil || checked != 2 {
		t.Fatalf("got checked=%d broken=%+v err=%v, want 2 rows in one intact chain", checked, broken, err)
	}
}

func TestRowsCannotBeChanged(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	rec := audit.NewRecorder(clock.System{})
	record(t, g, rec, 1)
	seal(t, g)
	record(t, g, rec, 1) // seq 2, not sealed
	for _, stmt := range []string{
		"UPDATE audit_log SET action = 'x'",
		"UPDATE audit_log SET hash = repeat('0', 64) WHERE seq = 1",
		"UPDATE audit_log SET chain_pos = 7, prev_hash = 'x', hash = 'y' WHERE seq = 1",
		"UPDATE audit_log SET chain_pos = 2, prev_hash = 'x', hash = 'y', action = 'x' WHERE seq = 2",
		"DELETE FROM audit_log",
		"TRUNCATE audit_log",
	} {
		err := g.Exec(stmt).Error
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want the append-only refusal", stmt, err)
		}
	}
}

func TestVerifyNamesTheFirstTamperedRow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, tamper, wantReason string
	}{
		{"edited", "UPDATE audit_log SET after = '{\"role\": \"admin\"}' WHERE seq = 3", "edited"},
		{"removed", "DELETE FROM audit_log WHERE seq = 3", "removed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := testdb.New(t)
			record(t, g, audit.NewRecorder(clock.System{}), 5)
			seal(t, g)
			// Only the table owner can do this, and it is exactly what verify exists to catch.
			for _, stmt := range []string{"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update", tc.tamper} {
				if err := g.Exec(stmt).Error; err != nil {
					t.Fatal(err)
				}
			}
			_, broken, err := audit.Verify(context.Background(), g)
			if err != nil || broken == nil {
				t.Fatalf("got broken=%v err=%v, want a broken chain", broken, err)
			}
			wantSeq := int64(3)
			if tc.name == "removed" {
				wantSeq = 4
			}
			if broken.Seq != wantSeq || !strings.Contains(broken.Reason, tc.wantReason) {
				t.Errorf("got %+v, want row %d (%s)", broken, wantSeq, tc.wantReason)
			}
		})
	}
}

func entry(i int, client string) audit.Entry {
	e := audit.Entry{Actor: audit.Actor{Kind: audit.ActorUser, ID: "u1"}, Action: "user.update", SubjectType: "user",
		SubjectID: "u2", ClientID: client, After: map[string]any{"n": i, "note": "ünïcode ✓"}}
	if i%2 == 0 {
		e.Before = map[string]any{"n": i - 1, "z": nil, "a": []any{1, "x"}}
	}
	return e
}

// Entries recorded in a Transaction are appended when its work is done, in
// the order they were recorded, and only when it commits; the chain holds
// across single and batched appends, with and without a client.
func TestTransactionAppendsAtTheEnd(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	rec := audit.NewRecorder(clock.System{})
	ctx := context.Background()
	const client = "6f1e2d3c-4b5a-4968-8776-655443322110"
	count := func(tx *gorm.DB) int {
		var n int
		if err := tx.Raw(`SELECT count(*) FROM audit_log`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	err := rec.Transaction(ctx, g, func(tx *gorm.DB) error {
		for i := range 3 {
			if err := rec.Record(ctx, tx, entry(i, client)); err != nil {
				return err
			}
		}
		if n := count(tx); n != 0 {
			t.Errorf("got %d rows before the transaction's work ended, want 0", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Transaction(ctx, g, func(tx *gorm.DB) error { return rec.Record(ctx, tx, entry(3, "")) }); err != nil {
		t.Fatal(err)
	}
	record(t, g, rec, 1) // an immediate append after both
	failed := rec.Transaction(ctx, g, func(tx *gorm.DB) error {
		if err := rec.Record(ctx, tx, entry(9, client)); err != nil {
			return err
		}
		return errors.New("the change failed")
	})
	if failed == nil {
		t.Fatal("got nil, want the transaction's error")
	}
	if n := count(g); n != 5 {
		t.Errorf("got %d rows, want 5 (nothing from the failed transaction)", n)
	}
	seal(t, g)
	checked, broken, err := audit.Verify(ctx, g)
	if err != nil || broken != nil || checked != 5 {
		t.Fatalf("got checked=%d broken=%+v err=%v, want 5 rows in one intact chain", checked, broken, err)
	}
	rows, err := audit.List(ctx, g, audit.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ns []any
	for _, r := range rows[1:] { // newest first; rows[0] is the immediate one
		var after map[string]any
		if err := json.Unmarshal(r.After, &after); err != nil {
			t.Fatal(err)
		}
		ns = append(ns, after["n"])
	}
	if got := fmt.Sprint(ns); got != "[3 2 1 0]" {
		t.Errorf("got entries %s newest first, want [3 2 1 0] (recording order)", got)
	}
	if rows[4].ClientID == nil || *rows[4].ClientID != client || rows[1].ClientID != nil {
		t.Errorf("got client ids %v and %v, want %s and none", rows[4].ClientID, rows[1].ClientID, client)
	}
}

// Concurrent transactions appending at their end keep one chain.
func TestConcurrentTransactionsKeepOneChain(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	rec := audit.NewRecorder(clock.System{})
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				err := rec.Transaction(ctx, g, func(tx *gorm.DB) error {
					for j := range 1 + (w+i)%2 { // single and batched appends
						if err := rec.Record(ctx, tx, entry(j, "")); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	seal(t, g)
	checked, broken, err := audit.Verify(ctx, g)
	if err != nil || broken != nil || checked != 120 {
		t.Fatalf("got checked=%d broken=%+v err=%v, want 120 rows in one intact chain", checked, broken, err)
	}
}
