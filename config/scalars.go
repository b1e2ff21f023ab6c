package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/intake-support/intake/internal/redact"
)

// scalarValue is implemented by types decoded from one YAML scalar with
// their own syntax; the error says what is wrong with the text.
type scalarValue interface {
	parseScalar(s string) error
}

// Size is a number of bytes, written as 25MB, 512KB, 1GB or a plain number
// of bytes; KB, MB and GB are powers of 1024.
type Size int64

// Units of Size.
const (
	KB Size = 1 << 10
	MB Size = 1 << 20
	GB Size = 1 << 30
)

func (z *Size) parseScalar(s string) error {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	num, unit := t[:i], strings.ToUpper(strings.TrimSpace(t[i:]))
	mult := map[string]Size{"": 1, "B": 1, "K": KB, "KB": KB, "KIB": KB, "M": MB, "MB": MB, "MIB": MB, "G": GB, "GB": GB, "GIB": GB}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 {
		return fmt.Errorf("invalid size %q (write it like 25MB, 512KB or 1GB)", s)
	}
	if n <= 0 {
		return fmt.Errorf("size must be positive, got %q", s)
	}
	if n > int64((1<<62)/mult) {
		return fmt.Errorf("size %q is too large", s)
	}
	*z = Size(n) * mult
	return nil
}

// String formats the size in the largest unit that divides it.
func (z Size) String() string {
	switch {
	case z >= GB && z%GB == 0:
		return strconv.FormatInt(int64(z/GB), 10) + "GB"
	case z >= MB && z%MB == 0:
		return strconv.FormatInt(int64(z/MB), 10) + "MB"
	case z >= KB && z%KB == 0:
		return strconv.FormatInt(int64(z/KB), 10) + "KB"
	}
	return strconv.FormatInt(int64(z), 10) + "B"
}

// Clock is a time of day in minutes since midnight, written "HH:MM";
// "24:00" is the end of the day.
type Clock int

func (c *Clock) parseScalar(s string) error {
	bad := fmt.Errorf("invalid time %q (write it as HH:MM, such as 08:30)", s)
	if len(s) != 5 || s[2] != ':' {
		return bad
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || s[0] == '+' || s[3] == '+' || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return bad
	}
	*c = Clock(h*60 + m)
	return nil
}

// String formats the clock as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Date is a calendar day, written YYYY-MM-DD.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func (d *Date) parseScalar(s string) error {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("invalid date %q (write it as YYYY-MM-DD)", s)
	}
	*d = Date{t.Year(), t.Month(), t.Day()}
	return nil
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

func (s *Store) parseScalar(v string) error {
	switch {
	case strings.HasPrefix(v, "bolt:"):
		p := strings.TrimPrefix(v, "bolt:")
		if p == "" {
			return errors.New("bolt store needs a file path: bolt:data/intake.db")
		}
		*s = Store{Kind: StoreBolt, Path: p}
		return nil
	case strings.HasPrefix(v, "redis://"), strings.HasPrefix(v, "rediss://"):
		// Every message names the URL without its password.
		shown := redact.URL(v)
		u, err := url.Parse(v)
		if err != nil {
			return fmt.Errorf("invalid redis URL: %s", redact.Text(err.Error()))
		}
		if u.Host == "" {
			return fmt.Errorf("redis URL %q has no host", shown)
		}
		if port := u.Port(); port != "" {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return fmt.Errorf("redis URL %q has an invalid port", shown)
			}
		}
		if db := strings.Trim(u.Path, "/"); db != "" {
			if n, err := strconv.Atoi(db); err != nil || n < 0 {
				return fmt.Errorf("redis URL %q: the path must be a database number such as /0", shown)
			}
		}
		*s = Store{Kind: StoreRedis, URL: v}
		return nil
	}
	return fmt.Errorf("unknown store %q (use bolt:PATH or redis://HOST:PORT/DB)", redact.URL(v))
}

// parseWeekday accepts English day names, short (mon) or long (monday).
func parseWeekday(s string) (time.Weekday, bool) {
	switch strings.ToLower(s) {
	case "sun", "sunday":
		return time.Sunday, true
	case "mon", "monday":
		return time.Monday, true
	case "tue", "tuesday":
		return time.Tuesday, true
	case "wed", "wednesday":
		return time.Wednesday, true
	case "thu", "thursday":
		return time.Thursday, true
	case "fri", "friday":
		return time.Friday, true
	case "sat", "saturday":
		return time.Saturday, true
	}
	return 0, false
}

const dayNames = "mon tue wed thu fri sat sun"

// fmtDur formats a duration the way people write it: 15m rather than 15m0s.
func fmtDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (use Go syntax such as 90s, 15m or 1h30m)", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration must be positive, got %q", s)
	}
	return d, nil
}
