package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/skillgate/skillgate/migrations"
)

// Migrator applies the embedded migrations. Several replicas may migrate at
// once: goose holds a Postgres session advisory lock while it works.
type Migrator struct {
	p *goose.Provider
}

// NewMigrator returns a migrator over the embedded migrations for sqlDB.
func NewMigrator(sqlDB *sql.DB, log *slog.Logger) (*Migrator, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("db: migration lock: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker)}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS, opts...)
	if err != nil {
		return nil, fmt.Errorf("db: migrations: %w", err)
	}
	return &Migrator{p: p}, nil
}

// Latest is the highest migration version this binary knows.
func (m *Migrator) Latest() int64 {
	srcs := m.p.ListSources()
	if len(srcs) == 0 {
		return 0
	}
	return srcs[len(srcs)-1].Version
}

// Current is the version the database is at (0 when never migrated).
func (m *Migrator) Current(ctx context.Context) (int64, error) {
	v, err := m.p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: schema version: %w", err)
	}
	return v, nil
}

// CheckNotNewer fails when the database schema is newer than this binary
// knows: an older binary must not serve against a newer schema.
func (m *Migrator) CheckNotNewer(ctx context.Context) error {
	cur, err := m.Current(ctx)
	if err != nil {
		return err
	}
	if cur > m.Latest() {
		return fmt.Errorf("db: the database schema is at version %d but this binary knows only up to %d: deploy a newer binary", cur, m.Latest())
	}
	return nil
}

// Up applies every pending migration and reports them to w (may be nil).
func (m *Migrator) Up(ctx context.Context, w io.Writer) error {
	if err := m.CheckNotNewer(ctx); err != nil {
		return err
	}
	res, err := m.p.Up(ctx)
	report(w, res)
	if err != nil {
		return fmt.Errorf("db: migrate up: %w", err)
	}
	return nil
}

// Down rolls back the most recent migration.
func (m *Migrator) Down(ctx context.Context, w io.Writer) error {
	res, err := m.p.Down(ctx)
	if res != nil {
		report(w, []*goose.MigrationResult{res})
	}
	if err != nil {
		return fmt.Errorf("db: migrate down: %w", err)
	}
	return nil
}

// Status writes one line per known migration: version, name, applied time.
func (m *Migrator) Status(ctx context.Context, w io.Writer) error {
	st, err := m.p.Status(ctx)
	if err != nil {
		return fmt.Errorf("db: migrate status: %w", err)
	}
	for _, s := range st {
		applied := "pending"
		if s.State == goose.StateApplied {
			applied = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%5d  %-40s  %s\n", s.Source.Version, s.Source.Path, applied)
	}
	return nil
}

func report(w io.Writer, res []*goose.MigrationResult) {
	if w == nil {
		return
	}
	for _, r := range res {
		if r.Error != nil {
			fmt.Fprintf(w, "FAILED %s %s: %v\n", r.Direction, r.Source.Path, r.Error)
			continue
		}
		fmt.Fprintf(w, "%-4s %s (%s)\n", r.Direction, r.Source.Path, r.Duration.Round(1e6))
	}
}
