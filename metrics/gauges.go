package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// QueueLener is the part of the store the queue gauge reads; the inbox is
// the sum of its shards (channels.InboxLen), and so is the outbox (channels.OutboxLen).
type QueueLener interface {
	QueueLen(ctx context.Context, queue string) (int, error)
}

// Queues are the durable queues intake_queue_depth reports.
var Queues = []string{channels.InboxQueue, channels.OutboxQueue, channels.DeadQueue, channels.DeadOutboxQueue}

var (
	queueDepth = prometheus.NewDesc("intake_queue_depth",
		"Messages in a durable queue (in flight included): inbox, outbox, the dead-letter queues inbox.dead and outbox.dead, and smtp.journal (mail the SMTP listener accepted and has not moved into the inbox yet; embedded store only).",
		[]string{"queue"}, nil)
	adapterUp = prometheus.NewDesc("intake_adapter_connected",
		"1 while a chat adapter holds its connection to the service (Slack Socket Mode, Discord gateway; Slack HTTP mode: auth.test answered), else 0.",
		[]string{"channel"}, nil)
	adapterProblem = prometheus.NewDesc("intake_adapter_setup_problem",
		"1 while the service reported a set-up mistake (a missing Slack scope, a refused Discord intent; /readyz names it), else 0.",
		[]string{"channel"}, nil)
)

// stateCollector reads queue lengths and adapter states at scrape time, so
// the figures are never stale and no part needs to push them.
type stateCollector struct {
	store    QueueLener
	adapters map[intake.Channel]channels.Adapter
	timeout  time.Duration
	log      *slog.Logger
}

// RegisterState registers intake_queue_depth, read from st, and
// intake_adapter_connected and intake_adapter_setup_problem for the adapters
// that report them (channels.Connector, channels.Diagnoser).
func RegisterState(reg prometheus.Registerer, st QueueLener, adapters map[intake.Channel]channels.Adapter, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &stateCollector{store: st, adapters: adapters, timeout: 2 * time.Second, log: log}
	if err := reg.Register(c); err != nil {
		return fmt.Errorf("register state metrics: %w", err)
	}
	return nil
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepth
	ch <- adapterUp
	ch <- adapterProblem
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	for _, q := range Queues {
		var n int
		var err error
		switch q {
		case channels.InboxQueue:
			n, err = channels.InboxLen(ctx, c.store)
		case channels.OutboxQueue:
			n, err = channels.OutboxLen(ctx, c.store)
		default:
			n, err = c.store.QueueLen(ctx, q)
		}
		if err != nil {
			// A missing sample, not a false zero: alerts on absent() see it.
			c.log.Warn("queue depth not read", "queue", q, "err", err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(n), q)
	}
	for name, a := range c.adapters {
		if conn, ok := a.(channels.Connector); ok {
			ch <- prometheus.MustNewConstMetric(adapterUp, prometheus.GaugeValue, bool01(conn.Connected()), string(name))
		}
		if d, ok := a.(channels.Diagnoser); ok {
			ch <- prometheus.MustNewConstMetric(adapterProblem, prometheus.GaugeValue, bool01(d.SetupProblem() != nil), string(name))
		}
		if s, ok := a.(channels.Spooler); ok {
			if q, n, ok := s.Spooled(); ok {
				ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(n), q)
			}
		}
	}
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
