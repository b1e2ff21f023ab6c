package email

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
)

func TestRateLimitPerSender(t *testing.T) {
	s := openBolt(t, "")
	cfg := config.Email{Address: "soporte@example.test", RateLimit: config.RateLimit{Messages: 2, Per: time.Hour}}
	a, err := New(cfg, s, quietLogger(), WithClock(fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	inbox := &channels.StoreInbox{Store: s}
	ingest := func(id string) *intake.Message {
		msg, err := a.ingest(context.Background(), inbox, bytes.NewReader(customerMail("ana@cliente.test", id, "hola", "hola")), 0)
		if err != nil {
			t.Fatalf("ingest(%s) = %v", id, err)
		}
		return msg
	}
	tests := []struct {
		id   string
		want bool
	}{{"r1@x", false}, {"r2@x", false}, {"r1@x", false}, {"r3@x", true}, {"r4@x", true}}
	for _, tc := range tests {
		if got := ingest(tc.id); got.AutoReply != tc.want || (tc.want && got.AutoReplyReason != "rate limit") {
			t.Errorf("ingest(%s): auto_reply %v (%q), want %v", tc.id, got.AutoReply, got.AutoReplyReason, tc.want)
		}
	}
}

// TestSenderThreadWindow: with no other key, a second mail from the same
// sender joins the open incident; once it is resolved, a new one opens.
func TestSenderThreadWindow(t *testing.T) {
	rec := startRecorder(t, "", "")
	cfg := config.Email{Address: "soporte@example.test", ThreadWindow: 30 * time.Minute,
		SMTPListen: config.SMTPListen{Addr: "127.0.0.1:0", Domains: []string{"example.test"}},
		SMTPOut:    config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone}}
	sp := startEmailSpine(t, openBolt(t, ""), cfg)
	waitFor(t, 5*time.Second, "smtp listener", func() bool { return sp.Adapter.SMTPAddr() != "" })
	send := func(i int) {
		raw := customerMail("ana@cliente.test", fmt.Sprintf("w%d@cliente.test", i), fmt.Sprintf("tema %d", i), "hola")
		if err := sendRaw(sp.Adapter.SMTPAddr(), "ana@cliente.test", "soporte@example.test", raw); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		rec.WaitMails(t, i, 10*time.Second)
	}
	send(1)
	send(2)
	incs := listIncidents(t, sp.Store)
	if len(incs) != 1 {
		t.Fatalf("%d incidents after two mails in the window, want 1", len(incs))
	}
	if _, err := store.Mutate(context.Background(), sp.Store, incs[0].ID, func(inc *intake.Incident) error {
		inc.Status = intake.StatusResolved
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	send(3)
	if n := len(listIncidents(t, sp.Store)); n != 2 {
		t.Errorf("%d incidents after a mail following the resolution, want 2", n)
	}
}
