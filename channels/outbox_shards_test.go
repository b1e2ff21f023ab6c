package channels_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/store"
)

// TestTwoOutboxesKeepEachIncidentsOrder queues 5 replies for each of 40
// incidents in their outbox shards and delivers them with two outboxes on
// one Redis, each with its own client and holder and concurrency 4, as two
// processes would, through one adapter: every reply goes out once, and each
// incident's replies in the order they were queued.
func TestTwoOutboxesKeepEachIncidentsOrder(t *testing.T) {
	const incidents, each = 40, 5
	a, prefix := openRedis(t, "")
	b, _ := openRedis(t, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	place := map[string]int{} // a reply's place among its incident's
	for k := range each {
		for i := range incidents {
			r := intake.Reply{ID: fmt.Sprintf("r-%02d-%d", i, k), IncidentID: intake.IncidentID(fmt.Sprintf("INC-%06d", i+1)), Text: "hola",
				Conversation: intake.Conversation{Channel: intake.ChannelTest, Address: fmt.Sprintf("conv-%02d", i)}}
			place[r.ID] = k
			payload, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Commit(ctx, store.Result{Enqueue: []store.Item{channels.OutboxItem(&r, payload)}}); err != nil {
				t.Fatalf("queue reply = %v", err)
			}
		}
	}
	if n, err := channels.OutboxLen(ctx, a); err != nil || n != incidents*each {
		t.Fatalf("OutboxLen = %d, %v, want %d", n, err, incidents*each)
	}
	adapter := chantest.New()
	var wg sync.WaitGroup
	for _, s := range []struct {
		store  store.Store
		holder string
	}{{a, "instance-a"}, {b, "instance-b"}} {
		o := &channels.Outbox{Store: s.store, Adapters: map[intake.Channel]channels.Adapter{intake.ChannelTest: adapter},
			Logger: quietLogger(), Poll: 20 * time.Millisecond, Visibility: 2 * time.Second, Concurrency: 4, Holder: s.holder}
		wg.Go(func() { _ = o.Run(ctx) })
	}
	sent, err := adapter.WaitSent(incidents*each, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the outbox empty", func() bool {
		n, err := channels.OutboxLen(ctx, a)
		return err == nil && n == 0
	})
	cancel()
	wg.Wait()
	if len(adapter.Sent()) != incidents*each {
		t.Errorf("%d replies sent, want %d (each once)", len(adapter.Sent()), incidents*each)
	}
	next := map[intake.IncidentID]int{}
	for _, r := range sent {
		if place[r.ID] != next[r.IncidentID] {
			t.Errorf("%s: sent %s (reply %d of the incident), want reply %d next", r.IncidentID, r.ID, place[r.ID], next[r.IncidentID])
		}
		next[r.IncidentID]++
	}
}
