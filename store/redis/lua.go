package redis

// luaLib holds the Lua functions that the single-purpose scripts and the
// Commit script share, so that an incident, a queue message, a timer or an
// ack is written the same way whichever way it arrives. Each function takes
// key names and values rather than reading KEYS and ARGV itself.
//
// create_incident and update_incident check before they write and return an
// error table ({0, reason, ...}) without writing anything, or nil once the
// incident is written.
const luaLib = `
local function create_incident(inc, all, st, tr, threads, id, json, status, tier, score)
  if redis.call('EXISTS', inc) == 1 then return {0, 'id'} end
  for i, k in ipairs(threads) do
    local owner = redis.call('GET', k)
    if owner and owner ~= id then return {0, 'key', i} end
  end
  redis.call('HSET', inc, 'json', json, 'version', '1', 'status', status, 'tier', tier)
  redis.call('ZADD', all, score, id)
  if status ~= '' then redis.call('ZADD', st, score, id) end
  if tier ~= '' then redis.call('ZADD', tr, score, id) end
  for _, k in ipairs(threads) do redis.call('SET', k, id) end
  return nil
end

local function update_incident(inc, all, st, tr, threads, id, expected, version, json, status, tier, score, prefix)
  local cur = redis.call('HMGET', inc, 'version', 'status', 'tier')
  if not cur[1] then return {0, 'missing'} end
  if cur[1] ~= expected then return {0, 'version', cur[1]} end
  redis.call('HSET', inc, 'json', json, 'version', version, 'status', status, 'tier', tier)
  local old_status, old_tier = cur[2] or '', cur[3] or ''
  if old_status ~= '' and old_status ~= status then
    redis.call('ZREM', prefix .. 'idx:status:' .. old_status, id)
  end
  if old_tier ~= '' and old_tier ~= tier then
    redis.call('ZREM', prefix .. 'idx:tier:' .. old_tier, id)
  end
  redis.call('ZADD', all, score, id)
  if status ~= '' then redis.call('ZADD', st, score, id) end
  if tier ~= '' then redis.call('ZADD', tr, score, id) end
  for _, k in ipairs(threads) do redis.call('SET', k, id, 'NX') end
  return nil
end

local function enqueue(ready, items, seq, id, payload)
  if redis.call('HEXISTS', items, 'p:' .. id) == 1 then return 0 end
  local n = redis.call('INCR', seq)
  redis.call('HSET', items, 'p:' .. id, payload, 'a:' .. id, 0, 's:' .. id, n)
  redis.call('ZADD', ready, n, id)
  return 1
end

local function ack(ready, wait, items, id, token)
  if redis.call('HGET', items, 't:' .. id) ~= token then return 0 end
  redis.call('ZREM', ready, id)
  redis.call('ZREM', wait, id)
  redis.call('HDEL', items, 'p:' .. id, 'a:' .. id, 's:' .. id, 't:' .. id, 'h:' .. id)
  return 1
end

local function schedule(due, data, id, score, value)
  redis.call('ZADD', due, score, id)
  redis.call('HSET', data, id, value)
end

local function cancel_timer(due, data, id)
  redis.call('ZREM', due, id)
  redis.call('HDEL', data, id)
end
`
