package channels_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/internal/testclock"
	"github.com/intake-support/intake/store/bolt"
)

// TestCardForAChannelThatIsOffIsMarked: a tier's card bound for Slack while
// no Slack adapter runs is marked on the incident and counted, once however
// often it is retried, and stays queued for a restart with Slack on. It used
// to be retried every 10 minutes with nobody told (issue 14, item 5).
func TestCardForAChannelThatIsOffIsMarked(t *testing.T) {
	clock := testclock.New(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	s, err := bolt.Open(filepath.Join(t.TempDir(), "intake.db"), bolt.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	id, err := s.NextIncidentID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inc := &intake.Incident{ID: id, Status: intake.StatusEscalated, Tier: "L2", CreatedAt: clock.Now()}
	if err := s.CreateIncident(ctx, inc, nil); err != nil {
		t.Fatal(err)
	}
	card := intake.Reply{ID: "card-1", IncidentID: id, Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: "C0L2"},
		Card: &intake.Card{IncidentID: id, Title: "printer"}}
	payload, _ := json.Marshal(card)
	if err := s.Enqueue(ctx, channels.OutboxQueue, card.ID, payload); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := channels.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	email := chantest.New()
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{email.Channel(): email},
		Logger: quietLogger(), Metrics: m, Clock: clock.Now, Poll: 5 * time.Millisecond}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = o.Run(runCtx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })

	marks := func() int {
		got, err := s.GetIncident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range got.Timeline {
			if e.Kind == intake.EventDelivery && e.ReplyID == card.ID && strings.Contains(e.Text, "slack channel is off") {
				n++
			}
		}
		return n
	}
	waitMarks := func(want int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for marks() < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitMarks(1)
	for range 3 { // three more attempts, 10 minutes apart
		clock.Advance(11 * time.Minute)
		time.Sleep(100 * time.Millisecond)
	}
	if n := marks(); n != 1 {
		t.Errorf("incident has %d marks of the undeliverable card, want 1", n)
	}
	if got := counter(t, reg, "intake_delivery_failures_total", "slack", "no_adapter"); got != 1 {
		t.Errorf("intake_delivery_failures_total{channel=slack,kind=no_adapter} = %v, want 1", got)
	}
	if n, err := channels.OutboxLen(ctx, s); err != nil || n != 1 {
		t.Errorf("QueueLen(outbox) = %d, %v, want the card still queued", n, err)
	}
}

// counter reads the value of the counter name whose label values are values.
func counter(t *testing.T, reg *prometheus.Registry, name string, values ...string) float64 {
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
			for i, l := range m.GetLabel() {
				if i >= len(values) || l.GetValue() != values[i] {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
