package storetest

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Bench measures the store operations the spine uses on every message, each
// as a sub-benchmark on a fresh backend, reporting ops/s.
func Bench(b *testing.B, f Factory) {
	benches := []struct {
		name string
		fn   func(b *testing.B, s store.Store)
	}{
		{"CreateIncident", benchCreate},
		{"CreateIncidentConcurrent", benchCreateConcurrent},
		{"GetIncident", benchGet},
		{"UpdateIncident", benchUpdate},
		{"LookupThread", benchLookup},
		{"MarkSeen", benchMarkSeen},
		{"EnqueueDequeueAck", benchQueue},
		{"ScheduleDueTimers", benchTimers},
	}
	for _, bc := range benches {
		b.Run(bc.name, func(b *testing.B) {
			s, _ := f(b)
			b.ReportAllocs()
			b.ResetTimer()
			bc.fn(b, s)
			b.StopTimer()
			if sec := b.Elapsed().Seconds(); sec > 0 {
				b.ReportMetric(float64(b.N)/sec, "ops/s")
			}
		})
	}
}

func benchCreate(b *testing.B, s store.Store) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		id := intake.FormatIncidentID(uint64(i + 1))
		inc := newIncident(id, intake.StatusNew, "", base.Add(time.Duration(i)*time.Second))
		if err := s.CreateIncident(ctx, inc, []intake.ThreadKey{intake.EmailThreadKey(fmt.Sprint(i)), intake.TokenThreadKey(id)}); err != nil {
			b.Fatalf("CreateIncident(%q) = %v, want nil", id, err)
		}
	}
}

// benchCreateConcurrent creates incidents from 16 goroutines, as an SMTP
// burst or parallel Slack events do.
func benchCreateConcurrent(b *testing.B, s store.Store) {
	ctx := context.Background()
	var next atomic.Uint64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			id := intake.FormatIncidentID(n)
			inc := newIncident(id, intake.StatusNew, "", base.Add(time.Duration(n)*time.Second))
			if err := s.CreateIncident(ctx, inc, []intake.ThreadKey{intake.EmailThreadKey(fmt.Sprint(n)), intake.TokenThreadKey(id)}); err != nil {
				b.Errorf("CreateIncident(%q) = %v, want nil", id, err)
				return
			}
		}
	})
}

// seeded creates one incident outside the timer and returns it.
func seeded(b *testing.B, s store.Store) *intake.Incident {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	inc := newIncident("INC-000001", intake.StatusTriage, "", base)
	if err := s.CreateIncident(context.Background(), inc, []intake.ThreadKey{"email:bench"}); err != nil {
		b.Fatalf("CreateIncident(%q) = %v, want nil", inc.ID, err)
	}
	return inc
}

func benchGet(b *testing.B, s store.Store) {
	inc := seeded(b, s)
	for i := 0; i < b.N; i++ {
		if _, err := s.GetIncident(context.Background(), inc.ID); err != nil {
			b.Fatalf("GetIncident(%q) = %v, want nil", inc.ID, err)
		}
	}
}

func benchUpdate(b *testing.B, s store.Store) {
	inc := seeded(b, s)
	for i := 0; i < b.N; i++ {
		inc.Subject = fmt.Sprint("subject ", i)
		if err := s.UpdateIncident(context.Background(), inc, nil); err != nil {
			b.Fatalf("UpdateIncident(%q) = %v, want nil", inc.ID, err)
		}
	}
}

func benchLookup(b *testing.B, s store.Store) {
	seeded(b, s)
	for i := 0; i < b.N; i++ {
		if _, err := s.LookupThread(context.Background(), "email:bench"); err != nil {
			b.Fatalf("LookupThread(%q) = %v, want nil", "email:bench", err)
		}
	}
}

func benchMarkSeen(b *testing.B, s store.Store) {
	for i := 0; i < b.N; i++ {
		key := fmt.Sprint("msg:bench:", i)
		if ok, err := s.MarkSeen(context.Background(), key, time.Hour); err != nil || !ok {
			b.Fatalf("MarkSeen(%q) = %v, %v, want true, nil", key, ok, err)
		}
	}
}

// benchQueue counts one enqueue, dequeue and ack as one op.
func benchQueue(b *testing.B, s store.Store) {
	ctx := context.Background()
	payload := make([]byte, 512)
	for i := 0; i < b.N; i++ {
		id := fmt.Sprint("m-", i)
		if err := s.Enqueue(ctx, "bench", id, payload); err != nil {
			b.Fatalf("Enqueue(%q) = %v, want nil", id, err)
		}
		d, err := s.Dequeue(ctx, "bench", time.Minute)
		if err != nil {
			b.Fatalf("Dequeue(%q) = %v, want nil", "bench", err)
		}
		if err := s.Ack(ctx, "bench", d); err != nil {
			b.Fatalf("Ack(%q) = %v, want nil", d.ID, err)
		}
	}
}

// benchTimers counts one schedule and one DueTimers that fires it as one op.
func benchTimers(b *testing.B, s store.Store) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		tm := store.Timer{ID: fmt.Sprint("t-", i), Due: base, Payload: []byte("sla")}
		if err := s.Schedule(ctx, tm); err != nil {
			b.Fatalf("Schedule(%q) = %v, want nil", tm.ID, err)
		}
		got, err := s.DueTimers(ctx, base, 1)
		if err != nil || len(got) != 1 {
			b.Fatalf("DueTimers() = %d timers, %v, want 1, nil", len(got), err)
		}
	}
}
