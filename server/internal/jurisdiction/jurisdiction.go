// Package jurisdiction is the one list of the US jurisdictions Skillgate
// knows: the places a license is issued in and a caller may be in. Every
// place a state comes in (caller states on the routing API, license records,
// program.yaml license requirements) checks against it, so a placeholder
// such as "XX" for "unknown" is refused instead of answered.
package jurisdiction

import (
	"slices"
	"strings"
)

// codes are the NAIC's 56 jurisdictions: the 50 states, the District of
// Columbia, and the five inhabited territories whose insurance departments
// license producers (American Samoa, Guam, the Northern Mariana Islands,
// Puerto Rico, the US Virgin Islands).
var codes = strings.Fields(`AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT
	NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
	DC AS GU MP PR VI`)

// Described says in words what Valid accepts, for error messages.
const Described = "a two-letter US state code, DC, or a territory (AS, GU, MP, PR, VI)"

// Valid reports whether code is one of the jurisdictions, spelled in upper
// case as the lists and the database keep it.
func Valid(code string) bool { return slices.Contains(codes, code) }

// Parse reads a code as a caller or a file may write it (any case,
// surrounding spaces) and returns it in upper case; ok is false when it is
// not one of the jurisdictions.
func Parse(s string) (code string, ok bool) {
	code = strings.ToUpper(strings.TrimSpace(s))
	return code, Valid(code)
}

// All returns the codes, states first then DC and the territories.
func All() []string { return slices.Clone(codes) }
