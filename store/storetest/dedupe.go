package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

var dedupeTests = []test{
	{"Dedupe/MarkSeen", testMarkSeen},
	{"Dedupe/Expiry", testDedupeExpiry},
	{"Dedupe/Concurrent", testMarkSeenConcurrent},
}

func testMarkSeen(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	steps := []struct {
		s    store.Store
		key  string
		want bool
	}{
		{a, "msg:email:1", true},
		{a, "msg:email:1", false},
		{b, "msg:email:1", false},
		{b, "msg:email:2", true},
		{a, "msg:slack:1", true},
	}
	for _, st := range steps {
		got, err := st.s.MarkSeen(ctx, st.key, time.Hour)
		if err != nil || got != st.want {
			t.Errorf("MarkSeen(%q) = %v, %v, want %v, nil", st.key, got, err, st.want)
		}
	}
	for _, tc := range []struct {
		key  string
		want bool
	}{{"msg:email:1", true}, {"msg:email:2", true}, {"msg:email:3", false}} {
		got, err := b.Seen(ctx, tc.key)
		if err != nil || got != tc.want {
			t.Errorf("Seen(%q) = %v, %v, want %v, nil", tc.key, got, err, tc.want)
		}
	}
}

func testDedupeExpiry(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	const key = "msg:email:short"
	// Taken before the call: a stall between the store setting the TTL and
	// this goroutine reading the clock must not look like an early expiry.
	marked := time.Now()
	if got, err := a.MarkSeen(ctx, key, time.Second); err != nil || !got {
		t.Fatalf("MarkSeen(%q, 1s) = %v, %v, want true, nil", key, got, err)
	}
	if got, err := a.MarkSeen(ctx, "msg:email:long", time.Hour); err != nil || !got {
		t.Fatalf("MarkSeen(%q, 1h) = %v, %v, want true, nil", "msg:email:long", got, err)
	}
	expired := eventually(ctx, 3*time.Second, func() bool {
		seen, err := b.Seen(ctx, key)
		if err != nil {
			t.Fatalf("Seen(%q) = %v, want nil", key, err)
		}
		return !seen
	})
	if !expired {
		t.Fatalf("Seen(%q) = true 3s after MarkSeen(1s), want false", key)
	}
	if early := time.Since(marked); early < 900*time.Millisecond {
		t.Errorf("Seen(%q) = false %v after MarkSeen(1s), want true until the TTL passes", key, early)
	}
	if got, err := b.MarkSeen(ctx, key, time.Hour); err != nil || !got {
		t.Errorf("MarkSeen(%q) after expiry = %v, %v, want true, nil", key, got, err)
	}
	if got, err := b.Seen(ctx, "msg:email:long"); err != nil || !got {
		t.Errorf("Seen(%q) = %v, %v, want true, nil", "msg:email:long", got, err)
	}
}

func testMarkSeenConcurrent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	const n = 100
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		s := []store.Store{a, b}[i%2]
		wg.Go(func() {
			got, err := s.MarkSeen(ctx, "msg:email:race", time.Hour)
			if err != nil {
				t.Errorf("MarkSeen(%q) = %v, want nil", "msg:email:race", err)
			}
			if got {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if got := wins.Load(); got != 1 {
		t.Errorf("MarkSeen(%q) by %d goroutines returned true %d times, want 1", "msg:email:race", n, got)
	}
}
