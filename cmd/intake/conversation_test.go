package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake/channels/slack/slackfake"
)

// TestServeWholeConversations drives whole email conversations through the
// real SMTP listener of `intake serve` with the shipped example settings
// (answer_within shortened so that a wait can be seen), Slack pointed at
// the test double: answered first; yes resolves; no asks the details and
// hands over with a card; off-topic gets a reply and no card; details never
// given are handed over after answer_within.
func TestServeWholeConversations(t *testing.T) {
	slack := slackfake.New(t)
	cfg := exampleConfig(t)
	smtpAddr := replaceSMTPPort(t, cfg)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for old, repl := range map[string]string{
		`api_url: ""`:       fmt.Sprintf("api_url: %q", slack.APIURL()),
		"answer_within: 8h": "answer_within: 2s",
	} {
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("example.yaml lacks %q", old)
		}
		data = bytes.Replace(data, []byte(old), []byte(repl), 1)
	}
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	g := startServe(t, cfg, "SLACK_BOT_TOKEN=xoxb-test", "SLACK_SIGNING_SECRET=test-secret")
	g.waitReady(t)
	c := &mailClient{t: t, smtp: smtpAddr, outbox: filepath.Join(filepath.Dir(cfg), "outbox"), logs: g.logs}

	// Answered first, yes resolves.
	first := c.send("ana@cliente.example", "No puedo entrar", "Hola, olvidé mi contraseña", "")
	if !strings.Contains(first.body, "cuenta.example.com") || strings.Contains(first.body, "Desde cuándo") {
		t.Errorf("first reply to a forgotten password:\n%s\nwant the article, no questionnaire", first.body)
	}
	done := c.send("ana@cliente.example", "Re: "+first.subject, "sí, ya funciona, gracias", first.id)
	if !strings.Contains(done.body, "resuelto") {
		t.Errorf("reply to yes:\n%s\nwant resolved", done.body)
	}

	// No: the details a person needs, then the hand-over and a card.
	ans := c.send("bob@cliente.example", "Impresora", "la impresora del piso 2 dice offline", "")
	q := c.send("bob@cliente.example", "Re: "+ans.subject, "no, sigue igual", ans.id)
	if !strings.Contains(q.body, "Desde cuándo") {
		t.Errorf("reply to no:\n%s\nwant the details asked", q.body)
	}
	c.send("bob@cliente.example", "Re: "+q.subject, "desde ayer, a todo el piso", q.id)
	waitFor(t, "a card for "+ans.incident+" in C0L2", func() bool { return hasCard(slack, "C0L2", ans.incident) }, g.logs)

	// Off-topic: a polite reply, closed, no card.
	off := c.send("carla@cliente.example", "Cafetería", "a qué hora abre la cafetería?", "")
	if strings.Contains(off.body, "especialista") || !strings.Contains(off.body, "Cierro este caso") {
		t.Errorf("off-topic reply:\n%s\nwant it closed, no hand-over", off.body)
	}

	// Details never given: handed over after answer_within.
	ans2 := c.send("dan@cliente.example", "Wifi", "the office wifi won't connect", "")
	c.send("dan@cliente.example", "Re: "+ans2.subject, "nope", ans2.id)
	late := c.next("dan@cliente.example")
	if !strings.Contains(late.body, "didn't hear back") {
		t.Errorf("after answer_within:\n%s\nwant the hand-over with what the bot has", late.body)
	}
	waitFor(t, "a card for "+ans2.incident, func() bool { return hasCard(slack, "C0L2", ans2.incident) }, g.logs)
	if hasCard(slack, "", off.incident) {
		t.Errorf("off-topic incident %s got a card", off.incident)
	}
	g.stop(t)
}

// mailClient sends mails to the SMTP listener and reads the replies the
// gateway writes to its outbox folder, per recipient, in order.
type mailClient struct {
	t      *testing.T
	smtp   string
	outbox string
	logs   *syncBuffer
	seq    int
	read   map[string]bool
}

// reply is one reply mail, decoded.
type reply struct{ id, subject, body, incident string }

var incidentToken = regexp.MustCompile(`INC-\d+`)

// send mails text from "from", as an answer to inReplyTo when set, and
// returns the reply it gets.
func (c *mailClient) send(from, subject, text, inReplyTo string) reply {
	c.t.Helper()
	c.seq++
	head := fmt.Sprintf("From: <%s>\r\nTo: soporte@example.com\r\nSubject: %s\r\nMessage-ID: <m%d.%d@cliente.example>\r\nDate: %s\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n", from, subject, c.seq, time.Now().UnixNano(), time.Now().Format(time.RFC1123Z))
	if inReplyTo != "" {
		head += fmt.Sprintf("In-Reply-To: <%s>\r\nReferences: <%s>\r\n", inReplyTo, inReplyTo)
	}
	if err := smtp.SendMail(c.smtp, nil, from, []string{"soporte@example.com"}, []byte(head+"\r\n"+text+"\r\n")); err != nil {
		c.t.Fatalf("SendMail = %v; logs:\n%s", err, c.logs.String())
	}
	return c.next(from)
}

// next waits for the next unread reply to "to".
func (c *mailClient) next(to string) reply {
	c.t.Helper()
	if c.read == nil {
		c.read = map[string]bool{}
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(c.outbox, "*.eml"))
		for _, f := range files {
			if c.read[f] || strings.HasPrefix(filepath.Base(f), ".") {
				continue // read, or still being written
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			m, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil || !strings.Contains(m.Header.Get("To"), to) {
				continue
			}
			c.read[f] = true
			var body io.Reader = m.Body
			if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
				body = quotedprintable.NewReader(m.Body)
			}
			b, _ := io.ReadAll(body)
			subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			return reply{id: strings.Trim(m.Header.Get("Message-ID"), "<>"), subject: subject, body: string(b),
				incident: incidentToken.FindString(subject)}
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("no reply to %s in %s; logs:\n%s", to, c.outbox, c.logs.String())
	return reply{}
}

func hasCard(s *slackfake.Server, channel, incident string) bool {
	for _, c := range s.Calls("chat.postMessage") {
		if (channel == "" || c.Form.Get("channel") == channel) && c.Form.Get("blocks") != "" &&
			strings.Contains(c.Form.Get("text")+c.Form.Get("blocks"), incident) {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, ok func() bool, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s; logs:\n%s", what, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
