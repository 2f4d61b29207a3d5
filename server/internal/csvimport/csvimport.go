// Package csvimport reads the CSV files admins and compliance officers
// upload (users, licenses): a header row names the columns, every problem is
// reported by row and column ("row 3.email") in one apperr.Fields, and the
// caller writes nothing unless the whole file is right.
package csvimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/pgtext"
)

// Spec describes the columns of one kind of import.
type Spec struct {
	What     string   // plural noun for messages, e.g. "users"
	Columns  []string // every column the file may have, lower case
	Required []string // columns the file must have
	MaxRows  int      // more data rows than this is too_large
}

// Row is one data row.
type Row struct {
	// Line is the row's line in the file (the header is row 1).
	Line int
	rec  []string
	cols map[string]int
}

// Get returns the row's trimmed value in the named column ("" if absent).
func (r Row) Get(column string) string {
	if i, ok := r.cols[column]; ok && i < len(r.rec) {
		return strings.TrimSpace(r.rec[i])
	}
	return ""
}

// Field names a column of this row for an error: "row 3.email".
func (r Row) Field(column string) string { return fmt.Sprintf("row %d.%s", r.Line, column) }

// Read reads the whole file. Header problems (unknown or missing columns)
// and rows that are not valid CSV are added to fields; when the header is
// unusable it returns the rows read so far as none. It fails with too_large
// past spec.MaxRows and with invalid when there is no header or no data.
func Read(r io.Reader, spec Spec, fields apperr.Fields) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, apperr.Invalidf("row 1", "the CSV needs a header row naming its columns (%s)", strings.Join(spec.Columns, ", "))
	}
	cols := map[string]int{}
	names := make([]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		names[i] = h
		if !slices.Contains(spec.Columns, h) {
			fields.Add("row 1", "unknown column %q (known: %s)", h, strings.Join(spec.Columns, ", "))
		}
		cols[h] = i
	}
	for _, need := range spec.Required {
		if _, ok := cols[need]; !ok {
			fields.Add("row 1", "the %s column is required", need)
		}
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// FieldPos must not be asked after an error: it may have no fields.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			fields.Add(fmt.Sprintf("row %d", line), "is not valid CSV: %v", err)
			if line == 0 {
				return nil, fields.Err()
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rows) >= spec.MaxRows {
			return nil, apperr.E(apperr.TooLarge, "an import holds at most %d %s", spec.MaxRows, spec.What)
		}
		row := Row{Line: line, rec: rec, cols: cols}
		// Every cell is text a column may store: refuse what PostgreSQL cannot.
		for i, cell := range rec {
			if problem := pgtext.Problem(cell); problem != "" {
				name := fmt.Sprintf("column %d", i+1)
				if i < len(names) {
					name = names[i]
				}
				fields.Add(row.Field(name), "%s", problem)
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(fields) == 0 {
		return nil, apperr.Invalidf("row 2", "the CSV has no %s", spec.What)
	}
	return rows, nil
}

// Has reports whether the file had the column (for either-or columns).
func (r Row) Has(column string) bool {
	_, ok := r.cols[column]
	return ok
}
