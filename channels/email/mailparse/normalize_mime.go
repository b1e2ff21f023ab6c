package mailparse

import (
	"bytes"
	"mime"
	"path"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/intake-support/intake"
)

// Limits of the MIME walk, so that a crafted message cannot make it deep or long.
const (
	maxDepth = 16
	maxParts = 500
)

// bodyKind says which kind of text a subtree produced.
type bodyKind int

const (
	kindNone bodyKind = iota
	kindHTML
	kindPlain
)

// walker collects the readable text, the attachments and, for delivery
// reports, the parts a bounce is made of.
type walker struct {
	maxAttachment int64
	parts         int
	attachments   []intake.Attachment
	oversized     []string
	charset       string // of the first text part, a hint for raw 8-bit headers
	// Delivery report pieces, read by parseBounce.
	reportType string
	dsn        [][]byte         // message/delivery-status bodies
	original   []message.Header // headers of the returned message
}

// walk returns the text of the entity with header h and raw body b.
func (w *walker) walk(h message.Header, b []byte, depth int) (string, bodyKind) {
	w.parts++
	if w.parts > maxParts {
		return "", kindNone
	}
	t, params := contentType(h)
	disp := disposition(h)
	cte := h.Get("Content-Transfer-Encoding")
	if strings.HasPrefix(t, "multipart/") && depth < maxDepth {
		if parts := splitMultipart(b, boundaryOf(params, b)); parts != nil {
			return w.multipart(t, params, parts, depth)
		}
		// A multipart without its boundary is read as the text it most likely is.
		return decodeCharset(params["charset"], decodeTransfer(cte, b)), kindPlain
	}
	switch t {
	case "message/delivery-status", "message/global-delivery-status":
		w.dsn = append(w.dsn, decodeTransfer(cte, b))
		return "", kindNone
	case "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
		oh, _, _ := parseHeader(decodeTransfer(cte, b))
		w.original = append(w.original, oh)
		return "", kindNone
	case "message/rfc822", "message/global":
		if w.reportType != "" {
			oh, _, _ := parseHeader(decodeTransfer(cte, b))
			w.original = append(w.original, oh)
		}
	}
	if disp != "attachment" {
		if w.charset == "" && strings.HasPrefix(t, "text/") {
			w.charset = params["charset"]
		}
		switch t {
		case "text/plain", "text/enriched", "text/richtext", "text":
			s := decodeCharset(params["charset"], decodeTransfer(cte, b))
			if strings.EqualFold(params["format"], "flowed") {
				s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
			}
			return s, kindPlain
		case "text/html", "application/xhtml+xml":
			return htmlToText(decodeHTMLCharset(params["charset"], decodeTransfer(cte, b))), kindHTML
		}
	}
	w.attach(h, t, params, cte, b)
	return "", kindNone
}

// multipart combines the texts of the parts: one alternative (plain text
// preferred over HTML), the root of a related set, or all inline parts.
func (w *walker) multipart(t string, params map[string]string, parts [][]byte, depth int) (string, bodyKind) {
	switch t {
	case "multipart/report":
		w.reportType = strings.ToLower(params["report-type"])
	}
	var texts []string
	var kinds []bodyKind
	for _, p := range parts {
		ph, pb, _ := parseHeader(p)
		s, k := w.walk(ph, pb, depth+1)
		texts = append(texts, s)
		kinds = append(kinds, k)
	}
	return combineParts(t, texts, kinds)
}

// combineParts joins the texts of a multipart of type t: the best
// alternative (plain text preferred over HTML), else all non-empty parts.
func combineParts(t string, texts []string, kinds []bodyKind) (string, bodyKind) {
	switch t {
	case "multipart/alternative":
		best, bestKind := "", kindNone
		for i, s := range texts {
			if strings.TrimSpace(s) == "" {
				continue
			}
			if kinds[i] > bestKind || kinds[i] == bestKind && kinds[i] == kindHTML {
				best, bestKind = s, kinds[i]
			}
		}
		return best, bestKind
	}
	var sb strings.Builder
	kind := kindNone
	for i, s := range texts {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\n\n")
		}
		sb.WriteString(strings.TrimRight(s, "\r\n "))
		kind = max(kind, kinds[i])
	}
	return sb.String(), kind
}

// attach lists a part as an attachment, measuring its decoded size.
func (w *walker) attach(h message.Header, t string, params map[string]string, cte string, b []byte) {
	size := decodedLen(cte, b)
	if strings.HasPrefix(t, "message/") {
		size = int64(len(b))
	}
	a := intake.Attachment{Name: filename(h, params), Type: t, Size: size}
	if w.maxAttachment > 0 && size > w.maxAttachment {
		w.oversized = append(w.oversized, a.Name)
	}
	w.attachments = append(w.attachments, a)
}

// contentType parses Content-Type, falling back to a plain split when the
// field is not valid MIME; a missing or meaningless type is text/plain.
func contentType(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return "text/plain", map[string]string{}
	}
	t, params, err := h.ContentType()
	if err != nil || params == nil {
		t, params = looseParams(v)
	}
	t = strings.ToLower(strings.TrimSpace(t))
	if !strings.Contains(t, "/") {
		// RFC 2045 5.2: an invalid type is read as plain text.
		return "text/plain", params
	}
	return t, params
}

// looseParams splits "type; k=v; k="v"" without MIME's strictness.
func looseParams(v string) (string, map[string]string) {
	fields := strings.Split(v, ";")
	params := map[string]string{}
	for _, f := range fields[1:] {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' {
			if end := strings.IndexByte(val[1:], '"'); end >= 0 {
				val = val[1 : end+1]
			}
		}
		if _, dup := params[k]; !dup && k != "" {
			params[k] = decodeHeaderText(val)
		}
	}
	return strings.TrimSpace(fields[0]), params
}

func disposition(h message.Header) string {
	v := h.Get("Content-Disposition")
	if v == "" {
		return ""
	}
	d, _, err := mime.ParseMediaType(v)
	if err != nil || d == "" {
		d, _ = looseParams(v)
	}
	return strings.ToLower(strings.TrimSpace(d))
}

// filename is the decoded base name of an attachment, from
// Content-Disposition or the Content-Type name.
func filename(h message.Header, ctParams map[string]string) string {
	ah := mail.AttachmentHeader{Header: h}
	name, err := ah.Filename()
	if err != nil || name == "" {
		if _, p := looseParams(h.Get("Content-Disposition")); p["filename"] != "" {
			name = p["filename"]
		} else {
			name = ctParams["name"]
		}
	}
	name = decodeHeaderText(name)
	name = strings.ReplaceAll(name, `\`, "/")
	name = strings.TrimSpace(path.Base(name))
	if name == "." || name == "/" {
		name = ""
	}
	if len(name) > 255 {
		name = sanitize(name[:255])
	}
	return name
}

// boundaryOf returns the boundary parameter or, when it is missing, guesses
// it from the first delimiter-looking line of the body.
func boundaryOf(params map[string]string, b []byte) string {
	if bd := params["boundary"]; bd != "" {
		return bd
	}
	for pos, n := 0, 0; pos < len(b) && n < 50; n++ {
		next := nextLine(b, pos)
		line := bytes.TrimRight(trimEOL(b[pos:next]), " \t")
		if len(line) > 2 && bytes.HasPrefix(line, []byte("--")) {
			return string(bytes.TrimSuffix(line[2:], []byte("--")))
		}
		pos = next
	}
	return ""
}

// splitMultipart returns the parts between "--boundary" delimiter lines,
// each a slice of b. A missing close delimiter ends the last part at the end
// of b; no delimiter at all returns nil.
func splitMultipart(b []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // where the current part's content starts
	for pos := 0; pos < len(b); {
		next := nextLine(b, pos)
		line := trimEOL(b[pos:next])
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			closing := bytes.HasPrefix(rest, []byte("--"))
			if closing {
				rest = rest[2:]
			}
			if len(bytes.TrimRight(rest, " \t")) == 0 {
				if start >= 0 {
					parts = append(parts, trimEOL(b[start:pos]))
				}
				if closing {
					return nonNil(parts)
				}
				start = next
			}
		}
		pos = next
	}
	if start >= 0 {
		parts = append(parts, b[start:])
	}
	if parts == nil {
		return nil
	}
	return parts
}

func nonNil(parts [][]byte) [][]byte {
	if parts == nil {
		return [][]byte{}
	}
	return parts
}
