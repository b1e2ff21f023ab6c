package journal

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// record encodes data as a journal record.
func record(data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(data))
	return append(b, data...)
}

// FuzzReadSegment: whatever a segment file holds (a crash mid-write, a
// damaged disk), reading it never fails or panics, returns only records
// whose checksum holds, in order, and accounts for every byte as a record
// or as skipped.
func FuzzReadSegment(f *testing.F) {
	f.Add([]byte{})
	f.Add(record([]byte("hola")))
	f.Add(append(record([]byte("uno")), record([]byte("dos"))...))
	f.Add(append(record([]byte("entero")), 0, 0, 0, 50, 1, 2, 3))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add(append(record(nil), record([]byte("tras un vacío"))...))
	f.Fuzz(func(t *testing.T, raw []byte) {
		path := filepath.Join(t.TempDir(), "segment")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		records, skipped, err := readSegment(path)
		if err != nil {
			t.Fatalf("readSegment = %v", err)
		}
		var read []byte
		for _, r := range records {
			read = append(read, record(r)...)
		}
		if !bytes.HasPrefix(raw, read) {
			t.Fatalf("records read are not the file's first bytes")
		}
		if int64(len(read))+skipped != int64(len(raw)) {
			t.Fatalf("%d bytes of records and %d skipped, file of %d", len(read), skipped, len(raw))
		}
	})
}
