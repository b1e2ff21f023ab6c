package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// NextIncidentID takes the next number of a counter kept in memory, with
// no write: the file holds one process at a time, and it keeps the highest
// number an incident was created with (see createIncident), which Open
// starts the counter from. A number handed out but never stored may be
// handed out again after a restart; no incident has it.
func (s *Store) NextIncidentID(ctx context.Context) (intake.IncidentID, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return intake.FormatIncidentID(s.seq.Add(1)), nil
}

// loadSeq reads the incident counter of the file.
func loadSeq(tx *bbolt.Tx) (uint64, error) {
	b, err := bucket(tx, bMeta)
	if err != nil {
		return 0, err
	}
	v := b.Get(kInciSeq)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("incident counter is %d bytes: %w", len(v), store.ErrCorrupt)
	}
	return be.Uint64(v), nil
}

// keepSeq records in the file that an incident was created with id, so
// that the counter never goes back below it, and moves the counter in
// memory past it as well.
func (s *Store) keepSeq(tx *bbolt.Tx, id intake.IncidentID) error {
	n, err := strconv.ParseUint(strings.TrimPrefix(string(id), "INC-"), 10, 64)
	if err != nil {
		return nil // not a numbered ID: nothing to keep
	}
	for cur := s.seq.Load(); cur < n && !s.seq.CompareAndSwap(cur, n); cur = s.seq.Load() {
	}
	stored, err := loadSeq(tx)
	if err != nil || stored >= n {
		return err
	}
	return tx.Bucket(bMeta).Put(kInciSeq, be.AppendUint64(nil, n))
}

// CreateIncident stores inc and maps keys to it, or fails with ErrConflict.
func (s *Store) CreateIncident(ctx context.Context, inc *intake.Incident, keys []intake.ThreadKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stored := *inc
	stored.Version = 1
	data, err := json.Marshal(&stored)
	if err != nil {
		return fmt.Errorf("create %s: %w", inc.ID, err)
	}
	err = s.update(func(tx *bbolt.Tx) error { return s.createIncident(tx, &stored, data, keys) })
	if err != nil {
		return fmt.Errorf("create %s: %w", inc.ID, err)
	}
	inc.Version = 1
	return nil
}

// createIncident stores the incident stored (at version 1, encoded as data)
// and maps keys to it, or fails with ErrConflict.
func (s *Store) createIncident(tx *bbolt.Tx, stored *intake.Incident, data []byte, keys []intake.ThreadKey) error {
	incs, threads, err := incidentBuckets(tx)
	if err != nil {
		return err
	}
	if incs.Get([]byte(stored.ID)) != nil {
		return fmt.Errorf("incident exists: %w", store.ErrConflict)
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		if owner := threads.Get([]byte(k)); owner != nil {
			return fmt.Errorf("thread key %q belongs to %s: %w", k, owner, store.ErrConflict)
		}
	}
	if err := incs.Put([]byte(stored.ID), data); err != nil {
		return err
	}
	if err := mapKeys(threads, stored.ID, keys); err != nil {
		return err
	}
	if err := s.keepSeq(tx, stored.ID); err != nil {
		return err
	}
	return index(tx, stored, true)
}

// GetIncident returns a fresh copy of the stored incident.
func (s *Store) GetIncident(ctx context.Context, id intake.IncidentID) (*intake.Incident, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var inc *intake.Incident
	err := s.view(func(tx *bbolt.Tx) error {
		incs, err := bucket(tx, bIncidents)
		if err != nil {
			return err
		}
		inc, err = decodeIncident(incs.Get([]byte(id)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	return inc, nil
}

// UpdateIncident writes inc if its version is the stored one.
func (s *Store) UpdateIncident(ctx context.Context, inc *intake.Incident, keys []intake.ThreadKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stored := *inc
	stored.Version++
	data, err := json.Marshal(&stored)
	if err != nil {
		return fmt.Errorf("update %s: %w", inc.ID, err)
	}
	err = s.update(func(tx *bbolt.Tx) error { return updateIncident(tx, &stored, data, keys) })
	if err != nil {
		return fmt.Errorf("update %s: %w", inc.ID, err)
	}
	inc.Version++
	return nil
}

// updateIncident writes stored (encoded as data) if the stored version is
// the one before stored.Version, and maps the keys not mapped yet to it.
func updateIncident(tx *bbolt.Tx, stored *intake.Incident, data []byte, keys []intake.ThreadKey) error {
	incs, threads, err := incidentBuckets(tx)
	if err != nil {
		return err
	}
	old, err := decodeIncident(incs.Get([]byte(stored.ID)))
	if err != nil {
		return err
	}
	if old.Version != stored.Version-1 {
		return fmt.Errorf("stored version %d, write has %d: %w", old.Version, stored.Version-1, store.ErrConflict)
	}
	if err := index(tx, old, false); err != nil {
		return err
	}
	if err := incs.Put([]byte(stored.ID), data); err != nil {
		return err
	}
	for _, k := range keys {
		if k == "" || threads.Get([]byte(k)) != nil {
			continue // mapped already, to this incident or another: left alone
		}
		if err := threads.Put([]byte(k), []byte(stored.ID)); err != nil {
			return err
		}
	}
	return index(tx, stored, true)
}

// LookupThread returns the incident key maps to.
func (s *Store) LookupThread(ctx context.Context, key intake.ThreadKey) (intake.IncidentID, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var id intake.IncidentID
	err := s.view(func(tx *bbolt.Tx) error {
		threads, err := bucket(tx, bThreads)
		if err != nil {
			return err
		}
		v := threads.Get([]byte(key))
		if v == nil {
			return store.ErrNotFound
		}
		id = intake.IncidentID(v)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("lookup thread %q: %w", key, err)
	}
	return id, nil
}

// LookupThreads reads every key in one read-only transaction.
func (s *Store) LookupThreads(ctx context.Context, keys []intake.ThreadKey) ([]intake.IncidentID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ids := make([]intake.IncidentID, len(keys))
	err := s.view(func(tx *bbolt.Tx) error {
		threads, err := bucket(tx, bThreads)
		if err != nil {
			return err
		}
		for i, k := range keys {
			ids[i] = intake.IncidentID(threads.Get([]byte(k))) // copied out of the mapped page
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lookup %d thread keys: %w", len(keys), err)
	}
	return ids, nil
}

// ListIncidents walks the narrowest index backwards (newest first) and checks
// the other filter field on each incident.
func (s *Store) ListIncidents(ctx context.Context, f store.Filter) ([]*intake.Incident, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*intake.Incident
	err := s.view(func(tx *bbolt.Tx) error {
		incs, err := bucket(tx, bIncidents)
		if err != nil {
			return err
		}
		idx, prefix := bByCreated, []byte(nil)
		switch {
		case f.Status != "":
			idx, prefix = bByStatus, fieldPrefix(string(f.Status))
		case f.Tier != "":
			idx, prefix = bByTier, fieldPrefix(string(f.Tier))
		}
		b, err := bucket(tx, idx)
		if err != nil {
			return err
		}
		c := b.Cursor()
		first := lastWithPrefix(c, prefix)
		if f.Before != nil {
			first = lastBefore(c, prefix, join(prefix, timeKey(f.Before.CreatedAt), []byte(f.Before.ID)))
		}
		for k := first; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			if len(k) < len(prefix)+8 {
				return fmt.Errorf("index %s key %q too short: %w", idx, k, store.ErrCorrupt)
			}
			id := k[len(prefix)+8:]
			inc, err := decodeIncident(incs.Get(id))
			if err != nil {
				return fmt.Errorf("index %s names %s: %w", idx, id, err)
			}
			if (f.Status != "" && inc.Status != f.Status) || (f.Tier != "" && inc.Tier != f.Tier) {
				continue
			}
			out = append(out, inc)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, nil
}
