package journal

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const segmentPrefix, segmentSuffix = "segment-", ".log"

// segmentName is the file name of the segment whose first record is first,
// zero-padded so that names sort in record order.
func segmentName(first uint64) string {
	return fmt.Sprintf("%s%020d%s", segmentPrefix, first, segmentSuffix)
}

// replay reads the segments left in the folder, in order, into pending and
// returns the number of the next record. A segment whose records are all
// gone (a crash before the next segment was written) is deleted.
func (j *Journal) replay() (next uint64, err error) {
	names, err := filepath.Glob(filepath.Join(j.dir, segmentPrefix+"*"+segmentSuffix))
	if err != nil {
		return 0, fmt.Errorf("journal %s: %w", j.dir, err)
	}
	type found struct {
		first uint64
		path  string
	}
	var segs []found
	for _, p := range names {
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), segmentPrefix), segmentSuffix), 10, 64)
		if err != nil {
			continue // not ours
		}
		segs = append(segs, found{n, p})
	}
	slices.SortFunc(segs, func(a, b found) int { return cmp.Compare(a.first, b.first) })
	next = 1
	for _, s := range segs {
		next = max(next, s.first)
		records, skipped, err := readSegment(s.path)
		if err != nil {
			return 0, err
		}
		j.Skipped += skipped
		for _, r := range records {
			j.pending = append(j.pending, Entry{Seq: next, Data: r})
			next++
		}
		if len(records) == 0 {
			if err := os.Remove(s.path); err != nil {
				return 0, fmt.Errorf("journal: %w", err)
			}
			continue
		}
		j.segments = append(j.segments, &segment{last: next - 1, path: s.path})
	}
	j.Replayed = len(j.pending)
	j.undone = len(j.pending)
	return next, nil
}

// readSegment returns the records of one file up to the first torn or
// damaged one, and how many bytes it left after that.
func readSegment(path string) (records [][]byte, skipped int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("journal: %w", err)
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("journal: %w", err)
	}
	r := bufio.NewReader(f)
	var read int64
	var head [8]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return records, 0, nil
			}
			break
		}
		n := binary.BigEndian.Uint32(head[:4])
		if n > maxRecord {
			break
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			break
		}
		if crc32.ChecksumIEEE(data) != binary.BigEndian.Uint32(head[4:]) {
			break
		}
		records = append(records, data)
		read += 8 + int64(n)
	}
	return records, info.Size() - read, nil
}
