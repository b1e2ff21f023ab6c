package redis

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake/store"
)

// Queue keys under the prefix, per queue q:
//
//	q:<q>:ready   ZSET id by enqueue sequence: ready now, oldest first
//	q:<q>:wait    ZSET id by ms (server clock) it becomes ready: in flight or nacked with a delay
//	q:<q>:items   HASH p:<id> payload, a:<id> attempts, s:<id> sequence, t:<id> token of the live delivery,
//	              h:<id> instance the live delivery went to (see WithInstance)
//	q:<q>:seq     STRING enqueue counter
//
// Ordering by sequence rather than by time keeps FIFO exact for messages
// enqueued within one millisecond, and a redelivered message keeps its place.

// enqueueScript adds a message unless its ID is already in the queue.
// KEYS: ready, wait, items, seq. ARGV: id, payload. Returns 1 if added.
var enqueueScript = goredis.NewScript(luaLib + `
return enqueue(KEYS[1], KEYS[3], KEYS[4], ARGV[1], ARGV[2])
`)

// enqueueBatchScript adds messages in order, skipping IDs already in the
// queue, in one atomic step. KEYS: ready, wait, items, seq. ARGV: id1,
// payload1, id2, payload2... Returns how many were added.
var enqueueBatchScript = goredis.NewScript(`
local added = 0
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('HEXISTS', KEYS[3], 'p:' .. id) == 0 then
    local seq = redis.call('INCR', KEYS[4])
    redis.call('HSET', KEYS[3], 'p:' .. id, ARGV[i + 1], 'a:' .. id, 0, 's:' .. id, seq)
    redis.call('ZADD', KEYS[1], seq, id)
    added = added + 1
  end
end
return added
`)

// dequeueScript first moves messages whose wait is over back to ready, then
// hands out up to max of the oldest ready ones: each waits again for the
// visibility timeout, under a token of its own (the token prefix, a colon
// and its place in the batch from 1).
// KEYS: ready, wait, items. ARGV: visibility ms, max, token prefix, instance.
// Returns {id1, payload1, attempt1, id2, ...}, empty when nothing is ready.
var dequeueScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], 's:' .. id) or 0, id)
end
local out = {}
for i, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), id)
  local attempt = redis.call('HINCRBY', KEYS[3], 'a:' .. id, 1)
  redis.call('HSET', KEYS[3], 't:' .. id, ARGV[3] .. ':' .. i, 'h:' .. id, ARGV[4])
  table.insert(out, id)
  table.insert(out, redis.call('HGET', KEYS[3], 'p:' .. id) or '')
  table.insert(out, attempt)
end
return out
`)

// ackScript removes a message if the token still owns it.
// KEYS: ready, wait, items. ARGV: id, token. Returns 1 if removed.
var ackScript = goredis.NewScript(luaLib + `
return ack(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
`)

// nackScript makes a message ready again after a delay if the token still
// owns it, and retires the token.
// KEYS: ready, wait, items. ARGV: id, token, delay ms. Returns 1 if done.
var nackScript = goredis.NewScript(`
local id = ARGV[1]
if redis.call('HGET', KEYS[3], 't:' .. id) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[3], 't:' .. id, 'h:' .. id)
local delay = tonumber(ARGV[3])
if delay <= 0 then
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], 's:' .. id) or 0, id)
  return 1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREM', KEYS[1], id)
redis.call('ZADD', KEYS[2], now + delay, id)
return 1
`)

func (s *Store) queueKeys(queue string) []string {
	return []string{s.key("q", queue, "ready"), s.key("q", queue, "wait"), s.key("q", queue, "items")}
}

// Enqueue adds a message unless one with its ID is pending or in flight.
func (s *Store) Enqueue(ctx context.Context, queue, id string, payload []byte) error {
	keys := append(s.queueKeys(queue), s.key("q", queue, "seq"))
	if err := enqueueScript.Run(ctx, s.rdb, keys, id, payload).Err(); err != nil {
		return fmt.Errorf("enqueue %s/%s: %w", queue, id, err)
	}
	return nil
}

// EnqueueBatch adds the messages not yet in the queue, in order, with one
// script run: Redis runs it whole, so no other client sees part of it.
func (s *Store) EnqueueBatch(ctx context.Context, queue string, msgs []store.Queued) error {
	if len(msgs) == 0 {
		return ctx.Err()
	}
	keys := append(s.queueKeys(queue), s.key("q", queue, "seq"))
	args := make([]any, 0, 2*len(msgs))
	for _, m := range msgs {
		args = append(args, m.ID, m.Payload)
	}
	if err := enqueueBatchScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("enqueue %d messages to %s: %w", len(msgs), queue, err)
	}
	return nil
}

// Dequeue hands the oldest ready message to the caller, or returns ErrEmpty.
func (s *Store) Dequeue(ctx context.Context, queue string, visibility time.Duration) (store.Delivery, error) {
	ds, err := s.DequeueMany(ctx, queue, visibility, 1)
	if err != nil {
		return store.Delivery{}, err
	}
	return ds[0], nil
}

// DequeueMany hands up to max of the oldest ready messages to the caller
// with one script run, or returns ErrEmpty.
func (s *Store) DequeueMany(ctx context.Context, queue string, visibility time.Duration, max int) ([]store.Delivery, error) {
	if max < 1 {
		return nil, fmt.Errorf("dequeue %s: max %d, want at least 1", queue, max)
	}
	if err := s.reclaimOnce(ctx, queue); err != nil {
		return nil, fmt.Errorf("dequeue %s: %w", queue, err)
	}
	token := rand.Text()
	res, err := dequeueScript.Run(ctx, s.rdb, s.queueKeys(queue), ms(visibility), max, token, s.instance).Slice()
	if err != nil {
		return nil, fmt.Errorf("dequeue %s: %w", queue, err)
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("dequeue %s: %w", queue, store.ErrEmpty)
	}
	if len(res)%3 != 0 || len(res)/3 > max {
		return nil, fmt.Errorf("dequeue %s: %d values from script, want 3 for each of at most %d messages: %w", queue, len(res), max, store.ErrCorrupt)
	}
	ds := make([]store.Delivery, 0, len(res)/3)
	for i := 0; i < len(res); i += 3 {
		id, _ := res[i].(string)
		payload, _ := res[i+1].(string)
		attempt, _ := res[i+2].(int64)
		ds = append(ds, store.Delivery{ID: id, Payload: []byte(payload), Attempt: int(attempt), Token: fmt.Sprintf("%s:%d", token, len(ds)+1)})
	}
	return ds, nil
}

// Ack removes a delivered message if d's token still owns it.
func (s *Store) Ack(ctx context.Context, queue string, d store.Delivery) error {
	n, err := ackScript.Run(ctx, s.rdb, s.queueKeys(queue), d.ID, d.Token).Int()
	if err != nil {
		return fmt.Errorf("ack %s/%s: %w", queue, d.ID, err)
	}
	if n != 1 {
		return fmt.Errorf("ack %s/%s: delivery no longer owns the message: %w", queue, d.ID, store.ErrNotFound)
	}
	return nil
}

// Nack makes a delivered message ready again after delay if d's token still owns it.
func (s *Store) Nack(ctx context.Context, queue string, d store.Delivery, delay time.Duration) error {
	n, err := nackScript.Run(ctx, s.rdb, s.queueKeys(queue), d.ID, d.Token, ms(delay)).Int()
	if err != nil {
		return fmt.Errorf("nack %s/%s: %w", queue, d.ID, err)
	}
	if n != 1 {
		return fmt.Errorf("nack %s/%s: delivery no longer owns the message: %w", queue, d.ID, store.ErrNotFound)
	}
	return nil
}

// QueueLen counts the ready and the waiting (in flight or delayed) messages.
func (s *Store) QueueLen(ctx context.Context, queue string) (int, error) {
	keys := s.queueKeys(queue)
	var ready, wait *goredis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		ready = p.ZCard(ctx, keys[0])
		wait = p.ZCard(ctx, keys[1])
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue length %s: %w", queue, err)
	}
	return int(ready.Val() + wait.Val()), nil
}
