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
	// notify, when set, wakes a worker in this process: it carries the
	// shard the message went to.
	notify chan int
}

var _ Inbox = (*StoreInbox)(nil)

// Accept stores msg in its inbox shard, keyed by its dedupe key so that a
// second delivery while the first is still queued is not stored twice.
func (in *StoreInbox) Accept(ctx context.Context, msg *intake.Message) error {
	if msg.ID == "" || msg.Channel == "" {
		return fmt.Errorf("accept message: missing id or channel")
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("accept %s: %w", msg.DedupeKey(), err)
	}
	shard := shardOf(msg)
	if err := in.Store.Enqueue(ctx, ShardQueue(shard), msg.DedupeKey(), payload); err != nil {
		return fmt.Errorf("accept %s: %w", msg.DedupeKey(), err)
	}
	in.Metrics.received(msg.Channel)
	wake(in.notify, shard)
	return nil
}

// wake tells a worker in this process, without waiting, that shard has a
// message; a full channel drops the call and the worker's poll finds it.
func wake(notify chan int, shard int) {
	if notify == nil {
		return
	}
	select {
	case notify <- shard:
	default:
	}
}
