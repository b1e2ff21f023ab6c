// Package metrics defines intake's operational Prometheus metrics beyond the
// spine's message counters: escalations, SLA breaches, configuration reload
// failures, triage latency, queue depth and adapter connection state. The
// alert rules and dashboard in docs/ reference these names; a test checks
// they exist.
package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// Ops counts what operators watch. A nil *Ops counts nothing, so the parts
// that take one work without it in tests.
type Ops struct {
	escalations *prometheus.CounterVec
	breaches    *prometheus.CounterVec
	reloads     prometheus.Counter
	triage      prometheus.Histogram
}

// New registers the operational metrics with reg.
func New(reg prometheus.Registerer) (*Ops, error) {
	o := &Ops{
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "intake_escalations_total",
			Help: "Incidents handed to a human tier, by reason (not_solved, asked_for_human, urgent, low_confidence, out_of_scope, agent, unclaimed...) and target tier.",
		}, []string{"reason", "tier"}),
		breaches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "intake_sla_breaches_total",
			Help: "SLA clocks that ran out, by tier and clock (claim: unclaimed past claim_within; resolve: claimed past resolve_within).",
		}, []string{"tier", "clock"}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "intake_config_reload_failures_total",
			Help: "Configuration reloads refused because the new file did not validate; the running configuration stayed.",
		}),
		triage: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "intake_triage_decision_duration_seconds",
			Help:    "Time Level I took to decide on one customer message.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
	}
	for _, c := range []prometheus.Collector{o.escalations, o.breaches, o.reloads, o.triage} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register operational metrics: %w", err)
		}
	}
	return o, nil
}

// EscalationReasons are the reasons intake_escalations_total starts at zero
// for: Level I's (intake.Escalation.Reason), an agent's Escalate button, and
// an unclaimed incident's automatic step.
var EscalationReasons = []string{"not_solved", "asked_for_human", "urgent", "out_of_scope", "low_confidence",
	"language", "category", "agent", "unclaimed"}

// InitTiers starts the escalation and SLA breach series of tiers at zero,
// so that rate() and increase() see the first event of each.
func (o *Ops) InitTiers(tiers []intake.TierID) {
	if o == nil {
		return
	}
	for _, t := range tiers {
		for _, r := range EscalationReasons {
			o.escalations.WithLabelValues(r, string(t))
		}
		o.breaches.WithLabelValues(string(t), ClockClaim)
		o.breaches.WithLabelValues(string(t), ClockResolve)
	}
}

// Escalated counts an incident sent to tier for reason.
func (o *Ops) Escalated(reason string, tier intake.TierID) {
	if o != nil {
		if reason == "" {
			reason = "unspecified"
		}
		o.escalations.WithLabelValues(reason, string(tier)).Inc()
	}
}

// SLA clocks, the clock label of intake_sla_breaches_total.
const (
	ClockClaim   = "claim"
	ClockResolve = "resolve"
)

// SLABreached counts a clock of tier that ran out.
func (o *Ops) SLABreached(tier intake.TierID, clock string) {
	if o != nil {
		o.breaches.WithLabelValues(string(tier), clock).Inc()
	}
}

// ReloadFailed counts a refused configuration reload.
func (o *Ops) ReloadFailed() {
	if o != nil {
		o.reloads.Inc()
	}
}

// TimeLevelOne returns h timed into intake_triage_decision_duration_seconds.
func (o *Ops) TimeLevelOne(h channels.Handler, now func() time.Time) channels.Handler {
	if o == nil {
		return h
	}
	return channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
		start := now()
		out, err := h.Handle(ctx, inc, msg)
		o.triage.Observe(now().Sub(start).Seconds())
		return out, err
	})
}
