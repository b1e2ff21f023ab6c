package redis

import (
	"context"
	"fmt"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// reclaimScript makes every in-flight delivery of one instance ready again,
// in its old place. Nacked messages waiting out a delay carry no token and
// stay where they are.
// KEYS: ready, wait, items. ARGV: instance. Returns how many it moved.
var reclaimScript = goredis.NewScript(`
local n = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('HGET', KEYS[3], 'h:' .. id) == ARGV[1] and redis.call('HEXISTS', KEYS[3], 't:' .. id) == 1 then
    redis.call('HDEL', KEYS[3], 't:' .. id, 'h:' .. id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], 's:' .. id) or 0, id)
    n = n + 1
  end
end
return n
`)

// reclaimOnce takes back, before this handle's first Dequeue of queue, the
// deliveries an earlier process of the same instance left in flight. Later
// calls do nothing, so deliveries of this process are never taken back from
// it. A failure is returned to every caller until one attempt succeeds.
func (s *Store) reclaimOnce(ctx context.Context, queue string) error {
	if s.instance == "" {
		return nil
	}
	v, _ := s.reclaimed.LoadOrStore(queue, &reclaim{})
	r := v.(*reclaim)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return nil
	}
	n, err := reclaimScript.Run(ctx, s.rdb, s.queueKeys(queue), s.instance).Int()
	if err != nil {
		return fmt.Errorf("take back the deliveries of instance %s: %w", s.instance, err)
	}
	r.done, r.count = true, n
	return nil
}

// reclaim is the state of one queue's take-back.
type reclaim struct {
	mu    sync.Mutex
	done  bool
	count int
}

// TookBack reports how many in-flight deliveries of an earlier process of
// this instance the queues dequeued so far took back.
func (s *Store) TookBack() int {
	n := 0
	s.reclaimed.Range(func(_, v any) bool {
		r := v.(*reclaim)
		r.mu.Lock()
		n += r.count
		r.mu.Unlock()
		return true
	})
	return n
}
