package redis

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake/store"
)

// listQueueScript returns every message of a queue as flat triples
// {id, payload, attempt, sequence}, in one snapshot.
// KEYS: ready, wait, items.
var listQueueScript = goredis.NewScript(`
local out = {}
for _, key in ipairs({KEYS[1], KEYS[2]}) do
  for _, id in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    local v = redis.call('HMGET', KEYS[3], 'p:' .. id, 'a:' .. id, 's:' .. id)
    if v[1] then
      out[#out + 1] = id
      out[#out + 1] = v[1]
      out[#out + 1] = v[2] or '0'
      out[#out + 1] = v[3] or '0'
    end
  end
end
return out
`)

// removeScript deletes a message whatever its state.
// KEYS: ready, wait, items. ARGV: id. Returns 1 if it was there.
var removeScript = goredis.NewScript(`
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[3], 'p:' .. id) == 0 then return 0 end
redis.call('ZREM', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
redis.call('HDEL', KEYS[3], 'p:' .. id, 'a:' .. id, 's:' .. id, 't:' .. id)
return 1
`)

// ListQueue returns up to limit messages in enqueue order, in flight included.
func (s *Store) ListQueue(ctx context.Context, queue string, limit int) ([]store.Queued, error) {
	vals, err := listQueueScript.Run(ctx, s.rdb, s.queueKeys(queue)).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("list queue %s: %w", queue, err)
	}
	type seqd struct {
		seq int64
		q   store.Queued
	}
	all := make([]seqd, 0, len(vals)/4)
	for i := 0; i+3 < len(vals); i += 4 {
		attempt, _ := strconv.Atoi(vals[i+2])
		seq, _ := strconv.ParseInt(vals[i+3], 10, 64)
		all = append(all, seqd{seq, store.Queued{ID: vals[i], Payload: []byte(vals[i+1]), Attempt: attempt}})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	out := make([]store.Queued, len(all))
	for i, x := range all {
		out[i] = x.q
	}
	return out, nil
}

// RemoveFromQueue deletes the message with id, waiting or in flight.
func (s *Store) RemoveFromQueue(ctx context.Context, queue, id string) error {
	n, err := removeScript.Run(ctx, s.rdb, s.queueKeys(queue), id).Int()
	if err != nil {
		return fmt.Errorf("remove %s from %s: %w", id, queue, err)
	}
	if n != 1 {
		return fmt.Errorf("remove %s from %s: %w", id, queue, store.ErrNotFound)
	}
	return nil
}
