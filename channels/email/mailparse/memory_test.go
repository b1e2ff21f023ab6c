package mailparse

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// bigMessage is an endless-looking message of n bytes that counts what was read.
type bigMessage struct {
	header string
	n, off int64
}

func (m *bigMessage) Read(p []byte) (int, error) {
	if m.off >= m.n {
		return 0, io.EOF
	}
	i := 0
	for ; i < len(p) && m.off < m.n; i++ {
		if m.off < int64(len(m.header)) {
			p[i] = m.header[m.off]
		} else if m.off%77 == 76 {
			p[i] = '\n'
		} else {
			p[i] = 'A'
		}
		m.off++
	}
	return i, nil
}

const bigHeader = "From: a@x.example\nTo: soporte@example.com\nSubject: big\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"

// TestMaxSize: a 50 MB message is refused after reading MaxSize+1 bytes,
// with memory in proportion to MaxSize, not to the message.
func TestMaxSize(t *testing.T) {
	msg := &bigMessage{header: bigHeader, n: 50 << 20}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Normalize(msg, NormalizeOptions{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Normalize(50 MB) error = %v, want ErrTooLarge", err)
	}
	if got, want := err.Error(), "message exceeds 25 MB"; got != want {
		t.Errorf("Normalize(50 MB) error = %q, want %q", got, want)
	}
	if msg.off != DefaultMaxSize+1 {
		t.Errorf("Normalize(50 MB) read %d bytes, want %d", msg.off, DefaultMaxSize+1)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*DefaultMaxSize {
		t.Errorf("Normalize(50 MB) allocated %d MB, want at most %d MB", alloc>>20, 3*DefaultMaxSize>>20)
	} else {
		t.Logf("refused after reading %d bytes, %d MB allocated", msg.off, alloc>>20)
	}
}

func TestMaxSizeBoundary(t *testing.T) {
	const max = 4096
	for _, tt := range []struct {
		size    int64
		refused bool
	}{{max, false}, {max + 1, true}} {
		msg := &bigMessage{header: bigHeader, n: tt.size}
		n, err := Normalize(msg, NormalizeOptions{MaxSize: max, MaxAttachment: 1000})
		if refused := errors.Is(err, ErrTooLarge); refused != tt.refused {
			t.Errorf("Normalize(%d bytes, max %d) error = %v, want refused %v", tt.size, max, err, tt.refused)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "4 KB") {
				t.Errorf("Normalize(%d bytes) error = %q, want the limit in it", tt.size, err)
			}
			continue
		}
		if len(n.Message.Attachments) != 1 || len(n.Oversized) != 1 {
			t.Errorf("Normalize(%d bytes) attachments %+v oversized %q, want one oversized", tt.size, n.Message.Attachments, n.Oversized)
		}
	}
}
