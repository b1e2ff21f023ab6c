package triage

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/intake-support/intake/internal/textproc"
)

// minOwnLetters is how many letters must remain once quoted messages are set
// aside for the rest to tell the customer's language.
const minOwnLetters = 8

// quoteClosers maps an opening quotation mark to its closing one.
var quoteClosers = map[rune]rune{'"': '"', '“': '”', '«': '»', '‘': '’', '„': '“', '\'': '\''}

// messageCues are the words that, before a colon, introduce a quoted message
// ("me aparece: Access denied", "it says: Acceso denegado").
var messageCues = wordSet("aparece", "sale", "salta", "dice", "muestra", "indica", "pone", "error", "mensaje",
	"says", "shows", "reads", "displays", "message", "appears", "get", "getting")

// showingVerbs are the cues that also introduce a message without a colon
// when a capital letter follows ("me dice Cannot start Microsoft Outlook").
var showingVerbs = wordSet("aparece", "sale", "salta", "dice", "muestra", "indica", "pone",
	"says", "shows", "reads", "displays", "appears")

// ownWords returns the part of text the customer wrote in their own words,
// without the messages they quote: spans in quotation marks and, on a line
// whose words before a colon announce a message, what follows the colon, or
// without a colon what follows a showing verb when it starts with a capital.
// A Spanish mail that quotes an English error ("me sale 'The trust
// relationship ... failed'") is Spanish. It returns text itself when fewer
// than minOwnLetters letters would remain.
func ownWords(text string) string {
	var lines []string
	for _, line := range strings.Split(withoutQuoted(text), "\n") {
		if before, _, ok := strings.Cut(line, ":"); ok {
			if w := textproc.Tokens(before); len(w) > 0 && messageCues[w[len(w)-1]] {
				line = before
			}
		}
		lines = append(lines, beforeShownMessage(line))
	}
	own := strings.Join(lines, "\n")
	if letters(own, len(own)) < minOwnLetters {
		return text
	}
	return own
}

// beforeShownMessage cuts line after the first showing verb followed by a
// capitalised word, keeping the verb.
func beforeShownMessage(line string) string {
	fields := strings.Fields(line)
	for i := 0; i+1 < len(fields); i++ {
		next, _ := utf8.DecodeRuneInString(fields[i+1])
		if unicode.IsUpper(next) && showingVerbs[textproc.Fold(fields[i])] {
			return strings.Join(fields[:i+1], " ")
		}
	}
	return line
}

// withoutQuoted drops the quoted spans of text. A straight single quote opens
// a span only after a non-letter and closes it only before one, so the
// apostrophes of "won't" and "l'ordinateur" are left alone.
func withoutQuoted(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		closer, isQuote := quoteClosers[r]
		if isQuote && r == '\'' && i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			isQuote = !textproc.IsWordRune(prev)
		}
		if isQuote {
			if end := closingQuote(text, i+n, closer); end >= 0 {
				b.WriteByte(' ')
				i = end
				continue
			}
		}
		b.WriteString(text[i : i+n])
		i += n
	}
	return b.String()
}

// closingQuote returns the index just past the quote that closes a span
// opened before from, or -1; a span does not cross a line.
func closingQuote(text string, from int, closer rune) int {
	for j := from; j < len(text); {
		r, n := utf8.DecodeRuneInString(text[j:])
		switch {
		case r == '\n':
			return -1
		case r == closer:
			if closer != '\'' {
				return j + n
			}
			if next, _ := utf8.DecodeRuneInString(text[j+n:]); j+n == len(text) || !textproc.IsWordRune(next) {
				return j + n
			}
		}
		j += n
	}
	return -1
}
