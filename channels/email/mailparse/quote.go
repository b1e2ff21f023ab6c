package mailparse

import (
	"regexp"
	"strings"
)

// Quoted history and signatures in the formats of the common mail clients,
// in English and Spanish first (the support languages) and a few neighbours.
var (
	// attributionRE matches the line a reply puts above the quoted message:
	// Gmail/Apple "On <date>, <name> wrote:", Spanish "El <date>, <name> escribió:".
	attributionRE = regexp.MustCompile(`(?i)^\s*(on\s.*\swrote|el\s.*\sescribi[oó]|le\s.*\sa\s[ée]crit|am\s.*\sschrieb.*|em\s.*\sescreveu)\s*:\s*$`)
	// attributionStartRE is the start of an attribution that a client wrapped.
	attributionStartRE = regexp.MustCompile(`(?i)^\s*(on|el|le|am|em)\s`)
	// looseAttributionRE is any short line ending in "wrote:"; it only counts
	// when quoted lines follow it.
	looseAttributionRE = regexp.MustCompile(`(?i)^.*\b(wrote|escribi[oó]|a écrit|schrieb|escreveu)\s*:\s*$`)
	separatorRE        = regexp.MustCompile(`(?i)^\s*[-_=*]{2,}\s*(original message|mensaje original|message d'origine|ursprüngliche nachricht|mensagem original|messaggio originale)\s*[-_=*]{2,}\s*$`)
	forwardRE          = regexp.MustCompile(`(?i)^\s*([-_=*]{2,}\s*(forwarded message|mensaje reenviado|message transféré|weitergeleitete nachricht)|begin forwarded message:|inicio del mensaje reenviado:)`)
	headerFromRE       = regexp.MustCompile(`(?i)^\s*\*?(from|de|von|van|da)\s*:\*?\s*\S`)
	headerRestRE       = regexp.MustCompile(`(?i)^\s*\*?(sent|date|enviado|fecha|gesendet|datum|envoyé|to|para|an|à|subject|asunto|betreff|objet|cc)\s*:`)
	underscoreRE       = regexp.MustCompile(`^\s*_{10,}\s*$`)
	mobileRE           = regexp.MustCompile(`(?i)^\s*(sent from my\s|sent from (mail|outlook|yahoo)|sent via\s|get outlook for\s|enviado desde (mi|outlook|yahoo|correo)\b|obtener outlook para\s|envoyé de mon\s|von meinem .{1,40} gesendet).{0,60}$`)
)

// StripQuotes returns the new part of a reply: the quoted history (the
// attribution line and everything after it, Outlook header blocks, "Original
// Message" separators, "> " lines) and the signature ("-- ", "Sent from my
// iPhone") are removed. A bottom-posted answer below a quoted block is kept.
// When nothing would be left, the text without "> " lines is returned (a
// forward with no comment is all history, and all of it is the problem).
func StripQuotes(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	cut, skip := historyStart(lines)
	kept := make([]string, 0, cut)
	for i, l := range lines[:cut] {
		if skip[i] || isQuoted(l) {
			continue
		}
		kept = append(kept, l)
	}
	// An underscore rule or an empty line usually sits right above the history.
	for len(kept) > 0 && (underscoreRE.MatchString(kept[len(kept)-1]) || strings.TrimSpace(kept[len(kept)-1]) == "") {
		kept = kept[:len(kept)-1]
	}
	if out := tidyText(strings.Join(kept, "\n")); out != "" {
		return out
	}
	kept = kept[:0]
	for _, l := range lines {
		if !isQuoted(l) {
			kept = append(kept, l)
		}
	}
	return tidyText(strings.Join(kept, "\n"))
}

func isQuoted(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

// historyStart returns the index of the first line of quoted history or
// signature (len(lines) if none) and the attribution lines to drop before it
// when the history is a "> " block that a bottom-posted answer follows.
func historyStart(lines []string) (int, map[int]bool) {
	skip := map[int]bool{}
	forwarded := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimRight(l, " \t")
		if trimmed == "--" || l == "-- " {
			return i, skip
		}
		lt := strings.ToLower(strings.TrimSpace(l))
		if lt == "" || len(lt) > 1000 {
			continue // no marker is blank or that long
		}
		// Cheap tests on the lower-cased line decide which patterns can match.
		switch {
		case hasAny(lt, "forward", "reenviado", "transf", "weitergeleitete") && forwardRE.MatchString(l):
			forwarded = true // what follows is the problem being forwarded
		case hasPrefixAny(lt, "sent ", "enviado", "get outlook", "obtener", "envoy", "von meinem") && mobileRE.MatchString(l):
			return i, skip
		case forwarded:
		case hasAny(lt, "original", "origine", "ursprüngliche") && separatorRE.MatchString(l):
			return i, skip
		case hasPrefixAny(lt, "from", "de", "von", "van", "da", "*") && headerFromRE.MatchString(l) && outlookBlock(lines, i):
			return i, skip
		case lt[0] == '_' && underscoreRE.MatchString(l) && headerFromRE.MatchString(nextNonBlank(lines, i+1)):
			return i, skip
		case strings.HasSuffix(lt, ":") || hasPrefixAny(lt, "on ", "el ", "le ", "am ", "em "):
			if n := attribution(lines, i); n > 0 {
				if isQuoted(nextNonBlank(lines, i+n)) {
					for k := i; k < i+n; k++ {
						skip[k] = true
					}
					i += n - 1
					continue
				}
				return i, skip
			}
		}
	}
	return len(lines), skip
}

func hasAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// attribution returns how many lines (1 to 3) form an attribution at i, or 0.
func attribution(lines []string, i int) int {
	l := lines[i]
	if len(l) > 400 {
		return 0
	}
	if attributionRE.MatchString(l) {
		return 1
	}
	if looseAttributionRE.MatchString(l) && isQuoted(nextNonBlank(lines, i+1)) {
		return 1
	}
	if !attributionStartRE.MatchString(l) {
		return 0
	}
	joined := l
	for n := 2; n <= 3 && i+n-1 < len(lines); n++ {
		next := strings.TrimSpace(lines[i+n-1])
		if next == "" || len(joined) > 400 {
			return 0
		}
		joined += " " + next
		if attributionRE.MatchString(joined) {
			return n
		}
	}
	return 0
}

// outlookBlock reports whether a "From:" line at i starts a block of mail
// headers: at least two of Sent/Date/To/Subject/Cc in the next lines.
func outlookBlock(lines []string, i int) bool {
	seen := map[string]bool{}
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		if m := headerRestRE.FindStringSubmatch(lines[j]); m != nil {
			seen[strings.ToLower(m[1])] = true
		}
	}
	return len(seen) >= 2
}

func nextNonBlank(lines []string, i int) string {
	for ; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			return lines[i]
		}
	}
	return ""
}
