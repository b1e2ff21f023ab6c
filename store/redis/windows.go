package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake/store"
)

// A window is the hash win:<window>, member -> rank. Members are only ever
// added, so its length is how many joined and the next rank is HLEN+1; the
// hash expires (PX, on the server's clock) ttl after its first member.

// rankScript adds members to windows. KEYS: the window of each entry (a
// window given for several entries is repeated). ARGV: ttl ms, then the
// member of each entry. Returns the rank of each entry's member.
var rankScript = goredis.NewScript(`
local ranks = {}
for i, w in ipairs(KEYS) do
  local m = ARGV[i + 1]
  local r = redis.call('HGET', w, m)
  if r then
    r = tonumber(r)
  else
    r = redis.call('HLEN', w) + 1
    redis.call('HSET', w, m, r)
    if r == 1 then redis.call('PEXPIRE', w, ARGV[1]) end
  end
  ranks[i] = r
end
return ranks
`)

// errNoWindow: an entry without a window name, refused as the embedded
// store refuses it (bbolt names no bucket ""), so that both stores agree.
var errNoWindow = errors.New("window name is empty")

// Rank is store.Windows.Rank in one script.
func (s *Store) Rank(ctx context.Context, entries []store.WindowEntry, ttl time.Duration) ([]int, error) {
	ranks := make([]int, len(entries))
	if len(entries) == 0 {
		return ranks, nil
	}
	keys := make([]string, len(entries))
	args := make([]any, 1, len(entries)+1)
	args[0] = max(ms(ttl), 1)
	for i, e := range entries {
		if e.Window == "" {
			return nil, fmt.Errorf("rank %q: %w", e.Member, errNoWindow)
		}
		keys[i] = s.key("win", e.Window)
		args = append(args, e.Member)
	}
	got, err := rankScript.Run(ctx, s.rdb, keys, args...).Int64Slice()
	if err != nil {
		return nil, fmt.Errorf("rank %d window members: %w", len(entries), err)
	}
	if len(got) != len(entries) {
		return nil, fmt.Errorf("rank %d window members: the script returned %d ranks", len(entries), len(got))
	}
	for i, r := range got {
		ranks[i] = int(r)
	}
	return ranks, nil
}
