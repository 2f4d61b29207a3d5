package onboarding

import "time"

// Calendar decides which days are working days for a cohort: Monday to
// Friday (every day when weekends are not skipped), minus the days off,
// plus the extra working days.
type Calendar struct {
	SkipWeekends bool
	Off          map[string]bool // "2006-01-02"
	Work         map[string]bool
}

// Working reports whether day is a working day.
func (c Calendar) Working(day time.Time) bool {
	key := day.Format(Date)
	switch {
	case c.Off[key]:
		return false
	case c.Work[key]:
		return true
	case c.SkipWeekends:
		wd := day.Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	return true
}

// maxScan bounds the search for working days (a calendar with every day
// off must not spin).
const maxScan = 3660

// DayDate returns the date of plan day n (1 = the first working day on or
// after start), counting working days only. ok is false when the calendar
// has no such day within ten years.
func (c Calendar) DayDate(start time.Time, n int) (time.Time, bool) {
	d := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	seen := 0
	for range maxScan {
		if c.Working(d) {
			if seen++; seen == n {
				return d, true
			}
		}
		d = d.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// DayNumber says which plan day day is, counting working days from start
// (1 = the first working day on or after start): n is the number of working
// days from start through day, and working whether day itself is one (when
// it is not, n is the plan day last worked, 0 before the first).
func (c Calendar) DayNumber(start, day time.Time) (n int, working bool) {
	d := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	end := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < maxScan && !d.After(end); i++ {
		working = c.Working(d)
		if working {
			n++
		}
		d = d.AddDate(0, 0, 1)
	}
	return n, working && !end.Before(start)
}
