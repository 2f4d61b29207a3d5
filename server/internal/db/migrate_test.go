package db_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	sqlDB, _ := g.DB()
	ctx := context.Background()
	m, err := db.NewMigrator(sqlDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := m.Current(ctx)
	if err != nil || cur != m.Latest() {
		t.Fatalf("got version %d (%v), want the latest %d", cur, err, m.Latest())
	}
	// Version numbers may have gaps (branches own their numbers), so step
	// down until nothing is applied rather than counting versions.
	for v := cur; v > 0; v, _ = m.Current(ctx) {
		if err := m.Down(ctx, nil); err != nil {
			t.Fatalf("down from %d: %v", v, err)
		}
	}
	if cur, _ := m.Current(ctx); cur != 0 {
		t.Fatalf("got version %d after rolling everything back, want 0", cur)
	}
	var tables int
	g.Raw("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'goose_db_version'").Scan(&tables)
	if tables != 0 {
		t.Errorf("got %d tables left after rolling back, want 0", tables)
	}
	var out bytes.Buffer
	if err := m.Up(ctx, &out); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if cur, _ := m.Current(ctx); cur != m.Latest() {
		t.Errorf("got version %d after up, want %d", cur, m.Latest())
	}
	out.Reset()
	if err := m.Status(ctx, &out); err != nil || strings.Contains(out.String(), "pending") {
		t.Errorf("got status %q (%v), want every migration applied", out.String(), err)
	}
}

func TestRefusesSchemaNewerThanBinary(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	sqlDB, _ := g.DB()
	m, _ := db.NewMigrator(sqlDB, nil)
	if err := g.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, true)", m.Latest()+1).Error; err != nil {
		t.Fatal(err)
	}
	err := m.Up(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "newer binary") {
		t.Errorf("got %v, want a refusal naming the newer schema", err)
	}
}
