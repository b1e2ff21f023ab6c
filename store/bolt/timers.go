package bolt

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake/store"
)

// Timers live in bTimers (id -> due|payload) and bTimerDue (due|id), so
// DueTimers walks the due index from the start and stops at the first timer
// not yet due. A write transaction removes what it returns, which is what
// makes each timer fire once.

// Schedule creates or replaces the timer t.ID.
func (s *Store) Schedule(ctx context.Context, t store.Timer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error { return schedule(tx, t) })
	if err != nil {
		return fmt.Errorf("schedule %s: %w", t.ID, err)
	}
	return nil
}

// CancelTimer removes the timer id if it exists.
func (s *Store) CancelTimer(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error { return cancelTimer(tx, id) })
	if err != nil {
		return fmt.Errorf("cancel timer %s: %w", id, err)
	}
	return nil
}

// schedule creates or replaces the timer t.ID.
func schedule(tx *bbolt.Tx, t store.Timer) error {
	timers, dues, err := timerBuckets(tx)
	if err != nil {
		return err
	}
	if err := unschedule(timers, dues, t.ID); err != nil {
		return err
	}
	due := timeKey(t.Due)
	if err := timers.Put([]byte(t.ID), join(due, t.Payload)); err != nil {
		return err
	}
	return dues.Put(join(due, []byte(t.ID)), nil)
}

// cancelTimer removes the timer id if it exists.
func cancelTimer(tx *bbolt.Tx, id string) error {
	timers, dues, err := timerBuckets(tx)
	if err != nil {
		return err
	}
	return unschedule(timers, dues, id)
}

// DueTimers removes and returns up to limit timers due at or before now,
// earliest first; limit <= 0 means no cap.
func (s *Store) DueTimers(ctx context.Context, now time.Time, limit int) ([]store.Timer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	until := timeKey(now)
	// Pollers mostly find nothing: look in a read transaction first.
	var due bool
	err := s.view(func(tx *bbolt.Tx) error {
		_, dues, err := timerBuckets(tx)
		if err != nil {
			return err
		}
		k, _ := dues.Cursor().First()
		due = k != nil && bytes.Compare(k[:min(8, len(k))], until) <= 0
		return nil
	})
	if err != nil || !due {
		return nil, wrapDue(err)
	}
	var out []store.Timer
	err = s.update(func(tx *bbolt.Tx) error {
		out = nil // update may run this again
		timers, dues, err := timerBuckets(tx)
		if err != nil {
			return err
		}
		var fired [][]byte
		c := dues.Cursor()
		for k, _ := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
			if len(k) < 8 {
				return fmt.Errorf("timer index key %q too short: %w", k, store.ErrCorrupt)
			}
			if bytes.Compare(k[:8], until) > 0 {
				break
			}
			id := k[8:]
			v := timers.Get(id)
			if len(v) < 8 {
				return fmt.Errorf("timer %s: record missing or short: %w", id, store.ErrCorrupt)
			}
			out = append(out, store.Timer{ID: string(id), Due: keyTime(v[:8]), Payload: clone(v[8:])})
			fired = append(fired, clone(k))
		}
		for _, k := range fired {
			if err := dues.Delete(k); err != nil {
				return err
			}
			if err := timers.Delete(k[8:]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapDue(err)
	}
	return out, nil
}

func wrapDue(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("due timers: %w", err)
}

func timerBuckets(tx *bbolt.Tx) (timers, dues *bbolt.Bucket, err error) {
	if timers, err = bucket(tx, bTimers); err != nil {
		return nil, nil, err
	}
	if dues, err = bucket(tx, bTimerDue); err != nil {
		return nil, nil, err
	}
	return timers, dues, nil
}

// unschedule removes the timer id and its index entry, if any.
func unschedule(timers, dues *bbolt.Bucket, id string) error {
	v := timers.Get([]byte(id))
	if v == nil {
		return nil
	}
	if len(v) < 8 {
		return fmt.Errorf("timer %s record is %d bytes: %w", id, len(v), store.ErrCorrupt)
	}
	if err := dues.Delete(join(v[:8], []byte(id))); err != nil {
		return err
	}
	return timers.Delete([]byte(id))
}
