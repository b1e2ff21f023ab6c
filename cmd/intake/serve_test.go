package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestServeAnswersHealthzAndExitsOnSIGTERM(t *testing.T) {
	cfg := exampleConfig(t)
	replaceSMTPPort(t, cfg)
	g := startServe(t, cfg, "INTAKE_API_TOKEN=test-token")
	addr := g.addr
	for path, want := range map[string]int{"/readyz": 200, "/metrics": 200, "/api/v1/incidents": 401} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	status, body := apiGet(t, addr, "/api/v1/incidents", "test-token")
	if status != 200 || !strings.Contains(body, `"incidents"`) {
		t.Errorf("GET /api/v1/incidents with token = %d %s", status, body)
	}
	g.stop(t)
}

func TestServeRefusesUnreachableRedis(t *testing.T) {
	cfg := exampleConfig(t)
	data, _ := os.ReadFile(cfg)
	data = bytes.Replace(data, []byte("store: bolt:data/intake.db"), []byte("store: redis://127.0.0.1:1/0"), 1)
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runIntake(t, "", "serve", "-config", cfg, "-http", freeAddr(t))
	if code != 1 || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Fatalf("serve with unreachable Redis: exit %d, stderr %q; want exit 1 naming the address", code, stderr)
	}
}

func TestServeRefusesCorruptStore(t *testing.T) {
	cfg := exampleConfig(t)
	db := filepath.Join(filepath.Dir(cfg), "data", "intake.db")
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		t.Fatal(err)
	}
	garbage := bytes.Repeat([]byte("not a database "), 1000)
	if err := os.WriteFile(db, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runIntake(t, "", "serve", "-config", cfg, "-http", freeAddr(t))
	if code != 1 || !strings.Contains(stderr, "corrupt") {
		t.Fatalf("serve with a corrupt store: exit %d, stderr %q; want exit 1 saying corrupt", code, stderr)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(after, garbage) {
		t.Fatal("the corrupt store file was changed")
	}
}

func replaceSMTPPort(t *testing.T, cfg string) string {
	t.Helper()
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	data = bytes.Replace(data, []byte("addr: 127.0.0.1:2525"), []byte("addr: "+addr), 1)
	if err := os.WriteFile(cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return addr
}

// freeAddr returns a loopback address for the gateway to listen on. It is
// picked below the kernel's ephemeral range (32768 up): a port the kernel
// handed out for ":0" is free again once closed, and other tests' listeners
// and outgoing connections, which get ephemeral ports, could take it before
// the gateway binds it. No port is handed out twice in one run.
func freeAddr(t *testing.T) string {
	t.Helper()
	handedMu.Lock()
	defer handedMu.Unlock()
	for try := 0; try < 1000; try++ {
		port := 20000 + rand.IntN(12000)
		if handed[port] {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		addr := l.Addr().String()
		l.Close()
		handed[port] = true
		return addr
	}
	t.Fatal("no free loopback port between 20000 and 32000")
	return ""
}

var (
	handedMu sync.Mutex
	handed   = map[int]bool{}
)

func waitHTTP(url string, within time.Duration, exited <-chan error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for ctx.Err() == nil {
		select {
		case <-exited:
			return false
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// syncBuffer is a bytes.Buffer safe for a process writing while a test reads.
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

func waitLog(logs *syncBuffer, want string, n int, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Count(logs.String(), want) >= n {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func TestServeReloadsConfig(t *testing.T) {
	cfg := exampleConfig(t)
	replaceSMTPPort(t, cfg)
	g := startServe(t, cfg)
	logs, addr := g.logs, g.addr
	good, _ := os.ReadFile(cfg)
	bad := bytes.Replace(good, []byte("claim_within: 15m"), []byte("claim_within: soon"), 1)
	if err := os.WriteFile(cfg, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if !waitLog(logs, "configuration not reloaded", 1, 30*time.Second) {
		t.Fatalf("a broken config file was not refused; logs:\n%s", logs.String())
	}
	if err := os.WriteFile(cfg, bytes.Replace(good, []byte("threshold: 0.5"), []byte("threshold: 0.6"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if !waitLog(logs, "configuration reloaded", 1, 30*time.Second) {
		t.Fatalf("a changed valid config was not reloaded; logs:\n%s", logs.String())
	}
	if err := g.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if !waitLog(logs, "configuration reloaded", 2, 30*time.Second) {
		t.Fatalf("SIGHUP did not reload; logs:\n%s", logs.String())
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("gateway not healthy after reloads: %v", err)
	}
	g.stop(t)
}

func TestServeAnswersAnEmailIntoTheOutbox(t *testing.T) {
	cfg := exampleConfig(t)
	smtpAddr := replaceSMTPPort(t, cfg)
	g := startServe(t, cfg)
	logs := g.logs
	mail := "From: Ana <ana@cliente.example>\r\nTo: soporte@example.com\r\nSubject: No puedo entrar\r\n" +
		"Message-ID: <ana-1@cliente.example>\r\nDate: Wed, 25 Nov 2026 10:00:00 -0600\r\n\r\n" +
		"Hola, olvidé mi contraseña y no puedo entrar a mi cuenta.\r\n"
	// /healthz answers once HTTP serves; the SMTP listener binds as the
	// email adapter starts, a moment later, and /readyz waits for it: once
	// it says ready, the first connection must be taken.
	g.waitReady(t)
	if err := smtp.SendMail(smtpAddr, nil, "ana@cliente.example", []string{"soporte@example.com"}, []byte(mail)); err != nil {
		t.Fatalf("SendMail = %v; logs:\n%s", err, logs.String())
	}
	outbox := filepath.Join(filepath.Dir(cfg), "outbox")
	var reply []byte
	deadline := time.Now().Add(10 * time.Second)
	for reply == nil && time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
		if len(files) > 0 {
			reply, _ = os.ReadFile(files[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
	if reply == nil {
		t.Fatalf("no reply in %s; logs:\n%s", outbox, logs.String())
	}
	for _, want := range []string{"To: <ana@cliente.example>", "In-Reply-To: <ana-1@cliente.example>", "[INC-000001]", "Auto-Submitted: auto-replied"} {
		if !bytes.Contains(reply, []byte(want)) {
			t.Errorf("reply lacks %q:\n%s", want, reply)
		}
	}
	// The embedded store of example.yaml: the listener's journal is
	// reported, and empty once the mail was answered.
	if _, metrics := httpGet(t, "http://"+g.addr+"/metrics"); !strings.Contains(metrics, `intake_queue_depth{queue="smtp.journal"} 0`) {
		t.Errorf("/metrics lacks the empty SMTP journal:\n%s", metrics)
	}
	g.stop(t)
}

// gateway is a running `intake serve`.
type gateway struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan error
}

// startServe runs serve on cfg with a free HTTP port and waits for /healthz.
func startServe(t *testing.T, cfg string, env ...string) *gateway {
	t.Helper()
	g := &gateway{addr: freeAddr(t), logs: &syncBuffer{}, done: make(chan error, 1)}
	g.cmd = exec.Command(binary, "serve", "-config", cfg, "-http", g.addr)
	g.cmd.Env = append(os.Environ(), env...)
	g.cmd.Stdout, g.cmd.Stderr = g.logs, g.logs
	start := time.Now()
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { g.done <- g.cmd.Wait() }()
	t.Cleanup(func() { _ = g.cmd.Process.Kill() })
	// The time to /healthz is logged, not asserted: a loaded machine may
	// take a while to start the binary and train the classifier.
	if !waitHTTP("http://"+g.addr+"/healthz", 60*time.Second, g.done) {
		t.Fatalf("no /healthz answer within 60s of start; logs:\n%s", g.logs.String())
	}
	t.Logf("/healthz answered %s after start", time.Since(start).Round(time.Millisecond))
	return g
}

// apiGet sends an authenticated GET to the incidents API and returns the
// status and body.
func apiGet(t *testing.T, addr, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitReady waits up to 20 s for /readyz to answer 200: the store answers
// and the SMTP listener is bound.
func (g *gateway) waitReady(t *testing.T) {
	t.Helper()
	if !waitHTTP("http://"+g.addr+"/readyz", 20*time.Second, g.done) {
		t.Fatalf("/readyz never answered 200; logs:\n%s", g.logs.String())
	}
}

// stop sends SIGTERM and expects exit 0 within 15 s.
func (g *gateway) stop(t *testing.T) {
	t.Helper()
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-g.done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v, want exit 0; logs:\n%s", err, g.logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("serve did not exit within 15s of SIGTERM; logs:\n%s", g.logs.String())
	}
}

// TestServeKilledDuringIntakeLosesNothing kills the gateway with SIGKILL
// while customers are mailing it, restarts it on the same store, lets the
// senders retry what was not accepted (as mail servers do), and checks that
// every mail got exactly one incident and one reply.
func TestServeKilledDuringIntakeLosesNothing(t *testing.T) {
	cfg := exampleConfig(t)
	smtpAddr := replaceSMTPPort(t, cfg)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Messages the killed process had taken come back after 2s, not 2m.
	if _, err := f.WriteString("\nqueues: {redeliver_after: 2s}\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	const mails = 30
	send := func(i int) error {
		from := fmt.Sprintf("cliente%d@cliente.example", i)
		msg := fmt.Sprintf("From: <%s>\r\nTo: soporte@example.com\r\nSubject: Caso %d\r\nMessage-ID: <kill-%d@cliente.example>\r\n\r\n"+
			"La impresora %d no imprime desde ayer.\r\n", from, i, i, i)
		return smtp.SendMail(smtpAddr, nil, from, []string{"soporte@example.com"}, []byte(msg))
	}
	g := startServe(t, cfg, "INTAKE_API_TOKEN=tok")
	g.waitReady(t)
	accepted := map[int]bool{}
	for i := 0; i < mails; i++ {
		if i == 12 {
			if err := g.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-g.done
		}
		if send(i) == nil {
			accepted[i] = true
		}
	}
	if len(accepted) < 12 || len(accepted) == mails {
		t.Fatalf("%d mails accepted around the kill, want the first 12 and not the rest", len(accepted))
	}
	g2 := startServe(t, cfg, "INTAKE_API_TOKEN=tok")
	g2.waitReady(t)
	for i := 0; i < mails; i++ {
		if !accepted[i] {
			if err := send(i); err != nil {
				t.Fatalf("resend %d after restart: %v", i, err)
			}
		}
	}
	expectAnsweredOnce(t, g2, cfg, "kill-", mails, 20*time.Second)
	g2.stop(t)
}

// outboxReplies lists the reply files the gateway of cfg wrote.
func outboxReplies(cfg string) []string {
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg), "outbox", "*.eml"))
	return files
}

// expectAnsweredOnce waits up to within for replies to the mails numbered 0
// to mails-1 whose Message-IDs start with prefix, then checks that every
// reply answers one of them, each exactly once, and that g's API (token
// "tok") lists one incident per mail.
func expectAnsweredOnce(t *testing.T, g *gateway, cfg, prefix string, mails int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for len(outboxReplies(cfg)) < mails && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show
	inReplyTo := regexp.MustCompile(`In-Reply-To: <(` + regexp.QuoteMeta(prefix) + `\d+)@`)
	answered := map[string]int{}
	for _, p := range outboxReplies(cfg) {
		b, _ := os.ReadFile(p)
		m := inReplyTo.FindSubmatch(b)
		if m == nil {
			t.Errorf("%s answers no customer mail", filepath.Base(p))
			continue
		}
		answered[string(m[1])]++
	}
	if len(answered) != mails {
		t.Errorf("%d mails answered, want %d; logs after restart:\n%s", len(answered), mails, g.logs.String())
	}
	for id, n := range answered {
		if n != 1 {
			t.Errorf("%s answered %d times, want once", id, n)
		}
	}
	_, body := apiGet(t, g.addr, "/api/v1/incidents?limit=1000", "tok")
	if n := strings.Count(body, `"id": "INC-`); n != mails {
		t.Errorf("%d incidents, want %d", n, mails)
	}
}
