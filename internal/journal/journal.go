// Package journal is an append-only, group-fsync'd log of records on local
// disk: the SMTP listener's queue, in the way a mail server keeps its own.
// Append returns once a record is durable, and concurrent appends share one
// fsync; a consumer takes the records in order (Take) and says when it has
// stored them elsewhere (Done), after which the files holding only done
// records are deleted. Records not done when the process stops are taken
// again, in order, after the next Open.
//
// A record is written as its length and CRC-32 (4 bytes each, big endian)
// followed by its bytes, in segment files named by their first record's
// number. A torn record at the end of a segment (a crash during the write)
// was never acknowledged, so reading stops there.
package journal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync"
)

const (
	// segmentSize is the size after which appends go to a new file, so
	// that done records are deleted while the journal is busy.
	segmentSize = 4 << 20
	// maxGroup bounds the records written with one fsync.
	maxGroup = 256
	// maxPending bounds the records appended and not yet done: Append waits
	// beyond it, which slows the senders down instead of growing memory
	// when the consumer cannot keep up.
	maxPending = 8192
	// maxRecord is the largest record accepted.
	maxRecord = 64 << 20
)

// ErrClosed is returned by Append and Take once the journal is closed.
var ErrClosed = errors.New("journal closed")

// Entry is one record with its number, which increases by one per record.
type Entry struct {
	Seq  uint64
	Data []byte
}

// Journal is an open journal folder. Its methods are safe for concurrent
// use; Take and Done are meant for one consumer.
type Journal struct {
	dir     string
	appends chan appendReq
	closing chan struct{}
	stopped chan struct{}
	once    sync.Once

	mu      sync.Mutex
	cond    *sync.Cond
	pending []Entry // appended or replayed, not taken yet
	undone  int     // records appended or replayed and not done
	closed  bool
	// segments are the files in use, oldest first; the last is written.
	segments []*segment
	// Replayed is how many records Open found not done.
	Replayed int
	// Skipped is how many bytes of torn or damaged records Open left.
	Skipped int64
}

type segment struct {
	// last is the number of its last record (one less than its first
	// while it has none).
	last uint64
	path string
}

type appendReq struct {
	data []byte
	done chan error
}

// Open opens dir (creating it), reads the records left there and starts a
// new segment for appends.
func Open(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal %s: %w", dir, err)
	}
	j := &Journal{dir: dir, appends: make(chan appendReq), closing: make(chan struct{}), stopped: make(chan struct{})}
	j.cond = sync.NewCond(&j.mu)
	next, err := j.replay()
	if err != nil {
		return nil, err
	}
	f, err := j.newSegment(next)
	if err != nil {
		return nil, err
	}
	go j.write(f, next)
	return j, nil
}

// Append writes data as a record and returns once it is durable.
func (j *Journal) Append(ctx context.Context, data []byte) error {
	if len(data) > maxRecord {
		return fmt.Errorf("journal: record of %d bytes is over the limit of %d", len(data), maxRecord)
	}
	j.mu.Lock()
	for j.undone >= maxPending && !j.closed && ctx.Err() == nil {
		j.waitCtx(ctx)
	}
	closed := j.closed
	if !closed && ctx.Err() == nil {
		j.undone++ // reserved now so that waiting appends cannot overshoot
	}
	j.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	req := appendReq{data: data, done: make(chan error, 1)}
	select {
	case j.appends <- req:
		return <-req.done
	case <-j.closing:
		j.release(1)
		return ErrClosed
	case <-ctx.Done():
		j.release(1)
		return ctx.Err()
	}
}

// Take returns, in order, up to max records not taken yet, waiting until
// there is one. After Close it returns ErrClosed: what was not done is read
// again by the next Open.
func (j *Journal) Take(ctx context.Context, max int) ([]Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.closed || len(j.pending) == 0 {
		if j.closed {
			return nil, ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		j.waitCtx(ctx)
	}
	n := min(max, len(j.pending))
	out := append([]Entry(nil), j.pending[:n]...)
	j.pending = j.pending[n:]
	return out, nil
}

// Done says that the records up to and including seq are stored elsewhere;
// n of them since the last Done. Files holding only done records are
// deleted.
func (j *Journal) Done(seq uint64, n int) error {
	j.mu.Lock()
	var drop []*segment
	for len(j.segments) > 1 && j.segments[0].last <= seq {
		drop, j.segments = append(drop, j.segments[0]), j.segments[1:]
	}
	j.mu.Unlock()
	j.release(n)
	var first error
	for _, s := range drop {
		if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = fmt.Errorf("journal: remove %s: %w", s.path, err)
		}
	}
	return first
}

// Len returns how many records are appended (or replayed) and not done.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.undone
}

// Close stops the writer; appends in flight fail with ErrClosed or finish.
// Records not done stay on disk for the next Open.
func (j *Journal) Close() error {
	j.once.Do(func() {
		close(j.closing)
		<-j.stopped
		j.mu.Lock()
		j.closed = true
		j.cond.Broadcast()
		j.mu.Unlock()
	})
	return nil
}

func (j *Journal) release(n int) {
	j.mu.Lock()
	j.undone -= n
	j.cond.Broadcast()
	j.mu.Unlock()
}

// waitCtx waits on cond (with mu held) until a broadcast or ctx is done.
func (j *Journal) waitCtx(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		j.mu.Lock()
		j.cond.Broadcast()
		j.mu.Unlock()
	})
	j.cond.Wait()
	stop()
}

// write is the writer goroutine: it writes the appends that queued up while
// the previous group was fsync'd, with one write and one fsync.
func (j *Journal) write(f *os.File, next uint64) {
	defer close(j.stopped)
	defer func() { _ = f.Close() }()
	var size int64
	var buf []byte
	for {
		var group []appendReq
		select {
		case first := <-j.appends:
			group = append(group, first)
		case <-j.closing:
			return
		}
	drain:
		for len(group) < maxGroup {
			select {
			case r := <-j.appends:
				group = append(group, r)
			default:
				break drain
			}
		}
		if size >= segmentSize {
			nf, err := j.newSegment(next)
			if err != nil {
				fail(group, err)
				j.release(len(group))
				continue
			}
			_ = f.Close()
			f, size = nf, 0
		}
		buf = buf[:0]
		for _, r := range group {
			buf = binary.BigEndian.AppendUint32(buf, uint32(len(r.data)))
			buf = binary.BigEndian.AppendUint32(buf, crc32.ChecksumIEEE(r.data))
			buf = append(buf, r.data...)
		}
		_, err := f.Write(buf)
		if err == nil {
			err = f.Sync()
		}
		if err != nil {
			// The file's end is unknown now: later records go to a new one,
			// and the torn bytes are skipped when it is read again.
			err = fmt.Errorf("journal: write: %w", err)
			fail(group, err)
			j.release(len(group))
			if nf, nerr := j.newSegment(next); nerr == nil {
				_ = f.Close()
				f, size = nf, 0
			}
			continue
		}
		size += int64(len(buf))
		j.mu.Lock()
		for _, r := range group {
			j.pending = append(j.pending, Entry{Seq: next, Data: r.data})
			next++
		}
		j.segments[len(j.segments)-1].last = next - 1
		j.cond.Broadcast()
		j.mu.Unlock()
		fail(group, nil)
	}
}

func fail(group []appendReq, err error) {
	for _, r := range group {
		r.done <- err
	}
}

// newSegment creates the file for records from number first and makes its
// name durable.
func (j *Journal) newSegment(first uint64) (*os.File, error) {
	path := filepath.Join(j.dir, segmentName(first))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := syncDir(j.dir); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	j.mu.Lock()
	j.segments = append(j.segments, &segment{last: first - 1, path: path})
	j.mu.Unlock()
	return f, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer func() { _ = d.Close() }()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("journal: sync %s: %w", dir, err)
	}
	return nil
}
