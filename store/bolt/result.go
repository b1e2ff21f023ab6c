package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Commit writes r in one transaction, which the committer may share with
// other writes: one fsync at most, fewer under concurrency.
func (s *Store) Commit(ctx context.Context, r store.Result) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var stored *intake.Incident
	var data []byte
	if r.Incident != nil {
		cp := *r.Incident
		cp.Version++
		if r.Create {
			cp.Version = 1
		}
		var err error
		if data, err = json.Marshal(&cp); err != nil {
			return fmt.Errorf("commit %s: %w", cp.ID, err)
		}
		stored = &cp
	}
	err := s.update(func(tx *bbolt.Tx) error { return s.commit(tx, r, stored, data) })
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if stored != nil {
		r.Incident.Version = stored.Version
	}
	return nil
}

// commit applies r inside tx; the incident write comes first, so a conflict
// returns before anything else is written (and the transaction is rolled
// back in any case).
func (s *Store) commit(tx *bbolt.Tx, r store.Result, stored *intake.Incident, data []byte) error {
	switch {
	case stored == nil:
	case r.Create:
		if err := s.createIncident(tx, stored, data, r.Keys); err != nil {
			return fmt.Errorf("create %s: %w", stored.ID, err)
		}
	default:
		if err := updateIncident(tx, stored, data, r.Keys); err != nil {
			return fmt.Errorf("update %s: %w", stored.ID, err)
		}
	}
	for _, c := range r.Timers {
		var err error
		if c.Cancel {
			err = cancelTimer(tx, c.Timer.ID)
		} else {
			err = schedule(tx, c.Timer)
		}
		if err != nil {
			return fmt.Errorf("timer %s: %w", c.Timer.ID, err)
		}
	}
	for _, it := range r.Enqueue {
		if err := s.enqueue(tx, it.Queue, it.ID, it.Payload); err != nil {
			return fmt.Errorf("enqueue %s %s: %w", it.Queue, it.ID, err)
		}
	}
	if r.Seen != "" {
		if _, err := s.markSeen(tx, r.Seen, r.SeenFor); err != nil {
			return fmt.Errorf("mark seen %q: %w", r.Seen, err)
		}
	}
	if r.Ack != nil {
		err := ack(tx, r.Ack.Queue, r.Ack.Delivery)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ack %s %s: %w", r.Ack.Queue, r.Ack.Delivery.ID, err)
		}
	}
	return nil
}
