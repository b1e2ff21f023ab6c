package channels

import (
	"context"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// OutboxItem is the outbox item that queues reply r (encoded as payload).
func OutboxItem(r *intake.Reply, payload []byte) store.Item {
	return store.Item{Queue: OutboxQueue, ID: r.ID, Payload: payload}
}

// OutboxLen returns how many replies wait in the outbox, in flight included.
func OutboxLen(ctx context.Context, s interface {
	QueueLen(ctx context.Context, queue string) (int, error)
}) (int, error) {
	return s.QueueLen(ctx, OutboxQueue)
}
