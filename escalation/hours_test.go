package escalation_test

import (
	"testing"
	"time"

	"github.com/intake-support/intake/escalation"
)

func TestAddBusiness(t *testing.T) {
	cfg := loadConfig(t, "")
	h := escalation.NewHours(cfg.BusinessHours)
	tests := []struct {
		name, start string
		d           time.Duration
		want        string
	}{
		{"within the day", "2026-11-23 10:00", 15 * time.Minute, "2026-11-23 10:15"},
		{"friday evening to monday", "2026-11-27 17:50", 15 * time.Minute, "2026-11-30 08:05"},
		{"ends exactly at closing", "2026-11-23 17:45", 15 * time.Minute, "2026-11-23 18:00"},
		{"starts before opening", "2026-11-23 06:00", 30 * time.Minute, "2026-11-23 08:30"},
		{"starts on saturday", "2026-11-28 12:00", time.Hour, "2026-11-30 09:00"},
		{"holiday skipped", "2026-12-24 17:30", time.Hour, "2026-12-28 08:30"},
		{"multi-day", "2026-11-23 10:00", 24 * time.Hour, "2026-11-25 14:00"},
		{"zero from closed time is next opening", "2026-11-28 12:00", 0, "2026-11-30 08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.AddBusiness(mexico(t, tt.start), tt.d)
			if want := mexico(t, tt.want); !got.Equal(want) {
				t.Errorf("AddBusiness(%s, %s) = %s, want %s", tt.start, tt.d, got, want)
			}
			if tt.d > 0 {
				if back := h.BusinessElapsed(mexico(t, tt.start), got); back != tt.d {
					t.Errorf("BusinessElapsed(%s, %s) = %s, want %s", tt.start, got, back, tt.d)
				}
			}
		})
	}
}

func TestAddBusinessDST(t *testing.T) {
	// New York: 2026-03-08 02:00 jumps to 03:00; a 24-hour business day is 23h long.
	cfg := loadConfig(t, "")
	bh := cfg.BusinessHours
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("LoadLocation = %v", err)
	}
	bh.Location, bh.Days, bh.From, bh.To, bh.Holidays = loc, []time.Weekday{time.Saturday, time.Monday}, 9*60, 17*60, nil
	h := escalation.NewHours(bh)
	start := time.Date(2026, 3, 7, 16, 0, 0, 0, loc) // Saturday 16:00 EST
	got := h.AddBusiness(start, 2*time.Hour)
	if want := time.Date(2026, 3, 9, 10, 0, 0, 0, loc); !got.Equal(want) { // Monday 10:00 EDT
		t.Errorf("AddBusiness across DST = %s, want %s", got, want)
	}
}

func TestAlwaysClock(t *testing.T) {
	cfg := loadConfig(t, "")
	l5, _ := cfg.Tier("L5")
	h := escalation.ClockFor(cfg, l5)
	start := mexico(t, "2026-11-28 12:00") // Saturday
	if got := h.AddBusiness(start, 2*time.Hour); !got.Equal(start.Add(2 * time.Hour)) {
		t.Errorf("always clock AddBusiness = %s, want %s", got, start.Add(2*time.Hour))
	}
	if got := h.BusinessElapsed(start, start.Add(time.Hour)); got != time.Hour {
		t.Errorf("always clock BusinessElapsed = %s, want 1h", got)
	}
}

func TestNoBusinessHoursSectionIsAlwaysOpen(t *testing.T) {
	cfg := loadConfig(t, "")
	cfg2 := *cfg
	cfg2.BusinessHours = cfg.BusinessHours
	cfg2.BusinessHours.Days = []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	cfg2.BusinessHours.From, cfg2.BusinessHours.To, cfg2.BusinessHours.Holidays = 0, 24*60, nil
	h := escalation.NewHours(cfg2.BusinessHours)
	start := mexico(t, "2026-11-28 23:50")
	if got := h.AddBusiness(start, 20*time.Minute); !got.Equal(start.Add(20 * time.Minute)) {
		t.Errorf("AddBusiness = %s, want %s", got, start.Add(20*time.Minute))
	}
}
