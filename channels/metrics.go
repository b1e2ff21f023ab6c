package channels

import (
	"context"
	"fmt"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what flows through the spine. A nil *Metrics counts nothing.
type Metrics struct {
	messages    *prometheus.CounterVec
	incidents   prometheus.Counter
	replies     *prometheus.CounterVec
	failures    *prometheus.CounterVec
	deadReplies *prometheus.CounterVec
	reg         prometheus.Registerer
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
		reg: reg,
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

func (m *Metrics) dead(ch intake.Channel) {
	if m != nil {
		m.deadReplies.WithLabelValues(string(ch)).Inc()
	}
}

// WatchQueues registers the gauge intake_queue_length{queue} for the
// spine's queues, read from st at each scrape: the dead-letter queues
// (inbox.dead, outbox.dead) should stay at 0.
func (m *Metrics) WatchQueues(st store.Queues) error {
	if m == nil {
		return nil
	}
	for _, q := range []string{InboxQueue, OutboxQueue, DeadQueue, DeadOutboxQueue} {
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "intake_queue_length", Help: "Messages in a queue, in flight included; -1 when the store cannot say.",
			ConstLabels: prometheus.Labels{"queue": q},
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := st.QueueLen(ctx, q)
			if err != nil {
				return -1
			}
			return float64(n)
		})
		if err := m.reg.Register(g); err != nil {
			return fmt.Errorf("register queue gauge %s: %w", q, err)
		}
	}
	return nil
}
