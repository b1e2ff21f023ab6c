package channels

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Queue names used by the spine.
const (
	InboxQueue  = "inbox"
	OutboxQueue = "outbox"
	// DeadQueue keeps inbound messages that failed too often to be handled,
	// for a person to look at; nothing is ever dropped.
	DeadQueue = "inbox.dead"
)

// StoreInbox is the durable Inbox: Accept returns once the message is in the
// store's inbox queue.
type StoreInbox struct {
	Store   store.Queues
	Metrics *Metrics
	// notify, when set, wakes a worker in this process.
	notify chan struct{}
}

var _ Inbox = (*StoreInbox)(nil)

var _ BatchInbox = (*StoreInbox)(nil)

// Accept stores msg in the inbox queue, keyed by its dedupe key so that a
// second delivery while the first is still queued is not stored twice.
func (in *StoreInbox) Accept(ctx context.Context, msg *intake.Message) error {
	q, err := queued(msg)
	if err != nil {
		return err
	}
	if err := in.Store.Enqueue(ctx, InboxQueue, q.ID, q.Payload); err != nil {
		return fmt.Errorf("accept %s: %w", q.ID, err)
	}
	in.accepted(msg)
	return nil
}

// AcceptBatch stores msgs in the inbox queue in their order with one write.
func (in *StoreInbox) AcceptBatch(ctx context.Context, msgs []*intake.Message) error {
	batch := make([]store.Queued, len(msgs))
	for i, msg := range msgs {
		q, err := queued(msg)
		if err != nil {
			return err
		}
		batch[i] = q
	}
	if err := in.Store.EnqueueBatch(ctx, InboxQueue, batch); err != nil {
		return fmt.Errorf("accept %d messages: %w", len(msgs), err)
	}
	for _, msg := range msgs {
		in.accepted(msg)
	}
	return nil
}

// queued is msg as the inbox queue holds it, under its dedupe key.
func queued(msg *intake.Message) (store.Queued, error) {
	if msg.ID == "" || msg.Channel == "" {
		return store.Queued{}, fmt.Errorf("accept message: missing id or channel")
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return store.Queued{}, fmt.Errorf("accept %s: %w", msg.DedupeKey(), err)
	}
	return store.Queued{ID: msg.DedupeKey(), Payload: payload}, nil
}

// accepted counts a stored message and wakes the worker.
func (in *StoreInbox) accepted(msg *intake.Message) {
	in.Metrics.received(msg.Channel)
	if in.notify != nil {
		select {
		case in.notify <- struct{}{}:
		default:
		}
	}
}
