package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake/store"
)

// Lease keys are lease:<name> holding the holder's name, expiring (PX, on the
// server's clock) when the lease does.

// acquireScript takes or renews a lease. KEYS: lease. ARGV: holder, ttl ms.
// Returns 1 if the holder has it now, 0 if another holder does.
var acquireScript = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// releaseScript deletes a lease only if holder has it. KEYS: lease. ARGV: holder.
var releaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`)

// AcquireLease takes the lease for ttl if it is free, expired or already
// held by holder; ErrLeaseHeld otherwise.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error {
	n, err := acquireScript.Run(ctx, s.rdb, []string{s.key("lease", name)}, holder, max(ms(ttl), 1)).Int()
	if err != nil {
		return fmt.Errorf("acquire lease %s for %s: %w", name, holder, err)
	}
	if n != 1 {
		return fmt.Errorf("acquire lease %s for %s: %w", name, holder, store.ErrLeaseHeld)
	}
	return nil
}

// ReleaseLease gives the lease up if holder has it; otherwise it does nothing.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := releaseScript.Run(ctx, s.rdb, []string{s.key("lease", name)}, holder).Err(); err != nil {
		return fmt.Errorf("release lease %s for %s: %w", name, holder, err)
	}
	return nil
}
