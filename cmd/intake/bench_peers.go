package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/intake-support/intake/internal/dovecot"
)

// The peers `intake bench` starts for itself on loopback: a redis-server
// that fsyncs every write (the durability the README asks for) and a
// Dovecot configured as the email tests configure theirs. Each lives in a
// temp dir and is stopped by the function returned with it.

// benchAddr returns a free loopback address below the kernel's ephemeral
// range (32768 up), where outgoing connections never take it between the
// pick and the bind.
func benchAddr() (string, error) {
	for range 200 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+mrand.IntN(12000))
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			_ = ln.Close()
			return addr, nil
		}
	}
	return "", errors.New("no free loopback port between 20000 and 32000")
}

// waitListening waits until addr accepts connections or the process exits.
func waitListening(addr string, exited <-chan struct{}, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before listening on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening on %s after %s", addr, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startDaemon runs cmd until stop is called; it is ready once addr listens.
func startDaemon(name string, cmd *exec.Cmd, addr string) (stop func(), err error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	if err := waitListening(addr, exited, 10*time.Second); err != nil {
		stop()
		return nil, fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(out.String()))
	}
	return stop, nil
}

// startBenchRedis runs a redis-server with appendfsync always and returns its
// redis:// URL.
func startBenchRedis(dir string) (url string, stop func(), err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, fmt.Errorf("redis-server not installed (or pass -redis URL): %w", err)
	}
	addr, err := benchAddr()
	if err != nil {
		return "", nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	data := filepath.Join(dir, "redis")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", port, "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--dir", data)
	stop, err = startDaemon("redis-server", cmd, addr)
	if err != nil {
		return "", nil, err
	}
	return "redis://" + addr + "/0", stop, nil
}

// redisPrefixed gives each gateway run keys of its own on a shared Redis.
func redisPrefixed(url string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "prefix=intakebench:" + strings.ToLower(rand.Text()[:8]) + ":"
}

// imapAccount is a mailbox on the bench's Dovecot.
type imapAccount struct{ addr, user, pass string }

// benchDovecot is a Dovecot with users bench0..bench<n-1>@example.test.
type benchDovecot struct {
	addr  string
	next  int
	users int
}

// account hands out a user nobody else in this run has used.
func (d *benchDovecot) account() (imapAccount, error) {
	if d.next >= d.users {
		return imapAccount{}, fmt.Errorf("all %d Dovecot users are taken", d.users)
	}
	d.next++
	return imapAccount{addr: d.addr, user: fmt.Sprintf("bench%d@example.test", d.next-1), pass: "secret"}, nil
}

// startBenchDovecot runs Dovecot in the foreground with users mailboxes.
func startBenchDovecot(dir string, users int) (*benchDovecot, func(), error) {
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		return nil, nil, fmt.Errorf("dovecot not installed: %w", err)
	}
	d := filepath.Join(dir, "dovecot")
	for _, sub := range []string{"run", "mail"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			return nil, nil, err
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, nil, err
	}
	if out, err := exec.Command("chown", "dovecot:dovecot", filepath.Join(d, "mail")).CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("chown the mail folder to dovecot: %v: %s", err, out)
	}
	addr, err := benchAddr()
	if err != nil {
		return nil, nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	portNum, err := strconv.Atoi(port)
	if err != nil {
		return nil, nil, err
	}
	conf := dovecot.Expand(dovecot.Template, d, portNum)
	if err := os.WriteFile(filepath.Join(d, "dovecot.conf"), []byte(conf), 0o644); err != nil {
		return nil, nil, err
	}
	var list strings.Builder
	for i := range users {
		fmt.Fprintf(&list, "bench%d@example.test:{PLAIN}secret\n", i)
	}
	if err := os.WriteFile(filepath.Join(d, "users"), []byte(list.String()), 0o644); err != nil {
		return nil, nil, err
	}
	stop, err := startDaemon("dovecot", exec.Command(bin, "-F", "-c", filepath.Join(d, "dovecot.conf")), addr)
	if err != nil {
		return nil, nil, err
	}
	return &benchDovecot{addr: addr, users: users}, stop, nil
}

// untilCtx sleeps d or until ctx is done.
func untilCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
