package mailparse

import (
	"strings"
	"unicode/utf16"
)

// decodeUTF7 decodes RFC 2152 UTF-7, which golang.org/x/text does not
// provide and some old mailers still send. Bad sequences are skipped.
func decodeUTF7(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '+' {
			sb.WriteByte(c)
			continue
		}
		if i+1 < len(b) && b[i+1] == '-' {
			sb.WriteByte('+')
			i++
			continue
		}
		// A shifted run: modified base64 of UTF-16BE code units.
		var units []uint16
		var acc uint32
		bits := 0
		j := i + 1
		for ; j < len(b); j++ {
			v, ok := b64Value(b[j])
			if !ok {
				break
			}
			acc = acc<<6 | uint32(v)
			bits += 6
			if bits >= 16 {
				bits -= 16
				units = append(units, uint16(acc>>uint(bits)))
				acc &= 1<<uint(bits) - 1
			}
		}
		sb.WriteString(string(utf16.Decode(units)))
		if j < len(b) && b[j] == '-' {
			j++ // the terminator is absorbed
		}
		i = j - 1
	}
	return sb.String()
}

func b64Value(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A', true
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26, true
	case c >= '0' && c <= '9':
		return c - '0' + 52, true
	case c == '+':
		return 62, true
	case c == '/':
		return 63, true
	}
	return 0, false
}
