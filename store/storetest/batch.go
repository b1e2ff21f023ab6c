package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

var batchTests = []test{
	{"Queue/EnqueueBatchOrder", testEnqueueBatchOrder},
	{"Queue/EnqueueBatchSkipsQueuedIDs", testEnqueueBatchSkipsQueued},
	{"Queue/EnqueueBatchFailsWhole", testEnqueueBatchFailsWhole},
}

func batchOf(ids ...string) []store.Queued {
	out := make([]store.Queued, len(ids))
	for i, id := range ids {
		out[i] = store.Queued{ID: id, Payload: []byte("payload " + id)}
	}
	return out
}

// dequeueAll takes every ready message and returns their IDs in order.
func dequeueAll(t *testing.T, s store.Store, q string) []string {
	t.Helper()
	var ids []string
	for {
		d, err := s.Dequeue(t.Context(), q, time.Minute)
		if err != nil {
			return ids
		}
		if string(d.Payload) != "payload "+d.ID || d.Attempt != 1 {
			t.Errorf("Dequeue(%q) = %q %q attempt %d, want payload %q attempt 1", q, d.ID, d.Payload, d.Attempt, "payload "+d.ID)
		}
		ids = append(ids, d.ID)
	}
}

// A batch keeps its order, between the messages enqueued before and after
// it, and the other handle sees it.
func testEnqueueBatchOrder(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	if err := a.EnqueueBatch(ctx, "inbox", nil); err != nil {
		t.Fatalf("EnqueueBatch(%q, nil) = %v, want nil", "inbox", err)
	}
	queueLen(t, b, "inbox", 0)
	if err := a.Enqueue(ctx, "inbox", "m-first", []byte("payload m-first")); err != nil {
		t.Fatal(err)
	}
	batch := batchOf("m-c", "m-a", "m-10", "m-2", "m-b") // not in lexical order
	if err := a.EnqueueBatch(ctx, "inbox", batch); err != nil {
		t.Fatalf("EnqueueBatch(%q, 5 messages) = %v, want nil", "inbox", err)
	}
	if err := b.Enqueue(ctx, "inbox", "m-last", []byte("payload m-last")); err != nil {
		t.Fatal(err)
	}
	queueLen(t, b, "inbox", 7)
	want := fmt.Sprint([]string{"m-first", "m-c", "m-a", "m-10", "m-2", "m-b", "m-last"})
	if got := fmt.Sprint(dequeueAll(t, b, "inbox")); got != want {
		t.Errorf("dequeued %s, want %s", got, want)
	}
}

// An ID already queued, pending or in flight, or repeated in the batch is
// added once, with its first payload.
func testEnqueueBatchSkipsQueued(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	for _, id := range []string{"m-flight", "m-pending"} {
		if err := a.Enqueue(ctx, "inbox", id, []byte("payload "+id)); err != nil {
			t.Fatal(err)
		}
	}
	if d := dequeue(t, a, "inbox", time.Hour); d.ID != "m-flight" {
		t.Fatalf("Dequeue(%q) = %q, want %q", "inbox", d.ID, "m-flight")
	}
	batch := batchOf("m-new", "m-pending", "m-flight", "m-new", "m-other")
	batch[3].Payload = []byte("second payload")
	batch[1].Payload = []byte("replaced?")
	batch[2].Payload = []byte("replaced?")
	if err := b.EnqueueBatch(ctx, "inbox", batch); err != nil {
		t.Fatalf("EnqueueBatch(%q) = %v, want nil", "inbox", err)
	}
	queueLen(t, a, "inbox", 4)
	want := fmt.Sprint([]string{"m-pending", "m-new", "m-other"})
	if got := fmt.Sprint(dequeueAll(t, a, "inbox")); got != want {
		t.Errorf("dequeued %s, want %s", got, want)
	}
}

// A batch that fails adds nothing.
func testEnqueueBatchFailsWhole(t *testing.T, f Factory) {
	a, b := f(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := a.EnqueueBatch(ctx, "inbox", batchOf("m-1", "m-2")); err == nil {
		t.Fatalf("EnqueueBatch(cancelled context) = nil, want an error")
	}
	queueLen(t, b, "inbox", 0)
}
