package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

var leaseTests = []test{
	{"Lease/HoldRenewRelease", testLease},
	{"Lease/Expiry", testLeaseExpiry},
	{"Lease/Concurrent", testLeaseConcurrent},
}

func testLease(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	steps := []struct {
		name    string
		s       store.Store
		release bool
		lease   string
		holder  string
		want    error
	}{
		{"take free", a, false, "imap", "h1", nil},
		{"other holder", b, false, "imap", "h2", store.ErrLeaseHeld},
		{"renew", b, false, "imap", "h1", nil},
		{"other lease is free", b, false, "slack", "h2", nil},
		{"release by non-holder does nothing", b, true, "imap", "h2", nil},
		{"still held", b, false, "imap", "h2", store.ErrLeaseHeld},
		{"release by holder", a, true, "imap", "h1", nil},
		{"take after release", b, false, "imap", "h2", nil},
		{"old holder refused", a, false, "imap", "h1", store.ErrLeaseHeld},
		{"release unknown lease", a, true, "nothing", "h1", nil},
	}
	for _, st := range steps {
		var err error
		if st.release {
			err = st.s.ReleaseLease(ctx, st.lease, st.holder)
		} else {
			err = st.s.AcquireLease(ctx, st.lease, st.holder, time.Hour)
		}
		if !isErr(err, st.want) {
			t.Errorf("%s: lease(%q, %q) = %v, want %v", st.name, st.lease, st.holder, err, st.want)
		}
	}
}

func testLeaseExpiry(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	if err := a.AcquireLease(ctx, "imap", "h1", time.Second); err != nil {
		t.Fatalf("AcquireLease(%q, %q) = %v, want nil", "imap", "h1", err)
	}
	// A renewal pushes the expiry out: after 1.2s in all the lease, renewed at
	// 0.6s, is still held.
	time.Sleep(600 * time.Millisecond)
	renewed := time.Now() // before the call, so a stall after it cannot fake an early expiry
	if err := a.AcquireLease(ctx, "imap", "h1", time.Second); err != nil {
		t.Fatalf("AcquireLease(%q, %q) renewal = %v, want nil", "imap", "h1", err)
	}
	time.Sleep(600 * time.Millisecond)
	err := b.AcquireLease(ctx, "imap", "h2", time.Second)
	// On a stalled machine the renewed lease may really have expired by now.
	if d := time.Since(renewed); !errors.Is(err, store.ErrLeaseHeld) && d < 950*time.Millisecond {
		t.Fatalf("AcquireLease(%q, %q) %v after a 1s renewal = %v, want %v", "imap", "h2", d, err, store.ErrLeaseHeld)
	}
	if err == nil {
		return // h2 got it after the renewal expired; nothing more to learn
	}
	if !eventually(ctx, 3*time.Second, func() bool {
		err = b.AcquireLease(ctx, "imap", "h2", time.Hour)
		return err == nil
	}) {
		t.Fatalf("AcquireLease(%q, %q) 3s after expiry = %v, want nil", "imap", "h2", err)
	}
	if d := time.Since(renewed); d < 900*time.Millisecond {
		t.Errorf("AcquireLease(%q, %q) succeeded %v after a 1s renewal, want the lease held until it expires", "imap", "h2", d)
	}
	if err := a.AcquireLease(ctx, "imap", "h1", time.Hour); !errors.Is(err, store.ErrLeaseHeld) {
		t.Errorf("AcquireLease(%q, %q) after losing it = %v, want %v", "imap", "h1", err, store.ErrLeaseHeld)
	}
}

func testLeaseConcurrent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		s := []store.Store{a, b}[i%2]
		wg.Go(func() { errs[i] = s.AcquireLease(ctx, "poller", keyN("h", i), time.Hour) })
	}
	wg.Wait()
	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, store.ErrLeaseHeld):
			t.Errorf("AcquireLease(%q, %q) = %v, want nil or %v", "poller", keyN("h", i), err, store.ErrLeaseHeld)
		}
	}
	if winners != 1 {
		t.Errorf("AcquireLease(%q) by %d holders: %d winners, want 1", "poller", n, winners)
	}
}
