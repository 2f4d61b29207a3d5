package licensing

import (
	"slices"
	"time"
)

// standingAt is how l counts at t.
func standingAt(l *License, t time.Time) Standing {
	switch {
	case l.Status == Rejected:
		return WasRejected
	case l.Status == Revoked:
		return WasRevoked
	case l.Status == Expired || !t.Before(l.ExpiryDate.Time):
		return Lapsed
	case l.Status == Pending:
		return Unverified
	case t.Before(l.EffectiveDate.Time):
		return NotEffective
	}
	return Valid
}

// coverageOf groups one user's licenses (sorted by jurisdiction) by
// jurisdiction as they stand at t.
func coverageOf(userID string, at time.Time, ls []License) *Coverage {
	c := &Coverage{UserID: userID, At: at, Jurisdictions: []JurisdictionCoverage{}}
	for i := range ls {
		l := &ls[i]
		n := len(c.Jurisdictions)
		if n == 0 || c.Jurisdictions[n-1].Jurisdiction != l.Jurisdiction {
			c.Jurisdictions = append(c.Jurisdictions, JurisdictionCoverage{Jurisdiction: l.Jurisdiction, Valid: []Held{}, Invalid: []Held{}})
			n++
		}
		jc := &c.Jurisdictions[n-1]
		h := Held{LicenseID: l.ID, Class: l.Class, Lines: l.Lines, Standing: standingAt(l, at),
			EffectiveDate: l.EffectiveDate, ExpiryDate: l.ExpiryDate}
		if h.Standing == Valid {
			jc.Valid = append(jc.Valid, h)
		} else {
			jc.Invalid = append(jc.Invalid, h)
		}
	}
	return c
}

// In returns what the user holds in the jurisdiction (empty lists when nothing).
func (c *Coverage) In(jurisdiction string) JurisdictionCoverage {
	for _, jc := range c.Jurisdictions {
		if jc.Jurisdiction == jurisdiction {
			return jc
		}
	}
	return JurisdictionCoverage{Jurisdiction: jurisdiction, Valid: []Held{}, Invalid: []Held{}}
}

// invalidOrder ranks why a held license does not count, most actionable first.
var invalidOrder = []Standing{Unverified, NotEffective, Lapsed, WasRejected, WasRevoked}

// Check says whether the user's valid licenses of the class in the
// jurisdiction together hold every line of authority in lines, and if not,
// why: lines_missing (licensed for the class, not for every line), the
// standing of the best license of the class that does not count
// (unverified, not_effective, expired, rejected, revoked), or missing.
func (c *Coverage) Check(jurisdiction, class string, lines []string) Gap {
	jc := c.In(jurisdiction)
	var held []string
	licensed := false
	for _, h := range jc.Valid {
		if h.Class == class {
			licensed = true
			held = append(held, h.Lines...)
		}
	}
	if licensed {
		var missing []string
		for _, line := range lines {
			if !slices.Contains(held, line) {
				missing = append(missing, line)
			}
		}
		if len(missing) == 0 {
			return Gap{}
		}
		return Gap{Reason: LinesMissing, MissingLines: missing}
	}
	best := Missing
	rank := len(invalidOrder)
	for _, h := range jc.Invalid {
		if i := slices.Index(invalidOrder, h.Standing); h.Class == class && i >= 0 && i < rank {
			best, rank = h.Standing, i
		}
	}
	return Gap{Reason: best, MissingLines: slices.Clone(lines)}
}
