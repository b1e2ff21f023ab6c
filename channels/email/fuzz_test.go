package email

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake/config"
)

// FuzzSMTPSession feeds arbitrary client input (commands, DATA) to the SMTP
// listener over loopback: the server must neither panic (go-smtp recovers
// and logs "panic serving"; the log is checked) nor hang (the connection
// must close once the client stops writing).
func FuzzSMTPSession(f *testing.F) {
	for _, s := range []string{
		"EHLO a\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<soporte@example.test>\r\nDATA\r\nFrom: a@b.test\r\nSubject: hi\r\n\r\nhi\r\n.\r\nQUIT\r\n",
		"HELO a\r\nMAIL FROM:<>\r\nRCPT TO:<soporte@example.test>\r\nDATA\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n\r\n.\r\n",
		"EHLO a\r\nMAIL FROM:<a@b.test> SIZE=99999999999\r\n",
		"EHLO a\r\nRCPT TO:<x@elsewhere.test>\r\nDATA\r\n",
		"EHLO a\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<soporte@example.test>\r\nBDAT 5 LAST\r\nhello",
		"NOOP\r\nRSET\r\nVRFY x\r\nSTARTTLS\r\nAUTH PLAIN AGFAYg==\r\n",
		"EHLO a\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<soporte@example.test>\r\nDATA\r\n" + strings.Repeat("x", 2100) + "\r\n.\r\n",
	} {
		f.Add([]byte(s))
	}
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	addr := startListenerLog(f, config.SMTPListen{MaxSize: 64 * config.KB}, logger)
	f.Fuzz(func(t *testing.T, input []byte) {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(input); err == nil {
			_ = c.(*net.TCPConn).CloseWrite()
		}
		if _, err := io.Copy(io.Discard, c); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("session %q: the server did not close the connection within 10 s", input)
			}
		}
		if s := logs.String(); strings.Contains(s, "panic") {
			t.Fatalf("session %q: the server panicked:\n%s", input, s)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
