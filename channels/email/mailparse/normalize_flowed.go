package mailparse

import "strings"

// unflow undoes format=flowed (RFC 3676): a line ending in a space continues
// on the next one, a leading space was stuffed in by the sender, and with
// delsp=yes the trailing space was added only to mark the soft break. Quoted
// lines and the "-- " signature separator are left as they are.
func unflow(s string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var sb strings.Builder
	sb.Grow(len(s))
	soft := false // the previous line continues on this one
	for _, l := range lines {
		if strings.HasPrefix(l, " ") {
			l = l[1:] // space-stuffing
		}
		flowed := strings.HasSuffix(l, " ") && l != "-- " && !strings.HasPrefix(l, ">")
		if flowed && delsp {
			l = l[:len(l)-1]
		}
		if !soft && sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(l)
		soft = flowed
	}
	return sb.String()
}
