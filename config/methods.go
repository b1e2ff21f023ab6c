package config

import (
	"strings"
	"time"

	intake "github.com/intake-support/intake"
)

// Tier returns the tier with the given id.
func (c *Config) Tier(id intake.TierID) (*Tier, bool) {
	for i := range c.Tiers {
		if c.Tiers[i].ID == id {
			return &c.Tiers[i], true
		}
	}
	return nil, false
}

// DeskLanguage is the language of agent-facing texts such as cards: the
// first of triage.languages, or English.
func (c *Config) DeskLanguage() string {
	if len(c.Triage.Languages) > 0 {
		return c.Triage.Languages[0]
	}
	return "en"
}

// Open reports whether t falls within business hours: a business day that
// is not a holiday, between From and To in the configured time zone.
func (b BusinessHours) Open(t time.Time) bool {
	loc := b.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if b.IsHoliday(t) {
		return false
	}
	day := false
	for _, wd := range b.Days {
		day = day || wd == t.Weekday()
	}
	m := Clock(t.Hour()*60 + t.Minute())
	return day && m >= b.From && m < b.To
}

// IsHoliday reports whether t's date, in the configured time zone, is a holiday.
func (b BusinessHours) IsHoliday(t time.Time) bool {
	if b.Location != nil {
		t = t.In(b.Location)
	}
	today := Date{t.Year(), t.Month(), t.Day()}
	for _, h := range b.Holidays {
		if h == today {
			return true
		}
	}
	return false
}

// IsVIP reports whether the customer is on the VIP lists.
func (v VIP) IsVIP(c intake.Customer) bool {
	switch c.Channel {
	case intake.ChannelEmail:
		addr := strings.ToLower(c.ID)
		_, domain, _ := strings.Cut(addr, "@")
		for _, e := range v.Emails {
			if strings.ToLower(e) == addr {
				return true
			}
		}
		for _, d := range v.Domains {
			if d = strings.ToLower(d); domain == d || strings.HasSuffix(domain, "."+d) {
				return true
			}
		}
	case intake.ChannelSlack:
		return contains(v.SlackUsers, c.ID)
	case intake.ChannelDiscord:
		return contains(v.DiscordUsers, c.ID)
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
