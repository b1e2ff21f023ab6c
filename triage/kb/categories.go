package kb

import (
	"fmt"
	"slices"
	"strings"
)

// Categories are the categories of the shipped knowledge base, which the
// routing rules and checks use; a desk adds its own by naming them in its
// configuration (triage.details or a routing rule).
var Categories = []string{"account", "software", "hardware", "network", "email", "database", "server",
	"infrastructure", "outage", "onsite", "development", "other", OutOfScope}

// CheckCategories returns a problem for each article whose category is
// neither one of Categories nor in extra, naming the known ones and the
// nearest (a typo such as "hardwre").
func CheckCategories(k *KB, extra ...string) []Problem {
	known := slices.Clone(Categories)
	for _, c := range slices.Sorted(slices.Values(extra)) {
		if c != "" && c != "default" && !slices.Contains(known, c) {
			known = append(known, c)
		}
	}
	var probs []Problem
	for _, a := range k.Articles {
		if slices.Contains(known, a.Category) {
			continue
		}
		msg := fmt.Sprintf("unknown category %q", a.Category)
		if near := nearest(a.Category, known); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		msg += "; known: " + strings.Join(known, ", ") + " (name a new one in triage.details or a routing rule)"
		line, col := a.CategoryLine, a.CategoryCol
		if line == 0 {
			line, col = a.Line, 1
		}
		probs = append(probs, Problem{File: a.File, Line: line, Col: col, Msg: msg})
	}
	return probs
}

// nearest returns the name in names closest to s by edit distance, when it
// is close enough to be a typo.
func nearest(s string, names []string) string {
	best, bestD := "", len(s)/3+1
	for _, n := range names {
		if d := editDistance(s, n); d <= bestD && (best == "" || d < editDistance(s, best)) {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
