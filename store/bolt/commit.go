package bolt

import (
	"fmt"
	"sync"
	"sync/atomic"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// maxGroup bounds how many writes share one transaction.
const maxGroup = 128

// committer runs every write of a Store in one goroutine and commits the
// writes that queued up while the previous commit was being fsync'd in one
// transaction: concurrent writers (an SMTP burst, parallel Slack events) share
// the fsync instead of waiting for one each, and a lone writer waits for no
// timer. bbolt's own Batch waits up to MaxBatchDelay before committing, which
// would slow the sequential writers (the IMAP poller, the worker) instead.
type committer struct {
	db      *bbolt.DB
	calls   chan call
	closing chan struct{}
	stopped chan struct{}
	once    sync.Once
	// commits counts the write transactions run, each one fsync.
	commits atomic.Uint64
}

type call struct {
	fn  func(*bbolt.Tx) error
	err chan error
}

func newCommitter(db *bbolt.DB) *committer {
	c := &committer{db: db, calls: make(chan call), closing: make(chan struct{}), stopped: make(chan struct{})}
	go c.loop()
	return c
}

// update runs fn in a write transaction, possibly with other writers' fn, and
// returns once that transaction is durable or failed. fn may run more than
// once (when another write in its group fails), so it must only read and
// write through tx and assign its results.
func (c *committer) update(fn func(*bbolt.Tx) error) error {
	done := make(chan error, 1)
	select {
	case c.calls <- call{fn, done}:
		return <-done
	case <-c.closing:
		return fmt.Errorf("store is closed: %w", berrors.ErrDatabaseNotOpen)
	}
}

// stop lets the writes already handed over finish and ends the loop.
func (c *committer) stop() {
	c.once.Do(func() { close(c.closing) })
	<-c.stopped
}

func (c *committer) loop() {
	defer close(c.stopped)
	for {
		var group []call
		select {
		case first := <-c.calls:
			group = append(group, first)
		case <-c.closing:
			return
		}
	drain:
		for len(group) < maxGroup {
			select {
			case next := <-c.calls:
				group = append(group, next)
			default:
				break drain
			}
		}
		c.commit(group)
	}
}

// commit runs group in one transaction. When a function fails, the whole
// transaction is rolled back; the failing function then runs alone, so that
// it reports its own error against the committed state, and the rest are
// tried again without it. Every caller sees the outcome of some serial order
// of the writes.
func (c *committer) commit(group []call) {
	for len(group) > 0 {
		failed := -1
		c.commits.Add(1)
		err := runUpdate(c.db, func(tx *bbolt.Tx) error {
			for i, w := range group {
				if err := w.fn(tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 || len(group) == 1 {
			// Committed, or the commit itself failed (disk, damaged page),
			// or the one write failed: every write in the group has the
			// same outcome.
			for _, w := range group {
				w.err <- err
			}
			return
		}
		w := group[failed]
		c.commits.Add(1)
		w.err <- runUpdate(c.db, w.fn)
		group = append(group[:failed:failed], group[failed+1:]...)
	}
}

// runUpdate is db.Update, turning a panic of bbolt on a damaged page into
// ErrCorrupt; bbolt rolls the transaction back before we recover.
func runUpdate(db *bbolt.DB, fn func(*bbolt.Tx) error) (err error) {
	defer recoverCorrupt(&err)
	return db.Update(fn)
}
