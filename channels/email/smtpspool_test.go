package email

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sync/semaphore"
)

// TestSpoolDataKeepsSmallInMemory: a small DATA stays in memory, a large
// one and one arriving when the memory budget is spent go to a file, all
// read back whole, and nothing is left in the spool folder or the budget.
func TestSpoolDataKeepsSmallInMemory(t *testing.T) {
	dir := t.TempDir()
	s := &smtpServer{spool: dir, memSpool: semaphore.NewWeighted(memSpoolBudget)}
	small := "From: a@b.test\r\n\r\nhola\r\n"
	large := strings.Repeat("x", memSpoolSize+1)
	exact := strings.Repeat("y", memSpoolSize-len("P: 1\r\n"))
	cases := []struct {
		name       string
		prefix     string
		data       string
		budgetUsed bool
		wantFile   bool
	}{
		{"small", "", small, false, false},
		{"small with a Return-Path prefix", "Return-Path: <>\r\n", small, false, false},
		{"exactly the memory size", "P: 1\r\n", exact, false, true},
		{"larger than memory", "", large, false, true},
		{"small, budget spent", "", small, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.budgetUsed {
				if !s.memSpool.TryAcquire(memSpoolBudget) {
					t.Fatal("budget not free at the start")
				}
				defer s.memSpool.Release(memSpoolBudget)
			}
			d, err := s.spoolData(tc.prefix, strings.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if got := d.f != nil; got != tc.wantFile {
				t.Errorf("in a file = %v, want %v", got, tc.wantFile)
			}
			got, err := io.ReadAll(d.reader())
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.prefix + tc.data; !bytes.Equal(got, []byte(want)) || d.size != int64(len(want)) {
				t.Errorf("read back %d bytes (size %d), want the %d bytes sent", len(got), d.size, len(want))
			}
			d.close()
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
				t.Errorf("spool folder holds %v after close", left)
			}
		})
	}
	if !s.memSpool.TryAcquire(memSpoolBudget) {
		t.Error("memory budget not given back")
	}
}

// TestSpoolDataPassesReadErrors: an error of the DATA stream (a line too
// long, a mail too large) reaches the caller, which answers with it, and
// leaves no file or memory behind.
func TestSpoolDataPassesReadErrors(t *testing.T) {
	dir := t.TempDir()
	s := &smtpServer{spool: dir, memSpool: semaphore.NewWeighted(memSpoolBudget)}
	boom := errors.New("line too long")
	for _, n := range []int{10, memSpoolSize + 10} {
		r := io.MultiReader(strings.NewReader(strings.Repeat("z", n)), errReader{boom})
		if _, err := s.spoolData("", r); !errors.Is(err, boom) {
			t.Errorf("after %d bytes: spoolData = %v, want %v", n, err, boom)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("spool folder holds %d files after failed DATA", len(left))
	}
	if !s.memSpool.TryAcquire(memSpoolBudget) {
		t.Error("memory budget not given back")
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
