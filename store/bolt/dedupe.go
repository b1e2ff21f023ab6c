package bolt

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake/store"
)

// sweepBatch bounds how many expired dedupe keys one MarkSeen deletes, so
// that the file stays small without any write paying for a long backlog.
const sweepBatch = 32

// MarkSeen remembers key until now+ttl.
func (s *Store) MarkSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var fresh bool
	err := s.update(func(tx *bbolt.Tx) error {
		fresh = false // update may run this again
		seen, err := bucket(tx, bSeen)
		if err != nil {
			return err
		}
		exp, err := bucket(tx, bSeenExp)
		if err != nil {
			return err
		}
		now := s.now()
		if err := sweep(seen, exp, now); err != nil {
			return err
		}
		if v := seen.Get([]byte(key)); v != nil {
			if len(v) != 8 {
				return fmt.Errorf("key %q: expiry is %d bytes: %w", key, len(v), store.ErrCorrupt)
			}
			if keyTime(v).After(now) {
				return nil
			}
			if err := exp.Delete(join(v, []byte(key))); err != nil {
				return err
			}
		}
		fresh = true
		until := timeKey(now.Add(ttl))
		if err := seen.Put([]byte(key), until); err != nil {
			return err
		}
		return exp.Put(join(until, []byte(key)), nil)
	})
	if err != nil {
		return false, fmt.Errorf("mark seen %q: %w", key, err)
	}
	return fresh, nil
}

// Seen reports whether key is remembered and unexpired.
func (s *Store) Seen(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var ok bool
	err := s.view(func(tx *bbolt.Tx) error {
		seen, err := bucket(tx, bSeen)
		if err != nil {
			return err
		}
		v := seen.Get([]byte(key))
		ok = len(v) == 8 && keyTime(v).After(s.now())
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("seen %q: %w", key, err)
	}
	return ok, nil
}

// sweep deletes up to sweepBatch expired keys, oldest first.
func sweep(seen, exp *bbolt.Bucket, now time.Time) error {
	c := exp.Cursor()
	limit := timeKey(now)
	var doomed [][]byte
	for k, _ := c.First(); k != nil && len(doomed) < sweepBatch; k, _ = c.Next() {
		if len(k) < 8 || bytes.Compare(k[:8], limit) > 0 {
			break
		}
		doomed = append(doomed, clone(k))
	}
	for _, k := range doomed {
		if err := exp.Delete(k); err != nil {
			return err
		}
		// Only delete the key if it still carries this expiry.
		if v := seen.Get(k[8:]); bytes.Equal(v, k[:8]) {
			if err := seen.Delete(k[8:]); err != nil {
				return err
			}
		}
	}
	return nil
}
