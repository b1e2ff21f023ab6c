package channels_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
// counted. redis/instances=2 runs two workers, each with its own client
// and concurrency 8, as two processes would; they split the inbox once their
// member slots are renewed (a third of the 3s visibility it uses).
func BenchmarkWorker(b *testing.B) {
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("bolt/concurrency=%d", conc), func(b *testing.B) {
			s, err := bolt.Open(filepath.Join(b.TempDir(), "intake.db"))
			if err != nil {
				b.Fatalf("bolt.Open = %v", err)
			}
			b.Cleanup(func() { _ = s.Close() })
			benchWorker(b, []store.Store{s}, s, benchSetup{conc, time.Minute, false}, "commits/msg", s.Commits)
		})
		b.Run(fmt.Sprintf("redis/concurrency=%d", conc), func(b *testing.B) {
			s, prefix := openRedis(b, "")
			watch, _ := openRedis(b, prefix) // its requests are not counted
			benchWorker(b, []store.Store{s}, watch, benchSetup{conc, time.Minute, false}, "roundtrips/msg", s.RoundTrips)
		})
	}
	// Messages shaped as mail: a sender window (thread_window) and the
	// keys of a Message-ID and the mail it answers, so threading reads the
	// sender's window generations as well as the message's keys.
	b.Run("redis/mail/concurrency=8", func(b *testing.B) {
		s, prefix := openRedis(b, "")
		watch, _ := openRedis(b, prefix)
		benchWorker(b, []store.Store{s}, watch, benchSetup{8, time.Minute, true}, "roundtrips/msg", s.RoundTrips)
	})
	b.Run("redis/instances=2", func(b *testing.B) {
		s1, prefix := openRedis(b, "")
		s2, _ := openRedis(b, prefix)
		watch, _ := openRedis(b, prefix)
		trips := func() uint64 { return s1.RoundTrips() + s2.RoundTrips() }
		benchWorker(b, []store.Store{s1, s2}, watch, benchSetup{8, 3 * time.Second, false}, "roundtrips/msg", trips)
	})
}

// benchSetup is how each worker of a benchmark runs.
type benchSetup struct {
	concurrency int
	visibility  time.Duration
	// mail shapes the messages as mail (see BenchmarkWorker).
	mail bool
}

// benchWorker runs one worker per store (clients of one backend, as
// processes), watching the inbox drain through watch (another client on a
// server, so that watching costs the workers nothing).
func benchWorker(b *testing.B, stores []store.Store, watch store.Store, setup benchSetup, unit string, count func() uint64) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var workers []*channels.Worker
	for i, s := range stores {
		workers = append(workers, &channels.Worker{Store: s, LevelOne: timedBot, Humans: deskStub{}, Logger: quietLogger(),
			Visibility: setup.visibility, Concurrency: setup.concurrency, Holder: fmt.Sprintf("bench-%d", i)})
	} // the default poll: the inbox is full until the end
	inbox := workers[0].Inbox()
	incidents := (b.N + perIncident - 1) / perIncident
	n := 0
	for k := 0; k < perIncident; k++ {
		for i := 0; i < incidents && n < b.N; i++ {
			conv := fmt.Sprintf("conv-%d", i)
			msg := chantest.Message(fmt.Sprintf("m-%d-%d", i, k), fmt.Sprintf("cust-%d", i), conv, "the printer is down")
			if setup.mail {
				msg.Subject, msg.SenderWindow = "the printer", time.Hour
				msg.ThreadKeys = []intake.ThreadKey{intake.EmailThreadKey(fmt.Sprintf("m-%d-%d@x", i, k))}
				if k > 0 {
					msg.ThreadKeys = append(msg.ThreadKeys, intake.EmailThreadKey(fmt.Sprintf("m-%d-%d@x", i, k-1)))
				}
			}
			if err := inbox.Accept(ctx, msg); err != nil {
				b.Fatalf("Accept = %v", err)
			}
			n++
		}
	}
	before := count()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { _ = w.Run(ctx) })
	}
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
	wg.Wait()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(used)/float64(b.N), unit)
	if got, err := channels.OutboxLen(context.Background(), watch); err != nil || got != b.N {
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
