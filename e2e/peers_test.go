package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
)

// relay is a go-smtp server standing in for the outgoing mail relay; it
// records every mail it accepts.
type relay struct {
	Addr string
	mu   sync.Mutex
	got  []sentMail
}

// sentMail is one mail the relay accepted, with the headers tests look at.
type sentMail struct {
	To                    []string
	Subject, MessageID    string
	InReplyTo, References []string
	AutoSubmitted, Body   string
}

func startRelay(t *testing.T) *relay {
	t.Helper()
	r := &relay{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }))
	srv.Domain = "relay.test"
	srv.ErrorLog = nopLog{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

type nopLog struct{}

func (nopLog) Printf(string, ...any) {}
func (nopLog) Println(...any)        {}

func (r *relay) Mails() []sentMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sentMail(nil), r.got...)
}

type relaySession struct {
	r  *relay
	to []string
}

func (s *relaySession) Reset()                               { s.to = nil }
func (s *relaySession) Logout() error                        { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	m, err := parseMail(b)
	if err != nil {
		return err
	}
	m.To = s.to
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.got = append(s.r.got, m)
	return nil
}

func parseMail(b []byte) (sentMail, error) {
	r, err := mail.CreateReader(bytes.NewReader(b))
	if err != nil {
		return sentMail{}, err
	}
	var m sentMail
	h := r.Header
	m.MessageID, _ = h.MessageID()
	m.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	m.References, _ = h.MsgIDList("References")
	m.Subject, _ = h.Subject()
	m.AutoSubmitted = h.Get("Auto-Submitted")
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, err
		}
		if ih, ok := p.Header.(*mail.InlineHeader); ok {
			if ct, _, _ := ih.ContentType(); ct == "text/plain" {
				body, _ := io.ReadAll(p.Body)
				m.Body += string(body)
			}
		}
	}
	return m, nil
}

// sendMail delivers raw to the SMTP listener at addr with the go-smtp client.
func sendMail(t *testing.T, addr, from string, raw []byte) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatalf("smtp.Dial(%q) = %v", addr, err)
	}
	defer c.Close()
	if err := c.SendMail(from, []string{"soporte@example.test"}, bytes.NewReader(raw)); err != nil {
		t.Fatalf("SendMail from %s = %v", from, err)
	}
}

// customerMail builds a plain-text customer message.
func customerMail(from, id, subject, body string, extra ...string) []byte {
	h := "From: " + from + "\r\nTo: soporte@example.test\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n"
	for _, e := range extra {
		h += e + "\r\n"
	}
	return []byte(h + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

// cardText is the text of a Block Kit blocks JSON: every "text" value, one a line.
func cardText(blocks string) string {
	var v any
	if err := json.Unmarshal([]byte(blocks), &v); err != nil {
		return ""
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if s, ok := y.(string); ok && k == "text" {
					out = append(out, s)
				} else {
					walk(y)
				}
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return strings.Join(out, "\n")
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
