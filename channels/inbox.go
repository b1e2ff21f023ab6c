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

// Accept stores msg in the inbox queue, keyed by its dedupe key so that a
// second delivery while the first is still queued is not stored twice.
func (in *StoreInbox) Accept(ctx context.Context, msg *intake.Message) error {
	if msg.ID == "" || msg.Channel == "" {
		return fmt.Errorf("accept message: missing id or channel")
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("accept %s: %w", msg.DedupeKey(), err)
	}
	if err := in.Store.Enqueue(ctx, InboxQueue, msg.DedupeKey(), payload); err != nil {
		return fmt.Errorf("accept %s: %w", msg.DedupeKey(), err)
	}
	in.Metrics.received(msg.Channel)
	if in.notify != nil {
		select {
		case in.notify <- struct{}{}:
		default:
		}
	}
	return nil
}

// InboxLen returns how many messages wait in the inbox, in flight included.
func InboxLen(ctx context.Context, s store.Queues) (int, error) {
	return s.QueueLen(ctx, InboxQueue)
}
