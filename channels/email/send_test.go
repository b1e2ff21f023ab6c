package email

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	netmail "net/mail"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

func testReply() *intake.Reply {
	return &intake.Reply{
		ID:         "msg:email:m1@cliente.test/reply/1",
		IncidentID: "INC-000123",
		Conversation: intake.Conversation{Channel: intake.ChannelEmail, Address: "ana@cliente.test",
			Thread: "m1@cliente.test", Subject: "Re: No imprime", References: []string{"m0@cliente.test"}},
		Text:     "Hola Ana, ¿ya probó reiniciar la impresora?",
		Language: "es",
		Auto:     true,
		Buttons:  []intake.Button{{Action: "solved", Label: "Sí"}, {Action: "not_solved", Label: "No"}},
	}
}

func newSendAdapter(t *testing.T, cfg config.Email) *Adapter {
	t.Helper()
	cfg.Address = "soporte@example.test"
	a, err := New(cfg, openBolt(t, ""), quietLogger(), WithClock(fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSendSMTPHeaders(t *testing.T) {
	rec := startRecorder(t, "relay-user", "relay-pass")
	a := newSendAdapter(t, config.Email{SMTPOut: config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone, Username: "relay-user", Password: "relay-pass"}})
	sent, err := a.Send(context.Background(), testReply())
	if err != nil {
		t.Fatalf("Send = %v", err)
	}
	mails := rec.Mails()
	if len(mails) != 1 {
		t.Fatalf("relay got %d mails, want 1", len(mails))
	}
	m := mails[0]
	if m.User != "relay-user" || m.From != "soporte@example.test" || len(m.To) != 1 || m.To[0] != "ana@cliente.test" {
		t.Errorf("envelope = user %q from %q to %v", m.User, m.From, m.To)
	}
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header
	id, _ := h.MessageID()
	if id != sent.MessageID || !strings.HasSuffix(id, "@example.test") {
		t.Errorf("Message-ID = %q, Sent.MessageID = %q", id, sent.MessageID)
	}
	if len(sent.ThreadKeys) != 1 || sent.ThreadKeys[0] != intake.EmailThreadKey(id) {
		t.Errorf("Sent.ThreadKeys = %v", sent.ThreadKeys)
	}
	irt, _ := h.MsgIDList("In-Reply-To")
	refs, _ := h.MsgIDList("References")
	subj, _ := h.Subject()
	from, _ := h.AddressList("From")
	replyTo, _ := h.AddressList("Reply-To")
	to, _ := h.AddressList("To")
	checks := []struct{ name, got, want string }{
		{"Subject", subj, "Re: No imprime [INC-000123]"},
		{"In-Reply-To", strings.Join(irt, " "), "m1@cliente.test"},
		{"References", strings.Join(refs, " "), "m0@cliente.test m1@cliente.test"},
		{"From", from[0].String(), `"Soporte" <soporte@example.test>`},
		{"To", to[0].Address, "ana@cliente.test"},
		{"Reply-To", replyTo[0].Address, "soporte+INC-000123@example.test"},
		{"Auto-Submitted", h.Get("Auto-Submitted"), "auto-replied"},
		{"X-Auto-Response-Suppress", h.Get("X-Auto-Response-Suppress"), "All"},
		{"Content-Type", h.Get("Content-Type"), "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", h.Get("Content-Transfer-Encoding"), "quoted-printable"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	p, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(p.Body)
	for _, want := range []string{"¿ya probó reiniciar", "Responde «sí» si se solucionó o «no» si sigue igual."} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("body %q lacks %q", body.String(), want)
		}
	}
	// A resend keeps the Message-ID.
	again, err := a.Send(context.Background(), testReply())
	if err != nil || again.MessageID != sent.MessageID {
		t.Errorf("resend = %q, %v; want the same Message-ID %q", again.MessageID, err, sent.MessageID)
	}
}

func TestSendAutoSubmitted(t *testing.T) {
	tests := []struct {
		name   string
		auto   bool
		author string
		want   string
	}{
		{"bot", true, "", "auto-replied"},
		{"system notice", false, "", "auto-generated"},
		{"agent", false, "U123", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newSendAdapter(t, config.Email{})
			r := testReply()
			r.Auto, r.Author = tc.auto, tc.author
			raw, err := a.compose(r, &netmail.Address{Address: "ana@cliente.test"}, "x@example.test")
			if err != nil {
				t.Fatal(err)
			}
			mr, err := mail.CreateReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := mr.Header.Get("Auto-Submitted"); got != tc.want {
				t.Errorf("Auto-Submitted = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReplySubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"No imprime", "Re: No imprime [INC-000123]"},
		{"RE: Re: No imprime", "Re: No imprime [INC-000123]"},
		{"Re: No imprime [INC-000123]", "Re: No imprime [INC-000123]"},
		{"", "Re: [INC-000123]"},
	}
	for _, tc := range tests {
		if got := replySubject(tc.in, "INC-000123"); got != tc.want {
			t.Errorf("replySubject(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSendSMTPErrors(t *testing.T) {
	rec := startRecorder(t, "", "")
	a := newSendAdapter(t, config.Email{SMTPOut: config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone}})
	rec.FailNext(&smtp.SMTPError{Code: 451, Message: "try later"})
	_, err := a.Send(context.Background(), testReply())
	if err == nil || channels.IsPermanent(err) {
		t.Errorf("Send on 451 = %v, want a retryable error", err)
	}
	r := testReply()
	r.Conversation.Address = "not an address"
	if _, err := a.Send(context.Background(), r); !channels.IsPermanent(err) {
		t.Errorf("Send to a bad address = %v, want permanent", err)
	}
}

// TestSendSMTPClassifies: a relay's 5xx is permanent only when it names this
// reply's recipient or message; the relay's own refusals are retried and
// alerted on (PeerRefused); 4xx are plainly retried.
func TestSendSMTPClassifies(t *testing.T) {
	type kind string
	const (
		retry, permanent, refused kind = "retry", "permanent", "refused"
	)
	e := func(code int, enh smtp.EnhancedCode, msg string) *smtp.SMTPError {
		return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
	}
	tests := []struct {
		name string
		step string
		err  *smtp.SMTPError
		want kind
	}{
		{"user unknown", "rcpt", e(550, smtp.EnhancedCode{5, 1, 1}, "no such user"), permanent},
		{"bad domain", "rcpt", e(550, smtp.EnhancedCode{5, 1, 2}, "no such domain"), permanent},
		{"user not local", "rcpt", e(551, smtp.EnhancedCode{5, 1, 6}, "user moved"), permanent},
		{"bad mailbox syntax", "rcpt", e(553, smtp.EnhancedCode{5, 1, 3}, "bad address"), permanent},
		{"mailbox disabled", "rcpt", e(550, smtp.EnhancedCode{5, 2, 1}, "mailbox disabled"), permanent},
		{"550 without enhanced code", "rcpt", e(550, smtp.EnhancedCodeNotSet, "mailbox unavailable"), permanent},
		{"relay denied at rcpt", "rcpt", e(550, smtp.EnhancedCode{5, 7, 1}, "relaying denied"), refused},
		{"relay words without enhanced code", "rcpt", e(554, smtp.EnhancedCodeNotSet, "relay access denied"), refused},
		{"550 relay words", "rcpt", e(550, smtp.EnhancedCodeNotSet, "relay not permitted"), refused},
		{"mailbox full", "rcpt", e(552, smtp.EnhancedCode{5, 2, 2}, "mailbox full"), retry},
		{"rcpt 4xx", "rcpt", e(450, smtp.EnhancedCode{4, 2, 1}, "mailbox busy"), retry},
		{"554 at connect", "connect", e(554, smtp.EnhancedCode{5, 7, 0}, "no service for you"), refused},
		{"auth required", "mail", e(530, smtp.EnhancedCode{5, 7, 0}, "authentication required"), refused},
		{"sender rejected", "mail", e(553, smtp.EnhancedCode{5, 1, 8}, "sender domain unknown"), refused},
		{"mail 5xx bare", "mail", e(550, smtp.EnhancedCodeNotSet, "not allowed"), refused},
		{"data 5xx policy", "data", e(550, smtp.EnhancedCodeNotSet, "no such user"), refused},
		{"data spam policy", "data", e(554, smtp.EnhancedCode{5, 7, 1}, "rejected by policy"), refused},
		{"data too big", "data", e(552, smtp.EnhancedCode{5, 3, 4}, "message too big"), permanent},
		{"data content refused", "data", e(554, smtp.EnhancedCode{5, 6, 0}, "content rejected"), permanent},
		{"data 4xx", "data", e(451, smtp.EnhancedCode{4, 3, 0}, "try later"), retry},
	}
	rec := startRecorder(t, "", "")
	a := newSendAdapter(t, config.Email{SMTPOut: config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec.FailAt(tc.step, tc.err)
			_, err := a.Send(context.Background(), testReply())
			got := retry
			switch {
			case err == nil:
				got = "sent"
			case channels.IsPermanent(err):
				got = permanent
			case channels.IsPeerRefused(err):
				got = refused
			}
			if got != tc.want {
				t.Errorf("Send(%d %v %q at %s) = %q (%v), want %q", tc.err.Code, tc.err.EnhancedCode, tc.err.Message, tc.step, got, err, tc.want)
			}
		})
	}
	t.Run("auth failed", func(t *testing.T) {
		rec := startRecorder(t, "relay-user", "relay-pass")
		a := newSendAdapter(t, config.Email{SMTPOut: config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone, Username: "relay-user", Password: "wrong"}})
		if _, err := a.Send(context.Background(), testReply()); !channels.IsPeerRefused(err) {
			t.Errorf("Send with a wrong relay password = %v, want a PeerRefused error", err)
		}
	})
}

func TestSendOutboxDir(t *testing.T) {
	dir := t.TempDir()
	a := newSendAdapter(t, config.Email{OutboxDir: dir})
	sent, err := a.Send(context.Background(), testReply())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(context.Background(), testReply()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || filepath.Base(files[0]) != safeFileName(sent.MessageID)+".eml" {
		t.Fatalf("outbox_dir holds %v, want one %s.eml", files, sent.MessageID)
	}
	raw, _ := os.ReadFile(files[0])
	if !bytes.Contains(raw, []byte("Message-Id: <"+sent.MessageID+">")) {
		t.Errorf("file lacks its Message-ID:\n%s", raw)
	}
}

// TestOutboxDirCleansTempFiles is the regression test of issue 14 item 8:
// kill -9 during a write left .tmp-*.eml files in outbox_dir for good.
// Temporary files never match *.eml, so a collector never reads one half
// written.
func TestOutboxDirCleansTempFiles(t *testing.T) {
	dir := t.TempDir()
	var stale []string
	for _, name := range []string{".tmp-123.eml", ".tmp-456.part"} {
		stale = append(stale, filepath.Join(dir, name))
		if err := os.WriteFile(stale[len(stale)-1], []byte("From: half a mail"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	newSendAdapter(t, config.Email{OutboxDir: dir})
	for _, name := range stale {
		if _, err := os.Stat(name); !os.IsNotExist(err) {
			t.Errorf("after New, %s: %v, want it removed", name, err)
		}
	}
	if m, _ := filepath.Match("*.eml", outboxTempPattern); m {
		t.Errorf("outboxTempPattern %q matches *.eml", outboxTempPattern)
	}
}
