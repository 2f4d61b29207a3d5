package audit_test

import (
	"context"
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

func TestChainVerifies(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	rec := audit.NewRecorder(clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)))
	record(t, g, rec, 5)
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
	wg.Wait()
	checked, broken, err := audit.Verify(context.Background(), g)
	if err != nil || broken != nil || checked != 80 {
		t.Fatalf("got checked=%d broken=%+v err=%v, want 80 rows in one intact chain", checked, broken, err)
	}
}

func TestRowsCannotBeChanged(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	record(t, g, audit.NewRecorder(clock.System{}), 1)
	for _, stmt := range []string{
		"UPDATE audit_log SET action = 'x'",
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
