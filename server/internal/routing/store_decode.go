package routing

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// licenseDecoder decodes the rows of snapLicenses* (user_id uuid,
// jurisdiction text, class text, lines_of_authority text[], status text,
// effective_date date, expiry_date date) from PostgreSQL's binary format,
// as pgx receives them. It keeps one string per distinct jurisdiction,
// class and status, and one []string per distinct set of lines of
// authority, shared by every license with the same value: a center's
// licenses draw on a handful of each.
type licenseDecoder struct {
	strs  map[string]string
	upper map[string]string
	lines map[string][]string
}

func newLicenseDecoder() *licenseDecoder {
	return &licenseDecoder{strs: map[string]string{}, upper: map[string]string{}, lines: map[string][]string{}}
}

// fits reports whether the result is in the formats decode reads: the
// uuid, the array and the dates in binary (text columns read the same in
// either format).
func (d *licenseDecoder) fits(fds []pgconn.FieldDescription) bool {
	want := []uint32{pgtype.UUIDOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextArrayOID, pgtype.TextOID, pgtype.DateOID, pgtype.DateOID}
	if len(fds) != len(want) {
		return false
	}
	for i, fd := range fds {
		if fd.DataTypeOID != want[i] {
			return false
		}
		if fd.DataTypeOID != pgtype.TextOID && fd.Format != pgtype.BinaryFormatCode {
			return false
		}
	}
	return true
}

// pgEpoch is day 0 of PostgreSQL's binary dates.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// decode returns the row's agent (nil when not in the snapshot) and license.
func (d *licenseDecoder) decode(sn *snapshot, vals [][]byte) (*snapAgent, LicenseInput, error) {
	var l LicenseInput
	for i, v := range vals {
		if v == nil {
			return nil, l, fmt.Errorf("column %d is null", i)
		}
	}
	if len(vals[0]) != 16 {
		return nil, l, errors.New("user_id: not a binary uuid")
	}
	var id [36]byte
	encodeUUID(id[:], vals[0])
	ag := sn.agents[string(id[:])] // no allocation: a map lookup by converted bytes
	var err error
	l.Jurisdiction = d.intern(d.upper, vals[1], strings.ToUpper)
	l.Class = d.intern(d.strs, vals[2], nil)
	if l.Lines, err = d.textArray(vals[3]); err != nil {
		return nil, l, fmt.Errorf("lines_of_authority: %w", err)
	}
	l.Status = d.intern(d.strs, vals[4], nil)
	if l.EffectiveDate, err = decodeDate(vals[5]); err != nil {
		return nil, l, fmt.Errorf("effective_date: %w", err)
	}
	if l.ExpiryDate, err = decodeDate(vals[6]); err != nil {
		return nil, l, fmt.Errorf("expiry_date: %w", err)
	}
	return ag, l, nil
}

// intern returns the shared string for b (passed through f when not nil).
func (d *licenseDecoder) intern(m map[string]string, b []byte, f func(string) string) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := string(b)
	v := s
	if f != nil {
		v = f(s)
	}
	m[s] = v
	return v
}

// textArray decodes a one-dimensional text[] without nulls (an empty
// array is empty, not nil, as pgx scans it), shared per distinct raw value.
func (d *licenseDecoder) textArray(b []byte) ([]string, error) {
	if xs, ok := d.lines[string(b)]; ok {
		return xs, nil
	}
	bad := errors.New("not a one-dimensional text array")
	if len(b) < 12 {
		return nil, bad
	}
	ndim := int32(binary.BigEndian.Uint32(b))
	xs := []string{}
	switch ndim {
	case 0:
	case 1:
		if len(b) < 20 {
			return nil, bad
		}
		n := int(int32(binary.BigEndian.Uint32(b[12:])))
		rest := b[20:]
		xs = make([]string, 0, n)
		for range n {
			if len(rest) < 4 {
				return nil, bad
			}
			size := int32(binary.BigEndian.Uint32(rest))
			rest = rest[4:]
			if size < 0 || int(size) > len(rest) {
				return nil, errors.New("a null or truncated element")
			}
			xs = append(xs, string(rest[:size]))
			rest = rest[size:]
		}
	default:
		return nil, bad
	}
	d.lines[string(b)] = xs
	return xs, nil
}

// decodeDate decodes a binary date as midnight UTC, as pgx scans a date
// into a time.Time; infinity is an error, as there.
func decodeDate(b []byte) (time.Time, error) {
	if len(b) != 4 {
		return time.Time{}, errors.New("not a binary date")
	}
	days := int32(binary.BigEndian.Uint32(b))
	if days == 1<<31-1 || days == -1<<31 {
		return time.Time{}, errors.New("infinite date")
	}
	return pgEpoch.AddDate(0, 0, int(days)), nil
}

// encodeUUID writes the canonical lowercase text of a 16-byte uuid into
// dst (36 bytes), as PostgreSQL and pgx spell it.
func encodeUUID(dst, u []byte) {
	hex.Encode(dst[0:8], u[0:4])
	dst[8] = '-'
	hex.Encode(dst[9:13], u[4:6])
	dst[13] = '-'
	hex.Encode(dst[14:18], u[6:8])
	dst[18] = '-'
	hex.Encode(dst[19:23], u[8:10])
	dst[23] = '-'
	hex.Encode(dst[24:], u[10:16])
}
