package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// altScalar is implemented by types written either as one scalar or in a
// longer form (a mapping): the decoder calls it for the scalar form and
// decodes the long form as usual.
type altScalar interface {
	parseAltScalar(s string) error
}

// Text is a text shown to people, written once (`Nivel II`, for every
// language) or per language (`{es: Nivel II, en: Tier II}`).
type Text map[string]string

func (t *Text) parseAltScalar(s string) error {
	*t = Text{"": s}
	return nil
}

// In returns the text in language lang: lang's own, else the one written
// for every language, else the English one, else the first by language code.
func (t Text) In(lang string) string {
	for _, k := range []string{lang, "", "en"} {
		if s := t[k]; s != "" {
			return s
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// String returns the text written for every language, or the English one.
func (t Text) String() string { return t.In("") }

// checkText reports a language key that is not a lowercase ISO 639-1 code.
func checkText(t Text) error {
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v := t[k]
		if k == "" {
			continue
		}
		if len(k) != 2 || strings.ToLower(k) != k || strings.Trim(k, "abcdefghijklmnopqrstuvwxyz") != "" {
			return fmt.Errorf("%q is not a language code: write the text per language as {es: ..., en: ...}", k)
		}
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("the %s text is empty", k)
		}
	}
	return nil
}

// The kinds of on-call hours.
const (
	OnCallAlways   = "always"
	OnCallBusiness = "business"
	OnCallOffHours = "off_hours"
	// OnCallWindow is hours written as {days, from, to}.
	OnCallWindow = "window"
)

// OnCall is who is alerted at once when an urgent incident (urgency or
// outage words, or category outage) arrives: a Slack channel, and in it a
// user group or user to mention, during the target's own hours.
type OnCall struct {
	// SlackChannel is where the alert is posted.
	SlackChannel string `yaml:"slack_channel"`
	// Mention is a Slack user group (S...), user (U... or W...), or here or
	// channel; empty mentions nobody.
	Mention string `yaml:"mention"`
	// Hours is when this target is on call.
	Hours OnCallHours `yaml:"hours"`
}

// Enabled reports whether the on-call target is configured.
func (o OnCall) Enabled() bool { return o.SlackChannel != "" }

// OnCallHours is when an on-call target answers: always, business (inside
// business_hours), off_hours (outside them: nights, weekends, holidays) or
// its own window {days, from, to} in the business_hours time zone.
type OnCallHours struct {
	// Kind is always, business, off_hours or window.
	Kind string         `yaml:"-"`
	Days []time.Weekday `yaml:"days"`
	From Clock          `yaml:"from"`
	To   Clock          `yaml:"to"`
}

func (h *OnCallHours) parseAltScalar(s string) error {
	if err := oneOf(s, OnCallAlways, OnCallBusiness, OnCallOffHours); err != nil {
		return fmt.Errorf("%v, or a window {days: [...], from: \"HH:MM\", to: \"HH:MM\"}", err)
	}
	h.Kind = s
	return nil
}

// Covers reports whether the target is on call at t, given the desk's
// business hours bh and whether they are open at t.
func (h OnCallHours) Covers(t time.Time, bh BusinessHours, businessOpen bool) bool {
	switch h.Kind {
	case OnCallBusiness:
		return businessOpen
	case OnCallOffHours:
		return !businessOpen
	case OnCallWindow:
		w := BusinessHours{Days: h.Days, From: h.From, To: h.To, Location: bh.Location}
		return w.Open(t)
	}
	return true
}
