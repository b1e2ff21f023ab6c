package email

import (
	"context"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
)

// TestRelayRefusalKeepsTheReply is the regression test of issue 14 item 1:
// a relay refusing us with 5xx (relay denied, auth required) must not
// destroy the reply; it is retried until the relay accepts it. Before the
// fix the first 5xx dropped the reply for good.
func TestRelayRefusalKeepsTheReply(t *testing.T) {
	rec := startRecorder(t, "", "")
	rec.FailAt("mail", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "relaying denied"},
		&smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"})
	s := openBolt(t, "")
	cfg := config.Email{Address: "soporte@example.test",
		SMTPListen: config.SMTPListen{Addr: "127.0.0.1:0", Domains: []string{"example.test"}},
		SMTPOut:    config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone}}
	sp := startEmailSpine(t, s, cfg)
	waitFor(t, 5*time.Second, "smtp listener", func() bool { return sp.Adapter.Ready() == nil })
	if err := sendRaw(sp.Adapter.SMTPAddr(), "ana@cliente.test", "soporte@example.test",
		customerMail("ana@cliente.test", "r1@cliente.test", "No imprime", "La impresora no imprime.")); err != nil {
		t.Fatal(err)
	}
	rec.WaitMails(t, 1, 20*time.Second)
	dead, err := channels.ListDead(context.Background(), s, 0)
	if err != nil || len(dead) != 0 {
		t.Errorf("ListDead = %v, %v, want nothing dead", dead, err)
	}
	for _, inc := range listIncidents(t, s) {
		if len(inc.Undelivered) != 0 {
			t.Errorf("%s Undelivered = %v, want none", inc.ID, inc.Undelivered)
		}
	}
}
