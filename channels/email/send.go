package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/email/mailparse"
)

// DisplayName is the name replies are sent under.
const DisplayName = "Soporte"

// Send delivers a reply to the customer through smtp_out, or writes it into
// outbox_dir. Its Message-ID derives from r.ID, so a retried reply keeps it;
// the returned thread key maps that Message-ID to the incident, so that the
// customer's answer (In-Reply-To it) and bounces of it thread back.
// A recipient or message the relay refuses for good, and an address that
// is not a valid addr-spec, are channels.Permanent; the relay's own 5xx
// refusals are channels.PeerRefused (see classifySMTP).
//
// Delivery is at least once: a process killed after the relay's 250 and
// before the outbox marks the reply sent sends it again after the restart,
// with the same Message-ID, so mail clients show one message (and the
// .eml file of outbox_dir is rewritten in place).
func (a *Adapter) Send(ctx context.Context, r *intake.Reply) (channels.Sent, error) {
	to, err := mail.ParseAddress(r.Conversation.Address)
	if err == nil && !mailparse.ValidAddrSpec(to.Address) {
		err = errors.New("not a valid addr-spec")
	}
	if err != nil {
		// Parked in the dead-letter queue for a person, never guessed at.
		return channels.Sent{}, channels.Permanent(fmt.Errorf("reply %s: recipient %q: %w", r.ID, r.Conversation.Address, err))
	}
	id := a.replyMessageID(r.ID)
	raw, err := a.compose(r, to, id)
	if err != nil {
		return channels.Sent{}, channels.Permanent(fmt.Errorf("reply %s: %w", r.ID, err))
	}
	switch {
	case a.cfg.SMTPOut.Enabled():
		err = a.deliverSMTP(ctx, to.Address, raw)
	case a.cfg.OutboxDir != "":
		err = writeOutboxFile(a.cfg.OutboxDir, id, raw)
	default:
		err = channels.Permanent(fmt.Errorf("no smtp_out or outbox_dir configured"))
	}
	if err != nil {
		return channels.Sent{}, fmt.Errorf("reply %s to %s: %w", r.ID, r.IncidentID, err)
	}
	a.log.Info("reply sent", "reply", r.ID, "incident", r.IncidentID, "message_id", id)
	return channels.Sent{MessageID: id, ThreadKeys: []intake.ThreadKey{intake.EmailThreadKey(id)}}, nil
}

// replyMessageID is the Message-ID (without brackets) of the reply with
// this ID: a hash, so it is stable across retries and reveals nothing.
func (a *Adapter) replyMessageID(replyID string) string {
	sum := sha256.Sum256([]byte(replyID))
	return "intake." + hex.EncodeToString(sum[:12]) + "@" + a.domain
}

// replySubject is "Re: <subject> [INC-000123]", with one "Re:" and the
// token once.
func replySubject(subject string, id intake.IncidentID) string {
	s := strings.TrimSpace(subject)
	for {
		l := strings.ToLower(s)
		if strings.HasPrefix(l, "re:") || strings.HasPrefix(l, "aw:") || strings.HasPrefix(l, "rv:") {
			s = strings.TrimSpace(s[3:])
			continue
		}
		break
	}
	if id != "" && !strings.Contains(s, string(id)) {
		s = strings.TrimSpace(s + " [" + string(id) + "]")
	}
	return "Re: " + s
}

// compose writes the reply as an RFC 5322 message.
func (a *Adapter) compose(r *intake.Reply, to *mail.Address, id string) ([]byte, error) {
	var h gomail.Header
	h.SetDate(a.opts.now())
	h.SetAddressList("From", []*gomail.Address{{Name: DisplayName, Address: a.local + "@" + a.domain}})
	h.SetAddressList("To", []*gomail.Address{{Name: to.Name, Address: to.Address}})
	if r.IncidentID != "" {
		h.SetAddressList("Reply-To", []*gomail.Address{{Name: DisplayName, Address: a.local + "+" + string(r.IncidentID) + "@" + a.domain}})
	}
	h.SetSubject(replySubject(r.Conversation.Subject, r.IncidentID))
	h.SetMessageID(id)
	if t := r.Conversation.Thread; t != "" {
		h.SetMsgIDList("In-Reply-To", []string{t})
		refs := make([]string, 0, len(r.Conversation.References)+1)
		for _, ref := range r.Conversation.References {
			if ref != "" && ref != t {
				refs = append(refs, ref)
			}
		}
		h.SetMsgIDList("References", append(refs, t))
	}
	switch {
	case r.Auto:
		h.Set("Auto-Submitted", "auto-replied")
	case r.Author == "":
		h.Set("Auto-Submitted", "auto-generated") // a system notice
	}
	h.Set("X-Auto-Response-Suppress", "All")
	h.Set("MIME-Version", "1.0")

	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")

	var buf bytes.Buffer
	w, err := gomail.CreateSingleInlineWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if _, err := w.Write([]byte(replyBody(r))); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return buf.Bytes(), nil
}

// replyBody is the reply text with its buttons as instructions, CRLF ended.
func replyBody(r *intake.Reply) string {
	text := strings.TrimRight(r.Text, "\n") + "\n"
	if b := buttonsText(r.Buttons, r.Language); b != "" {
		text += "\n" + b + "\n"
	}
	return strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
}

// buttonsText renders buttons for a channel that has none: the solved/not
// solved pair as "reply YES or NO", others as words to reply with.
func buttonsText(buttons []intake.Button, lang string) string {
	if len(buttons) == 0 {
		return ""
	}
	es := strings.HasPrefix(strings.ToLower(lang), "es")
	var lines []string
	var solved, notSolved bool
	for _, b := range buttons {
		switch b.Action {
		case "solved":
			solved = true
		case "not_solved":
			notSolved = true
		default:
			if es {
				lines = append(lines, fmt.Sprintf("Responde «%s» para: %s", b.Action, b.Label))
			} else {
				lines = append(lines, fmt.Sprintf("Reply \"%s\" for: %s", b.Action, b.Label))
			}
		}
	}
	if solved || notSolved {
		pair := "Reply \"yes\" if it's solved or \"no\" if it isn't."
		if es {
			pair = "Responde «sí» si se solucionó o «no» si sigue igual."
		}
		lines = append([]string{pair}, lines...)
	}
	return strings.Join(lines, "\n")
}
