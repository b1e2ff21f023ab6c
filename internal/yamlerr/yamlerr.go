// Package yamlerr places go.yaml.in/yaml/v3 syntax errors at the line and column a
// person should look at, for the configuration and the knowledge base alike.
package yamlerr

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Locate turns a yaml/v3 error ("yaml: line 3: did not find expected
// key") into a position and a message. yaml/v3 reports parser errors on the line
// before the construct that failed (its lines count from 0 there) and
// omits line 1 altogether, so the line is corrected here; the column is the
// first character of that line, or of the culprit when it is recognisable.
func Locate(data []byte, err error) (line, col int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, m
			}
		}
	}
	if isParserError(msg) || line == 0 {
		line++
	}
	if n := firstFailingLine(data, msg, line); n > line {
		// yaml/v3 names the line where the enclosing construct started; the
		// first prefix of the file that fails the same way ends where the
		// problem is.
		line = n
	}
	lines := strings.Split(string(data), "\n")
	if line > len(lines) {
		line = max(len(lines), 1)
	}
	text := ""
	if line-1 < len(lines) {
		text = lines[line-1]
	}
	col = len(text) - len(strings.TrimLeft(text, " ")) + 1
	switch {
	case strings.HasPrefix(msg, "unknown anchor"):
		// "unknown anchor 'x' referenced": find the alias *x.
		if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
			name, _, _ = strings.Cut(name, "'")
			if l, c, ok := find(lines, "*"+name); ok {
				line, col = l, c
			}
		}
	case strings.Contains(msg, "expected ',' or") && strings.Contains(text, "${"):
		col = strings.Index(text, "${") + 1
		msg += ` (inside [...] or {...}, write "${VAR}" in quotes)`
	case strings.Contains(text, "\t") && strings.Contains(msg, "cannot start any token"):
		col = strings.Index(text, "\t") + 1
		msg += " (indent with spaces, not tabs)"
	case strings.Contains(msg, "tab character"):
		// Reported on the line of the value the tab interrupts: the tab is
		// in the indentation of a later line.
		for i := line - 1; i < len(lines); i++ {
			indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
			if c := strings.IndexByte(indent, '\t'); c >= 0 {
				line, col = i+1, c+1
				break
			}
		}
		msg += " (indent with spaces, not tabs)"
	case strings.Contains(msg, "expected ',' or ']'") && strings.Count(text, "[") > strings.Count(text, "]"):
		col = strings.LastIndex(text, "[") + 1 // the bracket left open
	case strings.Contains(msg, "expected ',' or '}'") && strings.Count(text, "{") > strings.Count(text, "}"):
		col = strings.LastIndex(text, "{") + 1
	}
	return line, col, msg
}

// isParserError reports whether a yaml/v3 message comes from its parser
// (as opposed to its scanner), whose line numbers are off by one.
func isParserError(msg string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func find(lines []string, s string) (line, col int, ok bool) {
	for i, l := range lines {
		if c := strings.Index(l, s); c >= 0 {
			return i + 1, c + 1, true
		}
	}
	return 0, 0, false
}

// maxScanBytes bounds the bytes firstFailingLine parses in all, so that a
// huge file with an error near its end costs bounded time.
const maxScanBytes = 16 << 20

// firstFailingLine returns the number of lines of the shortest prefix of
// data, from the first from lines on, that fails to parse with message msg;
// 0 when there is none or the search would cost too much.
func firstFailingLine(data []byte, msg string, from int) int {
	lines := strings.SplitAfter(string(data), "\n")
	size, budget := 0, maxScanBytes
	for n := 1; n <= len(lines); n++ {
		size += len(lines[n-1])
		if n < from {
			continue
		}
		if budget -= size; budget < 0 {
			return 0
		}
		var v yaml.Node
		err := yaml.Unmarshal(data[:size], &v)
		if err == nil {
			continue
		}
		m := strings.TrimPrefix(err.Error(), "yaml: ")
		if rest, ok := strings.CutPrefix(m, "line "); ok {
			if _, after, ok := strings.Cut(rest, ": "); ok {
				m = after
			}
		}
		if m == msg {
			return n
		}
	}
	return 0
}
