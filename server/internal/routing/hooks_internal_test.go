package routing

import "time"

// SetRosterCacheClock makes s's roster cache measure its TTL on now instead
// of the wall clock, so a test moves time rather than waiting for it.
func SetRosterCacheClock(s *Service, now func() time.Time) { s.rosters.now = now }
