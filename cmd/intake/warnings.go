package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/intake-support/intake/store/redis"
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

// warnDurability reads a Redis store's persistence settings at start and,
// when a Redis crash could lose messages already acknowledged to senders,
// logs a warning, sets intake_store_durability_risk to 1 and shows it on
// /readyz. Settings that cannot be read (CONFIG disabled) are logged only.
func (m *Main) warnDurability(ctx context.Context) error {
	// Registered for every store so that an alert on it never goes blind:
	// the embedded store syncs each commit to disk, so it stays 0 there.
	gauge := prometheus.NewGauge(prometheus.GaugeOpts{Name: "intake_store_durability_risk",
		Help: "1 when the store's persistence settings can lose acknowledged messages on a crash (Redis without appendonly, or appendfsync no)."})
	if err := m.Registry.Register(gauge); err != nil {
		return fmt.Errorf("register durability metric: %w", err)
	}
	r, ok := m.Store.(*redis.Store)
	if !ok {
		return nil
	}
	risk, err := r.Durability(ctx)
	if err != nil {
		m.Logger.Warn("could not check Redis persistence; make sure appendonly is on", "err", err)
		return nil
	}
	if risk == "" {
		return nil
	}
	gauge.Set(1)
	m.Logger.Warn("redis may lose acknowledged messages on a crash", "why", risk)
	m.HTTP.AddWarning("store", func() error { return errors.New(risk) })
	return nil
}
