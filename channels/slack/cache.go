package slack

import (
	"context"
	"sync"
	"time"
)

// lanes serialise posts per Slack channel: Slack rate-limits each channel
// on its own, so one channel's 429s must not hold back the others, and
// posts in one channel keep their order. After a 429 a lane stays shut
// until Retry-After has passed, so queued posts wait instead of hammering.
type lanes struct {
	mu    sync.Mutex
	now   func() time.Time
	lanes map[string]*lane
}

type lane struct {
	sem   chan struct{}
	until time.Time // guarded by the lane's semaphore
}

func newLanes(now func() time.Time) *lanes { return &lanes{now: now, lanes: map[string]*lane{}} }

// acquire waits for channel's lane; the returned release func is given the
// Retry-After of a 429, or 0. While the lane is shut, acquire returns the
// time left instead.
func (l *lanes) acquire(ctx context.Context, channel string) (release func(limited time.Duration), wait time.Duration, err error) {
	l.mu.Lock()
	ln, ok := l.lanes[channel]
	if !ok {
		ln = &lane{sem: make(chan struct{}, 1)}
		l.lanes[channel] = ln
	}
	l.mu.Unlock()
	select {
	case ln.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	if left := ln.until.Sub(l.now()); left > 0 {
		<-ln.sem
		return nil, left, nil
	}
	return func(limited time.Duration) {
		if limited > 0 {
			ln.until = l.now().Add(limited)
		}
		<-ln.sem
	}, 0, nil
}

// seenSet remembers the last n keys, such as Events API event IDs, so that
// Slack's retries of an event already accepted are answered at once.
type seenSet struct {
	mu    sync.Mutex
	n     int
	keys  map[string]bool
	order []string
}

func newSeenSet(n int) *seenSet { return &seenSet{n: n, keys: map[string]bool{}} }

func (s *seenSet) has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[key]
}

func (s *seenSet) add(key string) {
	if key == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys[key] {
		return
	}
	s.keys[key] = true
	s.order = append(s.order, key)
	if len(s.order) > s.n {
		delete(s.keys, s.order[0])
		s.order = s.order[1:]
	}
}

// nameCache keeps display names of users looked up with users.info.
type nameCache struct {
	mu    sync.Mutex
	n     int
	names map[string]string
}

func newNameCache(n int) *nameCache { return &nameCache{n: n, names: map[string]string{}} }

func (c *nameCache) get(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name, ok := c.names[id]
	return name, ok
}

func (c *nameCache) put(id, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.names) >= c.n {
		// Names are a courtesy; forgetting them all is cheaper than an LRU.
		c.names = map[string]string{}
	}
	c.names[id] = name
}
