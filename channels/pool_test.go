package channels

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

// drainTest is one drain of shard 0 of a queue holding n messages m-01...,
// over the embedded store, with a deliver that acks each message unless
// step, called first, says it did something else with it.
type drainTest struct {
	t      *testing.T
	s      *bolt.Store
	p      *pool
	ctx    context.Context
	cancel context.CancelFunc
	// delivered lists the IDs deliver was called with, in order.
	delivered []string
}

func newDrainTest(t *testing.T, n int, step func(dt *drainTest, d store.Delivery) (handled, ok bool)) *drainTest {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatalf("bolt.Open = %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	dt := &drainTest{t: t, s: s}
	dt.ctx, dt.cancel = context.WithCancel(context.Background())
	t.Cleanup(dt.cancel)
	for i := range n {
		id := fmt.Sprintf("m-%02d", i+1)
		if err := s.Enqueue(dt.ctx, dt.queue(), id, nil); err != nil {
			t.Fatalf("Enqueue(%q) = %v", id, err)
		}
	}
	deliver := func(ctx context.Context, queue string, d store.Delivery) bool {
		dt.delivered = append(dt.delivered, d.ID)
		if handled, ok := step(dt, d); handled {
			return ok
		}
		if err := s.Ack(ctx, queue, d); err != nil {
			t.Errorf("Ack(%q) = %v", d.ID, err)
		}
		return true
	}
	dt.p = newPool(shardQueues{name: "q", shard: func(i int) string { return fmt.Sprintf("q.%d", i) }, store: s,
		holder: "me", logger: slog.New(slog.NewTextHandler(io.Discard, nil)), visibility: time.Minute, poll: time.Hour,
		concurrency: 1, deliver: deliver})
	dt.p.mine[0] = true
	return dt
}

func (dt *drainTest) queue() string { return "q.0" }

// ready takes every ready message of the shard and returns their IDs and
// attempts.
func (dt *drainTest) ready() []string {
	ds, err := dt.s.DequeueMany(context.Background(), dt.queue(), time.Minute, 100)
	if errors.Is(err, store.ErrEmpty) {
		return nil
	}
	if err != nil {
		dt.t.Fatalf("DequeueMany = %v", err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s:%d", d.ID, d.Attempt))
	}
	return out
}

// leaseFree reports whether another holder can take the shard's lease.
func (dt *drainTest) leaseFree() bool {
	err := dt.s.AcquireLease(context.Background(), dt.p.shardLease(0), "other", time.Minute)
	if err != nil && !errors.Is(err, store.ErrLeaseHeld) {
		dt.t.Fatalf("AcquireLease = %v", err)
	}
	return err == nil
}

func checkIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// A drain takes its shard's messages in batches and hands them over in
// order; a turn ends after shardBatch messages with the shard scheduled
// again, or as soon as a batch comes back short.
func TestDrainHandlesBatchesInOrder(t *testing.T) {
	dt := newDrainTest(t, shardBatch+3, func(*drainTest, store.Delivery) (bool, bool) { return false, false })
	before := dt.s.Commits()
	dt.p.drain(dt.ctx, 0)
	var want []string
	for i := range shardBatch {
		want = append(want, fmt.Sprintf("m-%02d", i+1))
	}
	checkIDs(t, "delivered in the first turn", dt.delivered, want)
	// One commit for the lease, one per dequeued batch and one per ack.
	if got, most := dt.s.Commits()-before, uint64(1+shardBatch/dequeueBatch+shardBatch); got > most {
		t.Errorf("the turn took %d commits, want at most %d", got, most)
	}
	if !dt.p.queued[0] {
		t.Errorf("shard not scheduled again after a full turn")
	}
	dt.delivered = nil
	dt.p.drain(dt.ctx, 0)
	checkIDs(t, "delivered in the second turn", dt.delivered, []string{"m-33", "m-34", "m-35"})
	if dt.p.queued[0] {
		t.Errorf("shard scheduled again after a short batch")
	}
}

// A message whose handling fails is retried later, as deliver decides; the
// rest of its batch goes on in order.
func TestDrainGoesOnAfterAFailure(t *testing.T) {
	dt := newDrainTest(t, 4, func(dt *drainTest, d store.Delivery) (bool, bool) {
		if d.ID != "m-02" {
			return false, false
		}
		if err := dt.s.Nack(dt.ctx, dt.queue(), d, time.Hour); err != nil {
			dt.t.Errorf("Nack = %v", err)
		}
		return true, true
	})
	dt.p.drain(dt.ctx, 0)
	checkIDs(t, "delivered", dt.delivered, []string{"m-01", "m-02", "m-03", "m-04"})
	checkIDs(t, "ready afterwards", dt.ready(), nil)
}

// When the drain must stop mid-batch, the messages of the batch not handled
// are ready again at once, in their places, not after their visibility
// timeout, ahead of what was queued since; the shard's lease is not kept
// past the pool's leave, unless a message is left in flight.
func TestDrainGivesBackWhatItDidNotHandle(t *testing.T) {
	tests := []struct {
		name string
		// stop runs while m-02 is handled; it reports whether deliver
		// returns false (m-02 left in flight by a shutdown).
		stop      func(dt *drainTest) (left bool)
		delivered []string
		ready     []string
		// leaseFree: after the drain and the pool's leave, another holder
		// has the shard's lease or can take it at once.
		leaseFree bool
	}{
		{"shutdown between messages", func(dt *drainTest) bool { dt.cancel(); return false },
			[]string{"m-01", "m-02"}, []string{"m-03:2", "m-04:2", "m-05:2", "m-06:1"}, true},
		{"shutdown leaves a message in flight", func(dt *drainTest) bool { dt.cancel(); return true },
			[]string{"m-01", "m-02"}, []string{"m-03:2", "m-04:2", "m-05:2", "m-06:1"}, false},
		{"shard reassigned", func(dt *drainTest) bool {
			dt.p.mu.Lock()
			dt.p.mine[0] = false
			dt.p.mu.Unlock()
			return false
		}, []string{"m-01", "m-02"}, []string{"m-03:2", "m-04:2", "m-05:2", "m-06:1"}, true},
		{"lease lost", func(dt *drainTest) bool {
			// Another instance took the lease; this one finds out at its
			// next renewal.
			if err := dt.s.ReleaseLease(dt.ctx, dt.p.shardLease(0), "me"); err != nil {
				dt.t.Fatal(err)
			}
			if !dt.leaseFree() {
				dt.t.Fatal("the shard lease could not be taken over")
			}
			dt.p.shards[0].renewed = time.Time{}
			return false
		}, []string{"m-01", "m-02"}, []string{"m-03:2", "m-04:2", "m-05:2", "m-06:1"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dt := newDrainTest(t, 5, func(dt *drainTest, d store.Delivery) (bool, bool) {
				if d.ID != "m-02" {
					return false, false
				}
				if err := dt.s.Enqueue(context.Background(), dt.queue(), "m-06", nil); err != nil {
					dt.t.Fatal(err)
				}
				if tc.stop(dt) {
					return true, false
				}
				if err := dt.s.Ack(context.Background(), dt.queue(), d); err != nil {
					dt.t.Errorf("Ack(%q) = %v", d.ID, err)
				}
				return true, true
			})
			dt.p.drain(dt.ctx, 0)
			checkIDs(t, "delivered", dt.delivered, tc.delivered)
			dt.p.leave()
			checkIDs(t, "ready at once afterwards", dt.ready(), tc.ready)
			if got := dt.leaseFree(); got != tc.leaseFree {
				t.Errorf("shard lease free for another instance after leave = %v, want %v", got, tc.leaseFree)
			}
		})
	}
}
