package triage

import (
	"strings"
	"unicode"

	"github.com/intake-support/intake/internal/textproc"
)

// sharedWords returns the words the KB writes in more than one of the desk's
// languages: product names (Outlook, Teams, VPN, Wi-Fi), protocols and
// loanwords. They tell nothing about which of those languages a message is
// in, yet the language detector counts "outlook" and "zoom" as English, so
// "outlook no me abre" was answered in English.
func sharedWords(k *KB, langs []string) map[string]bool {
	seenIn := map[string]map[string]bool{}
	note := func(lang, text string) {
		for _, w := range textproc.Tokens(text) {
			if seenIn[w] == nil {
				seenIn[w] = map[string]bool{}
			}
			seenIn[w][lang] = true
		}
	}
	for _, a := range k.Articles {
		for _, l := range langs {
			for _, q := range a.Questions[l] {
				note(l, q)
			}
			note(l, a.Title[l])
			note(l, a.Answer[l])
		}
	}
	shared := map[string]bool{}
	for w, in := range seenIn {
		if len(in) > 1 {
			shared[w] = true
		}
	}
	return shared
}

// withoutWords returns text without the words in drop (compared folded),
// separators kept; it returns text itself when no word with a letter would
// remain, so a message made only of product names still has a language.
func withoutWords(text string, drop map[string]bool) string {
	if len(drop) == 0 {
		return text
	}
	var b strings.Builder
	removed, kept := false, false
	start := -1
	endWord := func(end int) {
		w := text[start:end]
		start = -1
		if drop[textproc.Fold(w)] {
			removed = true
			b.WriteByte(' ')
			return
		}
		if strings.IndexFunc(w, unicode.IsLetter) >= 0 {
			kept = true
		}
		b.WriteString(w)
	}
	for i, r := range text {
		if textproc.IsWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			endWord(i)
		}
		b.WriteRune(r)
	}
	if start >= 0 {
		endWord(len(text))
	}
	if !removed || !kept {
		return text
	}
	return b.String()
}
