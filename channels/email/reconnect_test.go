package email

import (
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	redisstore "github.com/intake-support/intake/store/redis"
)

// cutProxy forwards TCP connections to an upstream server and can drop them
// all at once (a network cut) or refuse new ones for a while (server down).
type cutProxy struct {
	ln       net.Listener
	upstream string

	mu       sync.Mutex
	conns    []net.Conn
	down     bool
	attempts int // connections accepted while down
}

func startCutProxy(t *testing.T, upstream string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, upstream: upstream}
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.attempts++
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		u, err := net.Dial("tcp", p.upstream)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(u, c); _ = u.Close() }()
		go func() { _, _ = io.Copy(c, u); _ = c.Close() }()
	}
}

// cut closes every open connection.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// setDown makes the proxy refuse (true) or forward (false) new connections
// and returns how many were refused since the last call.
func (p *cutProxy) setDown(down bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	n := p.attempts
	p.attempts = 0
	return n
}

// The connection to the IMAP server drops, the server stays unreachable for
// a second, then comes back: the poller reconnects with backoff (neither
// giving up nor spinning) and takes every mail appended meanwhile, exactly
// once.
func TestIMAPIntakeReconnectsAfterACut(t *testing.T) {
	srv := startMemIMAP(t)
	c := srv.Client(t)
	proxy := startCutProxy(t, srv.Addr)
	cfg := imapConfig(srv, "Done", "")
	cfg.IMAP.Addr = proxy.ln.Addr().String()
	_, inboxLen := runIMAPIntake(t, cfg)

	appendMail(t, c, "INBOX", customerMail("ana@cliente.test", "cut-1@cliente.test", "uno", "primero"))
	waitFor(t, 20*time.Second, "the first mail stored", func() bool { return inboxLen() == 1 })

	proxy.setDown(true)
	proxy.cut()
	for i := 2; i <= 3; i++ {
		appendMail(t, c, "INBOX", customerMail("ana@cliente.test", fmt.Sprintf("cut-%d@cliente.test", i), "otro", "durante el corte"))
	}
	time.Sleep(time.Second)
	if n := inboxLen(); n != 1 {
		t.Fatalf("inbox holds %d while the server is unreachable, want 1", n)
	}
	// The backoff starts at 20 ms and doubles up to 100 ms: a second down
	// allows about a dozen tries, and never more than 50.
	attempts := proxy.setDown(false)
	if attempts < 2 || attempts > 25 {
		t.Errorf("%d connection attempts in the second the server was down, want 2-25 (retrying with backoff)", attempts)
	}
	waitFor(t, 20*time.Second, "the mails sent during the cut stored", func() bool { return inboxLen() == 3 })
	waitFor(t, 20*time.Second, "INBOX emptied into Done", func() bool { return countMailbox(t, c, "INBOX") == 0 })
	if n := countMailbox(t, c, "Done"); n != 3 {
		t.Errorf("Done holds %d, want 3", n)
	}
	time.Sleep(300 * time.Millisecond) // a few more polls: nothing is taken twice
	if n := inboxLen(); n != 3 {
		t.Errorf("inbox holds %d after reconnecting, want exactly 3", n)
	}
}

// startRedis runs a redis-server of the test's own on a free port (the
// test changes its configuration), keeping nothing on disk.
func startRedis(t testing.TB) string {
	t.Helper()
	bin := requireBinary(t, "redis-server")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitPort(t, addr, 10*time.Second)
	return addr
}

// A store that answers pings but refuses writes (Redis past maxmemory) is an
// outage, not a run of poison messages: the lease renewal before each drain
// is a write, so the poller stops instead of failing each mail three times
// and moving it aside. The mails stay in INBOX and are all taken once the
// store takes writes again.
func TestIMAPIntakeWaitsOutAStoreThatRefusesWrites(t *testing.T) {
	addr := startRedis(t)
	ctx := context.Background()
	s, err := redisstore.Open(ctx, "redis://"+addr+"/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	admin := goredis.NewClient(&goredis.Options{Addr: addr})
	t.Cleanup(func() { _ = admin.Close() })

	srv := startMemIMAP(t)
	c := srv.Client(t)
	_, inboxLen := runIMAPIntakeOn(t, imapConfig(srv, "Done", "Failed"), s)
	appendMail(t, c, "INBOX", customerMail("ana@cliente.test", "full-0@cliente.test", "antes", "antes del corte"))
	waitFor(t, 20*time.Second, "the first mail stored", func() bool { return inboxLen() == 1 })

	if err := admin.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		appendMail(t, c, "INBOX", customerMail("ana@cliente.test", fmt.Sprintf("full-%d@cliente.test", i), "lleno", "con la memoria llena"))
	}
	time.Sleep(1500 * time.Millisecond) // many 100 ms polls: well past 3 tries
	if n := countMailbox(t, c, "INBOX"); n != 2 {
		t.Fatalf("INBOX holds %d while the store refuses writes, want both mails left there", n)
	}
	if err := admin.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the mails stored once the store takes writes", func() bool { return inboxLen() == 3 })
	waitFor(t, 20*time.Second, "INBOX emptied into Done", func() bool { return countMailbox(t, c, "INBOX") == 0 })
	if n := countMailbox(t, c, "Done"); n != 3 {
		t.Errorf("Done holds %d, want 3", n)
	}
}
