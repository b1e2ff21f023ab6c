package redis

import (
	"context"
	"strings"
	"testing"
)

func TestDurabilityRisk(t *testing.T) {
	tests := []struct {
		name                    string
		appendonly, fsync, save string
		wantRisk                bool
		wantMention             string
	}{
		{"aof always", "yes", "always", "", false, ""},
		{"aof everysec", "yes", "everysec", "3600 1", false, ""},
		{"aof fsync no", "yes", "no", "", true, "appendfsync is no"},
		{"snapshots only", "no", "everysec", "3600 1 300 100", true, "only snapshots"},
		{"nothing on disk", "no", "everysec", "", true, "keeps nothing on disk"},
	}
	for _, tc := range tests {
		got := durabilityRisk(tc.appendonly, tc.fsync, tc.save)
		if (got != "") != tc.wantRisk || !strings.Contains(got, tc.wantMention) {
			t.Errorf("%s: durabilityRisk(%q, %q, %q) = %q, want risk %v mentioning %q", tc.name, tc.appendonly, tc.fsync, tc.save, got, tc.wantRisk, tc.wantMention)
		}
	}
}

// TestDurabilityReadsTheServer asks the test Redis for its settings and
// checks the answer agrees with what CONFIG GET says.
func TestDurabilityReadsTheServer(t *testing.T) {
	requireRedis(t)
	ctx := context.Background()
	s, err := Open(ctx, testURL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Durability(ctx)
	if err != nil {
		t.Fatalf("Durability() = %v, want nil", err)
	}
	aof, err := s.rdb.ConfigGet(ctx, "appendonly").Result()
	if err != nil {
		t.Fatal(err)
	}
	if (aof["appendonly"] == "no") != (got != "") {
		t.Errorf("Durability() = %q with appendonly %q", got, aof["appendonly"])
	}
	t.Logf("test Redis: appendonly %s: %q", aof["appendonly"], got)
}
