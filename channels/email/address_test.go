package email

import (
	"context"
	"testing"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
)

// TestSendRefusesAnInvalidRecipient: a reply is never sent to what is not a
// valid addr-spec; it is refused for good (and so parked for a person).
func TestSendRefusesAnInvalidRecipient(t *testing.T) {
	rec := startRecorder(t, "", "")
	a := newSendAdapter(t, config.Email{SMTPOut: config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone}})
	r := testReply()
	r.Conversation.Address = "_v3@evil.example?="
	if _, err := a.Send(context.Background(), r); !channels.IsPermanent(err) {
		t.Errorf("Send(to %q) = %v, want a permanent error", r.Conversation.Address, err)
	}
	if n := len(rec.Mails()); n != 0 {
		t.Errorf("relay got %d mails, want 0", n)
	}
}
