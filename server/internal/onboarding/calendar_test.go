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
