package email

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"github.com/intake-support/intake/channels"

	"github.com/intake-support/intake/config"
)

// testTLS returns a server config for 127.0.0.1 and a client config that
// trusts it.
func testTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

func TestSendSMTPTLSModes(t *testing.T) {
	srvTLS, cliTLS := testTLS(t)
	for _, mode := range []string{config.TLSStartTLS, config.TLSImplicit} {
		t.Run(mode, func(t *testing.T) {
			rec := &smtpRecorder{user: "u", pass: "p"}
			srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &recSession{r: rec}, nil }))
			srv.TLSConfig = srvTLS
			srv.ErrorLog = slog.NewLogLogger(quietLogger().Handler(), slog.LevelError)
			var ln net.Listener
			var err error
			if mode == config.TLSImplicit {
				ln, err = tls.Listen("tcp", "127.0.0.1:0", srvTLS)
			} else {
				ln, err = net.Listen("tcp", "127.0.0.1:0")
			}
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })
			cfg := config.Email{Address: "soporte@example.test", SMTPOut: config.SMTPOut{Addr: ln.Addr().String(), TLS: mode, Username: "u", Password: "p"}}
			a, err := New(cfg, openBolt(t, ""), quietLogger(), WithTLSConfig(cliTLS))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Send(context.Background(), testReply()); err != nil {
				t.Fatalf("Send over %s = %v", mode, err)
			}
			if got := len(rec.Mails()); got != 1 {
				t.Errorf("relay got %d mails, want 1", got)
			}
		})
	}
}

func TestIMAPTLSModes(t *testing.T) {
	srvTLS, cliTLS := testTLS(t)
	for _, mode := range []string{config.TLSStartTLS, config.TLSImplicit} {
		t.Run(mode, func(t *testing.T) {
			mem := imapmemserver.New()
			u := imapmemserver.NewUser("support@example.test", "secret")
			_ = u.Create("INBOX", nil)
			mem.AddUser(u)
			opts := &imapserver.Options{
				NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
					return mem.NewSession(), nil, nil
				},
				Caps:      imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
				Logger:    nopIMAPLogger{},
				TLSConfig: srvTLS,
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			if mode == config.TLSImplicit {
				ln = tls.NewListener(ln, srvTLS)
			}
			srv := imapserver.New(opts)
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })
			raw := customerMail("ana@cliente.test", "tls1@cliente.test", "hola", "hola")
			if _, err := u.Append("INBOX", literal(raw), &imap.AppendOptions{}); err != nil {
				t.Fatal(err)
			}
			cfg := imapConfig(imapPeer{Addr: addr, User: "support@example.test", Pass: "secret"}, "Done", "")
			cfg.IMAP.TLS = mode
			s := openBolt(t, "")
			a, err := New(cfg, s, quietLogger(), WithTLSConfig(cliTLS), WithBackoff(20*time.Millisecond, 100*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { _ = a.Run(ctx, &channels.StoreInbox{Store: s}); close(done) }()
			t.Cleanup(func() { cancel(); <-done })
			waitFor(t, 10*time.Second, "message over "+mode, func() bool {
				n, _ := channels.InboxLen(context.Background(), s)
				return n == 1
			})
		})
	}
}

type literalReader struct{ *bytes.Reader }

func (l literalReader) Size() int64 { return l.Reader.Size() }

func literal(b []byte) imap.LiteralReader { return literalReader{bytes.NewReader(b)} }
