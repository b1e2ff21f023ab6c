package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake/store"
)

// commitScript writes a whole store.Result in one request. KEYS and ARGV are
// read in sections, in this order (see Commit):
//
//	ARGV prefix, mode ('', 'create', 'update'), number of thread keys
//	incident (mode set): KEYS incident, idx:all, idx:status, idx:tier, thread keys...
//	                     ARGV id, json, status, tier, score, expected version, new version
//	timers: ARGV count; KEYS due, data (count > 0); ARGV per timer: 'c' or 's', id, score, value
//	enqueue: ARGV count; per item KEYS ready, items, seq; ARGV id, payload
//	seen: ARGV ttl ms ('' for none); KEYS seen key when set
//	ack: ARGV id ('' for none), token; KEYS ready, wait, items when set
//
// The incident is checked and written first: on a conflict the script
// returns its error table before anything is written. Returns {1} otherwise.
var commitScript = goredis.NewScript(luaLib + `
local a, k = 0, 0
local function arg() a = a + 1 return ARGV[a] end
local function key() k = k + 1 return KEYS[k] end
local prefix, mode, nthreads = arg(), arg(), tonumber(arg())
if mode ~= '' then
  local inc, all, st, tr = key(), key(), key(), key()
  local threads = {}
  for i = 1, nthreads do threads[i] = key() end
  local id, json, status, tier, score, expected, version = arg(), arg(), arg(), arg(), arg(), arg(), arg()
  local err
  if mode == 'create' then
    err = create_incident(inc, all, st, tr, threads, id, json, status, tier, score)
  else
    err = update_incident(inc, all, st, tr, threads, id, expected, version, json, status, tier, score, prefix)
  end
  if err then return err end
end
local ntimers = tonumber(arg())
if ntimers > 0 then
  local due, data = key(), key()
  for i = 1, ntimers do
    local op, id, score, value = arg(), arg(), arg(), arg()
    if op == 'c' then cancel_timer(due, data, id) else schedule(due, data, id, score, value) end
  end
end
for i = 1, tonumber(arg()) do
  local ready, items, seq = key(), key(), key()
  enqueue(ready, items, seq, arg(), arg())
end
local ttl = arg()
if ttl ~= '' then redis.call('SET', key(), '1', 'NX', 'PX', ttl) end
local id, token = arg(), arg()
if id ~= '' then ack(key(), key(), key(), id, token) end
return {1}
`)

// Commit writes r with one script run: one request to Redis.
func (s *Store) Commit(ctx context.Context, r store.Result) error {
	var keys []string
	args := []any{s.prefix}
	var version int64
	if inc := r.Incident; inc != nil {
		if inc.ID == "" {
			return fmt.Errorf("commit: incident without an ID")
		}
		mode := "update"
		cp := *inc
		cp.Version++
		if r.Create {
			mode, cp.Version = "create", 1
		}
		data, err := json.Marshal(&cp)
		if err != nil {
			return fmt.Errorf("commit %s: encode: %w", inc.ID, err)
		}
		version = cp.Version
		keys = append(append(keys, s.indexKeys(inc)...), s.threadKeys(r.Keys)...)
		args = append(args, mode, len(r.Keys), string(inc.ID), data, string(inc.Status), string(inc.Tier), score(inc),
			strconv.FormatInt(inc.Version, 10), strconv.FormatInt(version, 10))
	} else {
		args = append(args, "", 0)
	}
	args = append(args, len(r.Timers))
	if len(r.Timers) > 0 {
		keys = append(keys, s.timerKeys()...)
	}
	for _, c := range r.Timers {
		if c.Cancel {
			args = append(args, "c", c.Timer.ID, 0, "")
			continue
		}
		args = append(args, "s", c.Timer.ID, dueScore(c.Timer.Due), timerValue(c.Timer))
	}
	args = append(args, len(r.Enqueue))
	for _, it := range r.Enqueue {
		keys = append(keys, s.key("q", it.Queue, "ready"), s.key("q", it.Queue, "items"), s.key("q", it.Queue, "seq"))
		args = append(args, it.ID, it.Payload)
	}
	if r.Seen != "" {
		keys = append(keys, s.key("seen", r.Seen))
		args = append(args, max(ms(r.SeenFor), 1))
	} else {
		args = append(args, "")
	}
	if r.Ack != nil {
		keys = append(keys, s.queueKeys(r.Ack.Queue)...)
		args = append(args, r.Ack.Delivery.ID, r.Ack.Delivery.Token)
	} else {
		args = append(args, "", "")
	}
	res, err := commitScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if ok, _ := res[0].(int64); ok == 1 {
		if r.Incident != nil {
			r.Incident.Version = version
		}
		return nil
	}
	return commitConflict(r, res)
}

// commitConflict explains the error table of the incident check.
func commitConflict(r store.Result, res []any) error {
	id := r.Incident.ID
	why, _ := res[1].(string)
	switch {
	case why == "missing":
		return fmt.Errorf("commit %s: %w", id, store.ErrNotFound)
	case why == "version" && len(res) == 3:
		return fmt.Errorf("commit %s: version %d is stale, stored is %v: %w", id, r.Incident.Version, res[2], store.ErrConflict)
	case why == "key" && len(res) == 3:
		if i, _ := res[2].(int64); i >= 1 && int(i) <= len(r.Keys) {
			return fmt.Errorf("commit %s: thread key %q maps to another incident: %w", id, r.Keys[i-1], store.ErrConflict)
		}
	}
	return fmt.Errorf("commit %s: incident exists: %w", id, store.ErrConflict)
}
