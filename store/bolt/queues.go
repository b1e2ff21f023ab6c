package bolt

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/intake-support/intake/store"
)

// Each queue is a bucket under bQueues holding:
//   - items: id -> item (see encodeItem)
//   - ready: readyAt|seq -> id, so the first key is the next message to hand
//     out once its readyAt has passed; in-flight items sit at now+visibility,
//     which is what makes an unacked message come back;
//   - len: the number of items.
var (
	bItems = []byte("items")
	bReady = []byte("ready")
	kLen   = []byte("len")
)

// item is a queued message. token is empty while the message waits and set
// while it is in flight.
type item struct {
	attempt uint32
	readyAt time.Time
	seq     uint64
	token   string
	payload []byte
}

const itemHeader = 4 + 8 + 8 + 2

func encodeItem(it item) []byte {
	b := make([]byte, 0, itemHeader+len(it.token)+len(it.payload))
	b = be.AppendUint32(b, it.attempt)
	b = append(b, timeKey(it.readyAt)...)
	b = be.AppendUint64(b, it.seq)
	b = be.AppendUint16(b, uint16(len(it.token)))
	b = append(b, it.token...)
	return append(b, it.payload...)
}

// decodeItem copies v out of bbolt's memory.
func decodeItem(v []byte) (item, error) {
	if len(v) < itemHeader {
		return item{}, fmt.Errorf("queue item is %d bytes: %w", len(v), store.ErrCorrupt)
	}
	n := int(be.Uint16(v[20:22]))
	if len(v) < itemHeader+n {
		return item{}, fmt.Errorf("queue item token overruns the record: %w", store.ErrCorrupt)
	}
	return item{
		attempt: be.Uint32(v[0:4]),
		readyAt: keyTime(v[4:12]),
		seq:     be.Uint64(v[12:20]),
		token:   string(v[22 : 22+n]),
		payload: clone(v[22+n:]),
	}, nil
}

func (it item) readyKey() []byte { return be.AppendUint64(timeKey(it.readyAt), it.seq) }

// queue holds the buckets of one queue inside a write transaction.
type queue struct{ root, items, ready *bbolt.Bucket }

// openQueue returns the queue's buckets; with create false a queue never
// written to is reported as nil.
func openQueue(tx *bbolt.Tx, name string, create bool) (*queue, error) {
	all, err := bucket(tx, bQueues)
	if err != nil {
		return nil, err
	}
	root := all.Bucket([]byte(name))
	if root == nil {
		if !create {
			return nil, nil
		}
		if root, err = all.CreateBucket([]byte(name)); err != nil {
			return nil, err
		}
		for _, sub := range [][]byte{bItems, bReady} {
			if _, err := root.CreateBucket(sub); err != nil {
				return nil, err
			}
		}
	}
	q := &queue{root: root, items: root.Bucket(bItems), ready: root.Bucket(bReady)}
	if q.items == nil || q.ready == nil {
		return nil, fmt.Errorf("queue %s buckets missing: %w", name, store.ErrCorrupt)
	}
	return q, nil
}

func (q *queue) len() int {
	if v := q.root.Get(kLen); len(v) == 8 {
		return int(be.Uint64(v))
	}
	return 0
}

func (q *queue) addLen(d int) error {
	return q.root.Put(kLen, be.AppendUint64(nil, uint64(max(q.len()+d, 0))))
}

// put stores it and its ready entry.
func (q *queue) put(id string, it item) error {
	if err := q.items.Put([]byte(id), encodeItem(it)); err != nil {
		return err
	}
	return q.ready.Put(it.readyKey(), []byte(id))
}

// Enqueue adds a message unless its ID is already queued.
func (s *Store) Enqueue(ctx context.Context, name, id string, payload []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error { return s.enqueue(tx, name, id, payload) })
	if err != nil {
		return fmt.Errorf("enqueue %s %s: %w", name, id, err)
	}
	return nil
}

// EnqueueBatch adds the messages whose IDs are not queued yet, in order, in
// one transaction.
func (s *Store) EnqueueBatch(ctx context.Context, name string, msgs []store.Queued) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	err := s.update(func(tx *bbolt.Tx) error {
		for _, m := range msgs {
			if err := s.enqueue(tx, name, m.ID, m.Payload); err != nil {
				return fmt.Errorf("%s: %w", m.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("enqueue %d messages to %s: %w", len(msgs), name, err)
	}
	return nil
}

// enqueue adds a message, ready now, unless its ID is already queued.
func (s *Store) enqueue(tx *bbolt.Tx, name, id string, payload []byte) error {
	q, err := openQueue(tx, name, true)
	if err != nil {
		return err
	}
	if q.items.Get([]byte(id)) != nil {
		return nil
	}
	seq, err := q.items.NextSequence()
	if err != nil {
		return err
	}
	if err := q.put(id, item{readyAt: s.now(), seq: seq, payload: payload}); err != nil {
		return err
	}
	return q.addLen(1)
}

// Dequeue hands out the first ready message with a fresh token and hides it
// for visibility.
func (s *Store) Dequeue(ctx context.Context, name string, visibility time.Duration) (store.Delivery, error) {
	ds, err := s.DequeueMany(ctx, name, visibility, 1)
	if err != nil {
		return store.Delivery{}, err
	}
	return ds[0], nil
}

// DequeueMany hands out up to max ready messages, oldest first, each with a
// fresh token, and hides them for visibility, in one transaction.
func (s *Store) DequeueMany(ctx context.Context, name string, visibility time.Duration, max int) ([]store.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if max < 1 {
		return nil, fmt.Errorf("dequeue %s: max %d, want at least 1", name, max)
	}
	// Pollers mostly find nothing, and every drain of a queue ends with an
	// empty dequeue: look in a read transaction first, which costs no fsync.
	var ready bool
	err := s.view(func(tx *bbolt.Tx) error {
		q, err := openQueue(tx, name, false)
		if err != nil || q == nil {
			return err
		}
		k, _ := q.ready.Cursor().First()
		ready = k != nil && isDue(k, s.now())
		return nil
	})
	if err == nil && !ready {
		err = store.ErrEmpty
	}
	if err != nil {
		return nil, fmt.Errorf("dequeue %s: %w", name, err)
	}
	var ds []store.Delivery
	err = s.update(func(tx *bbolt.Tx) error {
		ds = nil // update may run this again
		q, err := openQueue(tx, name, false)
		if err != nil || q == nil {
			// Nothing to take is no failure of the write: returning
			// ErrEmpty here would roll back the writes sharing its commit.
			return err
		}
		now := s.now()
		type due struct{ key, id []byte }
		var take []due
		c := q.ready.Cursor()
		for k, id := c.First(); k != nil && len(take) < max && isDue(k, now); k, id = c.Next() {
			take = append(take, due{clone(k), clone(id)})
		}
		// The cursor is done with before the bucket changes under it.
		for _, t := range take {
			it, err := decodeItem(q.items.Get(t.id))
			if err != nil {
				return fmt.Errorf("item %s: %w", t.id, err)
			}
			if err := q.ready.Delete(t.key); err != nil {
				return err
			}
			it.attempt++
			it.readyAt = now.Add(visibility)
			it.token = rand.Text()
			ds = append(ds, store.Delivery{ID: string(t.id), Payload: it.payload, Attempt: int(it.attempt), Token: it.token})
			if err := q.put(string(t.id), it); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && len(ds) == 0 {
		err = store.ErrEmpty // taken by another consumer since the look
	}
	if err != nil {
		return nil, fmt.Errorf("dequeue %s: %w", name, err)
	}
	return ds, nil
}

func isDue(readyKey []byte, now time.Time) bool {
	return len(readyKey) >= 8 && bytes.Compare(readyKey[:8], timeKey(now)) <= 0
}

// Ack removes the message if d's token still owns it.
func (s *Store) Ack(ctx context.Context, name string, d store.Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error { return ack(tx, name, d) })
	if err != nil {
		return fmt.Errorf("ack %s %s: %w", name, d.ID, err)
	}
	return nil
}

// ack removes the message if d's token still owns it.
func ack(tx *bbolt.Tx, name string, d store.Delivery) error {
	return settle(tx, name, d, func(q *queue, it item) error {
		if err := q.items.Delete([]byte(d.ID)); err != nil {
			return err
		}
		return q.addLen(-1)
	})
}

// Nack makes the message ready again after delay if d's token still owns it;
// with no delay, in its old place.
func (s *Store) Nack(ctx context.Context, name string, d store.Delivery, delay time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error {
		return settle(tx, name, d, func(q *queue, it item) error {
			it.token = ""
			it.readyAt = s.now().Add(delay)
			if delay <= 0 {
				// Back in its old place: ahead of whatever was queued
				// after it (those wait under the time they were queued),
				// by enqueue sequence among the messages given back, as
				// takeBack does with what a dead process left in flight.
				it.readyAt = time.Unix(0, 0)
			}
			return q.put(d.ID, it)
		})
	})
	if err != nil {
		return fmt.Errorf("nack %s %s: %w", name, d.ID, err)
	}
	return nil
}

// settle checks that d's token owns its message, removes the message's ready
// entry and calls fn.
func settle(tx *bbolt.Tx, name string, d store.Delivery, fn func(q *queue, it item) error) error {
	q, err := openQueue(tx, name, false)
	if err != nil {
		return err
	}
	if q == nil || d.Token == "" {
		return store.ErrNotFound
	}
	v := q.items.Get([]byte(d.ID))
	if v == nil {
		return store.ErrNotFound
	}
	it, err := decodeItem(v)
	if err != nil {
		return err
	}
	if it.token != d.Token {
		return fmt.Errorf("delivery token no longer owns the message: %w", store.ErrNotFound)
	}
	if err := q.ready.Delete(it.readyKey()); err != nil {
		return err
	}
	return fn(q, it)
}

// QueueLen counts waiting and in-flight messages.
func (s *Store) QueueLen(ctx context.Context, name string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int
	err := s.view(func(tx *bbolt.Tx) error {
		q, err := openQueue(tx, name, false)
		if q != nil {
			n = q.len()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("queue length %s: %w", name, err)
	}
	return n, nil
}
