package redis

import (
	"context"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"
)

// roundTrips counts the requests sent to Redis: a command, a script or a
// pipeline (MULTI/EXEC included) each count once, whatever they carry.
type roundTrips struct{ n atomic.Uint64 }

var _ goredis.Hook = (*roundTrips)(nil)

func (r *roundTrips) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *roundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// RoundTrips returns how many requests this client has sent to Redis since
// Open: what a benchmark counts as round trips.
func (s *Store) RoundTrips() uint64 { return s.trips.n.Load() }
