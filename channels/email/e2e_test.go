package email

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// parsedMail is what the tests read from a recorded reply.
type parsedMail struct {
	To, Subject, MessageID, InReplyTo, AutoSubmitted string
}

func parseRecorded(t testing.TB, m recordedMail) parsedMail {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("recorded mail unreadable: %v", err)
	}
	h := r.Header
	id, _ := h.MessageID()
	irt, _ := h.MsgIDList("In-Reply-To")
	subj, _ := h.Subject()
	return parsedMail{To: strings.Join(m.To, ","), Subject: subj, MessageID: id, InReplyTo: strings.Join(irt, " "), AutoSubmitted: h.Get("Auto-Submitted")}
}

func e2eConfig(p imapPeer, relay string) config.Email {
	cfg := imapConfig(p, "Done", "Failed")
	cfg.MaxSize = 0
	cfg.SMTPOut = config.SMTPOut{Addr: relay, TLS: config.TLSNone, Username: "relay", Password: "pw"}
	cfg.ThreadWindow = 30 * time.Minute
	return cfg
}

func bounceFor(ourID, rcpt string) []byte {
	return []byte("Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.cliente.test>\r\n" +
		"To: soporte@example.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce1@mx.cliente.test>\r\n" +
		"Date: Mon, 23 Nov 2026 10:05:00 +0000\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.cliente.test\r\n\r\n" +
		"Final-Recipient: rfc822; " + rcpt + "\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n" +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Soporte <soporte@example.test>\r\nTo: " + rcpt +
		"\r\nMessage-ID: <" + ourID + ">\r\nSubject: Re: x\r\n\r\n--B--\r\n")
}

// TestEndToEndDovecot is the "done means": three customer mails, an
// auto-reply and a bounce in a real Dovecot INBOX give three incidents and
// three threaded bot replies, and a customer's answer to a bot reply lands
// on the same incident.
func TestEndToEndDovecot(t *testing.T) {
	p := startDovecot(t)
	rec := startRecorder(t, "relay", "pw")
	c := p.Client(t)
	customers := []string{"ana@cliente.test", "luis@cliente.test", "marta@otra.test"}
	for i, from := range customers {
		appendMail(t, c, "INBOX", customerMail(from, fmt.Sprintf("c%d@cliente.test", i), fmt.Sprintf("Problema %d", i), "No funciona el correo."))
	}
	appendMail(t, c, "INBOX", customerMail("ana@cliente.test", "ooo@cliente.test", "Fuera de la oficina", "Vuelvo el lunes.", "Auto-Submitted: auto-replied"))
	sp := startEmailSpine(t, openBolt(t, ""), e2eConfig(p, rec.Addr))

	mails := rec.WaitMails(t, 3, 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	if mails = rec.Mails(); len(mails) != 3 {
		t.Fatalf("relay got %d replies, want 3", len(mails))
	}
	// The auto-reply threads to nothing: it is kept on a closed incident
	// of its own, marked automatic, and not answered.
	var incs, automatic []*intake.Incident
	for _, inc := range listIncidents(t, sp.Store) {
		if inc.Automatic {
			automatic = append(automatic, inc)
		} else {
			incs = append(incs, inc)
		}
	}
	if len(incs) != 3 || len(automatic) != 1 || automatic[0].Status != intake.StatusClosed {
		t.Fatalf("%d incidents and %d automatic ones, want 3 and 1 closed", len(incs), len(automatic))
	}
	byCustomer := map[string]parsedMail{}
	for _, m := range mails {
		pm := parseRecorded(t, m)
		byCustomer[pm.To] = pm
		if pm.AutoSubmitted != "auto-replied" || !strings.Contains(pm.Subject, "[INC-") {
			t.Errorf("reply to %s: subject %q, Auto-Submitted %q", pm.To, pm.Subject, pm.AutoSubmitted)
		}
	}
	for i, cust := range customers {
		pm, ok := byCustomer[cust]
		if !ok {
			t.Errorf("no reply to %s", cust)
			continue
		}
		if want := fmt.Sprintf("c%d@cliente.test", i); pm.InReplyTo != want {
			t.Errorf("reply to %s: In-Reply-To %q, want %q", cust, pm.InReplyTo, want)
		}
	}

	// A bounce of the reply to luis marks the address failing, unanswered.
	luis := byCustomer["luis@cliente.test"]
	appendMail(t, c, "INBOX", bounceFor(luis.MessageID, "luis@cliente.test"))
	incLuis := incidentByKey(t, sp, intake.EmailThreadKey(luis.MessageID))
	waitFor(t, 10*time.Second, "bounce note", func() bool {
		return hasNote(t, sp, incLuis, "customer address luis@cliente.test is failing")
	})

	// Ana answers the bot's reply: same incident, one more bot reply.
	ana := byCustomer["ana@cliente.test"]
	appendMail(t, c, "INBOX", customerMail("ana@cliente.test", "c0-2@cliente.test", "Re: "+ana.Subject, "Sigue sin funcionar.",
		"In-Reply-To: <"+ana.MessageID+">", "References: <c0@cliente.test> <"+ana.MessageID+">"))
	rec.WaitMails(t, 4, 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	if n := len(rec.Mails()); n != 4 {
		t.Errorf("relay got %d replies, want 4 (none to the auto-reply or the bounce)", n)
	}
	if n := len(listIncidents(t, sp.Store)); n != 4 {
		t.Errorf("%d incidents after the customer's answer, want 4 (3 and the automatic one)", n)
	}
	incAna := incidentByKey(t, sp, intake.EmailThreadKey(ana.MessageID))
	inc, err := sp.Store.GetIncident(context.Background(), incAna)
	if err != nil {
		t.Fatal(err)
	}
	if !inc.HasMessage(intake.ChannelEmail, "c0-2@cliente.test") || !inc.HasMessage(intake.ChannelEmail, "c0@cliente.test") {
		t.Errorf("%s timeline lacks the first mail or the answer", incAna)
	}
	last := parseRecorded(t, rec.Mails()[3])
	// The bot answers the customer's latest mail, in the same thread.
	if last.InReplyTo != "c0-2@cliente.test" || !strings.Contains(last.Subject, string(incAna)) {
		t.Errorf("reply to the answer: In-Reply-To %q subject %q", last.InReplyTo, last.Subject)
	}
	if n := countMailbox(t, c, "INBOX"); n != 0 {
		t.Errorf("INBOX still holds %d messages", n)
	}
}

func incidentByKey(t *testing.T, sp *spine, k intake.ThreadKey) intake.IncidentID {
	t.Helper()
	var id intake.IncidentID
	waitFor(t, 10*time.Second, "thread key "+string(k), func() bool {
		var err error
		id, err = sp.Store.LookupThread(context.Background(), k)
		return err == nil
	})
	return id
}

func hasNote(t *testing.T, sp *spine, id intake.IncidentID, prefix string) bool {
	inc, err := sp.Store.GetIncident(context.Background(), id)
	if err != nil {
		return false
	}
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventNote && strings.HasPrefix(e.Text, prefix) {
			return true
		}
	}
	return false
}

// TestRestartLosesNothing stops the adapter in the middle of intake and
// starts again on the same bolt file: every mail gives exactly one incident
// and one reply.
func TestRestartLosesNothing(t *testing.T) {
	const n = 40
	p := startDovecot(t)
	rec := startRecorder(t, "relay", "pw")
	c := p.Client(t)
	for i := range n {
		appendMail(t, c, "INBOX", customerMail(fmt.Sprintf("u%d@cliente.test", i), fmt.Sprintf("rs%d@cliente.test", i), fmt.Sprintf("caso %d", i), "ayuda"))
	}
	path := filepath.Join(t.TempDir(), "intake.db")
	cfg := e2eConfig(p, rec.Addr)

	s1 := openBolt(t, path)
	sp := startEmailSpine(t, s1, cfg)
	waitFor(t, 20*time.Second, "intake under way", func() bool { return len(rec.Mails()) >= 3 })
	sp.Stop()
	_ = s1.Close()
	t.Logf("stopped after %d replies, %d mails left in INBOX", len(rec.Mails()), countMailbox(t, c, "INBOX"))

	s2 := openBolt(t, path)
	sp2 := startEmailSpine(t, s2, cfg)
	rec.WaitMails(t, n, 60*time.Second)
	time.Sleep(time.Second)
	if got := len(listIncidents(t, sp2.Store)); got != n {
		t.Errorf("%d incidents, want %d", got, n)
	}
	seen := map[string]int{}
	for _, m := range rec.Mails() {
		seen[parseRecorded(t, m).InReplyTo]++
	}
	for i := range n {
		if k := fmt.Sprintf("rs%d@cliente.test", i); seen[k] != 1 {
			t.Errorf("%s answered %d times, want 1", k, seen[k])
		}
	}
	if got := countMailbox(t, c, "Done"); got != n {
		t.Errorf("Done holds %d, want %d", got, n)
	}
}
