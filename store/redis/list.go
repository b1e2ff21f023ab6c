package redis

import (
	"context"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// listScript walks one index set newest first from a position, keeps the
// incidents also in the optional second set, and returns their JSON, all in
// one snapshot. Members of equal score come in descending ID order, so a
// position (score, ID) skips the members of its score with IDs not below it.
// KEYS: driving index[, filter index]. ARGV: limit (0 for none), prefix,
// highest score ('+inf' for none), ID at that score (empty for none).
var listScript = goredis.NewScript(`
local limit, prefix, top, topID = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local out, start, chunk = {}, 0, 256
while true do
  local r = redis.call('ZREVRANGEBYSCORE', KEYS[1], top, '-inf', 'WITHSCORES', 'LIMIT', start, chunk)
  if #r == 0 then return out end
  for i = 1, #r, 2 do
    local id = r[i]
    local skip = topID ~= '' and tonumber(r[i + 1]) == tonumber(top) and id >= topID
    if not skip and (not KEYS[2] or redis.call('ZSCORE', KEYS[2], id)) then
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
	top, topID := "+inf", ""
	if f.Before != nil {
		top, topID = strconv.FormatInt(f.Before.CreatedAt.UnixMicro(), 10), string(f.Before.ID)
	}
	blobs, err := listScript.Run(ctx, s.rdb, keys, max(f.Limit, 0), s.prefix, top, topID).StringSlice()
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
