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
		var err error
		fresh, err = s.markSeen(tx, key, ttl)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark seen %q: %w", key, err)
	}
	return fresh, nil
}

// markSeen remembers key until now+ttl and reports whether it was new.
func (s *Store) markSeen(tx *bbolt.Tx, key string, ttl time.Duration) (bool, error) {
	seen, err := bucket(tx, bSeen)
	if err != nil {
		return false, err
	}
	exp, err := bucket(tx, bSeenExp)
	if err != nil {
		return false, err
	}
	now := s.now()
	if err := sweep(seen, exp, now); err != nil {
		return false, err
	}
	if v := seen.Get([]byte(key)); v != nil {
		if len(v) != 8 {
			return false, fmt.Errorf("key %q: expiry is %d bytes: %w", key, len(v), store.ErrCorrupt)
		}
		if keyTime(v).After(now) {
			return false, nil
		}
		if err := exp.Delete(join(v, []byte(key))); err != nil {
			return false, err
		}
	}
	until := timeKey(now.Add(ttl))
	if err := seen.Put([]byte(key), until); err != nil {
		return false, err
	}
	return true, exp.Put(join(until, []byte(key)), nil)
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
	doomed, err := takeExpired(exp, now)
	if err != nil {
		return err
	}
	for _, k := range doomed {
		// Only delete the key if it still carries this expiry.
		if v := seen.Get(k[8:]); bytes.Equal(v, k[:8]) {
			if err := seen.Delete(k[8:]); err != nil {
				return err
			}
		}
	}
	return nil
}

// takeExpired deletes from the expiry index exp (keys: the 8-byte expiry,
// then the name) up to sweepBatch entries due at now, oldest first, and
// returns them for the caller to delete what they name.
func takeExpired(exp *bbolt.Bucket, now time.Time) ([][]byte, error) {
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
			return nil, err
		}
	}
	return doomed, nil
}
