package mailparse

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// Transfer and charset decoding that never fails: real mail carries broken
// quoted-printable, truncated base64 and charsets nobody registered, and a
// readable approximation is worth more to the bot than a refusal.

// decodeTransfer undoes a Content-Transfer-Encoding. Unknown encodings
// (x-uuencode and friends) are returned as they are.
func decodeTransfer(enc string, src []byte) []byte {
	switch normEncoding(enc) {
	case "quoted-printable":
		return decodeQP(src)
	case "base64":
		return decodeBase64(src)
	}
	return src
}

// decodedLen is the size decodeTransfer would return, computed without
// allocating, so that attachments can be measured but never materialized.
func decodedLen(enc string, src []byte) int64 {
	switch normEncoding(enc) {
	case "quoted-printable":
		return int64(qpWalk(src, nil))
	case "base64":
		n := 0
		b64Segments(src, nil, &n)
		return int64(n)
	}
	return int64(len(src))
}

func normEncoding(enc string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(enc), `"'`))
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// decodeBase64 keeps only alphabet characters and decodes what it can:
// padding ends a group (concatenated encodings decode one after the other)
// and a dangling last character is dropped rather than failing the part.
func decodeBase64(src []byte) []byte {
	out := make([]byte, 0, len(src)/4*3+3)
	b64Segments(src, func(seg []byte) {
		buf := make([]byte, base64.RawStdEncoding.DecodedLen(len(seg)))
		n, _ := base64.RawStdEncoding.Decode(buf, seg)
		out = append(out, buf[:n]...)
	}, nil)
	return out
}

// b64Segments calls decode with each run of alphabet characters between
// padding, trimmed to a decodable length, in chunks of at most 1 KiB; with
// decode nil it only counts the decoded bytes into *count.
func b64Segments(src []byte, decode func([]byte), count *int) {
	var arr [1024]byte
	seg := arr[:0]
	flush := func() {
		if len(seg)%4 == 1 {
			seg = seg[:len(seg)-1]
		}
		if len(seg) > 0 {
			if decode != nil {
				decode(seg)
			}
			if count != nil {
				*count += len(seg)/4*3 + [4]int{0, 0, 1, 2}[len(seg)%4]
			}
		}
		seg = seg[:0]
	}
	for _, c := range src {
		switch {
		case isB64(c):
			seg = append(seg, c)
			if len(seg) == cap(seg) {
				flush() // 1024 is a multiple of 4: no bits are lost
			}
		case c == '=':
			flush()
		}
	}
	flush()
}

// decodeQP decodes quoted-printable leniently: an "=" not followed by two
// hex digits or a line break is kept as it is.
func decodeQP(src []byte) []byte {
	out := make([]byte, 0, len(src))
	qpWalk(src, &out)
	return out
}

// qpWalk decodes src into *out when out is not nil and returns the decoded length.
func qpWalk(src []byte, out *[]byte) int {
	n := 0
	emit := func(c byte) {
		n++
		if out != nil {
			*out = append(*out, c)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '=' {
			emit(c)
			continue
		}
		if i+2 < len(src) {
			h, ok1 := unhex(src[i+1])
			l, ok2 := unhex(src[i+2])
			if ok1 && ok2 {
				emit(h<<4 | l)
				i += 2
				continue
			}
		}
		// Soft line break: "=" then optional trailing blanks then a newline.
		j := i + 1
		for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
			j++
		}
		if j < len(src) && src[j] == '\r' {
			j++
		}
		if j < len(src) && src[j] == '\n' {
			i = j
			continue
		}
		if j >= len(src) {
			i = j
			continue
		}
		emit('=')
	}
	return n
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// decodeCharset converts b from the named charset to valid UTF-8. An empty,
// unknown or lying label falls back to UTF-8 when the bytes are valid UTF-8
// and to Windows-1252 (a superset of ISO-8859-1 in practice) otherwise.
func decodeCharset(label string, b []byte) string {
	name := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if i := strings.IndexByte(name, '*'); i > 0 {
		name = name[:i] // RFC 2231 language: iso-8859-2*sl
	}
	switch {
	case isUTF8Label(name):
		return guessText(b)
	case name == "utf-7" || name == "unicode-1-1-utf-7" || name == "x-utf-7":
		return sanitize(decodeUTF7(b))
	case strings.HasPrefix(name, "iso-2022-jp") && has8bit(b):
		// A 7-bit label on 8-bit text: Japanese mailers that meant EUC-JP.
		if utf8.Valid(b) {
			return sanitize(string(b))
		}
		name = "euc-jp"
	case (name == "utf-16" || name == "utf16") && len(b) >= 2:
		// Without a BOM x/text assumes big-endian; Windows mailers write
		// little-endian. The zero bytes of ASCII text tell which.
		name = utf16Order(b)
	}
	r, err := charset.Reader(name, bytes.NewReader(b))
	if err != nil {
		if enc, _ := htmlcharset.Lookup(name); enc != nil {
			r = enc.NewDecoder().Reader(bytes.NewReader(b))
		} else {
			return guessText(b)
		}
	}
	out, err := io.ReadAll(r)
	if err != nil && len(out) == 0 {
		return guessText(b)
	}
	return sanitize(string(out))
}

// isUTF8Label reports labels that mean "UTF-8, or ASCII, or we do not know",
// all of which guessText handles.
func isUTF8Label(name string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(name), `"'`)) {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "x-unknown", "unknown-8bit", "unknown", "default", "us_ascii", "ansi_x3.4-1968":
		return true
	}
	return false
}

// utf16Order picks the byte order of BOM-less UTF-16 from where the zero
// bytes are: ASCII letters are 00 xx in big-endian and xx 00 in little-endian.
func utf16Order(b []byte) string {
	if b[0] == 0xFE && b[1] == 0xFF || b[0] == 0xFF && b[1] == 0xFE {
		return "utf-16"
	}
	even, odd := 0, 0
	for i := 0; i+1 < len(b) && i < 4096; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	if odd > even {
		return "utf-16le"
	}
	return "utf-16be"
}

func has8bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// decodeHTMLCharset decodes an HTML part: a declared charset wins, otherwise
// a BOM or <meta charset> in the document decides.
func decodeHTMLCharset(label string, b []byte) string {
	if strings.TrimSpace(label) != "" || utf8.Valid(b) {
		return decodeCharset(label, b)
	}
	if _, name, _ := htmlcharset.DetermineEncoding(b, "text/html"); name != "" && name != "windows-1252" {
		return decodeCharset(name, b)
	}
	return guessText(b)
}

// guessText reads b as UTF-8 when it is valid and as Windows-1252 otherwise.
func guessText(b []byte) string {
	if utf8.Valid(b) {
		return sanitize(string(b))
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return sanitize(string(b))
	}
	return sanitize(string(out))
}

// sanitize makes s valid UTF-8 without control characters other than tab,
// line feed, carriage return and form feed.
func sanitize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isControl(r) {
				return -1
			}
			return r
		}, s)
	}
	return s
}

func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7f
}

// wordDecoder decodes RFC 2047 encoded-words with any charset decodeCharset knows.
var wordDecoder = &mime.WordDecoder{
	CharsetReader: func(label string, input io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(io.LimitReader(input, 1<<20))
		if err != nil {
			return nil, err
		}
		return strings.NewReader(decodeCharset(label, b)), nil
	},
}

var encodedWordLangRE = regexp.MustCompile(`=\?([^?*\s]+)\*[^?\s]*\?`)

// decodeHeaderText turns a raw header value into readable UTF-8: raw 8-bit
// bytes (legacy mailers) are read as UTF-8 or Windows-1252 first, then
// encoded-words are decoded; a value that fails to decode is kept.
func decodeHeaderText(v string) string {
	v = guessText([]byte(v))
	if !strings.Contains(v, "=?") {
		return v
	}
	// RFC 2231 language tags (=?utf-8*sl?Q?...?=) would route UTF-8 words
	// through CharsetReader one by one, breaking characters split across words.
	v = encodedWordLangRE.ReplaceAllString(v, "=?$1?")
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return sanitize(d)
}
