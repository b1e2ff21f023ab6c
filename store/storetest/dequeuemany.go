package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

var dequeueManyTests = []test{
	{"Queue/DequeueManyOrder", testDequeueManyOrder},
	{"Queue/DequeueManySettlesEach", testDequeueManySettlesEach},
	{"Queue/DequeueManyVisibility", testDequeueManyVisibility},
	{"Queue/NackWithoutDelayKeepsPlace", testNackKeepsPlace},
	{"Queue/DequeueManyConcurrentConsumers", testDequeueManyConcurrent},
}

// dequeueMany takes up to max messages of q and fails the test on an error.
func dequeueMany(t *testing.T, s store.Store, q string, vis time.Duration, max int) []store.Delivery {
	t.Helper()
	ds, err := s.DequeueMany(t.Context(), q, vis, max)
	if err != nil {
		t.Fatalf("DequeueMany(%q, %d) = %v, want messages", q, max, err)
	}
	return ds
}

func idsOf(ds []store.Delivery) []string {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}

func enqueueIDs(t *testing.T, s store.Store, q string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := s.Enqueue(t.Context(), q, id, []byte("payload "+id)); err != nil {
			t.Fatalf("Enqueue(%q, %q) = %v, want nil", q, id, err)
		}
	}
}

// A batch is the oldest ready messages in order, no more than asked for,
// each a first delivery under its own token; what is in flight is skipped.
func testDequeueManyOrder(t *testing.T, f Factory) {
	a, b := f(t)
	if ds, err := a.DequeueMany(t.Context(), "inbox", time.Minute, 4); !errors.Is(err, store.ErrEmpty) {
		t.Errorf("DequeueMany(%q) of a queue never written = %v, %v, want %v", "inbox", idsOf(ds), err, store.ErrEmpty)
	}
	ids := []string{"m-c", "m-a", "m-b", "m-10", "m-2", "m-z"} // not in lexical order
	enqueueIDs(t, a, "inbox", ids...)
	for _, max := range []int{0, -1} {
		if ds, err := b.DequeueMany(t.Context(), "inbox", time.Minute, max); err == nil {
			t.Errorf("DequeueMany(%q, max %d) = %v, nil, want an error", "inbox", max, idsOf(ds))
		}
	}
	first := dequeueMany(t, b, "inbox", time.Minute, 4)
	second := dequeueMany(t, a, "inbox", time.Minute, 4)
	if got := idsOf(first); !slices.Equal(got, ids[:4]) {
		t.Errorf("DequeueMany(%q, 4) = %v, want %v", "inbox", got, ids[:4])
	}
	if got := idsOf(second); !slices.Equal(got, ids[4:]) {
		t.Errorf("DequeueMany(%q, 4) after 4 were taken = %v, want %v", "inbox", got, ids[4:])
	}
	tokens := map[string]bool{}
	for _, d := range append(first, second...) {
		if string(d.Payload) != "payload "+d.ID || d.Attempt != 1 {
			t.Errorf("DequeueMany(%q) gave %q %q attempt %d, want payload %q attempt 1", "inbox", d.ID, d.Payload, d.Attempt, "payload "+d.ID)
		}
		if d.Token == "" || tokens[d.Token] {
			t.Errorf("DequeueMany(%q) gave %q token %q, want a fresh non-empty token of its own", "inbox", d.ID, d.Token)
		}
		tokens[d.Token] = true
	}
	if ds, err := a.DequeueMany(t.Context(), "inbox", time.Minute, 4); !errors.Is(err, store.ErrEmpty) {
		t.Errorf("DequeueMany(%q) with every message in flight = %v, %v, want %v", "inbox", idsOf(ds), err, store.ErrEmpty)
	}
	queueLen(t, a, "inbox", len(ids))
	// One is enough to ask for, and Dequeue sees what DequeueMany left.
	enqueueIDs(t, a, "inbox", "m-last", "m-after")
	if got := idsOf(dequeueMany(t, b, "inbox", time.Minute, 1)); !slices.Equal(got, []string{"m-last"}) {
		t.Errorf("DequeueMany(%q, 1) = %v, want [m-last]", "inbox", got)
	}
	if d := dequeue(t, a, "inbox", time.Minute); d.ID != "m-after" {
		t.Errorf("Dequeue(%q) after DequeueMany = %q, want %q", "inbox", d.ID, "m-after")
	}
}

// Each message of a batch is acked or nacked by its own token, and only by
// it.
func testDequeueManySettlesEach(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	enqueueIDs(t, a, "outbox", "r-1", "r-2", "r-3", "r-4")
	ds := dequeueMany(t, b, "outbox", time.Minute, 4)
	if len(ds) != 4 {
		t.Fatalf("DequeueMany(%q, 4) = %v, want 4 messages", "outbox", idsOf(ds))
	}
	swapped := ds[0]
	swapped.Token = ds[1].Token
	if err := a.Ack(ctx, "outbox", swapped); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ack(%q) with the token of %q = %v, want %v", swapped.ID, ds[1].ID, err, store.ErrNotFound)
	}
	if err := a.Ack(ctx, "outbox", ds[0]); err != nil {
		t.Errorf("Ack(%q) = %v, want nil", ds[0].ID, err)
	}
	if err := b.Ack(ctx, "outbox", ds[2]); err != nil {
		t.Errorf("Ack(%q) = %v, want nil", ds[2].ID, err)
	}
	if err := a.Nack(ctx, "outbox", ds[3], time.Hour); err != nil {
		t.Errorf("Nack(%q, 1h) = %v, want nil", ds[3].ID, err)
	}
	if err := b.Nack(ctx, "outbox", ds[1], 0); err != nil {
		t.Errorf("Nack(%q, 0) = %v, want nil", ds[1].ID, err)
	}
	if err := a.Ack(ctx, "outbox", ds[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ack(%q) twice = %v, want %v", ds[0].ID, err, store.ErrNotFound)
	}
	if err := a.Ack(ctx, "outbox", ds[1]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ack(%q) after its Nack = %v, want %v", ds[1].ID, err, store.ErrNotFound)
	}
	queueLen(t, a, "outbox", 2)
	again := dequeueMany(t, a, "outbox", time.Minute, 4)
	if len(again) != 1 || again[0].ID != "r-2" || again[0].Attempt != 2 {
		t.Errorf("DequeueMany(%q, 4) after the batch was settled = %v, want r-2 alone, attempt 2 (r-4 waits its hour)", "outbox", again)
	}
}

// A batch stays hidden from every consumer until its visibility timeout,
// then comes back whole, in order, as second attempts under new tokens;
// the old tokens no longer settle it.
func testDequeueManyVisibility(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	enqueueIDs(t, a, "outbox", "r-1", "r-2", "r-3")
	dead := dequeueMany(t, a, "outbox", time.Second, 2)
	taken := time.Now()
	if got := idsOf(dead); !slices.Equal(got, []string{"r-1", "r-2"}) {
		t.Fatalf("DequeueMany(%q, 2) = %v, want [r-1 r-2]", "outbox", got)
	}
	rest := dequeueMany(t, b, "outbox", time.Minute, 5)
	if got := idsOf(rest); !slices.Equal(got, []string{"r-3"}) {
		t.Errorf("DequeueMany(%q, 5) while r-1 and r-2 are in flight = %v, want [r-3]", "outbox", got)
	}
	var again []store.Delivery
	if !eventually(ctx, 3*time.Second, func() bool {
		ds, err := b.DequeueMany(ctx, "outbox", time.Minute, 5)
		if err != nil && !errors.Is(err, store.ErrEmpty) {
			t.Fatalf("DequeueMany(%q) = %v, want messages or %v", "outbox", err, store.ErrEmpty)
		}
		again = append(again, ds...)
		return len(again) >= 2
	}) {
		t.Fatalf("DequeueMany(%q) 3s after a 1s visibility timeout got %v, want r-1 and r-2 again", "outbox", idsOf(again))
	}
	if d := time.Since(taken); d < 900*time.Millisecond {
		t.Errorf("DequeueMany(%q) redelivered after %v, want no redelivery before the 1s visibility timeout", "outbox", d)
	}
	if got := idsOf(again); !slices.Equal(got, []string{"r-1", "r-2"}) {
		t.Fatalf("redelivered %v, want [r-1 r-2]", got)
	}
	for i, d := range again {
		if d.Attempt != 2 || string(d.Payload) != "payload "+d.ID || d.Token == dead[i].Token {
			t.Errorf("redelivery of %q: attempt %d payload %q token %q, want attempt 2, its payload, a new token", d.ID, d.Attempt, d.Payload, d.Token)
		}
		if err := a.Ack(ctx, "outbox", dead[i]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Ack(%q) with the first token after redelivery = %v, want %v", d.ID, err, store.ErrNotFound)
		}
		if err := a.Nack(ctx, "outbox", dead[i], 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Nack(%q) with the first token after redelivery = %v, want %v", d.ID, err, store.ErrNotFound)
		}
	}
	for _, d := range append(again, rest...) {
		if err := b.Ack(ctx, "outbox", d); err != nil {
			t.Errorf("Ack(%q) = %v, want nil", d.ID, err)
		}
	}
	queueLen(t, a, "outbox", 0)
}

// A consumer that gives back, with Nack and no delay, messages of a batch it
// did not handle (in any order) finds them again in their old places, ahead
// of the messages queued after them, before and after a restart.
func testNackKeepsPlace(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	enqueueIDs(t, a, "inbox", "m-1", "m-2", "m-3", "m-4")
	ds := dequeueMany(t, a, "inbox", time.Minute, 4)
	if len(ds) != 4 {
		t.Fatalf("DequeueMany(%q, 4) = %v, want 4 messages", "inbox", idsOf(ds))
	}
	if err := a.Ack(ctx, "inbox", ds[0]); err != nil {
		t.Fatalf("Ack(%q) = %v, want nil", ds[0].ID, err)
	}
	enqueueIDs(t, b, "inbox", "m-5")
	time.Sleep(10 * time.Millisecond) // the give-back comes measurably later than m-5
	for _, d := range []store.Delivery{ds[3], ds[1], ds[2]} {
		if err := a.Nack(ctx, "inbox", d, 0); err != nil {
			t.Fatalf("Nack(%q, 0) = %v, want nil", d.ID, err)
		}
	}
	enqueueIDs(t, b, "inbox", "m-6")
	got := dequeueMany(t, b, "inbox", time.Minute, 10)
	if ids := idsOf(got); !slices.Equal(ids, []string{"m-2", "m-3", "m-4", "m-5", "m-6"}) {
		t.Errorf("DequeueMany(%q) after m-2..m-4 were given back = %v, want [m-2 m-3 m-4 m-5 m-6]", "inbox", ids)
	}
	for _, d := range got {
		want := 2
		if d.ID >= "m-5" {
			want = 1
		}
		if d.Attempt != want {
			t.Errorf("%s: attempt %d, want %d", d.ID, d.Attempt, want)
		}
	}
}

// Consumers on both handles taking batches of different sizes get every
// message exactly once, each batch in queue order.
func testDequeueManyConcurrent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	const n, consumers = 120, 8
	enqueueN(t, a, "inbox", n)
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for c := range consumers {
		s := []store.Store{a, b}[c%2]
		max := 1 + c%5
		wg.Go(func() {
			for {
				ds, err := s.DequeueMany(ctx, "inbox", time.Minute, max)
				if errors.Is(err, store.ErrEmpty) {
					return
				}
				if err != nil {
					t.Errorf("DequeueMany(%q, %d) = %v, want nil", "inbox", max, err)
					return
				}
				ids := idsOf(ds)
				if len(ds) > max || !slices.IsSorted(ids) {
					t.Errorf("DequeueMany(%q, %d) = %v, want at most %d in queue order", "inbox", max, ids, max)
				}
				mu.Lock()
				for _, id := range ids {
					got[id]++
				}
				mu.Unlock()
				for _, d := range ds {
					if err := s.Ack(ctx, "inbox", d); err != nil {
						t.Errorf("Ack(%q, %q) = %v, want nil", "inbox", d.ID, err)
					}
				}
			}
		})
	}
	wg.Wait()
	deliveredOnce(t, got, n)
	queueLen(t, a, "inbox", 0)
}

// testRestartTakesBackBatch: what a killed process had taken in a batch, and
// what it had given back, comes back at once, in queue order, ahead of what
// it never took.
func testRestartTakesBackBatch(t *testing.T, f Factory, restart Restarter) {
	a, _ := f(t)
	ids := []string{"m-1", "m-2", "m-3", "m-4", "m-5"}
	enqueueIDs(t, a, "inbox", ids...)
	ds := dequeueMany(t, a, "inbox", time.Hour, 3)
	if len(ds) != 3 {
		t.Fatalf("DequeueMany(%q, 3) = %v, want 3 messages", "inbox", idsOf(ds))
	}
	if err := a.Nack(t.Context(), "inbox", ds[2], 0); err != nil {
		t.Fatalf("Nack(%q, 0) = %v, want nil", ds[2].ID, err)
	}
	a = restart(t, a)
	got := dequeueMany(t, a, "inbox", time.Hour, 10)
	if g := idsOf(got); !slices.Equal(g, ids) {
		t.Errorf("DequeueMany(%q) after restart = %v, want %v at once", "inbox", g, ids)
	}
	var attempts []string
	for _, d := range got {
		attempts = append(attempts, fmt.Sprintf("%s:%d", d.ID, d.Attempt))
	}
	if want := []string{"m-1:2", "m-2:2", "m-3:2", "m-4:1", "m-5:1"}; !slices.Equal(attempts, want) {
		t.Errorf("attempts after restart = %v, want %v", attempts, want)
	}
}
