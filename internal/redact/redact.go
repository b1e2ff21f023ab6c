// Package redact removes credentials from text that is about to be printed:
// configuration errors, logs and readiness details name URLs such as
// redis://user:password@host/0 and must never show the password.
package redact

import "strings"

// Mask replaces a password.
const Mask = "xxxxx"

// URL returns s with the password of its user information replaced by Mask,
// whether or not s parses as a URL: a malformed URL is exactly the one a
// configuration error prints. Text without "://" is returned unchanged.
func URL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	// The authority ends at the first /, ? or #; the user information ends
	// at its last @ (a password may itself contain @).
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return s
	}
	return scheme + "://" + user + ":" + Mask + rest[at:]
}

// Text redacts every whitespace- or quote-delimited URL in s.
func Text(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isDelim(s[i]) {
			continue
		}
		b.WriteString(URL(s[start:i]))
		if i < len(s) {
			b.WriteByte(s[i])
		}
		start = i + 1
	}
	return b.String()
}

func isDelim(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '`'
}
