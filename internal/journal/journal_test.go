package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func open(t *testing.T, dir string) *Journal {
	t.Helper()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func appendAll(t *testing.T, j *Journal, recs ...string) {
	t.Helper()
	for _, r := range recs {
		if err := j.Append(context.Background(), []byte(r)); err != nil {
			t.Fatalf("Append(%q) = %v", r, err)
		}
	}
}

func take(t *testing.T, j *Journal, max int) []Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	es, err := j.Take(ctx, max)
	if err != nil {
		t.Fatalf("Take = %v", err)
	}
	return es
}

func datas(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Data))
	}
	return out
}

func TestAppendTakeInOrder(t *testing.T) {
	j := open(t, t.TempDir())
	appendAll(t, j, "a", "b", "c")
	es := take(t, j, 2)
	if got := fmt.Sprint(datas(es)); got != "[a b]" || es[0].Seq != 1 || es[1].Seq != 2 {
		t.Fatalf("first Take = %v %v, want [a b] numbered 1, 2", got, es)
	}
	if got := fmt.Sprint(datas(take(t, j, 10))); got != "[c]" {
		t.Fatalf("second Take = %v, want [c]", got)
	}
}

// TestRecordsNotDoneComeBack: what was appended and not done is taken again,
// in order and with its numbers, after a restart; what was done is not.
func TestRecordsNotDoneComeBack(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	appendAll(t, j, "uno", "dos", "tres")
	es := take(t, j, 1)
	if err := j.Done(es[0].Seq, 1); err != nil {
		t.Fatal(err)
	}
	_ = j.Close()
	if _, err := j.Take(context.Background(), 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Take after Close = %v, want ErrClosed", err)
	}

	j2 := open(t, dir)
	// The first segment held all three: none was deleted, so all come back.
	if j2.Replayed != 3 {
		t.Fatalf("Replayed = %d, want 3 (one segment, not wholly done)", j2.Replayed)
	}
	es = take(t, j2, 10)
	if got := fmt.Sprint(datas(es)); got != "[uno dos tres]" {
		t.Fatalf("replayed %v", got)
	}
	appendAll(t, j2, "cuatro")
	if got := take(t, j2, 10); len(got) != 1 || got[0].Seq != 4 {
		t.Fatalf("record after replay = %+v, want number 4", got)
	}
	// Done with everything: the replayed segment is deleted.
	if err := j2.Done(4, 4); err != nil {
		t.Fatal(err)
	}
	if segs, _ := filepath.Glob(filepath.Join(dir, "segment-*")); len(segs) != 1 {
		t.Errorf("segments after all done = %v, want only the one being written", segs)
	}
}

// TestTornTailIsSkipped: a record cut by a crash (never acknowledged) and
// anything after it are left; the records before it come back.
func TestTornTailIsSkipped(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	appendAll(t, j, "entero", "también")
	_ = j.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "segment-*"))
	if len(segs) != 1 {
		t.Fatalf("segments %v", segs)
	}
	f, err := os.OpenFile(segs[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte{0, 0, 0, 50, 1, 2, 3, 4, 'c', 'o', 'r'}) // 50 bytes announced, 3 written
	_ = f.Close()

	j2 := open(t, dir)
	if j2.Replayed != 2 || j2.Skipped != 11 {
		t.Errorf("Replayed %d, Skipped %d; want 2 and 11", j2.Replayed, j2.Skipped)
	}
	if got := fmt.Sprint(datas(take(t, j2, 10))); got != "[entero también]" {
		t.Errorf("replayed %v", got)
	}
}

func TestDamagedRecordIsNotReturned(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	appendAll(t, j, "bueno", "malo")
	_ = j.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "segment-*"))
	raw, _ := os.ReadFile(segs[0])
	raw[len(raw)-1] ^= 0xff // flip a byte of "malo"
	if err := os.WriteFile(segs[0], raw, 0o600); err != nil {
		t.Fatal(err)
	}
	j2 := open(t, dir)
	if got := fmt.Sprint(datas(take(t, j2, 10))); got != "[bueno]" || j2.Skipped != 12 {
		t.Errorf("replayed %v, skipped %d; want [bueno] and 12", got, j2.Skipped)
	}
}

// TestSegmentsRotateAndAreDeleted: a busy journal moves to new files and
// deletes the old ones once their records are done, so disk use stays
// bounded while records keep coming.
func TestSegmentsRotateAndAreDeleted(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	rec := make([]byte, 256<<10)
	n := 3 * segmentSize / len(rec)
	for range n {
		if err := j.Append(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	if segs, _ := filepath.Glob(filepath.Join(dir, "segment-*")); len(segs) < 3 {
		t.Fatalf("%d segments after %d MB, want at least 3", len(segs), n*len(rec)>>20)
	}
	var last uint64
	for got := 0; got < n; {
		es := take(t, j, 100)
		got += len(es)
		last = es[len(es)-1].Seq
		if err := j.Done(last, len(es)); err != nil {
			t.Fatal(err)
		}
	}
	if segs, _ := filepath.Glob(filepath.Join(dir, "segment-*")); len(segs) != 1 {
		t.Errorf("segments after all done: %v, want 1", segs)
	}
}

// TestConcurrentAppendsShareFsyncs: many appenders at once each get their
// record in once, numbers without gaps.
func TestConcurrentAppendsShareFsyncs(t *testing.T) {
	j := open(t, t.TempDir())
	const writers, each = 16, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := j.Append(context.Background(), []byte(fmt.Sprintf("%d-%d", w, i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	seen := map[string]bool{}
	var next uint64 = 1
	for len(seen) < writers*each {
		for _, e := range take(t, j, 1000) {
			if e.Seq != next || seen[string(e.Data)] {
				t.Fatalf("entry %d %q: want number %d, once", e.Seq, e.Data, next)
			}
			seen[string(e.Data)] = true
			next++
		}
	}
	wg.Wait()
}

// TestAppendWaitsWhenConsumerLags: beyond maxPending records not done,
// Append waits (here until its context ends) instead of growing memory,
// and goes on once records are done.
func TestAppendWaitsWhenConsumerLags(t *testing.T) {
	j := open(t, t.TempDir())
	j.mu.Lock()
	j.undone = maxPending
	j.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := j.Append(ctx, []byte("x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Append with a full journal = %v, want to wait until the deadline", err)
	}
	done := make(chan error, 1)
	go func() { done <- j.Append(context.Background(), []byte("y")) }()
	j.release(1)
	if err := <-done; err != nil {
		t.Fatalf("Append once a record was done = %v", err)
	}
}

func TestAppendAfterCloseFails(t *testing.T) {
	j := open(t, t.TempDir())
	_ = j.Close()
	if err := j.Append(context.Background(), []byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
}

func TestOversizedRecordRefused(t *testing.T) {
	j := open(t, t.TempDir())
	if err := j.Append(context.Background(), make([]byte, maxRecord+1)); err == nil {
		t.Error("Append of a record over the limit succeeded")
	}
}
