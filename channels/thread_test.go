package channels_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// mailFrom is a message as the email adapter delivers it: its own
// Message-ID as thread key, any incident token of the subject, and the
// sender window of thread_window.
func mailFrom(from, id, subject, text string, window time.Duration, tokens ...intake.IncidentID) *intake.Message {
	keys := []intake.ThreadKey{intake.EmailThreadKey(id)}
	for _, tok := range tokens {
		keys = append(keys, intake.TokenThreadKey(tok))
	}
	return &intake.Message{
		ID:           intake.MessageID(id),
		Channel:      intake.ChannelEmail,
		From:         intake.Customer{Channel: intake.ChannelEmail, ID: from},
		Conversation: intake.Conversation{Channel: intake.ChannelEmail, Address: from, Thread: id, Subject: subject},
		Subject:      subject,
		Text:         text,
		ThreadKeys:   keys,
		SenderWindow: window,
		ReceivedAt:   time.Now().UTC(),
	}
}

// landedOn returns the incident whose timeline holds the message id.
func landedOn(t *testing.T, s store.Store, id string) intake.IncidentID {
	t.Helper()
	for _, inc := range listAll(t, s) {
		if inc.HasMessage(intake.ChannelEmail, intake.MessageID(id)) {
			return inc.ID
		}
	}
	t.Fatalf("message %s is on no incident", id)
	return ""
}

func setStatus(t *testing.T, s store.Store, id intake.IncidentID, st intake.Status) {
	t.Helper()
	if _, err := store.Mutate(context.Background(), s, id, func(inc *intake.Incident) error {
		inc.Status = st
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestSenderThreadWindow: with no other key, a second mail from the same
// sender joins the open incident; once it is resolved, a new one opens.
func TestSenderThreadWindow(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	w := newWorker(s)
	ctx := context.Background()
	process := func(id, subject string) {
		if err := w.Process(ctx, mailFrom("ana@cliente.test", id, subject, "hola", 30*time.Minute)); err != nil {
			t.Fatalf("Process(%s) = %v", id, err)
		}
	}
	process("w1@cliente.test", "tema 1")
	process("w2@cliente.test", "Re: tema 1")
	incs := listAll(t, s)
	if len(incs) != 1 {
		t.Fatalf("%d incidents after two mails in the window, want 1", len(incs))
	}
	setStatus(t, s, incs[0].ID, intake.StatusResolved)
	process("w3@cliente.test", "tema 3")
	if n := len(listAll(t, s)); n != 2 {
		t.Errorf("%d incidents after a mail following the resolution, want 2", n)
	}
}

// TestSenderWindowNewProblem: within the window, a mail that replies to
// nothing opens its own incident when it is about a different problem, and
// joins the sender's open incident when it follows it up (the same subject
// after Re:, or a short answer).
func TestSenderWindowNewProblem(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	w := newWorker(s)
	ctx := context.Background()
	steps := []struct {
		id, subject, body string
		tokens            []intake.IncidentID
		want              intake.IncidentID
	}{
		{"vpn@c", "VPN no conecta", "No puedo conectar a la VPN desde casa, me da el error 809 desde ayer.", nil, "INC-000001"},
		{"battery@c", "Laptop battery: different issue", "My laptop battery drains in an hour even when idle, it started after yesterday's update.", nil, "INC-000002"},
		{"vpn-re@c", "Re: VPN no conecta", "Sigue igual: ya reinicié el router y el equipo y el error 809 aparece al intentar conectar.", nil, "INC-000001"},
		{"vpn-fwd@c", "RV: vpn  no conecta [INC-999999]", "Reenvío el caso de la VPN con lo que me pidió mi jefe que añadiera al respecto.", []intake.IncidentID{"INC-999999"}, "INC-000001"},
		{"battery-re@c", "Re: Laptop battery: different issue", "adjunto captura", nil, "INC-000002"},
		{"answer@c", "", "ya lo intenté", nil, "INC-000002"}, // a short answer joins the problem written about last
		{"vpn-again@c", "VPN no conecta", "Lo he vuelto a intentar desde otra red y tampoco conecta, mismo error.", nil, "INC-000001"},
		{"answer2@c", "", "sí", nil, "INC-000001"}, // now the VPN is the latest
		{"printer@c", "Impresora", "La impresora del piso 3 no imprime nada desde esta mañana, sale una hoja en blanco.", nil, "INC-000003"},
		{"short-new@c", "Monitor", "no enciende", nil, "INC-000004"},
	}
	for i, st := range steps {
		if err := w.Process(ctx, mailFrom("ana@cliente.test", st.id, st.subject, st.body, time.Hour, st.tokens...)); err != nil {
			t.Fatalf("Process(%s) = %v", st.id, err)
		}
		if got := landedOn(t, s, st.id); got != st.want {
			t.Errorf("mail %q (%q) threaded to %s, want %s", st.subject, st.body, got, st.want)
		}
		if i == 0 { // a person has the VPN incident, as in the report
			setStatus(t, s, "INC-000001", intake.StatusEscalated)
		}
	}
}

// TestSenderWindowSkipsAutomatic: an automatic message never joins the
// sender's incident by the window; it is kept on one of its own.
func TestSenderWindowSkipsAutomatic(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	w := newWorker(s)
	ctx := context.Background()
	if err := w.Process(ctx, mailFrom("ana@cliente.test", "first@c", "VPN", "no conecta", time.Hour)); err != nil {
		t.Fatal(err)
	}
	auto := mailFrom("ana@cliente.test", "ooo@c", "VPN", "fuera de la oficina", time.Hour)
	auto.AutoReply, auto.AutoReplyReason = true, "Auto-Submitted: auto-replied"
	if err := w.Process(ctx, auto); err != nil {
		t.Fatal(err)
	}
	if a, b := landedOn(t, s, "first@c"), landedOn(t, s, "ooo@c"); a == b {
		t.Errorf("the auto-reply joined %s by the sender window", a)
	}
}
