package main

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake/channels/slack/slackfake"
)

// TestServeUrgentOutageOutOfHours mails an urgent outage to the example
// configuration while the desk is closed (today is left out of its business
// days): the on-call group is paged in Slack and the customer gets one
// consistent message, "alerted now", with no "we will pick it up on ..." next
// to it. The page is in the desk's language (the first of triage.languages),
// the customer's message in the customer's.
func TestServeUrgentOutageOutOfHours(t *testing.T) {
	for _, tt := range []struct{ languages, page string }{
		{"[es, en]", "La incidencia urgente INC-000001 llegó fuera del horario de atención"},
		{"[en, es]", "Urgent incident INC-000001 arrived out of business hours"},
	} {
		t.Run(tt.languages, func(t *testing.T) { serveUrgentOutageOutOfHours(t, tt.languages, tt.page) })
	}
}

func serveUrgentOutageOutOfHours(t *testing.T, languages, page string) {
	cfg := exampleConfig(t)
	smtpAddr := replaceSMTPPort(t, cfg)
	fake := slackfake.New(t)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, d := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		if d != strings.ToLower(time.Now().In(loc).Weekday().String()[:3]) {
			days = append(days, d)
		}
	}
	data = bytes.Replace(data, []byte("days: [mon, tue, wed, thu, fri]"), []byte("days: ["+strings.Join(days, ", ")+"]"), 1)
	data = bytes.Replace(data, []byte("languages: [es, en]"), []byte("languages: "+languages), 1)
	data = bytes.Replace(data, []byte(`api_url: ""`), []byte(`api_url: "`+fake.APIURL()+`"`), 1)
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	g := startServe(t, cfg, "SLACK_BOT_TOKEN=xoxb-test", "SLACK_SIGNING_SECRET=test-secret")
	g.waitReady(t)
	mail := "From: Ana <ana@cliente.example>\r\nTo: soporte@example.com\r\nSubject: URGENTE: no funciona nada\r\n" +
		"Message-ID: <urgent-1@cliente.example>\r\n\r\n" +
		"Se cayó el sistema de facturación, nadie puede trabajar en toda la oficina.\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "ana@cliente.example", []string{"soporte@example.com"}, []byte(mail)); err != nil {
		t.Fatalf("SendMail = %v; logs:\n%s", err, g.logs.String())
	}
	outbox := filepath.Join(filepath.Dir(cfg), "outbox")
	var files []string
	var alert string
	deadline := time.Now().Add(20 * time.Second)
	for (len(files) == 0 || alert == "") && time.Now().Before(deadline) {
		files, _ = filepath.Glob(filepath.Join(outbox, "*.eml"))
		for _, c := range fake.Calls("chat.postMessage") {
			if c.Form.Get("channel") == "C0ONCALL" {
				alert = c.Form.Get("text")
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if alert == "" || !strings.Contains(alert, "<!subteam^S0ONCALL>") || !strings.Contains(alert, page) {
		t.Errorf("on-call alert in C0ONCALL = %q, want a mention of S0ONCALL and %q; logs:\n%s", alert, page, g.logs.String())
	}
	time.Sleep(300 * time.Millisecond) // room for a second, contradicting mail to show
	if files, _ = filepath.Glob(filepath.Join(outbox, "*.eml")); len(files) != 1 {
		t.Fatalf("%d mails in the outbox, want 1; logs:\n%s", len(files), g.logs.String())
	}
	text := emlText(t, files[0])
	for _, want := range []string{"INC-000001", "urgente", "ya avisamos al equipo", "(Nivel III)"} {
		if !strings.Contains(text, want) {
			t.Errorf("reply lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"fuera de horario", "a partir del", "ahora mismo"} {
		if strings.Contains(text, not) {
			t.Errorf("reply says %q too, contradicting itself:\n%s", not, text)
		}
	}
	g.stop(t)
}

// emlText returns the headers and the decoded body of an .eml file.
func emlText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	if bytes.Contains(bytes.ToLower(head), []byte("quoted-printable")) {
		if dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body))); err == nil {
			body = dec
		}
	}
	return string(head) + "\n\n" + string(body)
}
