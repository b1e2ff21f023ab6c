package channels

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"

	"github.com/intake-support/intake"
)

// maxAnswerWords is how many words a message without a subject of its own
// may have and still read as an answer to the open incident ("sí", "ya lo
// intenté", "adjunto captura") rather than a new problem.
const maxAnswerWords = 8

// replyPrefixRe matches one reply or forward prefix of a subject, in the
// forms mail clients write in Spanish, English, German, Portuguese, French.
var replyPrefixRe = regexp.MustCompile(`(?i)^\s*(re|fw|fwd|rv|res|enc|aw|wg|tr)\s*(\[\d+\])?\s*:\s*`)

// incidentTokenRe matches an incident token and its brackets in a subject.
var incidentTokenRe = regexp.MustCompile(`(?i)\[?\s*inc-\d+\s*\]?`)

// baseSubject is a subject without reply and forward prefixes, incident
// tokens, case and extra spaces: "Re: RV: VPN no conecta [INC-000012]" and
// "vpn  no conecta" are the same.
func baseSubject(s string) string {
	s = incidentTokenRe.ReplaceAllString(s, " ")
	for {
		t := replyPrefixRe.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// isReplySubject reports whether a subject starts with a reply or forward prefix.
func isReplySubject(s string) bool { return replyPrefixRe.MatchString(s) }

// followsUp reports whether msg, which replies to nothing we know, continues
// inc rather than starting a new problem: it has inc's subject (after
// prefixes), or it reads as an answer: a few words, or only attachments,
// under no subject or a reply subject.
func followsUp(msg *intake.Message, inc *intake.Incident) bool {
	subj := baseSubject(msg.Subject)
	if subj != "" && subj == baseSubject(inc.Subject) {
		return true
	}
	if subj != "" && !isReplySubject(msg.Subject) {
		return false
	}
	words := len(strings.FieldsFunc(msg.Text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
	return words <= maxAnswerWords
}

// subjectHash is a short stable digest of a base subject, for thread keys.
func subjectHash(base string) string {
	sum := sha256.Sum256([]byte(base))
	return hex.EncodeToString(sum[:8])
}
