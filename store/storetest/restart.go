package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

// Restarter stands for a process killed and started again: it abandons s,
// leaving whatever s had in flight or leased as a killed process leaves it,
// and opens the same backend again as the same instance. b, the other handle
// of the factory, stays valid when it is a separate instance.
type Restarter func(t testing.TB, s store.Store) store.Store

// RunRestart runs the recovery tests: a restarted instance takes back at once
// what it had in flight and its leases, and never what another live instance
// holds; its counting windows are kept.
func RunRestart(t *testing.T, f Factory, restart Restarter) {
	t.Run("Restart/TakesBackInFlight", func(t *testing.T) { testRestartTakesBack(t, f, restart) })
	t.Run("Restart/TakesBackBatch", func(t *testing.T) { testRestartTakesBackBatch(t, f, restart) })
	t.Run("Restart/KeepsLeases", func(t *testing.T) { testRestartLeases(t, f, restart) })
	t.Run("Restart/KeepsWindows", func(t *testing.T) { testRestartWindows(t, f, restart) })
}

// testRestartWindows: a window's members and count outlive the process, so
// a sender's rate window is not reset by a kill.
func testRestartWindows(t *testing.T, f Factory, restart Restarter) {
	ctx := t.Context()
	a, _ := f(t)
	if got, err := a.Rank(ctx, entries("rate:ana:1", "m1", "rate:ana:1", "m2"), time.Hour); err != nil || !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("Rank(m1, m2) = %v, %v, want [1 2], nil", got, err)
	}
	a = restart(t, a)
	if got, err := a.Rank(ctx, entries("rate:ana:1", "m3", "rate:ana:1", "m1"), time.Hour); err != nil || !slices.Equal(got, []int{3, 1}) {
		t.Errorf("Rank(m3, m1) after restart = %v, %v, want [3 1], nil", got, err)
	}
}

func testRestartTakesBack(t *testing.T, f Factory, restart Restarter) {
	ctx := t.Context()
	a, b := f(t)
	for _, id := range []string{"m-1", "m-2", "m-3", "m-4"} {
		if err := a.Enqueue(ctx, "inbox", id, []byte(id)); err != nil {
			t.Fatalf("Enqueue(%q) = %v, want nil", id, err)
		}
	}
	// a takes m-1 and m-2 for an hour, nacks m-2 for an hour; b, when it is
	// another instance, takes m-3.
	first := dequeue(t, a, "inbox", time.Hour)
	delayed := dequeue(t, a, "inbox", time.Hour)
	if err := a.Nack(ctx, "inbox", delayed, time.Hour); err != nil {
		t.Fatalf("Nack(%q) = %v, want nil", delayed.ID, err)
	}
	shared := a == b
	var other store.Delivery
	if !shared {
		other = dequeue(t, b, "inbox", time.Hour)
	}

	a = restart(t, a)
	got := dequeue(t, a, "inbox", time.Hour)
	if got.ID != first.ID || got.Attempt != 2 {
		t.Errorf("Dequeue after restart = %q attempt %d, want %q attempt 2 at once", got.ID, got.Attempt, first.ID)
	}
	if err := a.Ack(ctx, "inbox", got); err != nil {
		t.Errorf("Ack(%q) of the taken-back delivery = %v, want nil", got.ID, err)
	}
	next := dequeue(t, a, "inbox", time.Hour)
	want := "m-4"
	if shared {
		want = "m-3"
	}
	if next.ID != want {
		t.Errorf("second Dequeue after restart = %q, want %q (the delayed message waits; another instance's stays with it)", next.ID, want)
	}
	if !shared {
		empty(t, a, "inbox")
		if err := b.Ack(ctx, "inbox", other); err != nil {
			t.Errorf("Ack(%q) by the live instance after the other restarted = %v, want nil", other.ID, err)
		}
	}
}

func testRestartLeases(t *testing.T, f Factory, restart Restarter) {
	ctx := t.Context()
	a, b := f(t)
	shared := a == b
	if err := a.AcquireLease(ctx, "imap", "instance-a", time.Hour); err != nil {
		t.Fatalf("AcquireLease(%q, %q) = %v, want nil", "imap", "instance-a", err)
	}
	if !shared {
		if err := b.AcquireLease(ctx, "slack", "instance-b", time.Hour); err != nil {
			t.Fatalf("AcquireLease(%q, %q) = %v, want nil", "slack", "instance-b", err)
		}
	}
	a = restart(t, a)
	if err := a.AcquireLease(ctx, "imap", "instance-a", time.Hour); err != nil {
		t.Errorf("AcquireLease(%q, %q) after restart = %v, want nil at once", "imap", "instance-a", err)
	}
	if !shared {
		if err := a.AcquireLease(ctx, "slack", "instance-a", time.Hour); !errors.Is(err, store.ErrLeaseHeld) {
			t.Errorf("AcquireLease(%q) of a live instance's lease after restart = %v, want %v", "slack", err, store.ErrLeaseHeld)
		}
	}
}
