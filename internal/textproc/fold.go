package textproc

import (
	"unicode"
	"unicode/utf8"
)

// foldTable maps accented Latin letters to their plain lowercase letter.
var foldTable = map[rune]rune{
	'á': 'a', 'à': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'å': 'a', 'ā': 'a',
	'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e', 'ē': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i',
	'ó': 'o', 'ò': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o', 'ø': 'o',
	'ú': 'u', 'ù': 'u', 'û': 'u', 'ü': 'u',
	'ñ': 'n', 'ç': 'c', 'ý': 'y', 'ÿ': 'y', 'œ': 'o', 'æ': 'a',
}

// FoldRune lowercases r and strips its accent; ß becomes s.
func FoldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	r = unicode.ToLower(r)
	if f, ok := foldTable[r]; ok {
		return f
	}
	if r == 'ß' {
		return 's'
	}
	return r
}

// IsWordRune reports whether r belongs inside a word token: a letter or digit.
func IsWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Fold returns s lowercased with accents stripped, keeping everything else.
func Fold(s string) string {
	b := make([]rune, 0, len(s))
	for _, r := range s {
		b = append(b, FoldRune(r))
	}
	return string(b)
}
