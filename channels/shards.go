package channels

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/intake-support/intake"
)

// InboxShards is how many queues the inbox is split into. Messages with the
// same ordering key (see orderKey) always go to the same shard, and a shard
// is drained by one goroutine of one instance at a time, so they are handled
// in the order they arrived while other shards are handled in parallel. It is
// part of the stored layout: every instance sharing a store must use the same
// number.
const InboxShards = 16

// ShardQueue is the name of inbox shard i: the first is the inbox of
// earlier versions, so that what they left queued is still handled.
func ShardQueue(i int) string {
	if i == 0 {
		return InboxQueue
	}
	return fmt.Sprintf("%s.%d", InboxQueue, i)
}

// InboxQueueFor is the inbox shard queue msg belongs in: whatever queues
// inbound messages itself (a batch of them, say) must put each there, or it
// loses its order with the customer's other messages.
func InboxQueueFor(msg *intake.Message) string { return ShardQueue(shardOf(msg)) }

// shardOf is the number of the inbox shard msg is queued in.
func shardOf(msg *intake.Message) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(orderKey(msg)))
	return int(h.Sum32() % InboxShards)
}

// orderKey names what msg must be handled in order with. A customer's
// messages are ordered by who wrote where (the customer's channel and
// identity), which also covers a follow-up that opens no thread of its own.
// Intake's own messages, agents' messages and actions are ordered by the
// incident they name.
func orderKey(msg *intake.Message) string {
	if msg.Channel == intake.ChannelSystem || msg.FromAgent {
		for _, k := range msg.ThreadKeys {
			if strings.HasPrefix(string(k), string(intake.TokenThreadKey(""))) {
				return string(k)
			}
		}
		if len(msg.ThreadKeys) > 0 {
			return string(msg.ThreadKeys[0])
		}
	}
	who := msg.From.ID
	if who == "" {
		who = msg.Conversation.Address
	}
	return "customer:" + string(msg.Channel) + ":" + who
}

// InboxLen returns how many messages wait in the inbox (all its shards), in
// flight included. s is a store.Queues, or any part of one that has QueueLen.
func InboxLen(ctx context.Context, s interface {
	QueueLen(ctx context.Context, queue string) (int, error)
}) (int, error) {
	return shardsLen(ctx, s, ShardQueue)
}

// shardsLen sums the lengths of the shard queues shard names.
func shardsLen(ctx context.Context, s interface {
	QueueLen(ctx context.Context, queue string) (int, error)
}, shard func(int) string) (int, error) {
	total := 0
	for i := range InboxShards {
		n, err := s.QueueLen(ctx, shard(i))
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
