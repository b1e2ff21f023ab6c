package mailparse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

// corpusFigures counts, over the corpus, what Normalize gets out of the
// mails, and what go-message alone (its entity reader, transfer and charset
// decoding) gets out of the same mails, so that a change to the MIME code
// can be measured against both: go test -run TestCorpusFigures -v ./channels/email/
type corpusFigures struct {
	mails, normalized, refused  int
	text, charset, attachments  int
	bounces, autoReplies        int
	gmErrors, gmText, gmSame    int
	gmAttachments, gmFewerAttch int
}

// TestCorpusFigures prints the corpus figures; it fails only when a figure
// of our own parser is out of what TestCorpus accepts.
func TestCorpusFigures(t *testing.T) {
	var f corpusFigures
	gmReasons := map[string]int{}
	for _, cf := range readCorpus(t) {
		f.mails++
		h, body, _ := parseHeader(cf.raw)
		w := &walker{}
		full, _ := w.walk(h, body, 0)
		gmText, gmAttach, gmErr := goMessageRead(cf.raw)
		switch {
		case gmErr != nil:
			f.gmErrors++
			gmReasons[errorKind(gmErr)]++
			t.Logf("go-message cannot read %s: %v", cf.name, gmErr)
		default:
			if strings.TrimSpace(gmText) != "" {
				f.gmText++
			}
			if sameText(gmText, full) {
				f.gmSame++
			} else {
				t.Logf("go-message text differs on %s", cf.name)
			}
		}
		f.gmAttachments += gmAttach
		if gmAttach < len(w.attachments) {
			f.gmFewerAttch++
			t.Logf("go-message finds %d attachments in %s, we find %d", gmAttach, cf.name, len(w.attachments))
		}
		n, err := normalizeNoPanic(t, cf.name, bytes.NewReader(cf.raw))
		if err != nil {
			f.refused++
			continue
		}
		f.normalized++
		if strings.TrimSpace(n.Message.Text) != "" {
			f.text++
		}
		if !isUTF8Label(w.charset) {
			f.charset++
		}
		f.attachments += len(n.Message.Attachments)
		if n.Bounce != nil {
			f.bounces++
		}
		if n.Message.AutoReply {
			f.autoReplies++
		}
	}
	t.Logf("| mails | normalized | refused | text non-empty | non-UTF-8 charset decoded | attachments | bounces | auto-replies |")
	t.Logf("| %d | %d | %d | %d | %d | %d | %d | %d |", f.mails, f.normalized, f.refused, f.text, f.charset, f.attachments, f.bounces, f.autoReplies)
	t.Logf("go-message alone: %d read errors, %d with text, %d with the same text as ours, %d attachments, %d mails with fewer attachments than ours",
		f.gmErrors, f.gmText, f.gmSame, f.gmAttachments, f.gmFewerAttch)
	for r, c := range gmReasons {
		t.Logf("go-message read error %q: %d mails", r, c)
	}
	if f.normalized+f.refused != f.mails {
		t.Errorf("%d normalized + %d refused != %d mails", f.normalized, f.refused, f.mails)
	}
}

// sameText compares two texts word by word, ignoring layout.
func sameText(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// goMessageRead reads raw with go-message only: the text of its inline
// text parts (plain preferred over HTML in an alternative, HTML through the
// same htmlToText) and the number of other leaf parts.
func goMessageRead(raw []byte) (text string, attachments int, err error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return "", 0, err
	}
	text, _, attachments, err = goMessageEntity(e, 0)
	return text, attachments, err
}

func goMessageEntity(e *message.Entity, depth int) (string, bodyKind, int, error) {
	t, params, _ := e.Header.ContentType()
	if mr := e.MultipartReader(); mr != nil && depth < maxDepth {
		var texts []string
		var kinds []bodyKind
		attachments := 0
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil && (p == nil || !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err)) {
				return "", kindNone, attachments, err
			}
			s, k, a, err := goMessageEntity(p, depth+1)
			if err != nil {
				return "", kindNone, attachments, err
			}
			texts, kinds, attachments = append(texts, s), append(kinds, k), attachments+a
		}
		s, k := combineParts(t, texts, kinds)
		return s, k, attachments, nil
	}
	disp, _, _ := e.Header.ContentDisposition()
	b, err := io.ReadAll(e.Body)
	if err != nil {
		return "", kindNone, 0, err
	}
	if disp != "attachment" {
		switch t {
		case "text/plain", "":
			if strings.EqualFold(params["format"], "flowed") {
				return unflow(string(b), strings.EqualFold(params["delsp"], "yes")), kindPlain, 0, nil
			}
			return string(b), kindPlain, 0, nil
		case "text/html":
			return htmlToText(string(b)), kindHTML, 0, nil
		}
	}
	if t == "message/delivery-status" || t == "text/rfc822-headers" {
		return "", kindNone, 0, nil
	}
	return "", kindNone, 1, nil
}

// errorKind is an error's text up to its first detail, to group errors.
func errorKind(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i > 0 && strings.Count(s, ": ") > 1 {
		return s[:i]
	}
	return s
}
