package mailparse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/intake-support/intake"
)

// Inspection is what `intake inspect FILE.eml` prints: the normalized
// message in the shape of the contract in DESIGN.md.
type Inspection struct {
	From            string              `json:"from"`
	To              []string            `json:"to"`
	Subject         string              `json:"subject"`
	Text            string              `json:"text"`
	Language        string              `json:"language"`
	ThreadKeys      []string            `json:"thread_keys"`
	AutoReply       bool                `json:"auto_reply"`
	AutoReplyReason string              `json:"auto_reply_reason"`
	Attachments     []intake.Attachment `json:"attachments"`
	SenderVerified  bool                `json:"sender_verified"`
}

// Inspect returns the inspection view of n. Thread keys are raw values:
// Message-IDs without angle brackets, then incident tokens such as INC-000123.
func Inspect(n *Normalized) Inspection {
	m := n.Message
	in := Inspection{
		From:            m.From.ID,
		To:              []string{},
		Subject:         m.Subject,
		Text:            m.Text,
		Language:        m.Language,
		ThreadKeys:      []string{},
		AutoReply:       m.AutoReply,
		AutoReplyReason: m.AutoReplyReason,
		Attachments:     m.Attachments,
		SenderVerified:  n.SenderVerified,
	}
	for _, a := range n.To {
		in.To = append(in.To, a.Address)
	}
	for _, k := range m.ThreadKeys {
		s := string(k)
		if _, v, ok := strings.Cut(s, ":"); ok {
			s = v
		}
		in.ThreadKeys = append(in.ThreadKeys, s)
	}
	if in.Attachments == nil {
		in.Attachments = []intake.Attachment{}
	}
	return in
}

// InspectJSON is Inspect encoded as indented JSON with a trailing newline;
// "<", ">" and "&" are left readable.
func InspectJSON(n *Normalized) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Inspect(n)); err != nil {
		return nil, fmt.Errorf("inspect %s: %w", n.MessageID, err)
	}
	return buf.Bytes(), nil
}
