package jurisdiction

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		code string
		ok   bool
	}{
		{"TX", "TX", true}, {"tx", "TX", true}, {" ga ", "GA", true}, {"DC", "DC", true}, {"PR", "PR", true},
		{"GU", "GU", true}, {"VI", "VI", true}, {"AS", "AS", true}, {"MP", "MP", true},
		{"XX", "XX", false}, {"ZZ", "ZZ", false}, {"", "", false}, {"T", "T", false}, {"TEX", "TEX", false},
		{"FM", "FM", false}, {"AA", "AA", false}, {"T\x00", "T\x00", false},
	} {
		code, ok := Parse(tc.in)
		if code != tc.code || ok != tc.ok {
			t.Errorf("Parse(%q): got %q %v, want %q %v", tc.in, code, ok, tc.code, tc.ok)
		}
	}
	if n := len(All()); n != 56 {
		t.Errorf("got %d jurisdictions, want the NAIC's 56", n)
	}
}
