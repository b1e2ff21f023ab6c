package config

import (
	"fmt"
	"strings"
)

// expand replaces ${VAR}, ${VAR:-default} (default when unset or empty) and
// ${VAR-default} (default when unset) with values from env; $$ is a literal
// $, and a $ before anything else stays as it is. It returns one message per
// problem, such as a variable that is not set.
func expand(s string, env func(string) (string, bool)) (string, []string) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var (
		b     strings.Builder
		probs []string
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '{':
		default:
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			probs = append(probs, fmt.Sprintf("unterminated ${ in %q (write $$ for a literal $)", s))
			b.WriteString(s[i:])
			break
		}
		body := s[i+2 : i+2+end]
		i += 2 + end
		name, def, mode := body, "", ""
		if k := strings.Index(body, ":-"); k >= 0 {
			name, def, mode = body[:k], body[k+2:], ":-"
		} else if k := strings.IndexByte(body, '-'); k >= 0 {
			name, def, mode = body[:k], body[k+1:], "-"
		}
		if !validVarName(name) {
			probs = append(probs, fmt.Sprintf("invalid environment variable name %q in ${%s}", name, body))
			continue
		}
		v, ok := env(name)
		switch {
		case mode == ":-" && v == "", mode == "-" && !ok:
			v = def
		case !ok:
			probs = append(probs, fmt.Sprintf("environment variable %s is not set (use ${%s:-} to allow it to be empty)", name, name))
		}
		b.WriteString(v)
	}
	return b.String(), probs
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}
