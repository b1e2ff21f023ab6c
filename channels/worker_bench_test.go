package channels_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
	"github.com/intake-support/intake/store/redis"
)

// perIncident is how many messages each incident of the benchmark gets: the
// first opens it, the others thread to it.
const perIncident = 3

// timedBot answers every message once and keeps one timer per incident, as
// Level I does while it waits for an answer: the first message schedules it,
// the next replaces it.
var timedBot = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	due := time.Now().Add(time.Hour)
	return intake.Outcome{
		Replies: []intake.Reply{{Text: fmt.Sprintf("%s: got it", inc.ID), Auto: true}},
		Timers:  []intake.TimerRequest{{Key: intake.TimerKey("triage", inc.ID), Due: due, Event: intake.EventAnswerExpired}},
	}, nil
})

// BenchmarkWorker handles b.N messages (perIncident per incident, the
// incidents interleaved in the inbox) with a worker over a real store, and
// reports messages per second and what one message costs the store: commits
// (each an fsync) on bolt, requests on Redis. Queueing the messages is not
// counted.
func BenchmarkWorker(b *testing.B) {
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("bolt/concurrency=%d", conc), func(b *testing.B) {
			s, err := bolt.Open(filepath.Join(b.TempDir(), "intake.db"))
			if err != nil {
				b.Fatalf("bolt.Open = %v", err)
			}
			b.Cleanup(func() { _ = s.Close() })
			benchWorker(b, s, s, conc, "commits/msg", s.Commits)
		})
		b.Run(fmt.Sprintf("redis/concurrency=%d", conc), func(b *testing.B) {
			s, prefix := openRedis(b, "")
			watch, _ := openRedis(b, prefix) // its requests are not counted
			benchWorker(b, s, watch, conc, "roundtrips/msg", s.RoundTrips)
		})
	}
}

// benchWorker runs the benchmark on s, watching the inbox drain through
// watch (a second client on a server, so that watching costs s nothing).
func benchWorker(b *testing.B, s, watch store.Store, concurrency int, unit string, count func() uint64) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &channels.Worker{Store: s, LevelOne: timedBot, Humans: deskStub{}, Logger: quietLogger(),
		Visibility: time.Minute, Concurrency: concurrency} // the default poll: the inbox is full until the end
	inbox := w.Inbox()
	incidents := (b.N + perIncident - 1) / perIncident
	n := 0
	for k := 0; k < perIncident; k++ {
		for i := 0; i < incidents && n < b.N; i++ {
			conv := fmt.Sprintf("conv-%d", i)
			msg := chantest.Message(fmt.Sprintf("m-%d-%d", i, k), fmt.Sprintf("cust-%d", i), conv, "the printer is down")
			if err := inbox.Accept(ctx, msg); err != nil {
				b.Fatalf("Accept = %v", err)
			}
			n++
		}
	}
	before := count()
	b.ResetTimer()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	for {
		left, err := channels.InboxLen(ctx, watch)
		if err != nil {
			b.Fatalf("inbox length = %v", err)
		}
		if left == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	used := count() - before
	cancel()
	<-done
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(used)/float64(b.N), unit)
	if got, err := s.QueueLen(context.Background(), channels.OutboxQueue); err != nil || got != b.N {
		b.Fatalf("outbox holds %d replies (%v), want %d", got, err, b.N)
	}
}

// openRedis opens a store on prefix of the test Redis (INTAKE_TEST_REDIS,
// else database 15 on the local port), a fresh prefix when empty, and
// deletes its keys afterwards; without a Redis it skips, or fails under
// CI=true. It returns the prefix, for a second client on the same keys.
func openRedis(b testing.TB, prefix string) (*redis.Store, string) {
	b.Helper()
	base := os.Getenv("INTAKE_TEST_REDIS")
	if base == "" {
		base = "redis://127.0.0.1:6379/15"
	}
	if prefix == "" {
		prefix = "intaketest:" + strings.ToLower(rand.Text()[:12]) + ":"
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	s, err := redis.Open(context.Background(), base+sep+"prefix="+prefix)
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("Redis needed under CI=true: %v", err)
		}
		b.Skipf("no Redis answers (set INTAKE_TEST_REDIS): %v", err)
	}
	b.Cleanup(func() {
		_ = s.DeleteAll(context.Background())
		_ = s.Close()
	})
	return s, prefix
}
