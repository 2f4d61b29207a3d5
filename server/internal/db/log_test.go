package db_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

// TestFailingStatementsAreLoggedWithoutValues checks that a failing
// statement is logged, by its SQL with placeholders, never with the values
// bound to it (they may be passwords or tokens), whichever GORM path ran it.
func TestFailingStatementsAreLoggedWithoutValues(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	g, err := db.Open(context.Background(), testdb.NewURL(t), db.Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(g) })
	var n int
	if err := g.Raw("SELECT 1 / 0 WHERE ? <> ''", "scan-secret").Scan(&n).Error; err == nil {
		t.Fatal("division by zero did not fail")
	}
	var rows []struct{ N int }
	if err := g.Raw("SELECT 1 / 0 AS n WHERE ? <> ''", "find-secret").Find(&rows).Error; err == nil {
		t.Fatal("division by zero did not fail")
	}
	if err := g.Exec("SELECT 1 / 0 WHERE ? <> ''", "exec-secret").Error; err == nil {
		t.Fatal("division by zero did not fail")
	}
	if err := g.Raw("SELECT 1 WHERE ? <> ''", "quiet-secret").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	// A duplicate key is an expected conflict, not logged.
	if err := g.Exec("CREATE TABLE once (k text PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Exec("INSERT INTO once (k) VALUES (?)", "dup-secret").Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Exec("INSERT INTO once (k) VALUES (?)", "dup-secret").Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Fatalf("got %v, want a duplicate key", err)
	}
	// A statement whose caller went away is not a failure; one that ran out
	// of its deadline is.
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.WithContext(gone).Exec("SELECT 1 / 0 AS canceled WHERE ? <> ''", "gone-secret").Error; err == nil {
		t.Fatal("a statement of a canceled context ran")
	}
	late, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if err := g.WithContext(late).Exec("SELECT pg_sleep(5), 'deadline' WHERE ? <> ''", "late-secret").Error; err == nil {
		t.Fatal("a statement past its deadline finished")
	}
	out := buf.String()
	if strings.Contains(out, "secret") {
		t.Errorf("a bound value was logged:\n%s", out)
	}
	if strings.Contains(out, "AS canceled") || !strings.Contains(out, "'deadline'") {
		t.Errorf("want the statement past its deadline logged and the canceled one not:\n%s", out)
	}
	if got := strings.Count(out, "division by zero"); got != 3 {
		t.Errorf("logged %d failing statements, want 3:\n%s", got, out)
	}
	if strings.Contains(out, "SELECT 1 WHERE") || strings.Contains(out, "INSERT INTO once") {
		t.Errorf("a statement that succeeded quickly or hit a duplicate key was logged:\n%s", out)
	}
}

// TestSlowStatementsAreLoggedOverTheThreshold checks that a statement
// running longer than Options.SlowStatement is logged as a warning with its
// duration and the threshold, a quick one is not, and with no threshold a
// slow statement is not logged at all (a busy development machine's first
// run is not a wall of warnings).
func TestSlowStatementsAreLoggedOverTheThreshold(t *testing.T) {
	t.Parallel()
	url := testdb.NewURL(t)
	for _, tc := range []struct {
		name      string
		threshold time.Duration
		want      int // slow statements logged
	}{
		{"threshold 50ms", 50 * time.Millisecond, 1},
		{"no threshold", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			g, err := db.Open(context.Background(), url, db.Options{MaxOpenConns: 1, SlowStatement: tc.threshold,
				Logger: slog.New(slog.NewTextHandler(&buf, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close(g)
			// pg_sleep(0.2) runs at least 200ms however fast the machine,
			// so it is over a 50ms threshold.
			if err := g.Exec("SELECT pg_sleep(0.2) WHERE ? <> ''", "slow-secret").Error; err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if got := strings.Count(out, "pg_sleep"); got != tc.want {
				t.Errorf("logged the slow statement %d times, want %d:\n%s", got, tc.want, out)
			}
			if tc.want > 0 && (!strings.Contains(out, "level=WARN") || !strings.Contains(out, `msg="slow SQL statement"`) ||
				!strings.Contains(out, "threshold=50ms")) {
				t.Errorf("want a warning naming the threshold:\n%s", out)
			}
			if strings.Contains(out, "secret") {
				t.Errorf("a bound value was logged:\n%s", out)
			}
		})
	}
}
