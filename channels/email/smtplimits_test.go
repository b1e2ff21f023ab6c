package email

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
)

// startListener runs the SMTP listener with l into a store inbox and
// returns its address.
func startListener(t testing.TB, l config.SMTPListen) string {
	t.Helper()
	return startListenerLog(t, l, quietLogger())
}

// startListenerLog is startListener logging to logger.
func startListenerLog(t testing.TB, l config.SMTPListen, logger *slog.Logger) string {
	t.Helper()
	l.Addr, l.Domains = "127.0.0.1:0", []string{"example.test"}
	s := openBolt(t, "")
	a, err := New(config.Email{Address: "soporte@example.test", SMTPListen: l}, s, logger)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, &channels.StoreInbox{Store: s}) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, 5*time.Second, "smtp listener", func() bool { return a.Ready() == nil })
	return a.SMTPAddr()
}

// greeting dials addr from the local address from and returns the first
// line the server says.
func greeting(t *testing.T, addr, from string) (net.Conn, string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return c, strings.TrimSpace(line)
}

// TestSMTPConnectionLimits is the regression test of issue 14 item 3 (2,000
// idle connections were all accepted): beyond max_connections_per_ip from
// one address, and max_connections in all, a connection gets 421.
func TestSMTPConnectionLimits(t *testing.T) {
	addr := startListener(t, config.SMTPListen{MaxConnections: 3, MaxConnectionsPerIP: 2})
	tests := []struct {
		from string
		want string
	}{
		{"127.0.0.1", "220"},
		{"127.0.0.1", "220"},
		{"127.0.0.1", "421"}, // third from one address
		{"127.0.0.2", "220"},
		{"127.0.0.3", "421"}, // fourth in all
	}
	var open []net.Conn
	for i, tc := range tests {
		c, line := greeting(t, addr, tc.from)
		if !strings.HasPrefix(line, tc.want) {
			t.Errorf("connection %d from %s: greeting %q, want %s", i+1, tc.from, line, tc.want)
		}
		open = append(open, c)
	}
	open[0].Close()
	waitFor(t, 10*time.Second, "a freed slot", func() bool {
		c, line := greeting(t, addr, "127.0.0.1")
		defer c.Close()
		return strings.HasPrefix(line, "220")
	})
}

// TestSMTPSessionTimeout: a client that sends NOOP forever is cut off at
// session_timeout; before, each NOOP restarted the read timeout.
func TestSMTPSessionTimeout(t *testing.T) {
	addr := startListener(t, config.SMTPListen{IdleTimeout: time.Second, SessionTimeout: 2 * time.Second})
	c, line := greeting(t, addr, "127.0.0.1")
	if !strings.HasPrefix(line, "220") {
		t.Fatalf("greeting %q", line)
	}
	r := bufio.NewReader(c)
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	for i := 0; i < 300; i++ {
		if _, err := c.Write([]byte("NOOP\r\n")); err != nil {
			return // closed by the server
		}
		line, err := r.ReadString('\n')
		if err != nil || strings.HasPrefix(line, "421") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("300 NOOPs over 30 s kept the connection open, want it closed at session_timeout")
}

// TestSMTPLongLineIsPermanent is the regression test of issue 14 item 8: a
// line over 2,000 characters got 451 (try again), for a problem no retry
// fixes.
func TestSMTPLongLineIsPermanent(t *testing.T) {
	addr := startListener(t, config.SMTPListen{})
	raw := customerMail("ana@cliente.test", "long@cliente.test", "largo", strings.Repeat("x", 3000))
	err := sendRaw(addr, "ana@cliente.test", "soporte@example.test", raw)
	if code := smtpCode(err); code < 500 || code > 599 {
		t.Errorf("SendMail(3,000-character line) = %v (code %d), want a 5xx", err, code)
	}
}

// TestSpoolCleanedAtStart: spool files a killed process left are removed
// when the listener starts, and a stored message leaves none.
func TestSpoolCleanedAtStart(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "intake-smtp-123.eml")
	if err := os.WriteFile(stale, []byte("From: a@b.test\r\n\r\nhalf"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := startListener(t, config.SMTPListen{SpoolDir: dir})
	if err := sendRaw(addr, "ana@cliente.test", "soporte@example.test", customerMail("ana@cliente.test", "s1@cliente.test", "hola", "hola")); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("spool_dir holds %v, want nothing", left)
	}
}
