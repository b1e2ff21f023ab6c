package channels

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// The outbox is split into InboxShards shard queues like the inbox, by
// incident: one incident's replies are delivered in the order they were
// queued, by one goroutine of one instance at a time (a card before its
// updates), while replies of other incidents go out in parallel.

// OutboxShardQueue is the name of outbox shard i: the first is the outbox of
// earlier versions, so that what they left queued is still delivered.
func OutboxShardQueue(i int) string {
	if i == 0 {
		return OutboxQueue
	}
	return fmt.Sprintf("%s.%d", OutboxQueue, i)
}

// outboxShardIndex is the number of the outbox shard named queue; ok is
// false for any other queue.
func outboxShardIndex(queue string) (i int, ok bool) {
	if queue == OutboxQueue {
		return 0, true
	}
	rest, found := strings.CutPrefix(queue, OutboxQueue+".")
	if !found {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 1 || i >= InboxShards || OutboxShardQueue(i) != queue {
		return 0, false
	}
	return i, true
}

// OutboxQueueFor is the outbox shard queue reply r belongs in.
func OutboxQueueFor(r *intake.Reply) string {
	key := "incident:" + string(r.IncidentID)
	if r.IncidentID == "" {
		key = "conversation:" + string(r.Conversation.Channel) + ":" + r.Conversation.Address
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return OutboxShardQueue(int(h.Sum32() % InboxShards))
}

// OutboxItem is the outbox item that queues reply r (encoded as payload) in
// its shard.
func OutboxItem(r *intake.Reply, payload []byte) store.Item {
	return store.Item{Queue: OutboxQueueFor(r), ID: r.ID, Payload: payload}
}

// OutboxLen returns how many replies wait in the outbox (all its shards), in
// flight included.
func OutboxLen(ctx context.Context, s interface {
	QueueLen(ctx context.Context, queue string) (int, error)
}) (int, error) {
	return shardsLen(ctx, s, OutboxShardQueue)
}
