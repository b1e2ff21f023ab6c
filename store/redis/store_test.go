package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Redis-specific behaviour the conformance suite cannot see.

func TestPrefixIsolation(t *testing.T) {
	requireRedis(t)
	ctx := t.Context()
	a, _ := factory(t)
	other, _ := factory(t)
	inc := &intake.Incident{ID: "INC-000001", Status: intake.StatusNew, CreatedAt: time.Now()}
	if err := a.CreateIncident(ctx, inc, []intake.ThreadKey{"email:x"}); err != nil {
		t.Fatalf("CreateIncident(%q) = %v, want nil", inc.ID, err)
	}
	if err := a.Enqueue(ctx, "inbox", "m-1", nil); err != nil {
		t.Fatalf("Enqueue(%q) = %v, want nil", "m-1", err)
	}
	if _, err := other.GetIncident(ctx, inc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetIncident(%q) under another prefix = %v, want %v", inc.ID, err, store.ErrNotFound)
	}
	if n, err := other.QueueLen(ctx, "inbox"); err != nil || n != 0 {
		t.Errorf("QueueLen(%q) under another prefix = %d, %v, want 0, nil", "inbox", n, err)
	}
	if id, err := other.NextIncidentID(ctx); err != nil || id != "INC-000001" {
		t.Errorf("NextIncidentID() under another prefix = %q, %v, want %q, nil", id, err, "INC-000001")
	}
}

// TestScriptFlush checks that the store reloads its scripts after Redis
// forgets them (a restart or SCRIPT FLUSH).
func TestScriptFlush(t *testing.T) {
	requireRedis(t)
	ctx := t.Context()
	a, _ := factory(t)
	s := a.(*Store)
	if err := s.Enqueue(ctx, "inbox", "m-1", []byte("x")); err != nil {
		t.Fatalf("Enqueue(%q) = %v, want nil", "m-1", err)
	}
	if err := s.rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatalf("SCRIPT FLUSH: %v", err)
	}
	d, err := s.Dequeue(ctx, "inbox", time.Minute)
	if err != nil || d.ID != "m-1" {
		t.Fatalf("Dequeue(%q) after SCRIPT FLUSH = %q, %v, want %q, nil", "inbox", d.ID, err, "m-1")
	}
}

func TestCorruptIncident(t *testing.T) {
	requireRedis(t)
	ctx := t.Context()
	a, _ := factory(t)
	s := a.(*Store)
	if err := s.rdb.HSet(ctx, s.key("inc", "INC-000001"), "json", "{not json", "version", "1").Err(); err != nil {
		t.Fatalf("HSET: %v", err)
	}
	if _, err := s.GetIncident(ctx, "INC-000001"); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("GetIncident(%q) of bad JSON = %v, want %v", "INC-000001", err, store.ErrCorrupt)
	}
}

// TestUpdateMissing checks that updating an incident that was never created
// fails instead of creating it.
func TestUpdateMissing(t *testing.T) {
	requireRedis(t)
	ctx := t.Context()
	a, _ := factory(t)
	inc := &intake.Incident{ID: "INC-000042", Status: intake.StatusNew, Version: 1}
	if err := a.UpdateIncident(ctx, inc, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateIncident(%q) never created = %v, want %v", inc.ID, err, store.ErrNotFound)
	}
	if inc.Version != 1 {
		t.Errorf("UpdateIncident(%q) failed but set Version = %d, want 1", inc.ID, inc.Version)
	}
}
