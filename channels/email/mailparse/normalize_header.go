package mailparse

import (
	"bytes"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// maxHeaderFields bounds the header of any one entity; real mail has well
// under a hundred fields, spam with a thousand Received lines gets the first ones.
const maxHeaderFields = 2000

// parseHeader reads the header block at the start of b without ever failing:
// a leading mbox "From " line is skipped, a stray line between fields is
// folded into the previous field, and a line that does not look like a
// field where the blank line should be starts the body. It returns the
// header, the body and how many fields it found.
func parseHeader(b []byte) (message.Header, []byte, int) {
	var fields []rawField
	pos := 0
	if rest := bytes.TrimLeft(b[min(5, len(b)):], " "); bytes.HasPrefix(b, []byte("From ")) && !bytes.HasPrefix(rest, []byte(":")) {
		pos = nextLine(b, 0)
	}
	body := b[len(b):]
	for pos < len(b) {
		next := nextLine(b, pos)
		line := trimEOL(b[pos:next])
		switch {
		case len(line) == 0:
			body = b[next:]
			pos = len(b)
			continue
		case line[0] == ' ' || line[0] == '\t':
			if len(bytes.TrimLeft(line, " \t")) == 0 && len(fields) > 0 && !fieldAhead(b, next) {
				// A blank-looking line of spaces, then text: the body.
				body = b[next:]
				pos = len(b)
				continue
			}
			if n := len(fields); n > 0 {
				fields[n-1].fold(line)
				pos = next
				continue
			}
			// An indented first line is a field with a stray indent, or junk.
			if line = bytes.TrimLeft(line, " \t"); len(line) == 0 {
				pos = next
				continue
			}
		}
		if k, v, ok := splitField(line); ok {
			if len(fields) < maxHeaderFields {
				v = bytes.TrimSpace(v)
				fields = append(fields, rawField{k: k, v: append([]byte(nil), v[:min(len(v), maxFieldLen)]...)})
			}
			pos = next
			continue
		}
		if len(fields) > 0 && fieldAhead(b, next) {
			fields[len(fields)-1].fold(line)
			pos = next
			continue
		}
		// No blank line before the body: the body starts here.
		body = b[pos:]
		pos = len(b)
	}
	var h textproto.Header
	// go-message keeps fields bottom-up; adding in reverse makes Get return
	// the top-most field and Values list them top-down, as ReadHeader does.
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i].k, string(fields[i].v))
	}
	return message.Header{Header: h}, body, len(fields)
}

// maxFieldLen bounds one unfolded field; longer ones are cut.
const maxFieldLen = 64 << 10

// rawField is a field being read; folded lines are appended in place, so a
// field of a million continuation lines costs linear time.
type rawField struct {
	k string
	v []byte
}

// fold appends a continuation line, joined by one space.
func (f *rawField) fold(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || len(f.v) >= maxFieldLen {
		return
	}
	if len(f.v) > 0 {
		f.v = append(f.v, ' ')
	}
	f.v = append(f.v, line[:min(len(line), maxFieldLen-len(f.v))]...)
}

func nextLine(b []byte, pos int) int {
	if i := bytes.IndexByte(b[pos:], '\n'); i >= 0 {
		return pos + i + 1
	}
	return len(b)
}

func trimEOL(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

// splitField splits "Key: value", accepting blanks before the colon.
func splitField(line []byte) (string, []byte, bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", nil, false
	}
	key := bytes.TrimRight(line[:i], " \t")
	// A key starting with "--" is a MIME delimiter that has a colon in it.
	if len(key) == 0 || len(key) > 100 || bytes.HasPrefix(key, []byte("--")) {
		return "", nil, false
	}
	for _, c := range key {
		if c < 33 || c > 126 {
			return "", nil, false
		}
	}
	return string(key), line[i+1:], true
}

// fieldAhead reports whether the line at pos is a header field or the blank
// line ending the header, which makes a stray line before it part of the header.
func fieldAhead(b []byte, pos int) bool {
	if pos >= len(b) {
		return false
	}
	line := trimEOL(b[pos:nextLine(b, pos)])
	if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
		return true
	}
	_, _, ok := splitField(line)
	return ok
}

// headerText returns the decoded value of the top-most field k.
func headerText(h message.Header, k string) string {
	return decodeHeaderText(h.Get(k))
}

var addrPattern = regexp.MustCompile(`[^\s<>()",;:@\[\]]+@[^\s<>()",;:@\[\]]+`)

// addressParser decodes encoded-words in display names with every charset.
var addressParser = &netmail.AddressParser{WordDecoder: wordDecoder}

// parseAddrs parses an address list; when it is not RFC 5322 it picks out
// whatever looks like an address, so that "john@x.com <john@x.com>" or an
// unquoted comma in a name still yields a sender.
func parseAddrs(v string) []*netmail.Address {
	v = strings.TrimSpace(guessText([]byte(v)))
	if v == "" {
		return nil
	}
	var out []*netmail.Address
	if list, err := addressParser.ParseList(v); err == nil {
		for _, a := range list {
			if addr := strings.ToLower(a.Address); ValidAddrSpec(addr) {
				out = append(out, &netmail.Address{Name: displayName(a.Name), Address: addr})
			}
		}
		return out
	}
	// Encoded-words are names, never addresses: "=?utf-8?Q?Ana=0D=0A_v3@evil.example?="
	// must not yield "_v3@evil.example?=". Bracketed addresses win over bare ones.
	orig := v
	v = looseAddrs(encodedWord.ReplaceAllString(v, " "))
	var bare []*netmail.Address
	for _, loc := range addrPattern.FindAllStringIndex(v, 50) {
		addr := strings.ToLower(strings.Trim(v[loc[0]:loc[1]], ".'"))
		if !ValidAddrSpec(addr) {
			continue
		}
		a := &netmail.Address{Address: addr}
		if loc[0] == 0 || v[loc[0]-1] != '<' {
			bare = append(bare, a)
			continue
		}
		if len(out) == 0 {
			if lt := strings.IndexByte(orig, '<'); lt > 0 {
				a.Name = displayName(strings.Trim(decodeHeaderText(strings.TrimSpace(orig[:lt])), `"' `))
			}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return bare
	}
	return out
}

// displayName is a decoded display name on one line: an encoded CR LF in
// it must not reach a header we write.
func displayName(s string) string { return strings.Join(strings.Fields(sanitize(s)), " ") }

// encodedWord is an RFC 2047 encoded-word.
var encodedWord = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// ValidAddrSpec reports whether s is an addr-spec intake will send mail to:
// RFC 5322 parses it as exactly itself, and its domain is a host name
// (letters, digits, hyphens, dots; non-ASCII letters for IDNs) or an
// address literal.
func ValidAddrSpec(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 254 {
		return false
	}
	a, err := netmail.ParseAddress("<" + s + ">")
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	domain := s[at+1:]
	if strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]") {
		return true
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80 && unicode.IsLetter(r)) {
				return false
			}
		}
	}
	return true
}

// looseAddrs drops comments and the blanks inside angle brackets, turning
// "<pete(his account)@silly.test>" or "<jdoe@machine.  example>" into
// something addrPattern finds.
func looseAddrs(v string) string {
	v = stripComments(v, "")
	var sb strings.Builder
	inAngle := false
	for _, r := range v {
		switch {
		case r == '<':
			inAngle = true
		case r == '>':
			inAngle = false
		case inAngle && (r == ' ' || r == '\t'):
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// headerAddrs parses every field k of h.
func headerAddrs(h message.Header, k string) []*netmail.Address {
	var out []*netmail.Address
	for _, v := range h.Values(k) {
		out = append(out, parseAddrs(v)...)
	}
	return out
}

// maxIDs bounds how many Message-IDs one field contributes; References of
// long threads keep the newest.
const maxIDs = 30

// parseMsgIDs returns the bracketed Message-IDs in v without angle
// brackets, in order.
func parseMsgIDs(v string) []string {
	return msgIDs(v, false)
}

// msgIDs parses Message-IDs; bare accepts IDs without brackets that contain
// an "@" when there are no bracketed ones, which only the Message-ID field
// is trusted with (In-Reply-To: user@example.com is an address).
func msgIDs(v string, bare bool) []string {
	var ids []string
	rest := v
	for {
		lt := strings.IndexByte(rest, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(rest[lt:], '>')
		if gt < 0 {
			break
		}
		if id := cleanID(rest[lt+1 : lt+gt]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[lt+gt+1:]
	}
	if len(ids) == 0 && bare {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				if id := cleanID(strings.Trim(f, "<>,;")); id != "" {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) > maxIDs {
		ids = ids[len(ids)-maxIDs:]
	}
	return ids
}

func cleanID(s string) string {
	s = strings.Join(strings.Fields(s), "")
	if s == "" || len(s) > 250 {
		return ""
	}
	return sanitize(s)
}

// headerIDs returns the Message-IDs of every field k of h.
func headerIDs(h message.Header, k string) []string {
	var ids []string
	for _, v := range h.Values(k) {
		ids = append(ids, msgIDs(v, strings.EqualFold(k, "Message-Id"))...)
	}
	return ids
}

// parseDate reads an RFC 5322 date; net/mail tolerates the comments and
// trailing text mailers add.
func parseDate(v string) (time.Time, bool) {
	t, err := netmail.ParseDate(strings.TrimSpace(v))
	return t, err == nil
}

// receivedAt is when the top-most MTA received the message (the date after
// the last ";" of the first Received field), else the Date field.
func receivedAtOf(h message.Header) (time.Time, bool) {
	if r := h.Get("Received"); r != "" {
		if i := strings.LastIndexByte(r, ';'); i >= 0 {
			if t, ok := parseDate(r[i+1:]); ok {
				return t.UTC(), true
			}
		}
	}
	if t, ok := parseDate(h.Get("Date")); ok {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// fixHeaderCharset decodes raw 8-bit field values (legacy mailers write
// Big5 or KOI8-R straight into the Subject) with the charset of the body,
// which is what such mailers use; without a hint guessText applies later.
func fixHeaderCharset(h message.Header, hint string) message.Header {
	if hint == "" || isUTF8Label(hint) {
		return h
	}
	type kv struct{ k, v string }
	var fields []kv
	changed := false
	for f := h.Fields(); f.Next(); {
		v := f.Value()
		if !utf8.ValidString(v) {
			v, changed = decodeCharset(hint, []byte(v)), true
		}
		fields = append(fields, kv{f.Key(), v})
	}
	if !changed {
		return h
	}
	var out textproto.Header
	for i := len(fields) - 1; i >= 0; i-- {
		out.Add(fields[i].k, fields[i].v)
	}
	return message.Header{Header: out}
}
