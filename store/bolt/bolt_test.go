package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
	"github.com/intake-support/intake/store/storetest"
)

// factory opens a fresh file; one instance serves as both handles, as one
// process would share it.
func factory(t testing.TB) (a, b store.Store) {
	s, err := bolt.Open(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatalf("Open() = %v, want nil", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
	})
	return s, s
}

func TestConformance(t *testing.T) { storetest.Run(t, factory) }

// TestRestart reopens the file, as a restarted process does after kill -9:
// bbolt's writes are durable at commit, so releasing the handle without the
// clean-shutdown mark (CloseAsKilled) leaves the file as a kill would.
func TestRestart(t *testing.T) {
	paths := map[store.Store]string{}
	f := func(t testing.TB) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "intake.db")
		s, err := bolt.Open(path)
		if err != nil {
			t.Fatalf("Open() = %v, want nil", err)
		}
		paths[s] = path
		t.Cleanup(func() { _ = s.Close() })
		return s, s
	}
	restart := func(t testing.TB, old store.Store) store.Store {
		if err := bolt.CloseAsKilled(old.(*bolt.Store)); err != nil {
			t.Fatalf("CloseAsKilled() = %v, want nil", err)
		}
		s, err := bolt.Open(paths[old])
		if err != nil {
			t.Fatalf("Open() again = %v, want nil", err)
		}
		if !s.FullCheck() {
			t.Errorf("Open() after a kill: FullCheck() = false, want true")
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	storetest.RunRestart(t, f, restart)
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, factory) }

func TestOpenCreatesFolders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "intake.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("Open(%q) = %v, want nil", path, err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Stat(%q) = %v, want the file to exist", path, err)
	}
}

func TestOpenRefusesCorruptFile(t *testing.T) {
	garbage := bytes.Repeat([]byte("this is not a bbolt file\x00\xff"), 1000)
	foreign := filepath.Join(t.TempDir(), "foreign.db")
	// A valid bbolt file that some other program wrote.
	writeForeign(t, foreign)
	foreignBytes, err := os.ReadFile(foreign)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"short garbage", []byte("garbage")},
		{"page of garbage", garbage[:4096]},
		{"garbage", garbage},
		{"damaged store", damagedStore(t, (*bolt.Store).Close)},
		{"damaged store of a killed process", damagedStore(t, bolt.CloseAsKilled)},
		{"foreign bbolt file", foreignBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "intake.db")
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := bolt.Open(path, bolt.WithLockTimeout(200*time.Millisecond))
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) = nil, want an error wrapping %v", tc.name, store.ErrCorrupt)
			}
			t.Logf("Open(%s) = %v", tc.name, err)
			if !errors.Is(err, store.ErrCorrupt) {
				t.Errorf("Open(%s) = %v, want an error wrapping %v", tc.name, err, store.ErrCorrupt)
			}
			after, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if !bytes.Equal(after, tc.data) {
				t.Errorf("Open(%s) changed the file: %d bytes before, %d after", tc.name, len(tc.data), len(after))
			}
		})
	}
}

// damagedStore returns the bytes of a real store, released by closeFn, with
// every page after the first three overwritten.
func damagedStore(t *testing.T, closeFn func(*bolt.Store) error) []byte {
	path := filepath.Join(t.TempDir(), "intake.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("Open() = %v, want nil", err)
	}
	ctx := context.Background()
	for i := range 50 {
		inc := &intake.Incident{ID: intake.FormatIncidentID(uint64(i + 1)), Status: intake.StatusNew, Subject: string(bytes.Repeat([]byte("x"), 500))}
		if err := s.CreateIncident(ctx, inc, nil); err != nil {
			t.Fatalf("CreateIncident() = %v, want nil", err)
		}
	}
	if err := closeFn(s); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 6*4096 {
		t.Fatalf("store is %d bytes, want at least 6 pages", len(data))
	}
	// Pages 0 and 1 are meta, 2 the freelist: smash every page after them.
	for i := 3 * 4096; i < len(data); i++ {
		data[i] = 0xA5
	}
	return data
}

// TestFullCheckOnlyAfterUncleanShutdown: a store closed by Close opens with the
// light check; one whose process died, a new one and one asked for it get the
// full page check.
func TestFullCheckOnlyAfterUncleanShutdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intake.db")
	open := func(opts ...bolt.Option) *bolt.Store {
		t.Helper()
		s, err := bolt.Open(path, opts...)
		if err != nil {
			t.Fatalf("Open() = %v, want nil", err)
		}
		return s
	}
	s := open()
	if s.FullCheck() {
		t.Errorf("new file: FullCheck() = true, want false (nothing to check)")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}
	s = open()
	if s.FullCheck() {
		t.Errorf("after Close: FullCheck() = true, want false")
	}
	// Open clears the mark: a kill now leaves the file unmarked.
	if err := bolt.CloseAsKilled(s); err != nil {
		t.Fatalf("CloseAsKilled() = %v, want nil", err)
	}
	s = open()
	if !s.FullCheck() {
		t.Errorf("after a kill: FullCheck() = false, want true")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}
	s = open(bolt.WithFullCheck())
	if !s.FullCheck() {
		t.Errorf("WithFullCheck after Close: FullCheck() = false, want true")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intake.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("Open(%q) = %v, want nil", path, err)
	}
	defer s.Close()
	start := time.Now()
	other, err := bolt.Open(path, bolt.WithLockTimeout(300*time.Millisecond))
	if err == nil {
		other.Close()
		t.Fatalf("Open(%q) while open = nil, want %v", path, bolt.ErrLocked)
	}
	t.Logf("Open(%q) while open = %v", path, err)
	if !errors.Is(err, bolt.ErrLocked) {
		t.Errorf("Open(%q) while open = %v, want %v", path, err, bolt.ErrLocked)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Open(%q) while open took %v, want about the 300ms lock timeout", path, d)
	}
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "intake.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("Open(%q) = %v, want nil", path, err)
	}
	id, err := s.NextIncidentID(ctx)
	if err != nil {
		t.Fatalf("NextIncidentID() = %v, want nil", err)
	}
	inc := &intake.Incident{ID: id, Status: intake.StatusEscalated, Tier: "L2", Subject: "kept", CreatedAt: time.Now().UTC()}
	steps := []error{
		s.CreateIncident(ctx, inc, []intake.ThreadKey{"email:kept"}),
		s.Enqueue(ctx, "outbox", "r-1", []byte("reply")),
		s.Schedule(ctx, store.Timer{ID: "sla", Due: time.Unix(0, 0), Payload: []byte("p")}),
		s.AcquireLease(ctx, "imap", "h1", time.Hour),
	}
	if _, err := s.MarkSeen(ctx, "msg:1", time.Hour); err != nil {
		steps = append(steps, err)
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("write %d = %v, want nil", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}

	s, err = bolt.Open(path)
	if err != nil {
		t.Fatalf("Open(%q) again = %v, want nil", path, err)
	}
	defer s.Close()
	if got, err := s.GetIncident(ctx, id); err != nil || got.Subject != "kept" || got.Version != 1 {
		t.Errorf("GetIncident(%q) after reopen = %+v, %v, want subject %q version 1", id, got, err, "kept")
	}
	if got, err := s.LookupThread(ctx, "email:kept"); err != nil || got != id {
		t.Errorf("LookupThread(%q) after reopen = %q, %v, want %q", "email:kept", got, err, id)
	}
	if list, err := s.ListIncidents(ctx, store.Filter{Tier: "L2"}); err != nil || len(list) != 1 {
		t.Errorf("ListIncidents(tier=L2) after reopen = %d, %v, want 1", len(list), err)
	}
	if next, err := s.NextIncidentID(ctx); err != nil || next <= id {
		t.Errorf("NextIncidentID() after reopen = %q, %v, want after %q", next, err, id)
	}
	if d, err := s.Dequeue(ctx, "outbox", time.Minute); err != nil || d.ID != "r-1" {
		t.Errorf("Dequeue(%q) after reopen = %q, %v, want %q", "outbox", d.ID, err, "r-1")
	}
	if got, err := s.DueTimers(ctx, time.Now(), 10); err != nil || len(got) != 1 {
		t.Errorf("DueTimers() after reopen = %v, %v, want 1 timer", got, err)
	}
	// The file lock proves h1's process is gone: its lease is free at once.
	if err := s.AcquireLease(ctx, "imap", "h2", time.Hour); err != nil {
		t.Errorf("AcquireLease(%q, %q) after reopen = %v, want nil", "imap", "h2", err)
	}
	if seen, err := s.Seen(ctx, "msg:1"); err != nil || !seen {
		t.Errorf("Seen(%q) after reopen = %v, %v, want true", "msg:1", seen, err)
	}
}

// TestConcurrentWritesShareCommitsCorrectly mixes writes that fail (creating
// an incident that exists) with MarkSeen on shared keys and timer polls from
// 32 goroutines, so that groups are rolled back and run again: each key is
// still fresh for exactly one caller, each incident created exactly once and
// each timer fired once.
func TestConcurrentWritesShareCommitsCorrectly(t *testing.T) {
	s, _ := factory(t)
	ctx := context.Background()
	const workers, keys, timers = 32, 8, 64
	now := time.Now()
	for i := 0; i < timers; i++ {
		if err := s.Schedule(ctx, store.Timer{ID: fmt.Sprintf("t%d", i), Due: now}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	fresh := map[string]int{}
	created := map[intake.IncidentID]int{}
	fired := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < keys; i++ {
				key := fmt.Sprintf("k%d", (i+w)%keys)
				ok, err := s.MarkSeen(ctx, key, time.Hour)
				if err != nil {
					t.Errorf("MarkSeen(%s) = %v", key, err)
					return
				}
				id := intake.FormatIncidentID(uint64((i+w)%keys + 1))
				inc := &intake.Incident{ID: id, Status: intake.StatusNew}
				err = s.CreateIncident(ctx, inc, []intake.ThreadKey{intake.TokenThreadKey(id)})
				if err != nil && !errors.Is(err, store.ErrConflict) {
					t.Errorf("CreateIncident(%s) = %v", id, err)
					return
				}
				due, dueErr := s.DueTimers(ctx, now, 1)
				if dueErr != nil {
					t.Errorf("DueTimers() = %v", dueErr)
					return
				}
				mu.Lock()
				for _, tm := range due {
					fired[tm.ID]++
				}
				if ok {
					fresh[key]++
				}
				if err == nil {
					created[id]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for i := 0; i < keys; i++ {
		key, id := fmt.Sprintf("k%d", i), intake.FormatIncidentID(uint64(i+1))
		if fresh[key] != 1 || created[id] != 1 {
			t.Errorf("%s fresh for %d callers, %s created %d times; want 1 and 1", key, fresh[key], id, created[id])
		}
	}
	for i := 0; i < timers; i++ {
		if id := fmt.Sprintf("t%d", i); fired[id] > 1 {
			t.Errorf("timer %s fired %d times, want at most once", id, fired[id])
		}
	}
}
