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
	raw := customerMail("ana@cliente.test", "w2@cliente.test", "Re: tema 1", "hola")
	if err := sendRaw(sp.Adapter.SMTPAddr(), "ana@cliente.test", "soporte@example.test", raw); err != nil {
		t.Fatalf("send 2: %v", err)
	}
	rec.WaitMails(t, 2, 10*time.Second)
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

// TestSenderWindowNewProblem: within thread_window, a mail that replies to
// nothing opens its own incident when it is about a different problem, and
// joins the sender's open incident when it follows it up (the same subject
// after Re:, or a short answer).
func TestSenderWindowNewProblem(t *testing.T) {
	rec := startRecorder(t, "", "")
	cfg := config.Email{Address: "soporte@example.test", ThreadWindow: time.Hour,
		SMTPListen: config.SMTPListen{Addr: "127.0.0.1:0", Domains: []string{"example.test"}},
		SMTPOut:    config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone}}
	sp := startEmailSpine(t, openBolt(t, ""), cfg)
	waitFor(t, 5*time.Second, "smtp listener", func() bool { return sp.Adapter.SMTPAddr() != "" })
	landed := func(id string) intake.IncidentID {
		var got intake.IncidentID
		waitFor(t, 10*time.Second, "message "+id+" threaded", func() bool {
			for _, inc := range listIncidents(t, sp.Store) {
				if inc.HasMessage(intake.ChannelEmail, intake.MessageID(id)) {
					got = inc.ID
					return true
				}
			}
			return false
		})
		return got
	}
	steps := []struct {
		id, subject, body string
		want              intake.IncidentID
	}{
		{"vpn@c", "VPN no conecta", "No puedo conectar a la VPN desde casa, me da el error 809 desde ayer.", "INC-000001"},
		{"battery@c", "Laptop battery: different issue", "My laptop battery drains in an hour even when idle, it started after yesterday's update.", "INC-000002"},
		{"vpn-re@c", "Re: VPN no conecta", "Sigue igual: ya reinicié el router y el equipo y el error 809 aparece al intentar conectar.", "INC-000001"},
		{"vpn-fwd@c", "RV: vpn  no conecta [INC-999999]", "Reenvío el caso de la VPN con lo que me pidió mi jefe que añadiera al respecto.", "INC-000001"},
		{"battery-re@c", "Re: Laptop battery: different issue", "adjunto captura", "INC-000002"},
		{"answer@c", "", "ya lo intenté", "INC-000002"}, // a short answer joins the problem written about last
		{"vpn-again@c", "VPN no conecta", "Lo he vuelto a intentar desde otra red y tampoco conecta, mismo error.", "INC-000001"},
		{"answer2@c", "", "sí", "INC-000001"}, // now the VPN is the latest
		{"printer@c", "Impresora", "La impresora del piso 3 no imprime nada desde esta mañana, sale una hoja en blanco.", "INC-000003"},
		{"short-new@c", "Monitor", "no enciende", "INC-000004"},
	}
	for i, st := range steps {
		raw := customerMail("ana@cliente.test", st.id, st.subject, st.body)
		if err := sendRaw(sp.Adapter.SMTPAddr(), "ana@cliente.test", "soporte@example.test", raw); err != nil {
			t.Fatalf("send %s: %v", st.id, err)
		}
		if got := landed(st.id); got != st.want {
			t.Errorf("mail %q (%q) threaded to %s, want %s", st.subject, st.body, got, st.want)
		}
		if i == 0 { // a person has the VPN incident, as in the report
			if _, err := store.Mutate(context.Background(), sp.Store, "INC-000001", func(inc *intake.Incident) error {
				inc.Status = intake.StatusEscalated
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Level I answered each new incident: the VPN opening, the battery, the printer, the monitor.
	rec.WaitMails(t, 4, 10*time.Second)
}
