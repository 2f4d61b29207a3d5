package routing

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/skillgate/skillgate/server/internal/testdb"
)

// withPgx runs f on a pgx connection of a fresh database.
func withPgx(t *testing.T, f func(c *pgx.Conn)) {
	t.Helper()
	sqlDB, err := testdb.New(t).DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error { f(dc.(*stdlib.Conn).Conn()); return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestLicenseDecoder: the snapshot's license statement comes back in the
// formats the raw decoder reads (so the roster takes the fast path), and
// the decoder reads rows exactly as pgx's Scan does, sharing repeated
// values, and refuses what Scan refuses.
func TestLicenseDecoder(t *testing.T) {
	t.Parallel()
	withPgx(t, func(c *pgx.Conn) {
		ctx := context.Background()
		rows, err := c.Query(ctx, snapLicensesAssigned, []string{})
		if err != nil {
			t.Fatal(err)
		}
		fits := newLicenseDecoder().fits(rows.FieldDescriptions())
		rows.Close()
		if !fits {
			t.Fatal("the snapshot's license rows: got formats the decoder cannot read, want the fast path")
		}

		const id = "0b6c3a9e-1f2d-4c5b-8a7e-9d0c1b2a3f4e"
		q := `SELECT $1::uuid, v.j, v.c, v.l, v.s, v.e, v.x FROM (VALUES
			('ny', 'insurance-producer', ARRAY['life','accident-and-health'], 'verified', date '2024-02-29', date '2027-01-01'),
			('NY', 'insurance-producer', ARRAY['life','accident-and-health'], 'pending', date '1999-12-31', date '2000-01-01'),
			('CA', 'adjuster', ARRAY[]::text[], 'expired', date '1970-01-01', date '9999-12-31')) v(j, c, l, s, e, x)`
		type row struct {
			l   LicenseInput
			own bool
		}
		var got, want []row
		sn := &snapshot{agents: map[string]*snapAgent{id: {UserID: id}}}
		dec := newLicenseDecoder()
		rows, err = c.Query(ctx, q, id)
		if err != nil {
			t.Fatal(err)
		}
		if !dec.fits(rows.FieldDescriptions()) {
			t.Fatal("the test's rows: got formats the decoder cannot read")
		}
		for rows.Next() {
			ag, l, err := dec.decode(sn, rows.RawValues())
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, row{l, ag == sn.agents[id]})
			var uid string
			var w LicenseInput
			if err := rows.Scan(&uid, &w.Jurisdiction, &w.Class, &w.Lines, &w.Status, &w.EffectiveDate, &w.ExpiryDate); err != nil {
				t.Fatal(err)
			}
			w.Jurisdiction = "NY"
			if len(want) == 2 {
				w.Jurisdiction = "CA"
			}
			w.EffectiveDate, w.ExpiryDate = w.EffectiveDate.UTC(), w.ExpiryDate.UTC()
			want = append(want, row{w, uid == id})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded:\ngot  %+v\nwant %+v", got, want)
		}
		if want := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC); !got[0].l.EffectiveDate.Equal(want) {
			t.Errorf("effective date: got %v, want %v", got[0].l.EffectiveDate, want)
		}
		if &got[0].l.Lines[0] != &got[1].l.Lines[0] {
			t.Error("equal lines of authority: got two copies, want one shared slice")
		}

		// An agent outside the snapshot is nil; an infinite date is an error.
		rows, err = c.Query(ctx, `SELECT gen_random_uuid(), 'NY', 'c', ARRAY['l'], 'verified', 'infinity'::date, date '2027-01-01'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if _, _, err := dec.decode(sn, rows.RawValues()); err == nil {
				t.Error("infinite effective date: got no error, want one")
			}
		}
	})
}
