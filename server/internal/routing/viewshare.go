package routing

import (
	"slices"
	"strings"
)

// sharedInputs keeps once the short strings the view's entries repeat
// (roles, program ids and names, certification states, license classes,
// statuses and jurisdictions) and each set of lines of authority; the
// view keeps each agent's and each program's own inputs once (view.go).
// The view's lock guards it.
type sharedInputs struct {
	strs  map[string]string
	lines map[string][]string
}

// maxShared bounds each table; a full one is emptied (entries keep what
// they point to, later ones share anew).
const maxShared = 10_000

func newSharedInputs() sharedInputs {
	return sharedInputs{strs: map[string]string{}, lines: map[string][]string{}}
}

func (sh *sharedInputs) str(s string) string {
	if c, ok := sh.strs[s]; ok {
		return c
	}
	if len(sh.strs) >= maxShared {
		clear(sh.strs)
	}
	sh.strs[s] = s
	return s
}

func (sh *sharedInputs) lineSet(ls []string) []string {
	k := strings.Join(ls, "\x00")
	if c, ok := sh.lines[k]; ok && len(c) == len(ls) {
		return c
	}
	if len(sh.lines) >= maxShared {
		clear(sh.lines)
	}
	c := make([]string, len(ls))
	for i, l := range ls {
		c[i] = sh.str(l)
	}
	sh.lines[k] = c
	return c
}

func sameRequirements(a, b []LicenseRequirement) bool {
	return slices.EqualFunc(a, b, func(x, y LicenseRequirement) bool {
		return x.Class == y.Class && slices.Equal(x.Lines, y.Lines) && slices.Equal(x.States, y.States)
	})
}

// compact returns in made to share the strings other entries hold and stripped of
// the licenses no requirement of its program could use: Decide reads a
// license only for a requirement of its class, in one of that requirement's
// states (checkRequirement's candidate, for a state decideLicenses takes
// from the requirement's states), so the answers are the same. The bulk
// snapshot reads exactly these licenses for the same reason.
func (sh *sharedInputs) compact(in *inputs) *inputs {
	in.Role = sh.str(in.Role)
	in.ProgramID, in.ProgramName, in.ClientID = sh.str(in.ProgramID), sh.str(in.ProgramName), sh.str(in.ClientID)
	n := 0
	for _, l := range in.Licenses {
		if usable(l, in.Requirements) {
			n++
		}
	}
	var kept []LicenseInput
	if n > 0 {
		kept = make([]LicenseInput, 0, n)
	}
	for _, l := range in.Licenses {
		if usable(l, in.Requirements) {
			l.Jurisdiction, l.Class, l.Status, l.Lines = sh.str(l.Jurisdiction), sh.str(l.Class), sh.str(l.Status), sh.lineSet(l.Lines)
			kept = append(kept, l)
		}
	}
	in.Licenses = kept
	if in.Cert != nil {
		in.Cert.State = sh.str(in.Cert.State)
	}
	for i := range in.Appointments {
		a := &in.Appointments[i]
		a.Jurisdiction, a.Status, a.Lines = sh.str(a.Jurisdiction), sh.str(a.Status), sh.lineSet(a.Lines)
	}
	return in
}

// usable reports whether a requirement of reqs could count the license.
func usable(l LicenseInput, reqs []LicenseRequirement) bool {
	for _, r := range reqs {
		if r.Class == l.Class && slices.Contains(r.States, l.Jurisdiction) {
			return true
		}
	}
	return false
}
