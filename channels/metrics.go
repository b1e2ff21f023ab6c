package channels

import (
	"fmt"

	"github.com/intake-support/intake"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what flows through the spine. A nil *Metrics counts nothing.
type Metrics struct {
	messages    *prometheus.CounterVec
	incidents   prometheus.Counter
	replies     *prometheus.CounterVec
	failures    *prometheus.CounterVec
	deadReplies *prometheus.CounterVec
}

// NewMetrics registers the spine's metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "intake_messages_received_total", Help: "Inbound messages durably accepted, by channel.",
		}, []string{"channel"}),
		incidents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "intake_incidents_opened_total", Help: "Incidents opened.",
		}),
		replies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "intake_replies_sent_total", Help: "Replies delivered, by channel.",
		}, []string{"channel"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "intake_delivery_failures_total", Help: "Failed delivery attempts, by channel and kind (retry; refused: the peer refuses us, a person must act; permanent).",
		}, []string{"channel", "kind"}),
		deadReplies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "intake_replies_dead_total", Help: "Replies moved to the dead-letter queue (outbox.dead), by channel.",
		}, []string{"channel"}),
	}
	for _, c := range []prometheus.Collector{m.messages, m.incidents, m.replies, m.failures, m.deadReplies} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register spine metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) received(ch intake.Channel) {
	if m != nil {
		m.messages.WithLabelValues(string(ch)).Inc()
	}
}

func (m *Metrics) opened() {
	if m != nil {
		m.incidents.Inc()
	}
}

func (m *Metrics) sent(ch intake.Channel) {
	if m != nil {
		m.replies.WithLabelValues(string(ch)).Inc()
	}
}

func (m *Metrics) failed(ch intake.Channel, kind string) {
	if m != nil {
		m.failures.WithLabelValues(string(ch), kind).Inc()
	}
}

// Init starts the per-channel series of chans at zero, so that rate() sees
// their first event and dashboards show the channel before its first message.
func (m *Metrics) Init(chans []intake.Channel) {
	if m == nil {
		return
	}
	for _, ch := range chans {
		m.messages.WithLabelValues(string(ch))
		m.replies.WithLabelValues(string(ch))
		m.failures.WithLabelValues(string(ch), "retry")
		m.failures.WithLabelValues(string(ch), "permanent")
		m.failures.WithLabelValues(string(ch), "refused")
		m.deadReplies.WithLabelValues(string(ch))
	}
}

func (m *Metrics) dead(ch intake.Channel) {
	if m != nil {
		m.deadReplies.WithLabelValues(string(ch)).Inc()
	}
}
