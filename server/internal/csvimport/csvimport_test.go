package csvimport

import (
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

var spec = Spec{What: "people", Columns: []string{"email", "name"}, Required: []string{"email"}, MaxRows: 3}

func TestRead(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		csv        string
		wantRows   int
		wantFields map[string]string
		wantCode   apperr.Code
	}{
		{"good", "\ufeffEmail, Name\na@x.test, Ann\nb@x.test,Bo\n", 2, nil, ""},
		{"unknown and missing columns", "mail,name\nx,y\n", 1, map[string]string{"row 1": `unknown column "mail" (known: email, name)`}, ""},
		{"bad quoting names the row", "email\na@x.test\n\"b@x.test\n", 1, map[string]string{"row 3": "is not valid CSV"}, ""},
		{"NUL in a cell names row and column", "email,name\na@x.test,Ann\nb@x.test,B\x00o\n", 2, map[string]string{"row 3.name": "NUL"}, ""},
		{"invalid UTF-8 names row and column", "email,name\na\xff@x.test,Ann\n", 1, map[string]string{"row 2.email": "UTF-8"}, ""},
		{"NUL in a cell past the header's columns", "email\na@x.test,\x00\n", 1, map[string]string{"row 2.column 2": "NUL"}, ""},
		{"no header", "", 0, nil, apperr.Invalid},
		{"no data", "email,name\n", 0, nil, apperr.Invalid},
		{"too many rows", "email\na\nb\nc\nd\n", 0, nil, apperr.TooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fields := apperr.Fields{}
			rows, err := Read(strings.NewReader(tc.csv), spec, fields)
			if got := apperr.CodeOf(err); got != tc.wantCode {
				t.Fatalf("got code %q (%v), want %q", got, err, tc.wantCode)
			}
			if len(rows) != tc.wantRows {
				t.Errorf("got %d rows, want %d", len(rows), tc.wantRows)
			}
			for k, v := range tc.wantFields {
				if !strings.Contains(fields[k], v) {
					t.Errorf("got fields %v, want %s to say %q", fields, k, v)
				}
			}
		})
	}
	rows, _ := Read(strings.NewReader("email,name\n a@x.test ,Ann\n"), spec, apperr.Fields{})
	if rows[0].Get("email") != "a@x.test" || rows[0].Get("phone") != "" || rows[0].Field("name") != "row 2.name" || rows[0].Line != 2 {
		t.Errorf("got %+v, want trimmed values, row 2", rows[0])
	}
}
