package escalation

import (
	"strings"
	"unicode"
)

// foldTable maps accented Latin letters to their plain letter.
var foldTable = map[rune]rune{
	'á': 'a', 'à': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'å': 'a',
	'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i',
	'ó': 'o', 'ò': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o',
	'ú': 'u', 'ù': 'u', 'û': 'u', 'ü': 'u',
	'ñ': 'n', 'ç': 'c',
}

// words returns the lowercase, accent-free words of s.
func words(s string) []string {
	return strings.FieldsFunc(strings.Map(func(r rune) rune {
		r = unicode.ToLower(r)
		if f, ok := foldTable[r]; ok {
			return f
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s), func(r rune) bool { return r == ' ' })
}

// similarity is the Jaccard index of the word sets of a and b, from 0 to 1.
func similarity(a, b string) float64 {
	wa, wb := set(words(a)), set(words(b))
	if len(wa) == 0 && len(wb) == 0 {
		return 0
	}
	inter := 0
	for w := range wa {
		if wb[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(wa)+len(wb)-inter)
}

func set(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
