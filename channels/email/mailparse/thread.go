package mailparse

import (
	"crypto/sha256"
	"encoding/hex"
	netmail "net/mail"
	"strings"

	"github.com/emersion/go-message"
	"github.com/intake-support/intake"
)

// plusTokens returns the incident tokens in the +tag of the recipients that
// are our address (any recipient when ours is empty), such as
// soporte+INC-000123@example.com. Tags are matched case-insensitively
// because some MTAs lower-case local parts.
func plusTokens(h message.Header, ours []string) []intake.IncidentID {
	var ids []intake.IncidentID
	for _, k := range []string{"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, a := range headerAddrs(h, k) {
			at := strings.LastIndexByte(a.Address, '@')
			plus := strings.IndexByte(a.Address, '+')
			if at < 0 || plus < 0 || plus > at {
				continue
			}
			if len(ours) > 0 && !isOurs(a.Address, ours) {
				continue
			}
			for _, id := range intake.FindIncidentIDs(strings.ToUpper(a.Address[plus+1 : at])) {
				ids = appendUniqueID(ids, id)
			}
		}
	}
	return ids
}

func appendUniqueID(ids []intake.IncidentID, id intake.IncidentID) []intake.IncidentID {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// threadValues lists the raw thread keys in the order threading should try
// them: the message's own ID (a redelivery), In-Reply-To, References from
// the newest, the returned Message-IDs of a bounce, plus-address tokens,
// subject tokens.
func threadValues(n *Normalized, plus, subject []intake.IncidentID) (ids []string, tokens []intake.IncidentID) {
	ids = appendUnique(ids, n.MessageID)
	for _, id := range n.InReplyTo {
		ids = appendUnique(ids, id)
	}
	for i := len(n.References) - 1; i >= 0; i-- {
		ids = appendUnique(ids, n.References[i])
	}
	if n.Bounce != nil {
		// The returned message is ours: it finds the incident that bounced.
		for _, id := range n.Bounce.MessageIDs {
			ids = appendUnique(ids, id)
		}
	}
	for _, t := range plus {
		tokens = appendUniqueID(tokens, t)
	}
	for _, t := range subject {
		tokens = appendUniqueID(tokens, t)
	}
	return ids, tokens
}

// generatedID is a stable Message-ID for a message without one: the same
// bytes give the same ID, so a redelivery is still recognised.
func generatedID(h message.Header, body []byte) string {
	sum := sha256.New()
	for _, k := range []string{"From", "To", "Date", "Subject"} {
		sum.Write([]byte(k + ":" + h.Get(k) + "\n"))
	}
	sum.Write(body)
	return hex.EncodeToString(sum.Sum(nil)[:16]) + "@intake.invalid"
}

// firstNotOurs returns the first address that is not ours.
func firstNotOurs(list []*netmail.Address, ours []string) *netmail.Address {
	for _, a := range list {
		if !isOurs(a.Address, ours) {
			return a
		}
	}
	return nil
}
