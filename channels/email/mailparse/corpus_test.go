package mailparse

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/intake-support/intake/internal/repodata"
)

// corpusFile is a message of the real-world corpus.
type corpusFile struct {
	name string
	raw  []byte
}

// readCorpus reads the real-world corpus the repository carries
// (testdata/email/corpus.tar.gz: 366 messages, provenance in
// testdata/email/manifest.csv), in name order.
func readCorpus(t testing.TB) []corpusFile {
	t.Helper()
	f, err := repodata.Open("email/corpus.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var files []corpusFile
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read corpus: %v", err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, ".eml") {
			continue
		}
		raw, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read corpus %s: %v", h.Name, err)
		}
		files = append(files, corpusFile{name: strings.TrimPrefix(h.Name, "./"), raw: raw})
	}
	if len(files) != 366 {
		t.Fatalf("corpus has %d messages, want 366", len(files))
	}
	return files
}

// TestCorpus normalizes every message of the real-world corpus: each one
// becomes a Message or is refused with a one-line reason, and none panics.
func TestCorpus(t *testing.T) {
	files := readCorpus(t)
	var normalized, refused, noSender, auto, bounces, verified, attachments int
	reasons := map[string]int{}
	for _, cf := range files {
		path := cf.name
		n, err := normalizeNoPanic(t, path, bytes.NewReader(cf.raw))
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
				walkNoPanic(t, path, cf.raw) // the MIME of a fragment is still exercised
			}
			t.Logf("refused %s: %v", cf.name, err)
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
func walkNoPanic(t *testing.T, path string, raw []byte) {
	t.Helper()
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
