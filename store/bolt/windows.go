package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake/store"
)

// A window is a bucket of bWindows named after it, holding its expiry
// (kWinExpires), how many members joined (kWinCount) and each member's rank
// under kWinMember+member; the prefix keeps a member from overwriting the
// other two. bWindowExp indexes windows by expiry (expires|window), so that
// writes sweep the expired ones as MarkSeen sweeps dedupe keys.
var (
	kWinExpires = []byte("e")
	kWinCount   = []byte("n")
	kWinMember  = []byte("m")
)

// errNoWindow: an entry without a window name, which bbolt cannot name a
// bucket after.
var errNoWindow = errors.New("window name is empty")

// Rank is store.Windows.Rank in one transaction.
func (s *Store) Rank(ctx context.Context, entries []store.WindowEntry, ttl time.Duration) ([]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ranks := make([]int, len(entries))
	if len(entries) == 0 {
		return ranks, nil
	}
	for _, e := range entries {
		if e.Window == "" {
			return nil, fmt.Errorf("rank %q: %w", e.Member, errNoWindow)
		}
	}
	err := s.update(func(tx *bbolt.Tx) error {
		all, err := bucket(tx, bWindows)
		if err != nil {
			return err
		}
		exp, err := bucket(tx, bWindowExp)
		if err != nil {
			return err
		}
		now := s.now()
		if err := sweepWindows(all, exp, now); err != nil {
			return err
		}
		for i, e := range entries {
			if ranks[i], err = rank(all, exp, e, now, ttl); err != nil {
				return fmt.Errorf("window %q: %w", e.Window, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rank %d window members: %w", len(entries), err)
	}
	return ranks, nil
}

// rank adds e's member to its window, starting the window (until now+ttl)
// if it does not exist or has expired, and returns the member's rank.
func rank(all, exp *bbolt.Bucket, e store.WindowEntry, now time.Time, ttl time.Duration) (int, error) {
	name := []byte(e.Window)
	w := all.Bucket(name)
	if w != nil {
		v := w.Get(kWinExpires)
		if len(v) != 8 {
			return 0, fmt.Errorf("expiry is %d bytes: %w", len(v), store.ErrCorrupt)
		}
		if !keyTime(v).After(now) {
			// Expired and not swept yet: forget it now.
			if err := exp.Delete(join(v, name)); err != nil {
				return 0, err
			}
			if err := all.DeleteBucket(name); err != nil {
				return 0, err
			}
			w = nil
		}
	}
	if w == nil {
		var err error
		if w, err = all.CreateBucket(name); err != nil {
			return 0, err
		}
		until := timeKey(now.Add(ttl))
		if err := w.Put(kWinExpires, until); err != nil {
			return 0, err
		}
		if err := exp.Put(join(until, name), nil); err != nil {
			return 0, err
		}
	}
	member := join(kWinMember, []byte(e.Member))
	if v := w.Get(member); v != nil {
		return decodeRank(v)
	}
	n := 1
	if v := w.Get(kWinCount); v != nil {
		last, err := decodeRank(v)
		if err != nil {
			return 0, err
		}
		n = last + 1
	}
	r := binary.BigEndian.AppendUint64(nil, uint64(n))
	if err := w.Put(kWinCount, r); err != nil {
		return 0, err
	}
	return n, w.Put(member, r)
}

// decodeRank reads a rank or a count, 8 bytes big-endian.
func decodeRank(v []byte) (int, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("rank is %d bytes: %w", len(v), store.ErrCorrupt)
	}
	return int(binary.BigEndian.Uint64(v)), nil
}

// sweepWindows deletes up to sweepBatch expired windows, oldest first.
func sweepWindows(all, exp *bbolt.Bucket, now time.Time) error {
	doomed, err := takeExpired(exp, now)
	if err != nil {
		return err
	}
	for _, k := range doomed {
		// Only delete the window if it still carries this expiry.
		if w := all.Bucket(k[8:]); w != nil && bytes.Equal(w.Get(kWinExpires), k[:8]) {
			if err := all.DeleteBucket(k[8:]); err != nil {
				return err
			}
		}
	}
	return nil
}
