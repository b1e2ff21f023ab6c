package escalation

import (
	"strings"

	"github.com/intake-support/intake/internal/textproc"
)

// words returns the lowercase, accent-free words of s.
func words(s string) []string {
	return strings.FieldsFunc(textproc.Fold(s), func(r rune) bool { return !textproc.IsWordRune(r) })
}

// stemmer is shared: it caches stems and is safe for concurrent use.
var stemmer = textproc.NewStemmer()

// stopWords are Spanish and English words that say nothing about what a
// report is about (folded).
var stopWords = setOf(strings.Fields(`
	a al algo ante con como de del el en es esta estan este esto hay la las le les lo los me mi mis muy
	ni no nos o para pero por que se sin su sus te tu un una unos unas y ya yo
	an and are as at be by can cannot do does for from has have i in is it its my no not of on or our
	so that the there this to was we with you your`))

// contentStems returns the stems of the words of s that carry meaning, in
// language lang.
func contentStems(s, lang string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words(s) {
		if !stopWords[w] {
			out[stemmer.Stem(w, lang)] = true
		}
	}
	return out
}

// similarity is the Jaccard index, from 0 to 1, of the content words of two
// reports, each stemmed in its own language: "el correo no funciona" and
// "no funcionan los correos" are the same report.
func similarity(a, langA, b, langB string) float64 {
	return jaccard(contentStems(a, langA), contentStems(b, langB))
}

// jaccard is the share of stems two sets have in common.
func jaccard(sa, sb map[string]bool) float64 {
	if len(sa) == 0 && len(sb) == 0 {
		return 0
	}
	inter := 0
	for w := range sa {
		if sb[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(sa)+len(sb)-inter)
}

func setOf(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
