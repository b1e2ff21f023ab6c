package mailparse

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText renders HTML as readable plain text: script, style and hidden
// elements are dropped, block elements and <br> break lines, list items get
// a dash, links keep their address, and blockquotes are prefixed with "> "
// so that StripQuotes removes quoted history as it does in plain text.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var w textWriter
	skipTag, skipDepth := "", 0 // the element being skipped and its nesting
	var href string
	linkStart := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF, or a token beyond the tokenizer's limits
		}
		tok := z.Token()
		if skipDepth > 0 {
			switch {
			case tt == html.StartTagToken && tok.Data == skipTag:
				skipDepth++
			case tt == html.EndTagToken && tok.Data == skipTag:
				skipDepth--
			}
			continue
		}
		switch tt {
		case html.TextToken:
			if w.pre > 0 {
				w.preText(tok.Data)
			} else {
				w.text(tok.Data)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			if tt == html.StartTagToken && !isVoid(tok.DataAtom) && hidden(tok) {
				skipTag, skipDepth = tok.Data, 1
				continue
			}
			switch tok.DataAtom {
			case atom.Br:
				w.lineBreak()
			case atom.Blockquote:
				w.block(1)
				w.quote++
			case atom.Pre:
				w.block(2)
				w.pre++
			case atom.Li:
				w.block(1)
				w.text("- ")
			case atom.A:
				href, linkStart = attr(tok, "href"), w.sb.Len()
			case atom.Td, atom.Th:
				w.space = true
			default:
				if n := blockLines(tok.DataAtom); n > 0 {
					w.block(n)
				}
			}
		case html.EndTagToken:
			switch tok.DataAtom {
			case atom.Blockquote:
				w.block(1)
				if w.quote > 0 {
					w.quote--
				}
			case atom.Pre:
				w.block(2)
				if w.pre > 0 {
					w.pre--
				}
			case atom.A:
				w.link(href, linkStart)
				href = ""
			default:
				if n := blockLines(tok.DataAtom); n > 0 {
					w.block(n)
				}
			}
		}
	}
	return tidyText(w.sb.String())
}

// hidden reports elements whose content is not for the reader: code, styles,
// invisible preheaders and the signature blocks of Gmail and Thunderbird.
func hidden(tok html.Token) bool {
	switch tok.DataAtom {
	case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Template, atom.Object, atom.Svg:
		return true
	}
	if tok.Data == "xml" { // Office settings in the head of Outlook mail
		return true
	}
	class := attr(tok, "class")
	if strings.Contains(class, "gmail_signature") || strings.Contains(class, "moz-signature") {
		return true
	}
	style := strings.ReplaceAll(strings.ToLower(attr(tok, "style")), " ", "")
	return strings.Contains(style, "display:none")
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// blockLines is how many line breaks surround a block element.
func blockLines(a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Pre, atom.Ul, atom.Ol:
		return 2
	case atom.Div, atom.Tr, atom.Hr, atom.Dt, atom.Dd, atom.Dl, atom.Section, atom.Article, atom.Header,
		atom.Footer, atom.Address, atom.Center, atom.Form, atom.Fieldset, atom.Caption, atom.Body, atom.Html,
		atom.Main, atom.Nav, atom.Aside, atom.Figure, atom.Tbody, atom.Thead, atom.Tfoot:
		return 1
	}
	return 0
}

func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textWriter accumulates text with collapsed whitespace, pending line breaks
// and a "> " prefix per blockquote level.
type textWriter struct {
	sb      strings.Builder
	quote   int
	pre     int  // inside <pre>: whitespace is kept
	pending int  // line breaks owed before the next text
	space   bool // a space is owed before the next word
}

func (w *textWriter) block(n int) { w.pending = max(w.pending, n) }

func (w *textWriter) lineBreak() {
	if w.sb.Len() > 0 && w.pending < 2 {
		w.pending++
	}
}

func (w *textWriter) text(s string) {
	for _, word := range splitWords(s) {
		if word == "" {
			w.space = true
			continue
		}
		if w.sb.Len() > 0 && w.pending > 0 {
			for range w.pending {
				w.sb.WriteByte('\n')
			}
			w.pending, w.space = 0, false
			w.sb.WriteString(strings.Repeat("> ", w.quote))
		} else if w.sb.Len() == 0 {
			w.pending = 0
			w.sb.WriteString(strings.Repeat("> ", w.quote))
		} else if w.space {
			w.sb.WriteByte(' ')
		}
		w.space = false
		w.sb.WriteString(word)
	}
}

// preText writes preformatted text with its line breaks and spacing.
func (w *textWriter) preText(s string) {
	for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if i > 0 && w.sb.Len() > 0 {
			w.sb.WriteByte('\n')
		}
		if line == "" {
			continue
		}
		if w.sb.Len() > 0 && w.pending > 0 {
			w.sb.WriteString(strings.Repeat("\n", w.pending))
			w.pending = 0
		}
		if w.sb.Len() == 0 || strings.HasSuffix(w.sb.String(), "\n") {
			w.sb.WriteString(strings.Repeat("> ", w.quote))
		}
		w.sb.WriteString(line)
	}
	w.space = false
}

// link appends the address of a link whose text does not already show it.
func (w *textWriter) link(href string, start int) {
	href = strings.TrimSpace(href)
	if !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "https://") {
		return
	}
	shown := w.sb.String()[min(start, w.sb.Len()):]
	if strings.TrimSpace(shown) == "" || strings.Contains(shown, strings.TrimPrefix(strings.TrimPrefix(href, "https://"), "http://")) {
		return
	}
	w.sb.WriteString(" (" + href + ")")
}

// splitWords splits on any whitespace, including non-breaking spaces;
// an empty string marks where whitespace was.
func splitWords(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		ws := r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0' || r == '\u2007' || r == '\u202f'
		zero := r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u034f'
		switch {
		case ws:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, "")
		case zero:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// tidyText trims trailing blanks, drops runs of more than one blank line
// and normalizes line endings.
func tidyText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
			l = ""
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
