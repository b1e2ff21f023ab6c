package escalation

import (
	"time"

	"github.com/intake-support/intake/config"
)

// maxScanDays bounds the day-by-day walk of the business calendar, so that a
// calendar with no open time at all cannot loop forever.
const maxScanDays = 3 * 366

// Hours is an SLA clock: business hours from the configuration, or plain time
// when Always is set (a tier with clock: always).
type Hours struct {
	BH     config.BusinessHours
	Always bool
}

// NewHours returns the clock of business hours bh.
func NewHours(bh config.BusinessHours) Hours { return Hours{BH: bh} }

// ClockFor returns the SLA clock of a tier: plain time for clock: always.
func ClockFor(cfg *config.Config, t *config.Tier) Hours {
	return Hours{BH: cfg.BusinessHours, Always: t != nil && t.Clock == config.ClockAlways}
}

func (h Hours) loc() *time.Location {
	if h.BH.Location != nil {
		return h.BH.Location
	}
	return time.UTC
}

// plain reports whether the clock never stops.
func (h Hours) plain() bool {
	if h.Always {
		return true
	}
	return len(h.BH.Days) == 7 && h.BH.From == 0 && h.BH.To >= 24*60 && len(h.BH.Holidays) == 0
}

// Open reports whether the clock runs at t.
func (h Hours) Open(t time.Time) bool {
	if h.plain() {
		return true
	}
	return h.BH.Open(t)
}

// window returns the open interval of the calendar day of t (in the clock's
// location), or ok false when that day is closed.
func (h Hours) window(t time.Time) (open, close time.Time, ok bool) {
	t = t.In(h.loc())
	y, m, d := t.Date()
	if h.BH.IsHoliday(t) || !h.isDay(t.Weekday()) || h.BH.To <= h.BH.From {
		return time.Time{}, time.Time{}, false
	}
	// time.Date normalizes 24:00 to the next midnight and resolves DST gaps.
	open = time.Date(y, m, d, int(h.BH.From)/60, int(h.BH.From)%60, 0, 0, h.loc())
	close = time.Date(y, m, d, int(h.BH.To)/60, int(h.BH.To)%60, 0, 0, h.loc())
	return open, close, true
}

func (h Hours) isDay(wd time.Weekday) bool {
	for _, d := range h.BH.Days {
		if d == wd {
			return true
		}
	}
	return false
}

// nextDay returns midnight of the day after t's, in the clock's location.
func (h Hours) nextDay(t time.Time) time.Time {
	y, m, d := t.In(h.loc()).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, h.loc())
}

// AddBusiness returns the moment d of open time after start: the deadline of
// an SLA that only counts business hours. With d zero it returns the next
// moment the clock runs (start itself when open).
func (h Hours) AddBusiness(start time.Time, d time.Duration) time.Time {
	if h.plain() {
		return start.Add(d)
	}
	t := start
	for i := 0; i < maxScanDays; i++ {
		open, close, ok := h.window(t)
		if !ok || !t.Before(close) {
			t = h.nextDay(t)
			continue
		}
		if t.Before(open) {
			t = open
		}
		if left := close.Sub(t); d < left || (d == left && d > 0) {
			return t.Add(d)
		}
		d -= close.Sub(t)
		t = h.nextDay(t)
	}
	return start.Add(d) // a calendar without open time: fall back to plain time
}

// NextOpen returns the next moment at or after t when the clock runs.
func (h Hours) NextOpen(t time.Time) time.Time { return h.AddBusiness(t, 0) }

// BusinessElapsed returns how much open time lies between from and to.
func (h Hours) BusinessElapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if h.plain() {
		return to.Sub(from)
	}
	var sum time.Duration
	t := from
	for i := 0; i < maxScanDays && t.Before(to); i++ {
		open, close, ok := h.window(t)
		if ok {
			s, e := maxTime(t, open), minTime(to, close)
			if e.After(s) {
				sum += e.Sub(s)
			}
		}
		t = h.nextDay(t)
	}
	return sum
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
