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
