package escalation_test

import (
	"testing"
	"time"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

// value is the sample of the metric name with exactly labels, or -1.
func value(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return -1
}

func TestDeskCountsEscalationsAndBreaches(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	reg := prometheus.NewRegistry()
	ops, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	e.desk = escalation.New(e.cfg, channels.Incidents{Store: e.st}, escalation.WithClock(e.clk.Now), escalation.WithLogger(quiet()),
		escalation.WithMetrics(ops))
	e.w = &channels.Worker{Store: e.st, LevelOne: levelOne, Humans: e.desk, Clock: e.clk.Now, Logger: quiet(), Notices: e.inbox}

	e.customer("ana@client.example", "es", "network", "No tengo internet") // not_solved -> L2
	e.clk.Advance(16 * time.Minute)
	e.fire() // remind at 15m = claim_within: the claim SLA is breached
	e.clk.Advance(15 * time.Minute)
	e.fire() // escalate at 30m -> L3, not a second breach
	e.agent(inc1, "U1", "claim", "", "")
	e.agent(inc1, "U1", "escalate", "", "")

	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"level I", "intake_escalations_total", map[string]string{"reason": "not_solved", "tier": "L2"}, 1},
		{"unclaimed step", "intake_escalations_total", map[string]string{"reason": "unclaimed", "tier": "L3"}, 1},
		{"agent", "intake_escalations_total", map[string]string{"reason": "agent", "tier": "L4"}, 1},
		{"claim breach once", "intake_sla_breaches_total", map[string]string{"tier": "L2", "clock": "claim"}, 1},
		{"no resolve breach", "intake_sla_breaches_total", map[string]string{"tier": "L2", "clock": "resolve"}, -1},
	}
	for _, tc := range tests {
		if got := value(t, reg, tc.metric, tc.labels); got != tc.want {
			t.Errorf("%s: %s%v = %v, want %v", tc.name, tc.metric, tc.labels, got, tc.want)
		}
	}
}
