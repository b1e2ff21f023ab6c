package bolt

import (
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake/store"
)

// AcquireLease takes or renews name for holder until now+ttl.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error {
		leases, err := bucket(tx, bLeases)
		if err != nil {
			return err
		}
		now := s.now()
		if v := leases.Get([]byte(name)); v != nil {
			cur, until, err := decodeLease(v)
			if err != nil {
				return err
			}
			if cur != holder && until.After(now) {
				return fmt.Errorf("held by %s until %s: %w", cur, until.Format(time.RFC3339), store.ErrLeaseHeld)
			}
		}
		return leases.Put([]byte(name), join(timeKey(now.Add(ttl)), []byte(holder)))
	})
	if err != nil {
		return fmt.Errorf("acquire lease %s for %s: %w", name, holder, err)
	}
	return nil
}

// ReleaseLease frees name if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error {
		leases, err := bucket(tx, bLeases)
		if err != nil {
			return err
		}
		v := leases.Get([]byte(name))
		if v == nil {
			return nil
		}
		cur, _, err := decodeLease(v)
		if err != nil || cur != holder {
			return err
		}
		return leases.Delete([]byte(name))
	})
	if err != nil {
		return fmt.Errorf("release lease %s for %s: %w", name, holder, err)
	}
	return nil
}

func decodeLease(v []byte) (holder string, until time.Time, err error) {
	if len(v) < 8 {
		return "", time.Time{}, fmt.Errorf("lease record is %d bytes: %w", len(v), store.ErrCorrupt)
	}
	return string(v[8:]), keyTime(v[:8]), nil
}
