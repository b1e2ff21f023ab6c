package redis

import (
	"context"
	"fmt"
)

// DeleteAll removes every key under the store's prefix: everything this
// store holds. Tests and benchmarks use it to leave a shared Redis clean.
func (s *Store) DeleteAll(ctx context.Context) error {
	iter := s.rdb.Scan(ctx, 0, s.prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := s.rdb.Unlink(ctx, batch...).Err(); err != nil {
				return fmt.Errorf("delete keys %s*: %w", s.prefix, err)
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("delete keys %s*: %w", s.prefix, err)
	}
	if len(batch) > 0 {
		if err := s.rdb.Unlink(ctx, batch...).Err(); err != nil {
			return fmt.Errorf("delete keys %s*: %w", s.prefix, err)
		}
	}
	return nil
}
