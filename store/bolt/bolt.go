// Package bolt is intake's embedded store: every store.Store operation kept in
// one bbolt file, needing no server. A write returns once it is fsync'd;
// writes that arrive together share one commit (see committer).
package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/intake-support/intake/store"
)

var _ store.Store = (*Store)(nil)

// ErrLocked: another process has the store file open.
var ErrLocked = errors.New("store file is locked by another process")

// schema marks a file as an intake store, so that Open refuses any other
// bbolt file instead of writing its buckets into it.
const schema = "intake-store/1"

// Store is a store.Store in a bbolt file.
type Store struct {
	db  *bbolt.DB
	w   *committer // nil on the read-only handle of verify
	now func() time.Time
	// seq is the last incident number handed out (see NextIncidentID).
	seq atomic.Uint64
	// tookBack counts what Open took back from a process that died.
	tookBack struct{ deliveries, leases int }
}

// TookBack reports how many in-flight deliveries and leases of a previous
// process Open made available at once (see takeBack).
func (s *Store) TookBack() (deliveries, leases int) {
	return s.tookBack.deliveries, s.tookBack.leases
}

type options struct {
	now     func() time.Time
	timeout time.Duration
}

// Option configures Open.
type Option func(*options)

// WithClock sets the clock that expiries, visibility timeouts and delays are
// measured with; tests use it to move time without sleeping.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLockTimeout sets how long Open waits for another process to let go of
// the file before it gives up with ErrLocked (default 2s).
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// Open opens the store at path, creating the file and its folders if needed.
// It refuses, with an error wrapping store.ErrCorrupt, a file that is not an
// intake store or fails the consistency check, and never modifies such a file.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{now: time.Now, timeout: 2 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return nil, fmt.Errorf("open store %s: is a directory", path)
	case err == nil && info.Size() > 0:
		// Look before writing: a read-only open never changes the file.
		if err := verify(path, o); err != nil {
			return nil, err
		}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.timeout})
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{db: db, w: newCommitter(db), now: o.now}
	err = s.update(func(tx *bbolt.Tx) error {
		if err := initBuckets(tx); err != nil {
			return err
		}
		seq, err := loadSeq(tx)
		if err != nil {
			return err
		}
		s.seq.Store(seq)
		s.tookBack.deliveries, s.tookBack.leases, err = s.takeBack(tx)
		return err
	})
	if err != nil {
		s.w.stop()
		_ = db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// verify opens an existing file read-only and checks that it is an intact
// intake store.
func verify(path string, o options) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.timeout, ReadOnly: true})
	if err != nil {
		return openError(path, err)
	}
	defer db.Close()
	s := &Store{db: db, now: o.now}
	return s.view(func(tx *bbolt.Tx) error {
		// Drain every error: Check reads the transaction until it closes the channel.
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return fmt.Errorf("open store %s: file is corrupt (%v); it was left as it is: %w", path, first, store.ErrCorrupt)
		}
		meta := tx.Bucket(bMeta)
		if meta == nil {
			return fmt.Errorf("open store %s: file is a bbolt database but not an intake store; it was left as it is: %w", path, store.ErrCorrupt)
		}
		if got := string(meta.Get(kSchema)); got != schema {
			return fmt.Errorf("open store %s: file has schema %q, want %q; it was left as it is: %w", path, got, schema, store.ErrCorrupt)
		}
		return nil
	})
}

// openError explains a failed bbolt.Open. Apart from the lock and the file
// system refusing access, bbolt fails on an existing file only when it cannot
// make sense of its pages.
func openError(path string, err error) error {
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("open store %s: %w (is another intake running?)", path, ErrLocked)
	case errors.As(err, &pathErr):
		return fmt.Errorf("open store %s: %w", path, err)
	}
	return fmt.Errorf("open store %s: file is corrupt or not a store (%v); it was left as it is: %w", path, err, store.ErrCorrupt)
}

// Commits returns how many write transactions the store has committed (or
// tried to) since Open, each one an fsync: what a benchmark counts as writes.
func (s *Store) Commits() uint64 { return s.w.commits.Load() }

// Close releases the file.
func (s *Store) Close() error {
	s.w.stop()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Ping reports whether the store is open and readable.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.view(func(tx *bbolt.Tx) error {
		_, err := bucket(tx, bMeta)
		return err
	})
	if err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// view runs a read transaction, turning a panic of bbolt on a damaged page
// into ErrCorrupt.
func (s *Store) view(fn func(tx *bbolt.Tx) error) (err error) {
	defer recoverCorrupt(&err)
	return s.db.View(fn)
}

// update runs fn in a write transaction shared with concurrent writers (see
// committer): fn may run more than once and must only assign its results.
func (s *Store) update(fn func(tx *bbolt.Tx) error) error { return s.w.update(fn) }

func recoverCorrupt(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("store file damaged: %v: %w", r, store.ErrCorrupt)
	}
}
