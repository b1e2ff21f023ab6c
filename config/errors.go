package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/intake-support/intake/internal/yamlerr"
)

// Error is one problem in a configuration file, at the position of the
// offending YAML node; its Error method formats it as FILE:LINE:COL: message.
// It is the knowledge base's kb.Problem too, so both read alike.
type Error = yamlerr.Problem

// Errors is every problem found in a configuration file, in file order. Load
// and Parse return it (as error) when the file has any problem.
type Errors []Error

// Error prints one FILE:LINE:COL: message line per problem.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders the problems by position, keeping the discovery order of
// problems at the same position, and drops exact duplicates (a node
// reached twice through a YAML alias).
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Col < es[j].Col
	})
	out := es[:0]
	for i, e := range es {
		if i > 0 && e == es[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// suggest returns the known word closest to s when it is close enough to be
// a likely misspelling, else "".
func suggest(s string, known []string) string {
	best, bestDist := "", -1
	for _, k := range known {
		if len(s) >= 4 && strings.HasPrefix(k, strings.ToLower(s)) {
			// "knowledge" for "knowledge_base".
			return k
		}
	}
	for _, k := range known {
		d := editDistance(strings.ToLower(s), k)
		if bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	limit := 2
	if l := len(s) / 3; l > limit {
		limit = l
	}
	if bestDist < 0 || bestDist > limit || bestDist >= len(s) {
		return ""
	}
	return best
}

// editDistance is the Damerau-Levenshtein (optimal string alignment) distance,
// so that a swapped pair of letters counts as one mistake.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		// Keys are short; a long string is nobody's typo and would cost O(n*m).
		return len(ra) + len(rb)
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// unknownMsg is the message for a word that is not one of known.
func unknownMsg(what, s string, known []string) string {
	if k := suggest(s, known); k != "" {
		return fmt.Sprintf("unknown %s %q (did you mean %q?)", what, s, k)
	}
	return fmt.Sprintf("unknown %s %q (expected one of: %s)", what, s, strings.Join(known, ", "))
}
