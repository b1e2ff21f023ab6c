package bolt

import (
	"encoding/binary"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake/store"
)

// Top-level buckets. Index keys put a sortable time first so that a cursor
// walks them in time order.
var (
	bMeta      = []byte("meta")
	bIncidents = []byte("incidents")     // id -> incident JSON
	bThreads   = []byte("threads")       // thread key -> id
	bByCreated = []byte("idx_created")   // created|id -> nil
	bByStatus  = []byte("idx_status")    // status 0 created|id -> nil
	bByTier    = []byte("idx_tier")      // tier 0 created|id -> nil
	bSeen      = []byte("dedupe")        // key -> expires
	bSeenExp   = []byte("dedupe_expiry") // expires|key -> nil
	bWindows   = []byte("windows")       // window -> bucket (see windows.go)
	bWindowExp = []byte("window_expiry") // expires|window -> nil
	bLeases    = []byte("leases")        // name -> expires|holder
	bQueues    = []byte("queues")        // name -> bucket (see queues.go)
	bTimers    = []byte("timers")        // id -> due|payload
	bTimerDue  = []byte("timer_due")     // due|id -> nil

	kSchema  = []byte("schema")
	kInciSeq = []byte("incident_seq")
	// kCleanClose is in meta from a Close to the next Open (see verify).
	kCleanClose = []byte("clean_close")
)

func initBuckets(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bMeta, bIncidents, bThreads, bByCreated, bByStatus, bByTier, bSeen, bSeenExp, bWindows, bWindowExp, bLeases, bQueues, bTimers, bTimerDue} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bMeta)
	switch got := meta.Get(kSchema); {
	case got == nil:
		return meta.Put(kSchema, []byte(schema))
	case string(got) != schema:
		return fmt.Errorf("file has schema %q, want %q: %w", got, schema, store.ErrCorrupt)
	}
	return nil
}

// bucket returns a top-level bucket, or ErrCorrupt if Open's buckets are gone.
func bucket(tx *bbolt.Tx, name []byte) (*bbolt.Bucket, error) {
	b := tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("bucket %s missing: %w", name, store.ErrCorrupt)
	}
	return b, nil
}

// timeKey encodes t so that byte order is time order, before 1970 included.
func timeKey(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(t.UnixNano())^(1<<63))
}

func keyTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63)))
}

// join concatenates key parts into a new slice.
func join(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// clone copies b out of bbolt's memory, which is only valid inside the
// transaction.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
