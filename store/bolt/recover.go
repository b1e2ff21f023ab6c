package bolt

import (
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// takeBack runs at Open. The file lock proves that no other process has the
// file, so whatever was in flight or leased was held by a process that is
// gone (killed, or crashed): its deliveries are made ready at once and its
// leases freed, instead of waiting out visibility timeouts and lease TTLs.
// Messages nacked with a delay carry no token and keep their delay.
func (s *Store) takeBack(tx *bbolt.Tx) (deliveries, leases int, err error) {
	all, err := bucket(tx, bQueues)
	if err != nil {
		return 0, 0, err
	}
	var names [][]byte
	if err := all.ForEach(func(k, v []byte) error {
		if v == nil { // a queue is a bucket
			names = append(names, clone(k))
		}
		return nil
	}); err != nil {
		return 0, 0, err
	}
	for _, name := range names {
		q, err := openQueue(tx, string(name), false)
		if err != nil {
			return 0, 0, err
		}
		type held struct {
			id string
			it item
		}
		var inFlight []held
		if err := q.items.ForEach(func(k, v []byte) error {
			it, err := decodeItem(v)
			if err != nil {
				return fmt.Errorf("item %s: %w", k, err)
			}
			if it.token != "" {
				inFlight = append(inFlight, held{string(k), it})
			}
			return nil
		}); err != nil {
			return 0, 0, fmt.Errorf("queue %s: %w", name, err)
		}
		for _, h := range inFlight {
			if err := q.ready.Delete(h.it.readyKey()); err != nil {
				return 0, 0, err
			}
			// Ahead of everything waiting, by enqueue sequence: these were
			// handed out before any message still waiting.
			h.it.token = ""
			h.it.readyAt = time.Unix(0, 0)
			if err := q.put(h.id, h.it); err != nil {
				return 0, 0, err
			}
		}
		deliveries += len(inFlight)
	}
	leases = tx.Bucket(bLeases).Stats().KeyN
	if err := tx.DeleteBucket(bLeases); err != nil {
		return 0, 0, err
	}
	if _, err := tx.CreateBucket(bLeases); err != nil {
		return 0, 0, err
	}
	return deliveries, leases, nil
}
