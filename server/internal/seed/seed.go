// Package seed fills a database with a synthetic contact center for load
// tests and benchmarks: clients, programs (about one in five needing state
// licenses), agents certified in one to three programs in realistic states,
// their licenses and their queue assignments. It writes with bulk
// INSERT … SELECT FROM unnest(...) statements of at most 10,000 rows each, in
// one transaction, and gives agents no password (they cannot sign in), so
// 10,000 agents take seconds and 100,000 stay within the default statement
// timeout.
//
// It writes other packages' tables directly: it is a test-data tool, never
// run against production (the CLI refuses), and it records no audit entries.
package seed

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/routing"
)

// Options size the center.
type Options struct {
	Agents, Clients, Programs int
	Seed                      uint64
	Now                       time.Time
	// BigProgramAgents agents (at most Agents) are all certified for and
	// assigned to the first program, which needs licenses: the roster
	// benchmark reads it.
	BigProgramAgents int
	// BatchRows is how many rows one INSERT writes (default 10,000).
	BatchRows int
}

// Report says what was written.
type Report struct {
	Clients, Programs, Agents, Certifications, Licenses, Assignments, Eligible int
	// BigProgramID is the first program (licensed, BigProgramAgents assigned).
	BigProgramID string
	// Pairs are assigned agent × program pairs, for load generators.
	Pairs [][2]string
}

// States are the US state codes programs draw their license states from.
var States = []string{"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
	"KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
	"OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"}

var bothLines = []string{"life", "accident-and-health"}

type table struct {
	insert string
	cols   [][]any
}

func (t *table) add(vals ...any) {
	if t.cols == nil {
		t.cols = make([][]any, len(vals))
	}
	for i, v := range vals {
		t.cols[i] = append(t.cols[i], v)
	}
}

// Center writes a synthetic center into g (which must be migrated).
func Center(ctx context.Context, g *gorm.DB, o Options) (*Report, error) {
	if o.Agents < 1 || o.Clients < 1 || o.Programs < o.Clients {
		return nil, fmt.Errorf("seed: need at least one agent and client, and a program per client")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	now := o.Now.UTC().Truncate(time.Microsecond)
	// The center's agents and certifications were written a minute before
	// its assignments were last checked (at now), as the re-decide job would
	// find a settled center: none is due before its own phase of the sweep.
	written := now.Add(-time.Minute)
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	day := 24 * time.Hour
	at := func(days int) time.Time { return now.Add(time.Duration(days) * day) }
	date := func(days int) time.Time {
		t := at(days)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	rep := &Report{}

	var clients, programs, reqs, users, certs, lics, assigns table
	clientIDs := make([]string, o.Clients)
	for i := range clientIDs {
		clientIDs[i] = uuid.NewString()
		clients.add(clientIDs[i], fmt.Sprintf("synth-client-%03d", i), fmt.Sprintf("Synthetic client %d", i))
	}
	type prog struct {
		id     string
		client string
		reqs   []routing.LicenseRequirement
	}
	progs := make([]prog, o.Programs)
	for i := range progs {
		p := prog{id: uuid.NewString(), client: clientIDs[i%o.Clients]}
		if i == 0 || rng.IntN(5) == 0 {
			states := append([]string(nil), States...)
			rng.Shuffle(len(states), func(a, b int) { states[a], states[b] = states[b], states[a] })
			st := states[:3+rng.IntN(8)]
			p.reqs = []routing.LicenseRequirement{{Class: "insurance-producer", Lines: bothLines, States: st}}
			reqs.add(p.id, "insurance-producer", bothLines, st)
		}
		progs[i] = p
		programs.add(p.id, p.client, fmt.Sprintf("program-%03d", i), fmt.Sprintf("Synthetic program %d", i))
	}
	big := min(o.BigProgramAgents, o.Agents)
	for a := range o.Agents {
		uid := uuid.NewString()
		active := rng.IntN(100) >= 3
		users.add(uid, fmt.Sprintf("agent%05d@synth.test", a), fmt.Sprintf("Agent %05d", a), fmt.Sprintf("acd-%05d", a), active, written)
		// The programs this agent trains in: one to three, plus the big one.
		picked := map[int]bool{}
		if a < big {
			picked[0] = true
		}
		for n := min(1+rng.IntN(3), o.Programs); len(picked) < n; {
			picked[rng.IntN(o.Programs)] = true
		}
		var held []routing.LicenseInput
		licensedStates := map[string]bool{}
		for pi := range picked {
			for _, r := range progs[pi].reqs {
				for _, s := range r.States {
					licensedStates[s] = true
				}
			}
		}
		for s := range licensedStates {
			if rng.IntN(100) >= 85 {
				continue
			}
			status := "verified"
			switch r := rng.IntN(100); {
			case r < 7:
				status = "pending"
			case r < 12:
				status = "expired"
			case r < 15:
				status = "revoked"
			}
			eff, exp := date(-300-rng.IntN(300)), date(-30+rng.IntN(730))
			if status == "expired" {
				exp = date(-1 - rng.IntN(60))
			}
			lics.add(uuid.NewString(), uid, s, fmt.Sprintf("SYN%d%s", a, s), bothLines, eff, exp, status)
			held = append(held, routing.LicenseInput{Jurisdiction: s, Class: "insurance-producer", Lines: bothLines,
				Status: status, EffectiveDate: eff, ExpiryDate: exp})
		}
		for pi := range picked {
			p := progs[pi]
			state := "certified"
			switch r := rng.IntN(100); {
			case pi == 0 && a < big:
			case r < 8:
				state = "refresher_due"
			case r < 18:
				state = "in_training"
			case r < 22:
				state = "expired"
			case r < 25:
				state = "revoked"
			}
			var expires, due *time.Time
			if state == "certified" || state == "refresher_due" {
				e := at(30 + rng.IntN(335))
				expires = &e
			}
			if state == "refresher_due" {
				d := at(-5 + rng.IntN(25))
				due = &d
			}
			certs.add(uuid.NewString(), uid, p.id, state, written, expires, due)
			if state == "in_training" || (rng.IntN(10) == 0 && !(pi == 0 && a < big)) {
				continue
			}
			in := routing.Input{At: now, AgentActive: active, Assigned: true, Requirements: p.reqs, Licenses: held,
				Cert: &routing.CertificationInput{State: state, ExpiresAt: expires, RefresherDueAt: due}}
			d := routing.Decide(in)
			status, reasons := routing.StatusActive, "[]"
			if !routing.Routable(d, len(p.reqs) > 0) {
				status, reasons = routing.StatusSuspended, `[{"code":"seeded","message":"suspended by the seed"}]`
			}
			if d.Eligible {
				rep.Eligible++
			}
			assigns.add(uuid.NewString(), uid, p.id, status, reasons, now, d.ValidUntil)
			rep.Pairs = append(rep.Pairs, [2]string{uid, p.id})
		}
	}
	clients.insert = `INSERT INTO clients (id, slug, name) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`
	programs.insert = `INSERT INTO programs (id, client_id, slug, name, channels, valid_days, refresher_window_days,
  material_change_grace_days, spec_hash, created_at, updated_at)
SELECT id, c, s, n, '{voice}', 365, 30, 14, 'seed', now(), now() FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS x(id, c, s, n)`
	reqs.insert = `INSERT INTO program_licenses (program_id, position, class, lines, states)
SELECT p, 0, c, ARRAY(SELECT json_array_elements_text(l)), ARRAY(SELECT json_array_elements_text(s))
FROM unnest($1::uuid[], $2::text[], $3::json[], $4::json[]) AS x(p, c, l, s)`
	users.insert = `INSERT INTO users (id, email, display_name, role, external_id, active, created_at, updated_at)
SELECT id, e, n, 'agent', x, a, w, w FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::timestamptz[]) AS t(id, e, n, x, a, w)`
	certs.insert = `INSERT INTO certifications (id, user_id, program_id, state, enrolled_at, enrolled_by, expires_at, refresher_due_at, updated_at)
SELECT id, u, p, s, e, 'seed', x, d, e FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[]) AS t(id, u, p, s, e, x, d)`
	lics.insert = `INSERT INTO licenses (id, user_id, npn, jurisdiction, license_number, class, lines_of_authority, resident,
  issue_date, effective_date, expiry_date, status, submitted_by, submitted_at, created_at, updated_at)
SELECT id, u, '1234567', j, n, 'insurance-producer', ARRAY(SELECT json_array_elements_text(l)), false, e, e, x, s, 'seed', now(), now(), now()
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::json[], $6::date[], $7::date[], $8::text[]) AS t(id, u, j, n, l, e, x, s)`
	assigns.insert = `INSERT INTO assignments (id, user_id, program_id, status, suspended_reasons, assigned_by, assigned_at, valid_until, checked_at)
SELECT id, u, p, s, r::jsonb, 'seed', a, v, a FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[]) AS t(id, u, p, s, r, a, v)`

	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	for _, t := range []*table{&clients, &programs, &reqs, &users, &certs, &lics, &assigns} {
		if err := t.write(ctx, tx, o.batch()); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("seed: commit: %w", err)
	}
	rep.Clients, rep.Programs, rep.Agents = o.Clients, o.Programs, o.Agents
	rep.Certifications, rep.Licenses, rep.Assignments = len(certs.cols[0]), rowsOf(lics), len(assigns.cols[0])
	rep.BigProgramID = progs[0].id
	return rep, nil
}

// write inserts the table's rows, batch rows a statement, so that no one
// statement runs near the configured statement timeout however large the
// center (100,000 agents hold about 170,000 licenses).
func (t *table) write(ctx context.Context, tx *sql.Tx, batch int) error {
	rows := rowsOf(*t)
	for lo := 0; lo < rows; lo += batch {
		hi := min(lo+batch, rows)
		args := make([]any, len(t.cols))
		for i, c := range t.cols {
			args[i] = column(c[lo:hi])
		}
		if _, err := tx.ExecContext(ctx, t.insert, args...); err != nil {
			return fmt.Errorf("seed: %.40s… (rows %d–%d): %w", t.insert, lo+1, hi, err)
		}
	}
	return nil
}

// batch is how many rows one INSERT writes.
func (o Options) batch() int {
	if o.BatchRows > 0 {
		return o.BatchRows
	}
	return 10_000
}

func rowsOf(t table) int {
	if len(t.cols) == 0 {
		return 0
	}
	return len(t.cols[0])
}

// column turns a column of values into a typed slice the driver sends as an
// array ([]string slices as JSON arrays, times as *time.Time).
func column(vals []any) any {
	switch vals[0].(type) {
	case string:
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = v.(string)
		}
		return out
	case bool:
		out := make([]bool, len(vals))
		for i, v := range vals {
			out[i] = v.(bool)
		}
		return out
	case []string:
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = jsonArray(v.([]string))
		}
		return out
	default: // time.Time and *time.Time
		out := make([]*time.Time, len(vals))
		for i, v := range vals {
			switch t := v.(type) {
			case time.Time:
				out[i] = &t
			case *time.Time:
				out[i] = t
			}
		}
		return out
	}
}

func jsonArray(ss []string) string {
	s := "["
	for i, x := range ss {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%q", x)
	}
	return s + "]"
}
