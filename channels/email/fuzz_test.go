package email

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake/config"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"From: a@x.example\n\nhi",
		"From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--",
		"From: a@x.example\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; c@y.example\nAction: failed\n--b--",
		"From: =?utf-8?B?w6E=?= <a@x.example>\nSubject: =?koi8-r?Q?=F0?=\nContent-Type: text/plain; charset=utf-7\n\n+AKM-",
		" From: broken\n--\n\n",
	} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, err := Normalize(bytes.NewReader(raw), NormalizeOptions{MaxSize: 1 << 20, OurAddresses: testOurs})
		if err != nil {
			var r *RefusedError
			if !errors.As(err, &r) {
				t.Fatalf("Normalize(%q) = %v, not a refusal", raw, err)
			}
			return
		}
		checkInvariants(t, "fuzz input", n)
	})
}

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

// FuzzParseAddrs: whatever an address field holds, only valid addr-specs
// come out, and display names stay on one line.
func FuzzParseAddrs(f *testing.F) {
	for _, s := range []string{
		`=?utf-8?Q?Ana=0D=0AFrom:_v3@evil.example?= <ana@cliente.test>`,
		`"Pérez, Ana" <ana@cliente.test>, luis@otra.test`,
		`john@x.com <john@x.com>`,
		`<pete(his account)@silly.test>`,
		`undisclosed-recipients:;`,
		`a@[192.0.2.1]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, a := range parseAddrs(v) {
			if !ValidAddrSpec(a.Address) {
				t.Errorf("parseAddrs(%q) gave %q, not a valid addr-spec", v, a.Address)
			}
			if strings.ContainsAny(a.Name, "\r\n") {
				t.Errorf("parseAddrs(%q) name %q spans lines", v, a.Name)
			}
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
