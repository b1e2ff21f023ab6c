package bolt

import (
	"context"
	"fmt"
	"sort"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake/store"
)

// ListQueue returns up to limit messages in enqueue order, in flight included.
func (s *Store) ListQueue(ctx context.Context, name string, limit int) ([]store.Queued, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type seqd struct {
		seq uint64
		q   store.Queued
	}
	var all []seqd
	err := s.view(func(tx *bbolt.Tx) error {
		q, err := openQueue(tx, name, false)
		if err != nil || q == nil {
			return err
		}
		return q.items.ForEach(func(k, v []byte) error {
			it, err := decodeItem(v)
			if err != nil {
				return fmt.Errorf("item %s: %w", k, err)
			}
			all = append(all, seqd{it.seq, store.Queued{ID: string(k), Payload: it.payload, Attempt: int(it.attempt)}})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list queue %s: %w", name, err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	out := make([]store.Queued, len(all))
	for i, x := range all {
		out[i] = x.q
	}
	return out, nil
}

// RemoveFromQueue deletes the message with id, waiting or in flight.
func (s *Store) RemoveFromQueue(ctx context.Context, name, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error {
		q, err := openQueue(tx, name, false)
		if err != nil {
			return err
		}
		if q == nil {
			return store.ErrNotFound
		}
		v := q.items.Get([]byte(id))
		if v == nil {
			return store.ErrNotFound
		}
		it, err := decodeItem(v)
		if err != nil {
			return err
		}
		if err := q.ready.Delete(it.readyKey()); err != nil {
			return err
		}
		if err := q.items.Delete([]byte(id)); err != nil {
			return err
		}
		return q.addLen(-1)
	})
	if err != nil {
		return fmt.Errorf("remove %s from %s: %w", id, name, err)
	}
	return nil
}
