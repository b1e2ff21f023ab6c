package bolt_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store/bolt"
)

// TestIncidentNumbersAfterRestart: NextIncidentID writes nothing, yet after a
// restart it never hands out the number of a stored incident, including
// one created with a number it did not hand out.
func TestIncidentNumbersAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "intake.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	before := s.Commits()
	id, err := s.NextIncidentID(ctx)
	if err != nil || id != "INC-000001" {
		t.Fatalf("NextIncidentID() = %q, %v, want INC-000001", id, err)
	}
	if n := s.Commits() - before; n != 0 {
		t.Errorf("NextIncidentID() committed %d times, want 0", n)
	}
	for _, id := range []intake.IncidentID{id, "INC-000007"} {
		if err := s.CreateIncident(ctx, &intake.Incident{ID: id, Status: intake.StatusNew}, nil); err != nil {
			t.Fatalf("CreateIncident(%s) = %v", id, err)
		}
	}
	if id, err := s.NextIncidentID(ctx); err != nil || id != "INC-000008" {
		t.Errorf("NextIncidentID() after INC-000007 was created = %q, %v, want INC-000008", id, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id, err := s.NextIncidentID(ctx); err != nil || id != "INC-000008" {
		t.Errorf("NextIncidentID() after a restart = %q, %v, want INC-000008 (the highest stored is INC-000007)", id, err)
	}
}
