package bolt

import (
	"errors"
	"path/filepath"
	"testing"

	bbolt "go.etcd.io/bbolt"
)

// TestCommitRerunsAGroupWithoutTheWriteThatFailed drives one group by hand:
// the second write fails only because of the first (in the same
// transaction), so it runs alone, succeeds and commits; the first then runs
// again against that state and must report what it sees now, not what it saw
// in the rolled-back attempt.
func TestCommitRerunsAGroupWithoutTheWriteThatFailed(t *testing.T) {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "c.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := &committer{db: db}
	key := []byte("x")
	errTaken := errors.New("x is taken")
	var firstGotIt bool
	markX := func(tx *bbolt.Tx) error { // like MarkSeen: takes x if free
		firstGotIt = false
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil || b.Get(key) != nil {
			return err
		}
		firstGotIt = true
		return b.Put(key, []byte("first"))
	}
	claimX := func(tx *bbolt.Tx) error { // like CreateIncident: fails if x is taken
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		if b.Get(key) != nil {
			return errTaken
		}
		return b.Put(key, []byte("second"))
	}
	failing := func(*bbolt.Tx) error { return errTaken }
	group := []call{{markX, make(chan error, 1)}, {claimX, make(chan error, 1)}, {failing, make(chan error, 1)}}
	c.commit(group)
	if err := <-group[0].err; err != nil || firstGotIt {
		t.Errorf("first write: err %v, took x %v; want nil and false (the second took x alone)", err, firstGotIt)
	}
	if err := <-group[1].err; err != nil {
		t.Errorf("second write: err %v, want nil once alone", err)
	}
	if err := <-group[2].err; !errors.Is(err, errTaken) {
		t.Errorf("failing write: err %v, want its own error", err)
	}
	_ = db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket([]byte("b")).Get(key); string(v) != "second" {
			t.Errorf("x = %q, want second", v)
		}
		return nil
	})
}
