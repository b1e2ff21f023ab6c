package storetest

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

var timerTests = []test{
	{"Timer/Due", testTimersDue},
	{"Timer/ScheduleReplace", testTimerReplace},
	{"Timer/Cancel", testTimerCancel},
	{"Timer/ConcurrentPollers", testTimersConcurrent},
}

func schedule(t *testing.T, s store.Store, id string, due time.Time) {
	t.Helper()
	if err := s.Schedule(t.Context(), store.Timer{ID: id, Due: due, Payload: []byte("p-" + id)}); err != nil {
		t.Fatalf("Schedule(%q) = %v, want nil", id, err)
	}
}

// due calls DueTimers and returns the IDs, sorted, checking each payload and
// due time against what schedule stored.
func due(t *testing.T, s store.Store, now time.Time, limit int, dues map[string]time.Time) []string {
	t.Helper()
	timers, err := s.DueTimers(t.Context(), now, limit)
	if err != nil {
		t.Fatalf("DueTimers(%v, %d) = %v, want nil", now, limit, err)
	}
	var ids []string
	for _, tm := range timers {
		ids = append(ids, tm.ID)
		if string(tm.Payload) != "p-"+tm.ID {
			t.Errorf("DueTimers(%v) timer %q payload = %q, want %q", now, tm.ID, tm.Payload, "p-"+tm.ID)
		}
		if want, ok := dues[tm.ID]; ok && !tm.Due.Equal(want) {
			t.Errorf("DueTimers(%v) timer %q due = %v, want %v", now, tm.ID, tm.Due, want)
		}
	}
	slices.Sort(ids)
	return ids
}

func testTimersDue(t *testing.T, f Factory) {
	a, b := f(t)
	dues := map[string]time.Time{
		"t-past":   base.Add(-time.Hour),
		"t-now":    base,
		"t-soon":   base.Add(time.Second),
		"t-later":  base.Add(time.Hour),
		"t-past-2": base.Add(-time.Minute),
	}
	for id, at := range dues {
		schedule(t, a, id, at)
	}
	steps := []struct {
		now   time.Time
		limit int
		want  []string
	}{
		{base.Add(-2 * time.Hour), 10, nil},
		{base, 10, []string{"t-now", "t-past", "t-past-2"}},
		{base, 10, nil}, // each timer is returned once
		{base.Add(30 * time.Minute), 10, []string{"t-soon"}},
		{base.Add(2 * time.Hour), 10, []string{"t-later"}},
		{base.Add(2 * time.Hour), 10, nil},
	}
	for _, st := range steps {
		if got := due(t, b, st.now, st.limit, dues); !slices.Equal(got, st.want) {
			t.Errorf("DueTimers(%v, %d) = %v, want %v", st.now, st.limit, got, st.want)
		}
	}
	// limit caps each call; the earliest timers come first.
	for i := range 5 {
		schedule(t, a, keyN("t-batch", i), base.Add(time.Duration(i)*time.Second))
	}
	for _, want := range [][]string{{"t-batch-000", "t-batch-001"}, {"t-batch-002", "t-batch-003"}, {"t-batch-004"}, nil} {
		if got := due(t, b, base.Add(time.Hour), 2, nil); !slices.Equal(got, want) {
			t.Errorf("DueTimers(%v, 2) = %v, want %v", base.Add(time.Hour), got, want)
		}
	}
}

func testTimerReplace(t *testing.T, f Factory) {
	a, b := f(t)
	schedule(t, a, "t-1", base.Add(-time.Minute))
	if err := b.Schedule(t.Context(), store.Timer{ID: "t-1", Due: base.Add(time.Minute), Payload: []byte("p-t-1")}); err != nil {
		t.Fatalf("Schedule(%q) again = %v, want nil", "t-1", err)
	}
	if got := due(t, a, base, 10, nil); len(got) != 0 {
		t.Errorf("DueTimers(%v) after moving the timer later = %v, want none", base, got)
	}
	if got := due(t, a, base.Add(time.Minute), 10, map[string]time.Time{"t-1": base.Add(time.Minute)}); !slices.Equal(got, []string{"t-1"}) {
		t.Errorf("DueTimers(%v) = %v, want [t-1] once", base.Add(time.Minute), got)
	}
	if got := due(t, a, base.Add(time.Hour), 10, nil); len(got) != 0 {
		t.Errorf("DueTimers(%v) after firing = %v, want none", base.Add(time.Hour), got)
	}
}

func testTimerCancel(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	schedule(t, a, "t-1", base)
	schedule(t, a, "t-2", base)
	if err := b.CancelTimer(ctx, "t-1"); err != nil {
		t.Errorf("CancelTimer(%q) = %v, want nil", "t-1", err)
	}
	if err := b.CancelTimer(ctx, "t-unknown"); err != nil {
		t.Errorf("CancelTimer(%q) = %v, want nil", "t-unknown", err)
	}
	if got := due(t, a, base.Add(time.Hour), 10, nil); !slices.Equal(got, []string{"t-2"}) {
		t.Errorf("DueTimers(%v) after cancel = %v, want [t-2]", base.Add(time.Hour), got)
	}
}

// testTimersConcurrent polls with several goroutines on both handles: each
// timer fires exactly once.
func testTimersConcurrent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	const n, pollers = 200, 8
	for i := range n {
		schedule(t, []store.Store{a, b}[i%2], keyN("t", i), base.Add(time.Duration(i)*time.Millisecond))
	}
	var mu sync.Mutex
	fired := map[string]int{}
	var total atomic.Int32
	var wg sync.WaitGroup
	deadline := time.Now().Add(10 * time.Second)
	for p := range pollers {
		s := []store.Store{a, b}[p%2]
		wg.Go(func() {
			for total.Load() < n && time.Now().Before(deadline) {
				timers, err := s.DueTimers(ctx, base.Add(time.Hour), 7)
				if err != nil {
					t.Errorf("DueTimers() = %v, want nil", err)
					return
				}
				mu.Lock()
				for _, tm := range timers {
					fired[tm.ID]++
				}
				mu.Unlock()
				total.Add(int32(len(timers)))
			}
		})
	}
	wg.Wait()
	var wrong []string
	for i := range n {
		if c := fired[keyN("t", i)]; c != 1 {
			wrong = append(wrong, keyN("t", i)+"×"+string(rune('0'+min(c, 9))))
		}
	}
	if len(wrong) > 0 {
		t.Errorf("timers not fired exactly once (id×times): %s", strings.Join(wrong, " "))
	}
	if got := due(t, a, base.Add(time.Hour), n, nil); len(got) != 0 {
		t.Errorf("DueTimers() after all fired = %v, want none", got)
	}
}
