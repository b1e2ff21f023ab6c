package channels_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

// BenchmarkOutbox delivers b.N replies (perIncident per incident, the
// incidents interleaved in the outbox) through the test adapter with an
// outbox over a real store (concurrency 1, then 8), and reports replies per second and what one
// reply costs the store: commits (each an fsync) on bolt, requests on
// Redis. Queueing the replies and creating their incidents is not counted.
func BenchmarkOutbox(b *testing.B) {
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("bolt/concurrency=%d", conc), func(b *testing.B) {
			s, err := bolt.Open(filepath.Join(b.TempDir(), "intake.db"))
			if err != nil {
				b.Fatalf("bolt.Open = %v", err)
			}
			b.Cleanup(func() { _ = s.Close() })
			benchOutbox(b, s, s, conc, "commits/reply", s.Commits)
		})
		b.Run(fmt.Sprintf("redis/concurrency=%d", conc), func(b *testing.B) {
			s, prefix := openRedis(b, "")
			watch, _ := openRedis(b, prefix) // its requests are not counted
			benchOutbox(b, s, watch, conc, "roundtrips/reply", s.RoundTrips)
		})
	}
}

func benchOutbox(b *testing.B, s, watch store.Store, concurrency int, unit string, count func() uint64) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	incidents := (b.N + perIncident - 1) / perIncident
	ids := make([]intake.IncidentID, incidents)
	for i := range ids {
		id, err := s.NextIncidentID(ctx)
		if err != nil {
			b.Fatalf("NextIncidentID = %v", err)
		}
		inc := &intake.Incident{ID: id, Status: intake.StatusNew, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := s.CreateIncident(ctx, inc, nil); err != nil {
			b.Fatalf("CreateIncident = %v", err)
		}
		ids[i] = id
	}
	n := 0
	for k := 0; k < perIncident; k++ {
		for i := 0; i < incidents && n < b.N; i++ {
			r := intake.Reply{ID: fmt.Sprintf("r-%d-%d", i, k), IncidentID: ids[i], Text: "got it",
				Conversation: intake.Conversation{Channel: intake.ChannelTest, Address: fmt.Sprintf("conv-%d", i)}}
			payload, err := json.Marshal(r)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Commit(ctx, store.Result{Enqueue: []store.Item{channels.OutboxItem(&r, payload)}}); err != nil {
				b.Fatalf("queue reply = %v", err)
			}
			n++
		}
	}
	a := chantest.New()
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{intake.ChannelTest: a},
		Logger: quietLogger(), Visibility: time.Minute, Concurrency: concurrency}
	before := count()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { _ = o.Run(ctx) })
	// Timed until the adapter has every reply, watched in the process so
	// that watching costs the store nothing; the store's share is counted
	// once the outbox is empty (the last acks included).
	for len(a.Sent()) < b.N {
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	for {
		left, err := channels.OutboxLen(ctx, watch)
		if err != nil {
			b.Fatalf("outbox length = %v", err)
		}
		if left == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	used := count() - before
	cancel()
	wg.Wait()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "replies/s")
	b.ReportMetric(float64(used)/float64(b.N), unit)
}
