package email

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
)

// startSMTPIntake runs only the adapter's SMTP listener, straight into a
// store inbox, and returns its address.
func startSMTPIntake(t *testing.T, s store.Store) string {
	t.Helper()
	return startSMTPIntakeWith(t, s, config.RateLimit{})
}

// startSMTPIntakeWith is startSMTPIntake with a sender rate window.
func startSMTPIntakeWith(t *testing.T, s store.Store, rl config.RateLimit) string {
	t.Helper()
	cfg := config.Email{Address: "soporte@example.test", RateLimit: rl, SMTPListen: config.SMTPListen{
		Addr: "127.0.0.1:0", Domains: []string{"example.test"}, MaxSize: 64 * config.KB}}
	a, err := New(cfg, s, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Ready(); err == nil {
		t.Error("Ready() before Run = nil, want the SMTP listener not bound yet")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, &channels.StoreInbox{Store: s}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil after cancel", err)
		}
	})
	waitFor(t, 5*time.Second, "smtp listener", func() bool { return a.Ready() == nil })
	return a.SMTPAddr()
}

func inboxLen(t *testing.T, s store.Store) int {
	t.Helper()
	n, err := channels.InboxLen(context.Background(), s)
	if err != nil {
		t.Fatalf("QueueLen = %v", err)
	}
	return n
}

func sendRaw(addr, from, to string, raw []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.SendMail(from, []string{to}, bytes.NewReader(raw))
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestSMTPIntakeGoClient(t *testing.T) {
	s := openBolt(t, "")
	addr := startSMTPIntake(t, s)
	ok := customerMail("Ana <ana@cliente.test>", "m1@cliente.test", "No imprime", "La impresora no imprime.")
	big := customerMail("Ana <ana@cliente.test>", "m2@cliente.test", "Grande", strings.Repeat(strings.Repeat("x", 70)+"\r\n", 1000))
	tests := []struct {
		name     string
		to       string
		raw      []byte
		wantCode int
		wantLen  int
	}{
		{"stored then 250", "soporte@example.test", ok, 0, 1},
		{"unknown domain 550", "soporte@elsewhere.test", ok, 550, 1},
		{"oversize 552", "soporte@example.test", big, 552, 1},
		{"refused 554", "soporte@example.test", []byte("\r\n\r\n"), 554, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := sendRaw(addr, "ana@cliente.test", tc.to, tc.raw)
			if got := smtpCode(err); got != tc.wantCode || (tc.wantCode == 0 && err != nil) {
				t.Fatalf("SendMail(%s) = %v (code %d), want code %d", tc.to, err, got, tc.wantCode)
			}
			// Right after 250 the message must already be in the store.
			if n := inboxLen(t, s); n != tc.wantLen {
				t.Errorf("inbox has %d messages, want %d", n, tc.wantLen)
			}
		})
	}
}

func TestSMTPIntake451WhenStoreFails(t *testing.T) {
	s := openBolt(t, "")
	addr := startSMTPIntake(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := sendRaw(addr, "ana@cliente.test", "soporte@example.test", customerMail("ana@cliente.test", "m9@cliente.test", "hola", "hola"))
	if got := smtpCode(err); got != 451 {
		t.Fatalf("SendMail with the store closed = %v, want 451", err)
	}
}

func TestSMTPIntakeSwaks(t *testing.T) {
	swaks := requireBinary(t, "swaks")
	s := openBolt(t, "")
	addr := startSMTPIntake(t, s)
	host, port, _ := strings.Cut(addr, ":")
	run := func(to string, extra ...string) (string, error) {
		args := append([]string{"--server", host, "--port", port, "--from", "luis@cliente.test", "--to", to,
			"--header", "Subject: VPN caída", "--body", "La VPN no conecta desde ayer."}, extra...)
		out, err := exec.Command(swaks, args...).CombinedOutput()
		return string(out), err
	}
	if out, err := run("soporte@example.test"); err != nil {
		t.Fatalf("swaks to our domain: %v\n%s", err, out)
	}
	if n := inboxLen(t, s); n != 1 {
		t.Fatalf("after swaks got 250: inbox has %d, want 1", n)
	}
	out, err := run("soporte@elsewhere.test")
	if err == nil || !strings.Contains(out, "550") {
		t.Fatalf("swaks to another domain: err %v, want a 550 failure; output:\n%s", err, out)
	}
	bigBody := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(bigBody, []byte(strings.Repeat(strings.Repeat("y", 76)+"\n", 1100)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = run("soporte@example.test", "--body", bigBody, "--suppress-data")
	if err == nil || !strings.Contains(out, "552") {
		t.Fatalf("swaks oversize: err %v, want 552; output:\n%.2000s", err, out)
	}
	if n := inboxLen(t, s); n != 1 {
		t.Errorf("inbox has %d messages, want 1", n)
	}
}
