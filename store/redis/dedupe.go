package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Dedupe keys are seen:<key>, set with NX and PX so that Redis expires them
// and exactly one concurrent MarkSeen creates each.

// MarkSeen remembers key for ttl (at least 1ms) and reports whether it was new.
func (s *Store) MarkSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	err := s.rdb.SetArgs(ctx, s.key("seen", key), "1", goredis.SetArgs{Mode: "NX", TTL: time.Duration(max(ms(ttl), 1)) * time.Millisecond}).Err()
	if errors.Is(err, goredis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark seen %q: %w", key, err)
	}
	return true, nil
}

// Seen reports whether key is remembered and has not expired.
func (s *Store) Seen(ctx context.Context, key string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.key("seen", key)).Result()
	if err != nil {
		return false, fmt.Errorf("seen %q: %w", key, err)
	}
	return n == 1, nil
}

// MarkSeenMany is MarkSeen for each of keys, in one pipelined round trip.
func (s *Store) MarkSeenMany(ctx context.Context, keys []string, ttl time.Duration) ([]bool, error) {
	fresh := make([]bool, len(keys))
	if len(keys) == 0 {
		return fresh, nil
	}
	px := time.Duration(max(ms(ttl), 1)) * time.Millisecond
	cmds := make([]*goredis.StatusCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, key := range keys {
			cmds[i] = p.SetArgs(ctx, s.key("seen", key), "1", goredis.SetArgs{Mode: "NX", TTL: px})
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("mark seen %d keys: %w", len(keys), err)
	}
	for i, c := range cmds {
		switch err := c.Err(); {
		case err == nil:
			fresh[i] = true
		case !errors.Is(err, goredis.Nil):
			return nil, fmt.Errorf("mark seen %q: %w", keys[i], err)
		}
	}
	return fresh, nil
}

// SeenMany is Seen for each of keys, in one pipelined round trip.
func (s *Store) SeenMany(ctx context.Context, keys []string) ([]bool, error) {
	seen := make([]bool, len(keys))
	if len(keys) == 0 {
		return seen, nil
	}
	cmds := make([]*goredis.IntCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, key := range keys {
			cmds[i] = p.Exists(ctx, s.key("seen", key))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seen %d keys: %w", len(keys), err)
	}
	for i, c := range cmds {
		seen[i] = c.Val() == 1
	}
	return seen, nil
}
