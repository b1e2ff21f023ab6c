package metrics_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/metrics"
	"github.com/intake-support/intake/store/bolt"
)

func TestQueueDepthReadsTheStore(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for queue, n := range map[string]int{channels.InboxQueue: 2, channels.ShardQueue(5): 1, channels.DeadQueue: 2} { // the inbox is the sum of its shards
		for i := range n {
			if err := st.Enqueue(ctx, queue, queue+string(rune('a'+i)), []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	}
	reg := prometheus.NewRegistry()
	if err := metrics.RegisterState(reg, st, nil, nil); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP intake_queue_depth Messages in a durable queue (in flight included): inbox, outbox, the dead-letter queues inbox.dead and outbox.dead, and smtp.journal (mail the SMTP listener accepted and has not moved into the inbox yet; embedded store only).
# TYPE intake_queue_depth gauge
intake_queue_depth{queue="inbox"} 3
intake_queue_depth{queue="inbox.dead"} 2
intake_queue_depth{queue="outbox"} 0
intake_queue_depth{queue="outbox.dead"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "intake_queue_depth"); err != nil {
		t.Error(err)
	}
}

func TestTimeLevelOneObservesEachDecision(t *testing.T) {
	reg := prometheus.NewRegistry()
	ops, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	var clock time.Time
	now := func() time.Time { clock = clock.Add(30 * time.Millisecond); return clock }
	h := ops.TimeLevelOne(channels.HandlerFunc(func(context.Context, *intake.Incident, *intake.Message) (intake.Outcome, error) {
		return intake.Outcome{}, nil
	}), now)
	for range 2 {
		if _, err := h.Handle(context.Background(), &intake.Incident{}, &intake.Message{}); err != nil {
			t.Fatal(err)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "intake_triage_decision_duration_seconds" {
			hist := f.GetMetric()[0].GetHistogram()
			if hist.GetSampleCount() != 2 || hist.GetSampleSum() < 0.059 || hist.GetSampleSum() > 0.061 {
				t.Errorf("histogram count %d sum %v, want 2 and 0.06", hist.GetSampleCount(), hist.GetSampleSum())
			}
			return
		}
	}
	t.Fatal("intake_triage_decision_duration_seconds not gathered")
}

func TestNilOpsCountsNothing(t *testing.T) {
	var ops *metrics.Ops
	ops.Escalated("urgent", "L2")
	ops.SLABreached("L2", metrics.ClockClaim)
	ops.ReloadFailed()
	ops.InitTiers([]intake.TierID{"L2"})
	h := channels.HandlerFunc(func(context.Context, *intake.Incident, *intake.Message) (intake.Outcome, error) {
		return intake.Outcome{}, nil
	})
	if got := ops.TimeLevelOne(h, time.Now); got == nil {
		t.Error("TimeLevelOne on nil Ops = nil, want the handler")
	}
}
