package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Incident keys under the prefix:
//
//	inc:<id>          HASH json, version, status, tier
//	thread:<key>      STRING incident ID
//	idx:all           ZSET id by CreatedAt (µs)
//	idx:status:<s>    ZSET id by CreatedAt, one per status
//	idx:tier:<t>      ZSET id by CreatedAt, one per tier
//	seq:incident      STRING counter behind NextIncidentID
//
// version, status and tier sit beside the JSON so that scripts compare and
// re-index without decoding it.

// createScript stores a new incident and its thread keys, all or nothing.
// KEYS: incident, idx:all, idx:status:<s>, idx:tier:<t>, thread keys...
// ARGV: id, json, status, tier, score.
// Returns {1}, {0, "id"} or {0, "key", i} with i the 1-based index of the taken key.
var createScript = goredis.NewScript(luaLib + `
local threads = {unpack(KEYS, 5)}
return create_incident(KEYS[1], KEYS[2], KEYS[3], KEYS[4], threads, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]) or {1}
`)

// updateScript writes an incident if its stored version is the expected one,
// moves it between index sets and maps new thread keys (SET NX: a key owned
// by another incident stays there). The old status and tier index keys are
// named from the prefix, since only the stored hash knows them.
// KEYS: incident, idx:all, idx:status:<new>, idx:tier:<new>, thread keys...
// ARGV: id, expected version, new version, json, status, tier, score, prefix.
// Returns {1}, {0, "missing"} or {0, "version", stored}.
var updateScript = goredis.NewScript(luaLib + `
local threads = {unpack(KEYS, 5)}
return update_incident(KEYS[1], KEYS[2], KEYS[3], KEYS[4], threads,
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]) or {1}
`)

// NextIncidentID increments a counter shared by every process on the prefix.
func (s *Store) NextIncidentID(ctx context.Context) (intake.IncidentID, error) {
	n, err := s.rdb.Incr(ctx, s.key("seq", "incident")).Result()
	if err != nil {
		return "", fmt.Errorf("next incident ID: %w", err)
	}
	return intake.FormatIncidentID(uint64(n)), nil
}

// CreateIncident stores inc at version 1 and maps keys to it, all or nothing.
func (s *Store) CreateIncident(ctx context.Context, inc *intake.Incident, keys []intake.ThreadKey) error {
	if inc.ID == "" {
		return errors.New("create incident: empty ID")
	}
	cp := *inc
	cp.Version = 1
	data, err := json.Marshal(&cp)
	if err != nil {
		return fmt.Errorf("create %s: encode: %w", inc.ID, err)
	}
	ks := append(s.indexKeys(inc), s.threadKeys(keys)...)
	res, err := createScript.Run(ctx, s.rdb, ks, string(inc.ID), data, string(inc.Status), string(inc.Tier), score(inc)).Slice()
	if err != nil {
		return fmt.Errorf("create %s: %w", inc.ID, err)
	}
	if ok, _ := res[0].(int64); ok == 1 {
		inc.Version = 1
		return nil
	}
	if len(res) == 3 {
		if i, _ := res[2].(int64); i >= 1 && int(i) <= len(keys) {
			return fmt.Errorf("create %s: thread key %q maps to another incident: %w", inc.ID, keys[i-1], store.ErrConflict)
		}
	}
	return fmt.Errorf("create %s: incident exists: %w", inc.ID, store.ErrConflict)
}

// GetIncident returns a fresh copy of the stored incident.
func (s *Store) GetIncident(ctx context.Context, id intake.IncidentID) (*intake.Incident, error) {
	data, err := s.rdb.HGet(ctx, s.key("inc", string(id)), "json").Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("get %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	return decodeIncident(id, data)
}

// UpdateIncident stores inc if the stored version equals inc.Version.
func (s *Store) UpdateIncident(ctx context.Context, inc *intake.Incident, keys []intake.ThreadKey) error {
	cp := *inc
	cp.Version = inc.Version + 1
	data, err := json.Marshal(&cp)
	if err != nil {
		return fmt.Errorf("update %s: encode: %w", inc.ID, err)
	}
	ks := append(s.indexKeys(inc), s.threadKeys(keys)...)
	res, err := updateScript.Run(ctx, s.rdb, ks, string(inc.ID),
		strconv.FormatInt(inc.Version, 10), strconv.FormatInt(cp.Version, 10),
		data, string(inc.Status), string(inc.Tier), score(inc), s.prefix).Slice()
	if err != nil {
		return fmt.Errorf("update %s: %w", inc.ID, err)
	}
	if ok, _ := res[0].(int64); ok == 1 {
		inc.Version = cp.Version
		return nil
	}
	if len(res) == 3 {
		return fmt.Errorf("update %s: version %d is stale, stored is %v: %w", inc.ID, inc.Version, res[2], store.ErrConflict)
	}
	return fmt.Errorf("update %s: %w", inc.ID, store.ErrNotFound)
}

// LookupThread returns the incident a thread key maps to.
func (s *Store) LookupThread(ctx context.Context, key intake.ThreadKey) (intake.IncidentID, error) {
	id, err := s.rdb.Get(ctx, s.key("thread", string(key))).Result()
	if errors.Is(err, goredis.Nil) {
		return "", fmt.Errorf("lookup thread %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("lookup thread %q: %w", key, err)
	}
	return intake.IncidentID(id), nil
}

// LookupThreads sends one GET per key in one pipeline: one round trip, and
// unlike MGET it stays valid on a Redis Cluster, where the keys live in
// different slots.
func (s *Store) LookupThreads(ctx context.Context, keys []intake.ThreadKey) ([]intake.IncidentID, error) {
	if len(keys) == 0 {
		return nil, ctx.Err()
	}
	cmds := make([]*goredis.StringCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Get(ctx, s.key("thread", string(k)))
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("lookup %d thread keys: %w", len(keys), err)
	}
	ids := make([]intake.IncidentID, len(keys))
	for i, c := range cmds {
		id, err := c.Result()
		switch {
		case errors.Is(err, goredis.Nil):
		case err != nil:
			return nil, fmt.Errorf("lookup thread %q: %w", keys[i], err)
		default:
			ids[i] = intake.IncidentID(id)
		}
	}
	return ids, nil
}

// indexKeys are the first four KEYS of the create and update scripts.
func (s *Store) indexKeys(inc *intake.Incident) []string {
	return []string{
		s.key("inc", string(inc.ID)),
		s.key("idx", "all"),
		s.key("idx", "status", string(inc.Status)),
		s.key("idx", "tier", string(inc.Tier)),
	}
}

func (s *Store) threadKeys(keys []intake.ThreadKey) []string {
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = s.key("thread", string(k))
	}
	return ks
}

// score orders incidents by creation in the index sets. Microseconds since
// the epoch stay exact in a float64 score; ties fall back to the ID.
func score(inc *intake.Incident) int64 { return inc.CreatedAt.UnixMicro() }

func decodeIncident(id intake.IncidentID, data []byte) (*intake.Incident, error) {
	var inc intake.Incident
	if err := json.Unmarshal(data, &inc); err != nil {
		return nil, fmt.Errorf("decode %s: %w: %v", id, store.ErrCorrupt, err)
	}
	return &inc, nil
}
