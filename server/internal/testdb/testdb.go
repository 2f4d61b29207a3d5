// Package testdb gives each test its own freshly migrated PostgreSQL
// database, cloned by pgtestdb from a template built once per migration set,
// so tests may run in parallel against real Postgres.
//
// The server is the one DATABASE_URL points at (the Makefile sets it), or
// postgres@127.0.0.1:5432 when it is unset.
package testdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"os"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver
	"github.com/peterldowns/pgtestdb"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/migrations"
	"github.com/skillgate/skillgate/server/internal/db"
)

// migrator builds template databases with the same goose code that serve
// runs, so tests exercise the real migrations.
type migrator struct{}

func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

func (migrator) Migrate(ctx context.Context, sqlDB *sql.DB, _ pgtestdb.Config) error {
	m, err := db.NewMigrator(sqlDB, nil)
	if err != nil {
		return err
	}
	return m.Up(ctx, nil)
}

// ServerConfig is the pgtestdb configuration of the server tests use.
func ServerConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	pc, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatalf("testdb: DATABASE_URL: %v", err)
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       pc.Host,
		Port:       strconv.Itoa(int(pc.Port)),
		User:       pc.User,
		Password:   pc.Password,
		Database:   pc.Database,
		Options:    "sslmode=disable",
	}
}

// NewURL creates a fresh migrated database and returns its URL. It is
// dropped when the test passes.
func NewURL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, ServerConfig(t), migrator{}).URL()
}

// New creates a fresh migrated database and returns it opened through GORM
// with Skillgate's settings. The pool is closed when the test ends.
func New(t testing.TB) *gorm.DB {
	t.Helper()
	return Open(t, NewURL(t))
}

// Open opens the database at url (one NewURL made) through GORM with
// Skillgate's settings, so a test that also hands the URL to a child
// process opens the same database. The pool is closed when the test ends.
func Open(t testing.TB, url string) *gorm.DB {
	t.Helper()
	g, err := db.Open(context.Background(), url, db.Options{MaxOpenConns: 10})
	if err != nil {
		t.Fatalf("testdb: open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close(g) })
	return g
}
