package email

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/intake-support/intake/internal/dovecot"
)

// requireBinary skips when name is missing, or fails under CI=true.
func requireBinary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitPort(t testing.TB, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s after %s", addr, timeout)
}

// recordedMail is one message the recording SMTP server accepted.
type recordedMail struct {
	From string
	To   []string
	Data []byte
	User string
}

// smtpRecorder is a go-smtp server that records what it gets and can be
// told to answer a step (connect, mail, rcpt, data) with an error.
type smtpRecorder struct {
	Addr       string
	mu         sync.Mutex
	got        []recordedMail
	fail       map[string][]error
	user, pass string
}

func startRecorder(t testing.TB, user, pass string) *smtpRecorder {
	t.Helper()
	r := &smtpRecorder{user: user, pass: pass, fail: map[string][]error{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		if err := r.failure("connect"); err != nil {
			return nil, err
		}
		return &recSession{r: r}, nil
	}))
	srv.AllowInsecureAuth = true
	srv.Domain = "relay.test"
	srv.ErrorLog = slog.NewLogLogger(quietLogger().Handler(), slog.LevelError)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

// FailNext answers the next DATA commands with errs, one each.
func (r *smtpRecorder) FailNext(errs ...error) { r.FailAt("data", errs...) }

// FailAt answers the next commands of a step (connect, mail, rcpt, data)
// with errs, one each.
func (r *smtpRecorder) FailAt(step string, errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail[step] = append(r.fail[step], errs...)
}

// failure takes the next error queued for step, or nil.
func (r *smtpRecorder) failure(step string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fail[step]) == 0 {
		return nil
	}
	err := r.fail[step][0]
	r.fail[step] = r.fail[step][1:]
	return err
}

func (r *smtpRecorder) Mails() []recordedMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recordedMail(nil), r.got...)
}

func (r *smtpRecorder) WaitMails(t testing.TB, n int, timeout time.Duration) []recordedMail {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := r.Mails(); len(m) >= n {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	m := r.Mails()
	t.Fatalf("recording SMTP server got %d mails, want %d", len(m), n)
	return m
}

type recSession struct {
	r    *smtpRecorder
	cur  recordedMail
	auth string
}

func (s *recSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *recSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.r.user || password != s.r.pass {
			return smtp.ErrAuthFailed
		}
		s.auth = username
		return nil
	}), nil
}
func (s *recSession) Reset()        { s.cur = recordedMail{} }
func (s *recSession) Logout() error { return nil }
func (s *recSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.user != "" && s.auth == "" {
		return smtp.ErrAuthRequired
	}
	if err := s.r.failure("mail"); err != nil {
		return err
	}
	s.cur.From = from
	return nil
}
func (s *recSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.r.failure("rcpt"); err != nil {
		return err
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *recSession) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	if err := s.r.failure("data"); err != nil {
		return err
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.cur.Data, s.cur.User = b, s.auth
	s.r.got = append(s.r.got, s.cur)
	return nil
}

// imapPeer is an IMAP server for a test: Dovecot or imapmemserver.
type imapPeer struct {
	Addr, User, Pass string
}

// Client logs a test client in, for APPENDs and checks.
func (p imapPeer) Client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(p.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(p.User, p.Pass).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func appendMail(t testing.TB, c *imapclient.Client, mailbox string, raw []byte) {
	t.Helper()
	cmd := c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("APPEND: %v", err)
	}
}

// countMailbox returns the number of messages in mailbox (0 if missing).
func countMailbox(t testing.TB, c *imapclient.Client, mailbox string) int {
	t.Helper()
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || st.NumMessages == nil {
		return 0
	}
	return int(*st.NumMessages)
}

// startMemIMAP runs go-imap's in-memory server with one user and INBOX.
func startMemIMAP(t testing.TB) imapPeer {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("support@example.test", "secret")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       nopIMAPLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return imapPeer{Addr: ln.Addr().String(), User: "support@example.test", Pass: "secret"}
}

type nopIMAPLogger struct{}

func (nopIMAPLogger) Printf(string, ...any) {}

// startDovecot runs a real Dovecot in the foreground on a free port, with
// the configuration of TESTING.md under a temp dir, until the test ends.
func startDovecot(t testing.TB) imapPeer {
	t.Helper()
	return startDovecotConf(t, dovecot.Template, nil)
}

// startDovecotConf runs Dovecot with conf and the extra files (name to
// content) in its temp dir; "D/" and PORT in both are replaced.
func startDovecotConf(t testing.TB, dovecotConf string, files map[string]string) imapPeer {
	t.Helper()
	bin := requireBinary(t, "dovecot")
	d, err := os.MkdirTemp("", "dovecot-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"run", "mail"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("chown", "dovecot:dovecot", filepath.Join(d, "mail")).CombinedOutput(); err != nil {
		t.Fatalf("chown mail dir: %v: %s", err, out)
	}
	port := freePort(t)
	conf := dovecot.Expand(dovecotConf, d, port)
	if err := os.WriteFile(filepath.Join(d, "dovecot.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "users"), []byte("support@example.test:{PLAIN}secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		content = dovecot.Expand(content, d, port)
		if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-F", "-c", filepath.Join(d, "dovecot.conf"))
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(d, "dovecot.log"))
			t.Fatalf("dovecot exited: %s\n%s", stderr.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dovecot not listening on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return imapPeer{Addr: addr, User: "support@example.test", Pass: "secret"}
}
