package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

var queueTests = []test{
	{"Queue/FIFO", testQueueFIFO},
	{"Queue/EnqueueIdempotent", testEnqueueIdempotent},
	{"Queue/Redelivery", testRedelivery},
	{"Queue/Nack", testNack},
	{"Queue/ConcurrentConsumers", testConcurrentConsumers},
}

func queueLen(t *testing.T, s store.Store, q string, want int) {
	t.Helper()
	if got, err := s.QueueLen(t.Context(), q); err != nil || got != want {
		t.Errorf("QueueLen(%q) = %d, %v, want %d, nil", q, got, err, want)
	}
}

func dequeue(t *testing.T, s store.Store, q string, vis time.Duration) store.Delivery {
	t.Helper()
	d, err := s.Dequeue(t.Context(), q, vis)
	if err != nil {
		t.Fatalf("Dequeue(%q) = %v, want a message", q, err)
	}
	return d
}

func empty(t *testing.T, s store.Store, q string) {
	t.Helper()
	if d, err := s.Dequeue(t.Context(), q, time.Minute); !errors.Is(err, store.ErrEmpty) {
		t.Errorf("Dequeue(%q) = %q, %v, want %v", q, d.ID, err, store.ErrEmpty)
	}
}

func testQueueFIFO(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	empty(t, a, "inbox")
	queueLen(t, a, "inbox", 0)
	ids := []string{"m-c", "m-a", "m-b", "m-10", "m-2"} // not in lexical order
	for _, id := range ids {
		if err := a.Enqueue(ctx, "inbox", id, []byte("payload "+id)); err != nil {
			t.Fatalf("Enqueue(%q, %q) = %v, want nil", "inbox", id, err)
		}
	}
	if err := a.Enqueue(ctx, "outbox", "r-1", []byte("reply")); err != nil {
		t.Fatalf("Enqueue(%q, %q) = %v, want nil", "outbox", "r-1", err)
	}
	queueLen(t, b, "inbox", len(ids))
	queueLen(t, b, "outbox", 1)
	tokens := map[string]bool{}
	var got []store.Delivery
	for _, want := range ids {
		d := dequeue(t, b, "inbox", time.Minute)
		if d.ID != want || string(d.Payload) != "payload "+want || d.Attempt != 1 {
			t.Errorf("Dequeue(%q) = %q %q attempt %d, want %q %q attempt 1", "inbox", d.ID, d.Payload, d.Attempt, want, "payload "+want)
		}
		if d.Token == "" || tokens[d.Token] {
			t.Errorf("Dequeue(%q) token = %q, want a fresh non-empty token", "inbox", d.Token)
		}
		tokens[d.Token] = true
		got = append(got, d)
	}
	empty(t, a, "inbox")
	queueLen(t, a, "inbox", len(ids)) // in flight still counts
	for i, d := range got {
		if err := a.Ack(ctx, "inbox", d); err != nil {
			t.Errorf("Ack(%q, %q) = %v, want nil", "inbox", d.ID, err)
		}
		queueLen(t, b, "inbox", len(ids)-i-1)
	}
	if err := a.Ack(ctx, "inbox", got[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ack(%q, %q) twice = %v, want %v", "inbox", got[0].ID, err, store.ErrNotFound)
	}
	queueLen(t, b, "outbox", 1)
	if d := dequeue(t, b, "outbox", time.Minute); d.ID != "r-1" {
		t.Errorf("Dequeue(%q) = %q, want %q", "outbox", d.ID, "r-1")
	}
}

func testEnqueueIdempotent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	for _, s := range []store.Store{a, b, a} {
		if err := s.Enqueue(ctx, "inbox", "m-1", []byte("first")); err != nil {
			t.Fatalf("Enqueue(%q, %q) = %v, want nil", "inbox", "m-1", err)
		}
	}
	if err := b.Enqueue(ctx, "inbox", "m-1", []byte("second")); err != nil {
		t.Fatalf("Enqueue(%q, %q) = %v, want nil", "inbox", "m-1", err)
	}
	queueLen(t, a, "inbox", 1)
	d := dequeue(t, a, "inbox", time.Minute)
	if d.ID != "m-1" || string(d.Payload) != "first" {
		t.Errorf("Dequeue(%q) = %q %q, want %q %q", "inbox", d.ID, d.Payload, "m-1", "first")
	}
	// In flight is still in the queue: enqueueing again does nothing.
	if err := b.Enqueue(ctx, "inbox", "m-1", []byte("third")); err != nil {
		t.Fatalf("Enqueue(%q, %q) in flight = %v, want nil", "inbox", "m-1", err)
	}
	queueLen(t, a, "inbox", 1)
	empty(t, b, "inbox")
	if err := b.Ack(ctx, "inbox", d); err != nil {
		t.Fatalf("Ack(%q, %q) = %v, want nil", "inbox", d.ID, err)
	}
	queueLen(t, a, "inbox", 0)
	// Once acked, the ID is no longer in the queue and can be used again.
	if err := b.Enqueue(ctx, "inbox", "m-1", []byte("fourth")); err != nil {
		t.Fatalf("Enqueue(%q, %q) after ack = %v, want nil", "inbox", "m-1", err)
	}
	queueLen(t, a, "inbox", 1)
	if d := dequeue(t, a, "inbox", time.Minute); string(d.Payload) != "fourth" || d.Attempt != 1 {
		t.Errorf("Dequeue(%q) = %q attempt %d, want %q attempt 1", "inbox", d.Payload, d.Attempt, "fourth")
	}
}

// testRedelivery kills a consumer between Dequeue and Ack: another consumer
// gets the message once the visibility timeout passes, and the dead one can
// no longer ack it.
func testRedelivery(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	if err := a.Enqueue(ctx, "outbox", "r-1", []byte("reply")); err != nil {
		t.Fatalf("Enqueue(%q, %q) = %v, want nil", "outbox", "r-1", err)
	}
	dead := dequeue(t, a, "outbox", time.Second)
	taken := time.Now()
	empty(t, b, "outbox")
	var again store.Delivery
	var err error
	if !eventually(ctx, 3*time.Second, func() bool {
		again, err = b.Dequeue(ctx, "outbox", time.Minute)
		if err != nil && !errors.Is(err, store.ErrEmpty) {
			t.Fatalf("Dequeue(%q) = %v, want a message or %v", "outbox", err, store.ErrEmpty)
		}
		return err == nil
	}) {
		t.Fatalf("Dequeue(%q) 3s after a 1s visibility timeout = %v, want the message again", "outbox", err)
	}
	if d := time.Since(taken); d < 900*time.Millisecond {
		t.Errorf("Dequeue(%q) redelivered after %v, want no redelivery before the 1s visibility timeout", "outbox", d)
	}
	if again.ID != "r-1" || string(again.Payload) != "reply" || again.Attempt != 2 {
		t.Errorf("Dequeue(%q) = %q %q attempt %d, want %q %q attempt 2", "outbox", again.ID, again.Payload, again.Attempt, "r-1", "reply")
	}
	if again.Token == dead.Token {
		t.Errorf("Dequeue(%q) redelivery token = %q, want a new token", "outbox", again.Token)
	}
	if err := a.Ack(ctx, "outbox", dead); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ack(%q, %q) with the first token after redelivery = %v, want %v", "outbox", dead.ID, err, store.ErrNotFound)
	}
	if err := a.Nack(ctx, "outbox", dead, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Nack(%q, %q) with the first token after redelivery = %v, want %v", "outbox", dead.ID, err, store.ErrNotFound)
	}
	queueLen(t, a, "outbox", 1)
	if err := b.Ack(ctx, "outbox", again); err != nil {
		t.Errorf("Ack(%q, %q) = %v, want nil", "outbox", again.ID, err)
	}
	queueLen(t, a, "outbox", 0)
	empty(t, a, "outbox")
}

func testNack(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	for _, id := range []string{"r-1", "r-2"} {
		if err := a.Enqueue(ctx, "outbox", id, []byte(id)); err != nil {
			t.Fatalf("Enqueue(%q, %q) = %v, want nil", "outbox", id, err)
		}
	}
	// Nack without delay: ready again at once.
	d := dequeue(t, a, "outbox", time.Minute)
	if err := a.Nack(ctx, "outbox", d, 0); err != nil {
		t.Fatalf("Nack(%q, %q, 0) = %v, want nil", "outbox", d.ID, err)
	}
	if err := a.Ack(ctx, "outbox", d); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ack(%q, %q) after Nack = %v, want %v", "outbox", d.ID, err, store.ErrNotFound)
	}
	seen := map[string]int{}
	for range 2 {
		d := dequeue(t, b, "outbox", time.Minute)
		seen[d.ID] = d.Attempt
		// Nack with a delay: not ready until it passes.
		if err := b.Nack(ctx, "outbox", d, time.Second); err != nil {
			t.Fatalf("Nack(%q, %q, 1s) = %v, want nil", "outbox", d.ID, err)
		}
	}
	if seen["r-1"] != 2 || seen["r-2"] != 1 {
		t.Errorf("Dequeue(%q) attempts = %v, want r-1:2 r-2:1", "outbox", seen)
	}
	nacked := time.Now()
	empty(t, a, "outbox")
	queueLen(t, a, "outbox", 2)
	got := map[string]int{}
	if !eventually(ctx, 3*time.Second, func() bool {
		d, err := a.Dequeue(ctx, "outbox", time.Minute)
		if err == nil {
			got[d.ID] = d.Attempt
			if err := a.Ack(ctx, "outbox", d); err != nil {
				t.Errorf("Ack(%q, %q) = %v, want nil", "outbox", d.ID, err)
			}
		} else if !errors.Is(err, store.ErrEmpty) {
			t.Fatalf("Dequeue(%q) = %v, want a message or %v", "outbox", err, store.ErrEmpty)
		}
		return len(got) == 2
	}) {
		t.Fatalf("Dequeue(%q) 3s after Nack(1s) got %v, want both messages", "outbox", got)
	}
	if d := time.Since(nacked); d < 900*time.Millisecond {
		t.Errorf("Dequeue(%q) got nacked messages after %v, want them held for the 1s delay", "outbox", d)
	}
	if got["r-1"] != 3 || got["r-2"] != 2 {
		t.Errorf("Dequeue(%q) attempts after Nack = %v, want r-1:3 r-2:2", "outbox", got)
	}
	queueLen(t, b, "outbox", 0)
}

// testConcurrentConsumers drains a queue with consumers on both handles:
// every message is delivered to exactly one of them.
func testConcurrentConsumers(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	const n, consumers = 60, 8
	enqueueN(t, a, "inbox", n)
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for c := range consumers {
		s := []store.Store{a, b}[c%2]
		wg.Go(func() {
			for {
				d, err := s.Dequeue(ctx, "inbox", time.Minute)
				if errors.Is(err, store.ErrEmpty) {
					return
				}
				if err != nil {
					t.Errorf("Dequeue(%q) = %v, want nil", "inbox", err)
					return
				}
				mu.Lock()
				got[d.ID]++
				mu.Unlock()
				if err := s.Ack(ctx, "inbox", d); err != nil {
					t.Errorf("Ack(%q, %q) = %v, want nil", "inbox", d.ID, err)
				}
			}
		})
	}
	wg.Wait()
	deliveredOnce(t, got, n)
	queueLen(t, a, "inbox", 0)
}

// enqueueN adds n messages m-000, m-001... to queue, in order, without payloads.
func enqueueN(t *testing.T, s store.Store, queue string, n int) {
	t.Helper()
	for i := range n {
		if err := s.Enqueue(t.Context(), queue, keyN("m", i), nil); err != nil {
			t.Fatalf("Enqueue(%q, %q) = %v, want nil", queue, keyN("m", i), err)
		}
	}
}

// deliveredOnce checks that got counts each of the messages m-000... of
// enqueueN(n) exactly once.
func deliveredOnce(t *testing.T, got map[string]int, n int) {
	t.Helper()
	for i := range n {
		if c := got[keyN("m", i)]; c != 1 {
			t.Errorf("message %q delivered %d times, want 1", keyN("m", i), c)
		}
	}
}
