package channels

import (
	"context"
	"encoding/json"
	"fmt"

	"golang.org/x/sync/errgroup"

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

var (
	_ Inbox      = (*StoreInbox)(nil)
	_ BatchInbox = (*StoreInbox)(nil)
)

// Accept stores msg in its inbox shard, keyed by its dedupe key so that a
// second delivery while the first is still queued is not stored twice.
func (in *StoreInbox) Accept(ctx context.Context, msg *intake.Message) error {
	q, err := queued(msg)
	if err != nil {
		return err
	}
	shard := shardOf(msg)
	if err := in.Store.Enqueue(ctx, ShardQueue(shard), q.ID, q.Payload); err != nil {
		return fmt.Errorf("accept %s: %w", q.ID, err)
	}
	in.accepted(msg, shard)
	return nil
}

// AcceptBatch stores msgs in their inbox shards, in their order within each
// shard, with one write per shard the batch touches. The shards' writes run
// side by side, so the embedded store commits them together; a failure may
// leave some shards written, which is safe since the caller sends the batch
// again and a message already queued is not stored twice.
func (in *StoreInbox) AcceptBatch(ctx context.Context, msgs []*intake.Message) error {
	byShard := map[int][]store.Queued{}
	for _, msg := range msgs {
		q, err := queued(msg)
		if err != nil {
			return err
		}
		shard := shardOf(msg)
		byShard[shard] = append(byShard[shard], q)
	}
	g, gctx := errgroup.WithContext(ctx)
	for shard, batch := range byShard {
		g.Go(func() error { return in.Store.EnqueueBatch(gctx, ShardQueue(shard), batch) })
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("accept %d messages: %w", len(msgs), err)
	}
	for _, msg := range msgs {
		in.accepted(msg, shardOf(msg))
	}
	return nil
}

// queued is msg as an inbox shard holds it, under its dedupe key.
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

// accepted counts a stored message and wakes the worker of its shard.
func (in *StoreInbox) accepted(msg *intake.Message, shard int) {
	in.Metrics.received(msg.Channel)
	wake(in.notify, shard)
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
