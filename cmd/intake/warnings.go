package main

import (
	"errors"
	"strings"
)

// warnUnreachable logs, once at start, what check warns about (escalations
// that reach no agent), and keeps it on /readyz as a warning: intake still
// takes messages, so it stays ready, but a person must fix the setting.
func (m *Main) warnUnreachable() {
	warnings := configWarnings(m.Config)
	for _, w := range warnings {
		m.Logger.Error("configuration: " + w)
	}
	if len(warnings) == 0 {
		return
	}
	err := errors.New(strings.Join(warnings, "; "))
	m.HTTP.AddWarning("escalation", func() error { return err })
}
