package textproc

import "strings"

// MaxAnalysed bounds how many bytes of a message are analysed, so that a huge
// message costs bounded time; the first part of a ticket carries its topic.
const MaxAnalysed = 4096

// MaxTokens bounds the number of tokens taken from one text.
const MaxTokens = 400

// Truncate cuts s to at most n bytes on a rune boundary.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i]
}

// Tokens splits text into folded lowercase word tokens. Digit runs longer than
// four characters (order numbers, phone numbers) become "#n"; shorter ones
// (versions, "365") stay. Apostrophes split words (l'ordinateur -> l ordinateur).
func Tokens(text string) []string {
	text = Truncate(text, MaxAnalysed)
	toks := make([]string, 0, 16)
	var b strings.Builder
	digits, letters := 0, 0
	flush := func() {
		if b.Len() == 0 {
			return
		}
		w := b.String()
		if letters == 0 && digits > 4 {
			w = "#n"
		}
		toks = append(toks, w)
		b.Reset()
		digits, letters = 0, 0
	}
	for _, r := range text {
		if len(toks) >= MaxTokens {
			break
		}
		if !IsWordRune(r) {
			flush()
			continue
		}
		if b.Len() >= 40 { // a run of junk without spaces: cut it into pieces
			flush()
		}
		f := FoldRune(r)
		if '0' <= f && f <= '9' {
			digits++
		} else {
			letters++
		}
		b.WriteRune(f)
	}
	flush()
	return toks
}
