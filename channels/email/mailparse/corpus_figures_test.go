package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/emersion/go-message"
)

// corpusFigures counts, over the corpus, what Normalize gets out of the
// mails, and what go-message alone (its header reader, multipart reader,
// transfer and charset decoding, Message-ID and date parsing) gets out of
// the same mails, so that a change to the MIME code can be measured against
// both:
//
//	go test -run TestCorpusFigures -v ./channels/email/mailparse/
type corpusFigures struct {
	mails, normalized, refused  int
	text, charset, attachments  int
	bounces, autoReplies        int
	gmErrors, gmText, gmSame    int
	gmAttachments, gmFewerAttch int
	// What go-message cannot do, per mail, by the part of ours it would replace.
	gmStage                    map[string]int
	gmUnknownCharset           int
	gmIDsDiffer, gmDatesDiffer int
}

// TestCorpusFigures prints the corpus figures. It fails when a mail is
// neither normalized nor refused; the figures themselves are reported, and
// TestCorpus holds the bounds on them.
func TestCorpusFigures(t *testing.T) {
	f := corpusFigures{gmStage: map[string]int{}}
	digest := sha256.New() // of every normalized form and refusal, in name order
	for _, cf := range readCorpus(t) {
		f.mails++
		h, body, _ := parseHeader(cf.raw)
		w := &walker{}
		full, _ := w.walk(h, body, 0)
		gm := goMessageRead(cf.raw)
		if gm.unknownCharset {
			f.gmUnknownCharset++
		}
		switch {
		case gm.err != nil:
			f.gmErrors++
			f.gmStage[gm.stage]++
			t.Logf("go-message cannot read %s (%s): %v", cf.name, gm.stage, gm.err)
		default:
			if strings.TrimSpace(gm.text) != "" {
				f.gmText++
			}
			if sameText(gm.text, full) {
				f.gmSame++
			} else {
				t.Logf("go-message text differs on %s", cf.name)
			}
			if !slices.Equal(gm.ids, ourIDs(h)) {
				f.gmIDsDiffer++
				t.Logf("go-message Message-IDs differ on %s: %q, ours %q", cf.name, gm.ids, ourIDs(h))
			}
			if ours, _ := parseDate(h.Get("Date")); !gm.date.Equal(ours) {
				f.gmDatesDiffer++
				t.Logf("go-message date differs on %s: %v, ours %v", cf.name, gm.date, ours)
			}
		}
		f.gmAttachments += gm.attachments
		if gm.attachments < len(w.attachments) {
			f.gmFewerAttch++
			t.Logf("go-message finds %d attachments in %s, we find %d", gm.attachments, cf.name, len(w.attachments))
		}
		n, err := Normalize(bytes.NewReader(cf.raw), NormalizeOptions{OurAddresses: testOurs, Now: func() time.Time { return time.Unix(0, 0) }})
		if err != nil {
			fmt.Fprintf(digest, "%s refused: %v\n", cf.name, err)
			f.refused++
			continue
		}
		js, _ := json.Marshal([]any{Inspect(n), n.Auth, n.Bounce, n.Oversized, n.Message.ReceivedAt, n.Message.Conversation})
		fmt.Fprintf(digest, "%s %s\n", cf.name, js)
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
	t.Logf("go-message alone: %d mails it cannot read (header %d, multipart %d, transfer encoding %d), %d with text, "+
		"%d with the same text as ours, %d with an unknown charset left undecoded, %d attachments, %d mails with fewer attachments than ours, "+
		"%d with other Message-IDs, %d with another date (of the mails it reads)",
		f.gmErrors, f.gmStage["header"], f.gmStage["multipart"], f.gmStage["transfer"], f.gmText, f.gmSame, f.gmUnknownCharset,
		f.gmAttachments, f.gmFewerAttch, f.gmIDsDiffer, f.gmDatesDiffer)
	t.Logf("digest of every normalized form: %x (the same before and after a change that keeps the corpus's behaviour)", digest.Sum(nil)[:8])
	if f.normalized+f.refused != f.mails {
		t.Errorf("%d normalized + %d refused != %d mails", f.normalized, f.refused, f.mails)
	}
}

// ourIDs are the Message-IDs we read from h, as goMessageRead lists go-message's.
func ourIDs(h message.Header) []string {
	var ids []string
	for _, k := range []string{"Message-Id", "In-Reply-To", "References"} {
		ids = append(ids, headerIDs(h, k)...)
	}
	return ids
}

// goMessageResult is what go-message alone reads of a mail.
type goMessageResult struct {
	text           string
	attachments    int
	ids            []string
	date           time.Time
	unknownCharset bool
	// err is why it cannot read the mail, stage where: header, multipart
	// or transfer (encoding).
	err   error
	stage string
}

// sameText compares two texts word by word, ignoring layout.
func sameText(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// goMessageRead reads raw with go-message only: the text of its inline
// text parts (plain preferred over HTML in an alternative, HTML through the
// same htmlToText), the number of other leaf parts, the Message-IDs and the
// date.
func goMessageRead(raw []byte) goMessageResult {
	var r goMessageResult
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !r.tolerate(err) {
		r.err, r.stage = err, "header"
		return r
	}
	mh := mail.Header{Header: e.Header}
	for _, k := range []string{"Message-Id", "In-Reply-To", "References"} {
		ids, _ := mh.MsgIDList(k)
		r.ids = append(r.ids, ids...)
	}
	r.date, _ = mh.Date()
	r.text, _, r.attachments, err = r.entity(e, 0)
	if err != nil {
		r.err, r.stage = err, "multipart"
		var ce base64.CorruptInputError
		if errors.As(err, &ce) || strings.Contains(err.Error(), "quotedprintable") {
			r.stage = "transfer"
		}
	}
	return r
}

// tolerate reports whether err leaves the entity readable (an unknown
// charset or encoding: the body is then given raw), noting the charset.
func (r *goMessageResult) tolerate(err error) bool {
	if message.IsUnknownCharset(err) {
		r.unknownCharset = true
		return true
	}
	return message.IsUnknownEncoding(err)
}

func (r *goMessageResult) entity(e *message.Entity, depth int) (string, bodyKind, int, error) {
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
			if err != nil && (p == nil || !r.tolerate(err)) {
				return "", kindNone, attachments, err
			}
			s, k, a, err := r.entity(p, depth+1)
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
