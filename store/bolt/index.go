package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

var be = binary.BigEndian

func incidentBuckets(tx *bbolt.Tx) (incs, threads *bbolt.Bucket, err error) {
	if incs, err = bucket(tx, bIncidents); err != nil {
		return nil, nil, err
	}
	if threads, err = bucket(tx, bThreads); err != nil {
		return nil, nil, err
	}
	return incs, threads, nil
}

func decodeIncident(data []byte) (*intake.Incident, error) {
	if data == nil {
		return nil, store.ErrNotFound
	}
	var inc intake.Incident
	if err := json.Unmarshal(data, &inc); err != nil {
		return nil, fmt.Errorf("decode incident: %v: %w", err, store.ErrCorrupt)
	}
	return &inc, nil
}

func mapKeys(threads *bbolt.Bucket, id intake.IncidentID, keys []intake.ThreadKey) error {
	for _, k := range keys {
		if k == "" {
			continue // names no thread
		}
		if err := threads.Put([]byte(k), []byte(id)); err != nil {
			return fmt.Errorf("map thread key %q: %w", k, err)
		}
	}
	return nil
}

// fieldPrefix is the index prefix of a status or tier; the 0 byte keeps
// "L1" from matching the entries of "L10".
func fieldPrefix(v string) []byte { return append([]byte(v), 0) }

// index adds (put) or removes the index entries of inc.
func index(tx *bbolt.Tx, inc *intake.Incident, put bool) error {
	entries := []struct {
		bucket []byte
		key    []byte
	}{
		{bByCreated, join(timeKey(inc.CreatedAt), []byte(inc.ID))},
		{bByStatus, join(fieldPrefix(string(inc.Status)), timeKey(inc.CreatedAt), []byte(inc.ID))},
	}
	if inc.Tier != "" {
		entries = append(entries, struct {
			bucket []byte
			key    []byte
		}{bByTier, join(fieldPrefix(string(inc.Tier)), timeKey(inc.CreatedAt), []byte(inc.ID))})
	}
	for _, e := range entries {
		b, err := bucket(tx, e.bucket)
		if err != nil {
			return err
		}
		if put {
			err = b.Put(e.key, nil)
		} else {
			err = b.Delete(e.key)
		}
		if err != nil {
			return fmt.Errorf("index %s: %w", e.bucket, err)
		}
	}
	return nil
}

// lastWithPrefix positions c on the last key starting with prefix and
// returns it, or returns nil if there is none.
func lastWithPrefix(c *bbolt.Cursor, prefix []byte) []byte {
	if len(prefix) == 0 {
		k, _ := c.Last()
		return k
	}
	// The first key after every key with the prefix: prefix with its last
	// byte incremented (the last byte is 0 in fieldPrefix, so no carry).
	end := clone(prefix)
	end[len(end)-1]++
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil
	}
	return k
}

// lastBefore positions c on the last key with prefix that sorts before
// bound, and returns it (nil if there is none).
func lastBefore(c *bbolt.Cursor, prefix, bound []byte) []byte {
	k, _ := c.Seek(bound)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil
	}
	return k
}
