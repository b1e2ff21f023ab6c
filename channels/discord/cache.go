package discord

import (
	"context"
	"sync"
)

// queue is an unbounded FIFO between the gateway read loop, which must never
// block, and a worker that may wait on the inbox or on REST rate limits.
type queue[T any] struct {
	mu     sync.Mutex
	items  []T
	signal chan struct{}
}

func newQueue[T any]() *queue[T] { return &queue[T]{signal: make(chan struct{}, 1)} }

func (q *queue[T]) push(v T) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// pop returns the oldest item, waiting for one; false once ctx is done.
func (q *queue[T]) pop(ctx context.Context) (T, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			v := q.items[0]
			var zero T
			q.items[0] = zero
			q.items = q.items[1:]
			q.mu.Unlock()
			return v, true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			var zero T
			return zero, false
		case <-q.signal:
		}
	}
}

// seenSet remembers the last n keys, to drop a dispatch seen twice (the
// inbox dedupes too; this spares it and the thread REST calls).
type seenSet struct {
	mu   sync.Mutex
	keys map[string]bool
	ring []string
	next int
}

func newSeenSet(n int) *seenSet {
	return &seenSet{keys: make(map[string]bool, n), ring: make([]string, n)}
}

func (s *seenSet) has(k string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[k]
}

func (s *seenSet) add(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys[k] {
		return
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.keys, old)
	}
	s.ring[s.next] = k
	s.keys[k] = true
	s.next = (s.next + 1) % len(s.ring)
}

// channelInfo is what the adapter needs to know about a channel a message
// came from.
type channelInfo struct {
	thread bool
	parent string
}

// channelCache holds channelInfo by channel ID; it forgets everything when
// full, which only costs GET /channels calls.
type channelCache struct {
	mu  sync.Mutex
	max int
	m   map[string]channelInfo
}

func newChannelCache(max int) *channelCache {
	return &channelCache{max: max, m: map[string]channelInfo{}}
}

func (c *channelCache) get(id string) (channelInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ci, ok := c.m[id]
	return ci, ok
}

func (c *channelCache) put(id string, ci channelInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[id] = ci
}
