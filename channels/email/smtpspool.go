package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// spoolPattern names the spool files of the SMTP listener.
const spoolPattern = "intake-smtp-*.eml"

// cleanSpool removes the spool files a killed process left behind: the
// client of each got no 250, so it sends the message again.
func cleanSpool(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("smtp_listen spool_dir: %w", err)
	}
	old, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return fmt.Errorf("smtp_listen spool_dir: %w", err)
	}
	for _, name := range old {
		_ = os.Remove(name)
	}
	return nil
}

// memSpoolSize is the largest DATA kept in memory instead of a spool file.
// Most support mails are a few kilobytes; creating, writing and removing a
// file for each cost more CPU than parsing it, and a burst of them contends
// for the spool folder. memSpoolBudget bounds the memory all sessions hold
// this way at once; a session that finds it spent spools to a file.
const (
	memSpoolSize   = 64 << 10
	memSpoolBudget = 8 << 20
)

// spooled is one DATA as received: in memory when it was small and the
// memory budget allowed, else in a spool file.
type spooled struct {
	mem     []byte
	f       *os.File
	size    int64
	release func()
}

// reader reads the whole DATA.
func (d *spooled) reader() *io.SectionReader {
	if d.f != nil {
		return io.NewSectionReader(d.f, 0, d.size)
	}
	return io.NewSectionReader(bytes.NewReader(d.mem), 0, d.size)
}

// close removes the spool file or gives the memory back.
func (d *spooled) close() {
	if d.f != nil {
		removeSpool(d.f)
	}
	if d.release != nil {
		d.release()
	}
}

// spoolData reads prefix and the DATA stream: into memory while it fits in
// memSpoolSize and the budget has room, else into a new spool file.
func (s *smtpServer) spoolData(prefix string, r io.Reader) (*spooled, error) {
	data := io.MultiReader(strings.NewReader(prefix), r)
	if s.memSpool.TryAcquire(memSpoolSize) {
		buf := memSpoolBuffers.Get().(*[]byte)
		release := func() {
			memSpoolBuffers.Put(buf)
			s.memSpool.Release(memSpoolSize)
		}
		n, err := io.ReadFull(data, *buf)
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return &spooled{mem: (*buf)[:n], size: int64(n), release: release}, nil
		case err != nil:
			release()
			return nil, err
		}
		// Larger than memory allows: the file takes what was read and the rest.
		d, err := s.spoolFile(io.MultiReader(bytes.NewReader(*buf), data))
		release()
		return d, err
	}
	return s.spoolFile(data)
}

// memSpoolBuffers recycles the memSpoolSize buffers of spoolData.
var memSpoolBuffers = sync.Pool{New: func() any {
	b := make([]byte, memSpoolSize)
	return &b
}}

// spoolFile writes data to a new spool file.
func (s *smtpServer) spoolFile(data io.Reader) (*spooled, error) {
	f, err := os.CreateTemp(s.spool, spoolPattern)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	n, err := io.Copy(f, data)
	if err != nil {
		removeSpool(f)
		return nil, err
	}
	return &spooled{f: f, size: n}, nil
}

func removeSpool(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// parseTurn waits until size bytes of the parse budget are free (all of it
// for a mail larger than the budget) and returns the function giving them
// back.
func (s *smtpServer) parseTurn(ctx context.Context, size int64) (func(), error) {
	if s.parse == nil {
		return func() {}, nil
	}
	w := min(max(size, 1), s.parseMax)
	if err := s.parse.Acquire(ctx, w); err != nil {
		return nil, fmt.Errorf("parse turn: %w", err)
	}
	return func() { s.parse.Release(w) }, nil
}
