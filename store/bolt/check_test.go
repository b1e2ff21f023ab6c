package bolt_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

// TestFullCheckFindsDamageDeepInTheFile: a leaf page of incidents damaged in
// the middle of the file, past the few pages the light check reads, is found
// by the check Open runs after a kill and by WithFullCheck.
func TestFullCheckFindsDamageDeepInTheFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		closeFn func(*bolt.Store) error
		opts    []bolt.Option
	}{
		{"after a kill", bolt.CloseAsKilled, nil},
		{"after Close, WithFullCheck", (*bolt.Store).Close, []bolt.Option{bolt.WithFullCheck()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "intake.db")
			writeDeeplyDamaged(t, path, tc.closeFn)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := bolt.Open(path, tc.opts...)
			if err == nil {
				s.Close()
				t.Fatalf("Open() = nil, want an error wrapping %v", store.ErrCorrupt)
			}
			if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "page") {
				t.Errorf("Open() = %v, want a page error wrapping %v", err, store.ErrCorrupt)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
				t.Errorf("Open() changed the damaged file")
			}
		})
	}
}

// writeDeeplyDamaged writes a store of a few hundred incidents, releases it with closeFn and gives every leaf page holding
// incidents in the middle third of the file an invalid page type.
func writeDeeplyDamaged(t *testing.T, path string, closeFn func(*bolt.Store) error) {
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("Open() = %v, want nil", err)
	}
	var wg sync.WaitGroup
	for i := range 400 {
		wg.Go(func() {
			inc := &intake.Incident{ID: intake.FormatIncidentID(uint64(i + 1)), Status: intake.StatusNew, Subject: strings.Repeat("x", 500)}
			if err := s.CreateIncident(t.Context(), inc, nil); err != nil {
				t.Errorf("CreateIncident() = %v, want nil", err)
			}
		})
	}
	wg.Wait()
	if err := closeFn(s); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize, leafFlag = 4096, 0x02
	pages := len(data) / pageSize
	smashed := 0
	for p := pages / 3; p < 2*pages/3; p++ {
		page := data[p*pageSize : (p+1)*pageSize]
		if binary.LittleEndian.Uint16(page[8:10]) == leafFlag && bytes.Contains(page, []byte("xxxxxxxxxxxxxxxx")) {
			binary.LittleEndian.PutUint16(page[8:10], 0x40)
			smashed++
		}
	}
	if smashed == 0 {
		t.Fatalf("no leaf page of incidents in the middle of a %d-page file", pages)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
