package onboarding

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(Date, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCalendarDayDate(t *testing.T) {
	t.Parallel()
	weekdays := Calendar{SkipWeekends: true}
	holidays := Calendar{SkipWeekends: true, Off: map[string]bool{"2026-03-09": true}, Work: map[string]bool{"2026-03-07": true}}
	every := Calendar{}
	tests := []struct {
		name  string
		cal   Calendar
		start string
		n     int
		want  string
	}{
		{"day 1 is the start", weekdays, "2026-03-05", 1, "2026-03-05"},
		{"friday", weekdays, "2026-03-05", 2, "2026-03-06"},
		{"over the weekend", weekdays, "2026-03-05", 3, "2026-03-09"},
		{"a start on saturday begins monday", weekdays, "2026-03-07", 1, "2026-03-09"},
		{"two weeks", weekdays, "2026-03-02", 10, "2026-03-13"},
		{"extra saturday", holidays, "2026-03-05", 3, "2026-03-07"},
		{"holiday skipped", holidays, "2026-03-05", 4, "2026-03-10"},
		{"weekends counted", every, "2026-03-05", 3, "2026-03-07"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.cal.DayDate(day(tc.start), tc.n)
			if !ok || got.Format(Date) != tc.want {
				t.Errorf("got %s %v, want %s", got.Format(Date), ok, tc.want)
			}
		})
	}
	allOff := Calendar{SkipWeekends: true, Off: map[string]bool{}}
	for d := day("2026-03-02"); d.Before(day("2036-03-30")); d = d.AddDate(0, 0, 1) {
		allOff.Off[d.Format(Date)] = true
	}
	if _, ok := allOff.DayDate(day("2026-03-02"), 1); ok {
		t.Error("a calendar without working days found one")
	}
}

// TestCalendarDayNumber: which plan day a date is, the inverse of DayDate on
// working days; a day off keeps the last plan day worked.
func TestCalendarDayNumber(t *testing.T) {
	t.Parallel()
	weekdays := Calendar{SkipWeekends: true}
	holidays := Calendar{SkipWeekends: true, Off: map[string]bool{"2026-03-09": true}, Work: map[string]bool{"2026-03-07": true}}
	tests := []struct {
		name        string
		cal         Calendar
		start, day  string
		want        int
		wantWorking bool
	}{
		{"the start is day 1", weekdays, "2026-03-05", "2026-03-05", 1, true},
		{"before the start", weekdays, "2026-03-05", "2026-03-04", 0, false},
		{"a saturday keeps friday's day", weekdays, "2026-03-05", "2026-03-07", 2, false},
		{"monday after the weekend", weekdays, "2026-03-05", "2026-03-09", 3, true},
		{"a start on sunday: monday is day 1", weekdays, "2026-03-08", "2026-03-09", 1, true},
		{"extra saturday counts", holidays, "2026-03-05", "2026-03-07", 3, true},
		{"a holiday monday is not worked", holidays, "2026-03-05", "2026-03-09", 3, false},
		{"tuesday after the holiday", holidays, "2026-03-05", "2026-03-10", 4, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, working := tc.cal.DayNumber(day(tc.start), day(tc.day))
			if n != tc.want || working != tc.wantWorking {
				t.Errorf("got day %d working %v, want %d %v", n, working, tc.want, tc.wantWorking)
			}
			if working {
				if d, ok := tc.cal.DayDate(day(tc.start), n); !ok || d.Format(Date) != tc.day {
					t.Errorf("DayDate(%d): got %s, want %s", n, d.Format(Date), tc.day)
				}
			}
		})
	}
}
