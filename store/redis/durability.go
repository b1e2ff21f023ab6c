package redis

import (
	"context"
	"fmt"
	"strings"
)

// Durability reads the server's persistence settings (CONFIG GET appendonly,
// appendfsync, save) and says how a crash of the Redis server could lose
// messages intake has already acknowledged to their senders (SMTP 250, a
// Slack ack), or returns "" when every write is on disk before Redis answers
// (appendonly yes, appendfsync always) or at most a second of writes is at
// risk (appendfsync everysec, Redis' recommended setting). An error means the
// settings could not be read (CONFIG may be disabled on managed services).
func (s *Store) Durability(ctx context.Context) (string, error) {
	settings := map[string]string{}
	for _, name := range []string{"appendonly", "appendfsync", "save"} {
		v, err := s.rdb.ConfigGet(ctx, name).Result()
		if err != nil {
			return "", fmt.Errorf("read redis persistence settings at %s: %w", s.addr, err)
		}
		settings[name] = v[name]
	}
	return durabilityRisk(settings["appendonly"], settings["appendfsync"], settings["save"]), nil
}

// durabilityRisk explains what a crash loses under these settings.
func durabilityRisk(appendonly, appendfsync, save string) string {
	if strings.EqualFold(appendonly, "yes") {
		if strings.EqualFold(appendfsync, "no") {
			return "appendfsync is no: the operating system decides when writes reach the disk (about every 30 s), so a crash of the host can lose acknowledged messages; set appendfsync always (or everysec, at most 1 s lost)"
		}
		return ""
	}
	if strings.TrimSpace(save) == "" {
		return "appendonly is no and save is empty: Redis keeps nothing on disk, so a Redis restart loses every queued message and incident; set appendonly yes and appendfsync always"
	}
	return "appendonly is no: only snapshots (save " + save + ") reach the disk, so a Redis crash loses what was acknowledged since the last one; set appendonly yes and appendfsync always"
}
