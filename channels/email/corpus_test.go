package email

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpusDir is the shared real-world corpus (read-only).
const corpusDir = "../../../shared/data/email"

// TestCorpus normalizes every message of the real-world corpus: each one
// becomes a Message or is refused with a one-line reason, and none panics.
func TestCorpus(t *testing.T) {
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".eml") {
			files = append(files, path)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) || len(files) == 0 {
		t.Skipf("corpus not found at %s", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var normalized, refused, noSender, auto, bounces, verified, attachments int
	reasons := map[string]int{}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		n, err := normalizeNoPanic(t, path, f)
		f.Close()
		if err != nil {
			var r *RefusedError
			if !errors.As(err, &r) {
				t.Errorf("Normalize(%s): %v is not a refusal", path, err)
			}
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("Normalize(%s): refusal %q is not one line", path, msg)
			}
			refused++
			reasons[err.Error()]++
			if errors.Is(err, ErrNoSender) {
				noSender++
				walkNoPanic(t, path) // the MIME of a fragment is still exercised
			}
			t.Logf("refused %s: %v", filepath.Base(path), err)
			continue
		}
		normalized++
		if n.Message.AutoReply {
			auto++
		}
		if n.Bounce != nil {
			bounces++
		}
		if n.SenderVerified {
			verified++
		}
		attachments += len(n.Message.Attachments)
		checkInvariants(t, path, n)
	}
	t.Logf("corpus: %d files, %d normalized, %d refused, %d auto-reply (%d bounces), %d sender verified, %d attachments listed",
		len(files), normalized, refused, auto, bounces, verified, attachments)
	for r, c := range reasons {
		t.Logf("refusal %q: %d", r, c)
	}
	// Most of the corpus's sender-less files are MIME fragments from enmime's
	// parts/ tests, not messages; nothing can be answered without a sender.
	if other := refused - noSender; other > len(files)/100 {
		t.Errorf("%d of %d corpus messages refused for reasons other than a missing sender, want at most %d", other, len(files), len(files)/100)
	}
	if noSender > len(files)/10 {
		t.Errorf("%d of %d corpus messages refused for a missing sender, want at most %d", noSender, len(files), len(files)/10)
	}
}

// walkNoPanic runs the MIME walk alone on a file Normalize refused.
func walkNoPanic(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("walk(%s) panicked: %v", path, p)
		}
	}()
	h, body, _ := parseHeader(raw)
	text, _ := (&walker{}).walk(h, body, 0)
	if !utf8.ValidString(text) {
		t.Errorf("walk(%s): invalid UTF-8 text", path)
	}
}
