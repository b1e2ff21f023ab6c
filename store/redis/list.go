package redis

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// listScript walks one index set newest first, keeps the incidents also in
// the optional second set, and returns their JSON, all in one snapshot.
// KEYS: driving index[, filter index]. ARGV: limit (0 for none), prefix.
var listScript = goredis.NewScript(`
local limit, prefix = tonumber(ARGV[1]), ARGV[2]
local out, start, chunk = {}, 0, 256
while true do
  local ids = redis.call('ZREVRANGE', KEYS[1], start, start + chunk - 1)
  if #ids == 0 then return out end
  for _, id in ipairs(ids) do
    if not KEYS[2] or redis.call('ZSCORE', KEYS[2], id) then
      local j = redis.call('HGET', prefix .. 'inc:' .. id, 'json')
      if j then
        out[#out + 1] = j
        if limit > 0 and #out >= limit then return out end
      end
    end
  end
  start = start + chunk
end
`)

// ListIncidents returns the incidents matching f, newest first.
func (s *Store) ListIncidents(ctx context.Context, f store.Filter) ([]*intake.Incident, error) {
	var keys []string
	switch {
	case f.Status != "" && f.Tier != "":
		keys = []string{s.key("idx", "status", string(f.Status)), s.key("idx", "tier", string(f.Tier))}
	case f.Status != "":
		keys = []string{s.key("idx", "status", string(f.Status))}
	case f.Tier != "":
		keys = []string{s.key("idx", "tier", string(f.Tier))}
	default:
		keys = []string{s.key("idx", "all")}
	}
	blobs, err := listScript.Run(ctx, s.rdb, keys, max(f.Limit, 0), s.prefix).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("list incidents %+v: %w", f, err)
	}
	out := make([]*intake.Incident, 0, len(blobs))
	for _, b := range blobs {
		inc, err := decodeIncident("incident", []byte(b))
		if err != nil {
			return nil, fmt.Errorf("list incidents: %w", err)
		}
		out = append(out, inc)
	}
	return out, nil
}
