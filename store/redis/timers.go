package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake/store"
)

// Timer keys under the prefix:
//
//	timers:due    ZSET id by due time (µs since the epoch, rounded up)
//	timers:data   HASH id -> "<due, RFC 3339>\n<payload>"
//
// Timers run on the caller's clock: DueTimers is given now, so an injectable
// clock drives them.

// scheduleScript creates or replaces a timer. KEYS: due, data. ARGV: id, score, value.
var scheduleScript = goredis.NewScript(luaLib + `
schedule(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return 1
`)

// dueScript removes and returns up to limit timers due by now, so that each
// goes to exactly one caller. KEYS: due, data. ARGV: now µs, limit (-1 for all).
// Returns {id1, value1, id2, value2...}.
var dueScript = goredis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
return out
`)

func (s *Store) timerKeys() []string {
	return []string{s.key("timers", "due"), s.key("timers", "data")}
}

// Schedule creates or replaces the timer with t.ID.
func (s *Store) Schedule(ctx context.Context, t store.Timer) error {
	if err := scheduleScript.Run(ctx, s.rdb, s.timerKeys(), t.ID, dueScore(t.Due), timerValue(t)).Err(); err != nil {
		return fmt.Errorf("schedule timer %s: %w", t.ID, err)
	}
	return nil
}

// CancelTimer removes a timer; an unknown one is not an error.
func (s *Store) CancelTimer(ctx context.Context, id string) error {
	keys := s.timerKeys()
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.ZRem(ctx, keys[0], id)
		p.HDel(ctx, keys[1], id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("cancel timer %s: %w", id, err)
	}
	return nil
}

// DueTimers removes and returns up to limit timers due at or before now,
// earliest first. A limit of 0 or less means no cap. A stored timer that
// does not decode is reported as ErrCorrupt beside the timers that do.
func (s *Store) DueTimers(ctx context.Context, now time.Time, limit int) ([]store.Timer, error) {
	if limit <= 0 {
		limit = -1
	}
	// Scores are due times rounded up to the µs; now rounded down, so no
	// timer fires before it is due.
	res, err := dueScript.Run(ctx, s.rdb, s.timerKeys(), now.UnixMicro(), limit).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("due timers: %w", err)
	}
	// The timers are gone from Redis now: hand back every one that decodes
	// even when another does not.
	timers := make([]store.Timer, 0, len(res)/2)
	var errs []error
	for i := 0; i+1 < len(res); i += 2 {
		t, err := decodeTimer(res[i], []byte(res[i+1]))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		timers = append(timers, t)
	}
	return timers, errors.Join(errs...)
}

// timerValue is what timers:data keeps of t: its due time and payload.
func timerValue(t store.Timer) []byte {
	value := make([]byte, 0, 40+len(t.Payload))
	value = t.Due.AppendFormat(value, time.RFC3339Nano)
	value = append(value, '\n')
	return append(value, t.Payload...)
}

// dueScore is t in µs rounded up, exact in a float64 score.
func dueScore(t time.Time) int64 {
	us := t.UnixMicro()
	if t.Sub(time.UnixMicro(us)) > 0 {
		us++
	}
	return us
}

func decodeTimer(id string, value []byte) (store.Timer, error) {
	at, payload, ok := bytes.Cut(value, []byte{'\n'})
	due, err := time.Parse(time.RFC3339Nano, string(at))
	if !ok || err != nil {
		return store.Timer{}, fmt.Errorf("decode timer %s: %w", id, store.ErrCorrupt)
	}
	return store.Timer{ID: id, Due: due, Payload: payload}, nil
}
