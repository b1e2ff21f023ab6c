package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

var windowTests = []test{
	{"Windows/Rank", testRank},
	{"Windows/Empty", testRankEmpty},
	{"Windows/Expiry", testRankExpiry},
	{"Windows/Concurrent", testRankConcurrent},
}

// entries builds Rank's argument: window, member, window, member...
func entries(pairs ...string) []store.WindowEntry {
	es := make([]store.WindowEntry, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		es = append(es, store.WindowEntry{Window: pairs[i], Member: pairs[i+1]})
	}
	return es
}

// testRank: members get 1, 2, 3... in the order they join, in one call or
// several and through either handle; a member asked again keeps its rank;
// windows count apart.
func testRank(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	steps := []struct {
		s    store.Store
		in   []store.WindowEntry
		want []int
	}{
		{a, entries("rate:ana:1", "m1", "rate:ana:1", "m2", "rate:ana:1", "m3"), []int{1, 2, 3}},
		{b, entries("rate:ana:1", "m2"), []int{2}},
		{b, entries("rate:ana:1", "m4", "rate:bob:1", "m1", "rate:ana:1", "m1", "rate:ana:1", "m4", "rate:bob:1", "m9"), []int{4, 1, 1, 4, 2}},
		{a, entries("rate:ana:2", "m5", "rate:ana:1", "m5"), []int{1, 5}},
		{a, entries("rate:bob:1", "m9", "rate:bob:1", "m1"), []int{2, 1}},
	}
	for i, st := range steps {
		got, err := st.s.Rank(ctx, st.in, time.Hour)
		if err != nil || !slices.Equal(got, st.want) {
			t.Errorf("step %d: Rank(%v) = %v, %v, want %v, nil", i, st.in, got, err, st.want)
		}
	}
}

// testRankEmpty: no entries is no ranks on either handle; an entry without
// a window is refused, and none of its call's members joins.
func testRankEmpty(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	for _, s := range []store.Store{a, b} {
		if got, err := s.Rank(ctx, nil, time.Hour); err != nil || len(got) != 0 {
			t.Errorf("Rank(nil) = %v, %v, want [], nil", got, err)
		}
	}
	in := entries("rate:ana:1", "m1", "", "m2")
	if got, err := a.Rank(ctx, in, time.Hour); err == nil {
		t.Errorf("Rank(%v) = %v, nil, want an error for the empty window", in, got)
	}
	if got, err := b.Rank(ctx, entries("rate:ana:1", "m0"), time.Hour); err != nil || !slices.Equal(got, []int{1}) {
		t.Errorf("Rank(m0) after a refused call = %v, %v, want [1], nil (the refused call adds no member)", got, err)
	}
}

// testRankExpiry: a window is forgotten ttl after its first member joined,
// however many join later, and starts again at 1; other windows stay.
func testRankExpiry(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	// Taken before the call, as in testDedupeExpiry.
	started := time.Now()
	if got, err := a.Rank(ctx, entries("short", "first"), time.Second); err != nil || !slices.Equal(got, []int{1}) {
		t.Fatalf("Rank(short) = %v, %v, want [1], nil", got, err)
	}
	if got, err := a.Rank(ctx, entries("long", "first", "long", "x"), time.Hour); err != nil || !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("Rank(long) = %v, %v, want [1 2], nil", got, err)
	}
	// Every probe joins the short window; only a window that outlives its
	// ttl (one renewed by each member) keeps answering more than 1.
	probe := 0
	var last []int
	forgotten := eventually(ctx, 3*time.Second, func() bool {
		probe++
		got, err := b.Rank(ctx, entries("short", fmt.Sprintf("probe-%d", probe)), time.Second)
		if err != nil {
			t.Fatalf("Rank(short, probe-%d) = %v, want nil", probe, err)
		}
		last = got
		return got[0] == 1
	})
	if !forgotten {
		t.Fatalf("Rank(short, probe-%d) = %v 3s after the window started with a ttl of 1s, want [1]", probe, last)
	}
	if early := time.Since(started); early < 900*time.Millisecond {
		t.Errorf("window forgotten %v after it started, want it kept for its ttl of 1s", early)
	}
	if got, err := a.Rank(ctx, entries("short", "first"), time.Second); err != nil || !slices.Equal(got, []int{2}) {
		t.Errorf("Rank(short, first) after expiry = %v, %v, want [2], nil (its members forgotten too)", got, err)
	}
	// The window's ttl is the one its first member joined with.
	if got, err := b.Rank(ctx, entries("long", "y", "long", "first"), time.Second); err != nil || !slices.Equal(got, []int{3, 1}) {
		t.Errorf("Rank(long) = %v, %v, want [3 1], nil", got, err)
	}
}

// testRankConcurrent: members joining one window at once from both handles
// get every rank from 1 to their number once; a member every caller names
// gets the same rank in every answer.
func testRankConcurrent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	const n = 40
	var mu sync.Mutex
	own := make([]int, 0, n)
	shared := map[int]int{} // rank of "everyone" -> how many callers got it
	var wg sync.WaitGroup
	for i := range n {
		s := []store.Store{a, b}[i%2]
		wg.Go(func() {
			in := entries("race", fmt.Sprintf("m%d", i), "race", "everyone", fmt.Sprintf("alone:%d", i), "m")
			got, err := s.Rank(ctx, in, time.Hour)
			if err != nil || len(got) != len(in) {
				t.Errorf("Rank(%v) = %v, %v, want 3 ranks, nil", in, got, err)
				return
			}
			if got[2] != 1 {
				t.Errorf("Rank(%v) = %v, want 1 for the window of its own", in, got)
			}
			mu.Lock()
			defer mu.Unlock()
			own = append(own, got[0])
			shared[got[1]]++
		})
	}
	wg.Wait()
	if len(shared) != 1 {
		t.Fatalf("the member every caller named got ranks %v (rank: callers), want one rank", shared)
	}
	for r := range shared {
		own = append(own, r)
	}
	slices.Sort(own)
	for i, r := range own {
		if r != i+1 {
			t.Fatalf("ranks of %d members joining at once = %v, want 1 to %d once each", n+1, own, n+1)
		}
	}
}
