package mailparse

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/intake-support/intake"
)

// Bounce describes a delivery report about a message we sent, so that the
// caller can find the incident by the returned Message-ID and mark the
// customer address as failing.
type Bounce struct {
	// Recipients whose delivery failed for good, lower-cased.
	Recipients []string `json:"recipients,omitempty"`
	// Delayed recipients: the MTA is still trying, nothing failed yet.
	Delayed []string `json:"delayed,omitempty"`
	// MessageIDs of the returned message, without angle brackets.
	MessageIDs []string `json:"message_ids,omitempty"`
	// Status is the first enhanced status code reported, such as 5.1.1.
	Status string `json:"status,omitempty"`
	// Complaint is set for an abuse feedback report (ARF) instead of a bounce.
	Complaint bool `json:"complaint,omitempty"`
	// Reason says what made the message a bounce.
	Reason string `json:"reason"`
}

// Report is what the spine needs of b to note the failing address on the
// incident whose reply bounced (the returned Message-IDs are thread keys of
// the message already); nil when b is nil or reports delayed delivery only.
func (b *Bounce) Report() *intake.BounceReport {
	if b == nil || len(b.Recipients) == 0 && len(b.Delayed) > 0 {
		return nil
	}
	return &intake.BounceReport{Recipients: b.Recipients, Status: b.Status, Reason: b.Reason, Complaint: b.Complaint}
}

var (
	textMessageIDRE = regexp.MustCompile(`(?im)^[ \t>]*message-id:[ \t]*(<[^>\r\n]{1,250}>)`)
	qmailRcptRE     = regexp.MustCompile(`(?m)^<([^<>\s]+@[^<>\s]+)>:\s*$`)
)

// parseBounce returns the bounce that the message is, or nil. Evidence is a
// multipart/report of delivery status, X-Failed-Recipients, or a
// MAILER-DAEMON/postmaster sender; text is the extracted body, searched for
// the returned Message-ID and qmail-style recipients when there is no
// machine-readable report.
func parseBounce(h message.Header, w *walker, from string, text string) *Bounce {
	b := &Bounce{}
	switch {
	case w.reportType == "feedback-report":
		b.Complaint, b.Reason = true, "abuse complaint (feedback report)"
	case w.reportType == "delivery-status" || len(w.dsn) > 0:
		b.Reason = "bounce: delivery status report"
	case h.Get("X-Failed-Recipients") != "":
		b.Reason = "bounce: X-Failed-Recipients"
	case isDaemon(from):
		b.Reason = "bounce: sender " + localPart(from)
	default:
		return nil
	}
	for _, d := range w.dsn {
		readDSN(d, b)
	}
	for _, v := range h.Values("X-Failed-Recipients") {
		for _, a := range parseAddrs(v) {
			b.Recipients = appendUnique(b.Recipients, a.Address)
		}
	}
	for _, oh := range w.original {
		for _, id := range headerIDs(oh, "Message-Id") {
			b.MessageIDs = appendUnique(b.MessageIDs, id)
		}
	}
	if len(b.MessageIDs) == 0 {
		for _, m := range textMessageIDRE.FindAllStringSubmatch(text, 5) {
			for _, id := range parseMsgIDs(m[1]) {
				b.MessageIDs = appendUnique(b.MessageIDs, id)
			}
		}
	}
	if len(b.Recipients) == 0 && len(w.dsn) == 0 {
		for _, m := range qmailRcptRE.FindAllStringSubmatch(text, 20) {
			b.Recipients = appendUnique(b.Recipients, strings.ToLower(m[1]))
		}
	}
	return b
}

// readDSN reads a message/delivery-status body (RFC 3464): one block of
// per-message fields, then one block per recipient.
func readDSN(d []byte, b *Bounce) {
	rest := d
	for blocks := 0; len(rest) > 0 && blocks < 200; blocks++ {
		rest = bytes.TrimLeft(rest, "\r\n \t")
		if len(rest) == 0 {
			return
		}
		h, next, n := parseHeader(rest)
		if n == 0 {
			rest = rest[nextLine(rest, 0):]
			continue
		}
		if len(next) >= len(rest) {
			return
		}
		rest = next
		rcpt := dsnAddress(h.Get("Final-Recipient"))
		if rcpt == "" {
			rcpt = dsnAddress(h.Get("Original-Recipient"))
		}
		status := strings.TrimSpace(h.Get("Status"))
		if i := strings.IndexAny(status, " \t("); i > 0 {
			status = status[:i]
		}
		if rcpt == "" {
			continue
		}
		if b.Status == "" && status != "" {
			b.Status = status
		}
		switch action := strings.ToLower(strings.TrimSpace(h.Get("Action"))); {
		case strings.HasPrefix(action, "failed"):
			b.Recipients = appendUnique(b.Recipients, rcpt)
		case strings.HasPrefix(action, "delayed"):
			b.Delayed = appendUnique(b.Delayed, rcpt)
		case action == "" && strings.HasPrefix(status, "5"):
			b.Recipients = appendUnique(b.Recipients, rcpt)
		}
	}
}

// dsnAddress takes the address out of "rfc822; user@example.com".
func dsnAddress(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[i+1:]
	}
	v = strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>"))
	if !strings.Contains(v, "@") || strings.ContainsAny(v, " \t") {
		return ""
	}
	return sanitize(v)
}

// isDaemon reports mail system senders: MAILER-DAEMON, postmaster and friends.
func isDaemon(addr string) bool {
	switch strings.ToLower(localPart(addr)) {
	case "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "mdaemon":
		return true
	}
	return false
}

func localPart(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i]
	}
	return addr
}

func appendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
