package app_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/logx"
)

// offlineApp builds the app over a database that cannot be reached.
func offlineApp(t *testing.T, cfg app.Config) *app.App {
	t.Helper()
	sqlDB, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	g, err := db.FromSQL(sqlDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, logx.Discard(), g, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func httptestRequest(method, path string) *http.Request {
	return httptest.NewRequest(method, path, nil)
}
