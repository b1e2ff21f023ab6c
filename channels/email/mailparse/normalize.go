// Package mailparse turns raw RFC 5322 mail into normalized messages:
// MIME, charsets (UTF-7 included), format=flowed, HTML, quoted history,
// thread keys from Message-IDs and incident tokens, loop, auto-reply and
// bounce detection, and sender trust from Authentication-Results. It does
// no I/O: it reads bytes it is given and knows neither the network nor the
// store; the email adapter (package email) reads and sends mail with it.
package mailparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // every charset x/text knows, for go-message
	"github.com/intake-support/intake"
)

// Sentinel errors of Normalize, wrapped in a *RefusedError.
var (
	ErrTooLarge   = errors.New("message too large")
	ErrNotMessage = errors.New("not an RFC 5322 message")
	ErrNoSender   = errors.New("no sender")
)

// RefusedError is a message Normalize will not turn into a Message. Its
// Error is a one-line reason fit for a log line or a human moving the mail
// to a failed folder; Unwrap gives the sentinel to branch on.
type RefusedError struct {
	Reason string
	Err    error
}

func (e *RefusedError) Error() string { return e.Reason }
func (e *RefusedError) Unwrap() error { return e.Err }

// Defaults of NormalizeOptions.
const (
	DefaultMaxSize = 25 << 20
	DefaultMaxText = 64 << 10
)

// NormalizeOptions configures Normalize. The zero value works.
type NormalizeOptions struct {
	// OurAddresses are the support addresses: mail from them is a loop, and
	// their plus addresses (soporte+INC-000123@...) carry incident tokens.
	OurAddresses []string
	// MaxSize is the largest message accepted, in bytes (DefaultMaxSize if 0).
	// At most MaxSize+1 bytes are read.
	MaxSize int64
	// MaxAttachment flags larger attachments in Normalized.Oversized; they
	// are still listed. 0 means MaxSize.
	MaxAttachment int64
	// MaxText bounds the stripped text, in bytes (DefaultMaxText if 0).
	MaxText int
	// TrustedAuthServID is the authserv-id of our receiving MTA, whose
	// Authentication-Results field alone is believed. Empty trusts the
	// top-most field, which is right only when the MTA removes forged ones.
	TrustedAuthServID string
	// DetectLanguage, when set, fills Message.Language from the stripped text.
	DetectLanguage func(text string) string
	// Now is the clock for ReceivedAt when no Received or Date field has a
	// readable date (time.Now if nil).
	Now func() time.Time
}

// Normalized is a normalized email: the channel-neutral Message plus what
// only email has.
type Normalized struct {
	Message *intake.Message
	To      []*netmail.Address
	Cc      []*netmail.Address
	ReplyTo []*netmail.Address
	// MessageID is the Message-ID without angle brackets; GeneratedID is set
	// when the message had none and MessageID is a hash of its content.
	MessageID   string
	GeneratedID bool
	InReplyTo   []string
	References  []string
	// ReturnPath is the envelope sender without brackets; NullSender is set
	// for "Return-Path: <>", the sender of bounces and RFC 3834 responders.
	ReturnPath string
	NullSender bool
	Date       time.Time
	// FromUs is set when the sender is one of OurAddresses, or an X-Loop
	// field names one: a mail loop.
	FromUs bool
	// Bounce is set when the message is a delivery report or a complaint.
	Bounce *Bounce
	// Auth holds the trusted Authentication-Results verdicts.
	Auth           AuthResults
	SenderVerified bool
	// Oversized names the attachments larger than MaxAttachment.
	Oversized []string
	// Tokens are the incident tokens found in plus addresses and the subject.
	Tokens []intake.IncidentID
}

// Normalize reads one raw message and normalizes it. It refuses, with a
// *RefusedError, a message larger than MaxSize, input with no header fields,
// and a message with no sender address unless it is automatic (a bounce
// needs no sender to be useful). Anything else, however malformed, becomes
// a Message. Other errors come from reading raw.
func Normalize(raw io.Reader, opts NormalizeOptions) (*Normalized, error) {
	opts = opts.withDefaults()
	data, err := readAtMost(raw, opts.MaxSize)
	if errors.Is(err, ErrTooLarge) {
		return nil, &RefusedError{Reason: "message exceeds " + humanSize(opts.MaxSize), Err: ErrTooLarge}
	}
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &RefusedError{Reason: "empty message", Err: ErrNotMessage}
	}
	h, body, nfields := parseHeader(data)
	if nfields == 0 {
		return nil, &RefusedError{Reason: "not an RFC 5322 message (no header fields)", Err: ErrNotMessage}
	}
	w := &walker{maxAttachment: opts.MaxAttachment}
	full, _ := w.walk(h, body, 0)
	h = fixHeaderCharset(h, w.charset)

	n := readEnvelope(h, body)
	from := firstAddr(h, "From", "Sender", "Reply-To", "Return-Path")
	var fromAddr string
	if from != nil {
		fromAddr = from.Address
	}
	n.FromUs = isOurs(fromAddr, opts.OurAddresses) || loopsThroughUs(h, opts.OurAddresses)
	n.Bounce = parseBounce(h, w, firstNonEmpty(fromAddr, n.ReturnPath), full)
	subject := oneLine(headerText(h, "Subject"))
	reason := autoReplyReason(h, n.FromUs, n.Bounce, w.reportType, subject)
	if from == nil && reason == "" {
		return nil, &RefusedError{Reason: "no From address", Err: ErrNoSender}
	}
	n.Auth = authResults(h, opts.TrustedAuthServID)
	n.SenderVerified = n.Auth.verify(domainOf(fromAddr))
	n.Oversized = w.oversized

	// The new text comes first; the tail of a huge body is history or noise.
	stripped := truncate(StripQuotes(truncate(full, 8*opts.MaxText)), opts.MaxText)
	msg := &intake.Message{
		ID:              intake.MessageID(n.MessageID),
		Channel:         intake.ChannelEmail,
		Subject:         subject,
		Text:            stripped,
		Attachments:     w.attachments,
		AutoReply:       reason != "",
		AutoReplyReason: reason,
		Bounce:          n.Bounce.Report(),
		ReceivedAt:      opts.receivedAt(h),
	}
	if from != nil {
		msg.From = intake.Customer{Channel: intake.ChannelEmail, ID: from.Address, Name: from.Name, Verified: n.SenderVerified}
	}
	msg.Conversation = n.conversation(msg.From.ID, subject, opts.OurAddresses)
	ids, tokens := threadValues(n, plusTokens(h, opts.OurAddresses), intake.FindIncidentIDs(subject))
	for _, id := range ids {
		msg.ThreadKeys = append(msg.ThreadKeys, intake.EmailThreadKey(id))
	}
	for _, t := range tokens {
		msg.ThreadKeys = append(msg.ThreadKeys, intake.TokenThreadKey(t))
	}
	n.Tokens = tokens
	if opts.DetectLanguage != nil && stripped != "" {
		msg.Language = opts.DetectLanguage(stripped)
	}
	n.Message = msg
	return n, nil
}

// readEnvelope reads the addressing and threading fields.
func readEnvelope(h message.Header, body []byte) *Normalized {
	n := &Normalized{
		To:         headerAddrs(h, "To"),
		Cc:         headerAddrs(h, "Cc"),
		ReplyTo:    headerAddrs(h, "Reply-To"),
		InReplyTo:  headerIDs(h, "In-Reply-To"),
		References: headerIDs(h, "References"),
	}
	if ids := headerIDs(h, "Message-Id"); len(ids) > 0 {
		n.MessageID = ids[0]
	} else {
		n.MessageID, n.GeneratedID = generatedID(h, body), true
	}
	if h.Has("Return-Path") {
		n.ReturnPath = strings.ToLower(cleanID(strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<>")))
		n.NullSender = n.ReturnPath == ""
	}
	n.Date, _ = parseDate(h.Get("Date"))
	return n
}

// conversation is where a reply goes: to Reply-To unless it points at us,
// else to the sender, in this message's thread.
func (n *Normalized) conversation(from, subject string, ours []string) intake.Conversation {
	c := intake.Conversation{
		Channel:    intake.ChannelEmail,
		Address:    from,
		Thread:     n.MessageID,
		Subject:    subject,
		References: n.References,
	}
	if rt := firstNotOurs(n.ReplyTo, ours); rt != nil {
		c.Address = rt.Address
	}
	if len(n.References) == 0 && len(n.InReplyTo) > 0 {
		c.References = n.InReplyTo
	}
	return c
}

func (o NormalizeOptions) withDefaults() NormalizeOptions {
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxAttachment <= 0 {
		o.MaxAttachment = o.MaxSize
	}
	if o.MaxText <= 0 {
		o.MaxText = DefaultMaxText
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func (o NormalizeOptions) receivedAt(h message.Header) time.Time {
	if t, ok := receivedAtOf(h); ok {
		return t
	}
	return o.Now().UTC()
}

// firstAddr returns the first address of the first of the fields that has one.
func firstAddr(h message.Header, keys ...string) *netmail.Address {
	for _, k := range keys {
		for _, v := range h.Values(k) {
			if list := parseAddrs(v); len(list) > 0 {
				return list[0]
			}
		}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// oneLine collapses the whitespace of a header value, folded lines included.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, 998)
}

// truncate cuts s to at most n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readChunk is the unit readAtMost reads in.
const readChunk = 1 << 20

// readAtMost reads all of r if it holds at most max bytes, else fails with
// ErrTooLarge after reading max+1. It reads into fixed chunks and joins them
// only once the size is known, so an oversized message costs about max bytes
// of memory rather than the doubling growth of io.ReadAll.
func readAtMost(r io.Reader, max int64) ([]byte, error) {
	if sr, ok := r.(interface{ Size() int64 }); ok {
		// A spooled message: one buffer of its exact size, not chunks
		// joined into a second copy.
		n := sr.Size()
		if n > max {
			return nil, ErrTooLarge
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	var chunks [][]byte
	var total int64
	lr := io.LimitReader(r, max+1)
	for {
		buf := make([]byte, readChunk)
		n, err := io.ReadFull(lr, buf)
		total += int64(n)
		if n > 0 {
			chunks = append(chunks, buf[:n])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if total > max {
		return nil, ErrTooLarge
	}
	return bytes.Join(chunks, nil), nil
}
