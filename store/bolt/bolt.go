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
	// fullCheck: Open read every page of the file (see verify).
	fullCheck bool
}

// FullCheck reports whether Open ran the full page check, which it does
// when the last process did not close the store (or WithFullCheck asks).
func (s *Store) FullCheck() bool { return s.fullCheck }

// TookBack reports how many in-flight deliveries and leases of a previous
// process Open made available at once (see takeBack).
func (s *Store) TookBack() (deliveries, leases int) {
	return s.tookBack.deliveries, s.tookBack.leases
}

type options struct {
	now       func() time.Time
	timeout   time.Duration
	fullCheck bool
}

// Option configures Open.
type Option func(*options)

// WithClock sets the clock that expiries, visibility timeouts and delays are
// measured with; tests use it to move time without sleeping.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLockTimeout sets how long Open waits for another process to let go of
// the file before it gives up with ErrLocked (default 2s).
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithFullCheck makes Open read every page of the file, as it does anyway
// after an unclean shutdown: what `intake check -store` runs on demand.
func WithFullCheck() Option { return func(o *options) { o.fullCheck = true } }

// Open opens the store at path, creating the file and its folders if needed.
// It refuses, with an error wrapping store.ErrCorrupt, a file that is not an
// intake store or fails the consistency check, and never modifies such a file.
// The check is light after a clean Close and reads every page otherwise (see
// verify).
func Open(path string, opts ...Option) (*Store, error) {
	o := options{now: time.Now, timeout: 2 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	info, err := os.Stat(path)
	fullCheck := false
	switch {
	case err == nil && info.IsDir():
		return nil, fmt.Errorf("open store %s: is a directory", path)
	case err == nil && info.Size() > 0:
		// Look before writing: a read-only open never changes the file.
		if fullCheck, err = verify(path, o); err != nil {
			return nil, err
		}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.timeout})
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{db: db, w: newCommitter(db), now: o.now, fullCheck: fullCheck}
	err = s.update(func(tx *bbolt.Tx) error {
		if err := initBuckets(tx); err != nil {
			return err
		}
		// From now on a kill leaves no marker: the next Open checks it all.
		if err := tx.Bucket(bMeta).Delete(kCleanClose); err != nil {
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
// intake store. Opening already checks the meta pages (their checksums) and,
// with PreLoadFreelist, that the freelist is one. After a clean Close the rest
// is light (see checkLight); otherwise, or with WithFullCheck, bbolt's Check
// reads every page, which maps the whole file into memory for a while. It
// reports whether it ran the full check.
func verify(path string, o options) (full bool, err error) {
	db, err := openReadOnly(path, o)
	if err != nil {
		return false, err
	}
	defer db.Close()
	s := &Store{db: db, now: o.now}
	err = s.view(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if meta == nil {
			return fmt.Errorf("open store %s: file is a bbolt database but not an intake store; it was left as it is: %w", path, store.ErrCorrupt)
		}
		if got := string(meta.Get(kSchema)); got != schema {
			return fmt.Errorf("open store %s: file has schema %q, want %q; it was left as it is: %w", path, got, schema, store.ErrCorrupt)
		}
		full = o.fullCheck || meta.Get(kCleanClose) == nil
		check := checkLight
		if full {
			check = checkPages
		}
		if err := check(tx); err != nil {
			return fmt.Errorf("open store %s: file is corrupt (%v); it was left as it is: %w", path, err, store.ErrCorrupt)
		}
		return nil
	})
	return full, err
}

// openReadOnly opens path without the right to write, turning a panic of
// bbolt on a damaged freelist into ErrCorrupt.
func openReadOnly(path string, o options) (db *bbolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("open store %s: file is corrupt (%v); it was left as it is: %w", path, r, store.ErrCorrupt)
		}
	}()
	db, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.timeout, ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		return nil, openError(path, err)
	}
	return db, nil
}

// checkPages is bbolt's full consistency check: every page reachable once,
// none both free and in use.
func checkPages(tx *bbolt.Tx) error {
	// Drain every error: Check reads the transaction until it closes the channel.
	var first error
	for err := range tx.Check() {
		if first == nil {
			first = err
		}
	}
	return first
}

// checkLight reads what Open and every operation start from: the top-level
// buckets, and the first and last leaf of each (a path from its root), and
// the incident sequence. It touches a few pages per bucket, not the file.
func checkLight(tx *bbolt.Tx) error {
	if v := tx.Bucket(bMeta).Get(kInciSeq); v != nil && len(v) != 8 {
		return fmt.Errorf("incident sequence is %d bytes", len(v))
	}
	return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
		c := b.Cursor()
		c.First()
		c.Last()
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

// Close marks the shutdown clean, so that the next Open skips the full page
// check, and releases the file. The mark is one more fsync'd commit; a
// process killed before it leaves none, and its successor checks every page.
func (s *Store) Close() error {
	select {
	case <-s.w.closing:
		return nil // closed before
	default:
	}
	mark := s.update(func(tx *bbolt.Tx) error {
		meta, err := bucket(tx, bMeta)
		if err != nil {
			return err
		}
		return meta.Put(kCleanClose, []byte(s.now().UTC().Format(time.RFC3339)))
	})
	s.w.stop()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	if mark != nil {
		return fmt.Errorf("close store: mark the shutdown clean (the next open checks every page): %w", mark)
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
