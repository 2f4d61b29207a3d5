package bench

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/seed"
)

// center is what the eligibility benchmarks share: a center seeded on a
// fresh database behind the app, and an admin's API key allowed to check
// eligibility.
type center struct {
	env   *apitest.Env
	sqlDB *sql.DB
	rep   *seed.Report
	ctx   context.Context // the admin's
	key   string
}

// newCenter seeds agents agents (40 clients, 200 programs, min(5,000,
// agents/2) in one licensed program) on a fresh database whose pool is the
// server's default, analyzes it, and makes the API key. configure edits the
// app's configuration first.
func newCenter(b *testing.B, agents int, configure func(*app.Config)) center {
	return newCenterAt(b, agents, configure, time.Time{})
}

// newCenterAt is newCenter seeded as of now, for a server running on the
// real clock (a child process): the zero time seeds at the app's manual
// clock.
func newCenterAt(b *testing.B, agents int, configure func(*app.Config), now time.Time) center {
	b.Helper()
	env := apitest.NewWith(b, configure)
	sqlDB, err := env.DB.DB()
	if err != nil {
		b.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(20) // the server's default pool (db.Open)
	sqlDB.SetMaxIdleConns(20)
	if now.IsZero() {
		now = env.Clock.Now()
	}
	start := time.Now()
	rep, err := seed.Center(context.Background(), env.DB, seed.Options{Agents: agents, Clients: 40, Programs: 200,
		Seed: 1, Now: now, BigProgramAgents: min(5000, agents/2)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sqlDB.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d agents, %d certifications, %d licenses, %d assignments in %s", rep.Agents, rep.Certifications,
		rep.Licenses, rep.Assignments, time.Since(start).Round(time.Millisecond))

	admin := env.User("admin@bench.test", auth.RoleAdmin)
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	key, err := env.App.Auth.CreateAPIKey(ctx, auth.CreateAPIKeyInput{Name: "acd", Scopes: []string{auth.ScopeEligibilityRead}})
	if err != nil {
		b.Fatal(err)
	}
	return center{env: env, sqlDB: sqlDB, rep: rep, ctx: ctx, key: key.Key}
}

// baselineServer is the baseline: one indexed primary-key lookup from the
// same pool, bare Gin, on a loopback listener (GET /user?id=).
func baselineServer(sqlDB *sql.DB) *httptest.Server {
	return httptest.NewServer(baselineHandler(sqlDB))
}

// baselineHandler is the baseline's handler, served in process
// (baselineServer) or by a child process (startBaseline).
func baselineHandler(sqlDB *sql.DB) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	base := gin.New()
	base.GET("/user", func(c *gin.Context) {
		var id, email string
		var active bool
		err := sqlDB.QueryRowContext(c.Request.Context(), `SELECT id, email, active FROM users WHERE id = $1`, c.Query("id")).Scan(&id, &email, &active)
		if err != nil {
			c.JSON(500, gin.H{"error": err.Error()})
			return
		}
		c.JSON(200, gin.H{"id": id, "email": email, "active": active})
	})
	return base
}

// eligibilityRequest asks base whether the pair (agent, program) is
// eligible, with the API key.
func eligibilityRequest(base, key string, p [2]string) *http.Request {
	r, _ := http.NewRequest("GET", base+"/api/v1/eligibility?agent="+p[0]+"&program="+p[1], nil)
	r.Header.Set("Authorization", "Bearer "+key)
	return r
}

// checks makes single eligibility checks against base: a random pair,
// from no state or one of four at random.
func checks(pairs [][2]string, base, key string) func(*rand.Rand) *http.Request {
	states := []string{"", "TX", "FL", "CA", "NY"}
	return func(rng *rand.Rand) *http.Request {
		p := pairs[rng.IntN(len(pairs))]
		url := base + "/api/v1/eligibility?agent=" + p[0] + "&program=" + p[1]
		if s := states[rng.IntN(len(states))]; s != "" {
			url += "&state=" + s
		}
		r, _ := http.NewRequest("GET", url, nil)
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
}

// baselineLookups makes the baseline's requests against base: a random
// pair's agent looked up.
func baselineLookups(pairs [][2]string, base string) func(*rand.Rand) *http.Request {
	return func(rng *rand.Rand) *http.Request {
		p := pairs[rng.IntN(len(pairs))]
		r, _ := http.NewRequest("GET", base+"/user?id="+p[0], nil)
		return r
	}
}
