package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// benchMail is one customer mail of the bench.
type benchMail struct {
	id   string // the Message-ID without brackets; replies carry it in In-Reply-To
	from string
	raw  []byte
}

// The texts of the bench's customers: a request the bot answers from the
// knowledge base, and the report of an outage many customers send at once.
const (
	passwordText = "Hola, olvidé mi contraseña y no puedo entrar al portal. ¿Cómo la restablezco?\r\n\r\nGracias,\r\nAna\r\n"
	outageText   = "Urgente: el servidor de correo está caído, nadie en la oficina puede enviar ni recibir correos desde hace media hora.\r\n"
)

// mails makes n mails of one kind, each from its own sender.
func mails(run, kind string, n int, subject, body string) []benchMail {
	out := make([]benchMail, n)
	for i := range out {
		id := fmt.Sprintf("%s-%s-%d@cliente.example", run, kind, i)
		from := fmt.Sprintf("%s-%s-%d@cliente.example", run, kind, i)
		raw := fmt.Sprintf("From: <%s>\r\nTo: soporte@example.com\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s",
			from, subject, time.Now().Format(time.RFC1123Z), id, body)
		out[i] = benchMail{id: id, from: from, raw: []byte(raw)}
	}
	return out
}

func idsOf(ms []benchMail) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	return ids
}

// burstResult is what sending a burst measured.
type burstResult struct {
	start, lastAck time.Time
}

func (r burstResult) perSecond(n int) float64 { return rate(n, r.lastAck.Sub(r.start)) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// sendBurst sends ms over conns connections (each one session, mail after
// mail) and returns when every mail got its 250. A refused mail is an error:
// the bench measures accepted mail only.
func sendBurst(addr string, ms []benchMail, conns int) (burstResult, error) {
	conns = max(1, min(conns, len(ms)))
	var mu sync.Mutex
	var firstErr error
	var lastAck time.Time
	var wg sync.WaitGroup
	start := time.Now()
	for k := range conns {
		wg.Go(func() {
			err := sendSession(addr, ms, k, conns, func(t time.Time) {
				mu.Lock()
				if t.After(lastAck) {
					lastAck = t
				}
				mu.Unlock()
			})
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return burstResult{start: start, lastAck: lastAck}, firstErr
}

// sendSession sends ms[k], ms[k+step]... on one connection.
func sendSession(addr string, ms []benchMail, k, step int, acked func(time.Time)) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello("bench.cliente.example"); err != nil {
		return fmt.Errorf("smtp hello: %w", err)
	}
	for i := k; i < len(ms); i += step {
		if err := c.SendMail(ms[i].from, []string{"soporte@example.com"}, bytes.NewReader(ms[i].raw)); err != nil {
			return fmt.Errorf("send %s: %w", ms[i].id, err)
		}
		acked(time.Now())
	}
	return c.Quit()
}

// rawSMTPSink is go-smtp with a backend that reads each mail and keeps
// nothing: the limit of SMTP accept on this machine.
type rawSMTPSink struct{}

func (rawSMTPSink) NewSession(*smtp.Conn) (smtp.Session, error) { return rawSession{}, nil }

type rawSession struct{}

func (rawSession) Mail(string, *smtp.MailOptions) error { return nil }
func (rawSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (rawSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (rawSession) Reset()        {}
func (rawSession) Logout() error { return nil }

// rawSMTPAccept measures go-smtp accepting ms over conns connections.
func rawSMTPAccept(ms []benchMail, conns int) (float64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	srv := smtp.NewServer(rawSMTPSink{})
	srv.Domain = "limit.example"
	srv.AllowInsecureAuth = true
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	r, err := sendBurst(ln.Addr().String(), ms, conns)
	if err != nil {
		return 0, err
	}
	return r.perSecond(len(ms)), nil
}
