package email

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// spoolData writes prefix and the DATA stream to a new spool file and
// returns it open, with its size. The stream's own errors (a line too long,
// a message over the size limit) come back as they are.
func (s *smtpServer) spoolData(prefix string, r io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(s.spool, spoolPattern)
	if err != nil {
		return nil, 0, fmt.Errorf("spool: %w", err)
	}
	n, err := io.WriteString(f, prefix)
	if err == nil {
		var m int64
		m, err = io.Copy(f, r)
		n += int(m)
	}
	if err != nil {
		removeSpool(f)
		return nil, 0, err
	}
	return f, int64(n), nil
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
