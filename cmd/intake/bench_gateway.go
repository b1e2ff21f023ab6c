package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchGateway is one `intake serve` run by the bench: a binary (this one or
// an older build) with a configuration generated from the example one in a
// temp dir of its own.
type benchGateway struct {
	dir      string
	smtpAddr string
	httpAddr string
	outbox   string
	cmd      *exec.Cmd
	exited   chan struct{}
	log      *os.File
}

// gatewaySetup says how to configure one gateway run.
type gatewaySetup struct {
	bin     string
	example string // the example configuration; its kb/ folder is copied
	store   string // bolt:PATH or a redis:// URL; empty: bolt in the run's dir
	imap    *imapAccount
	pprof   bool // serve /debug/pprof/ (http.pprof)
}

// writeGatewayConfig writes dir/intake.yaml and dir/kb from the example,
// with the store, fresh ports and, when given, the IMAP account.
func writeGatewayConfig(dir string, s gatewaySetup) (cfg, smtpAddr, httpAddr string, err error) {
	raw, err := os.ReadFile(s.example)
	if err != nil {
		return "", "", "", fmt.Errorf("read the example configuration: %w", err)
	}
	if err := copyDir(filepath.Join(filepath.Dir(s.example), "kb"), filepath.Join(dir, "kb")); err != nil {
		return "", "", "", fmt.Errorf("copy the knowledge base: %w", err)
	}
	if smtpAddr, err = benchAddr(); err != nil {
		return "", "", "", err
	}
	if httpAddr, err = benchAddr(); err != nil {
		return "", "", "", err
	}
	text := string(raw)
	store := s.store
	if store == "" {
		store = "bolt:data/intake.db"
	}
	imapLine := ""
	if s.imap != nil {
		imapLine = fmt.Sprintf("    imap: {addr: %q, tls: none, username: %q, password: %q, mailbox: INBOX, done_mailbox: Done}\n",
			s.imap.addr, s.imap.user, s.imap.pass)
	}
	for _, r := range []struct{ old, new string }{
		{"store: bolt:data/intake.db", "store: " + strconv.Quote(store)},
		{"listen: 127.0.0.1:8080", "listen: " + httpAddr},
		{"addr: 127.0.0.1:2525", "addr: " + smtpAddr},
		{"    smtp_listen:\n", imapLine + "    smtp_listen:\n"},
	} {
		if !strings.Contains(text, r.old) {
			return "", "", "", fmt.Errorf("the example configuration has no %q to replace", strings.TrimSpace(r.old))
		}
		text = strings.Replace(text, r.old, r.new, 1)
	}
	if s.pprof {
		text = strings.Replace(text, "listen: "+httpAddr, "listen: "+httpAddr+"\n  pprof: true", 1)
	}
	text += "\ninstance: bench\n"
	cfg = filepath.Join(dir, "intake.yaml")
	return cfg, smtpAddr, httpAddr, os.WriteFile(cfg, []byte(text), 0o600)
}

func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
}

// newGatewayDir makes the run's folder with its configuration, so that a
// store can be preloaded before the gateway starts.
func newGatewayDir(parent string, s gatewaySetup) (*benchGateway, string, error) {
	dir, err := os.MkdirTemp(parent, "gateway-*")
	if err != nil {
		return nil, "", err
	}
	cfg, smtpAddr, httpAddr, err := writeGatewayConfig(dir, s)
	if err != nil {
		return nil, "", err
	}
	return &benchGateway{dir: dir, smtpAddr: smtpAddr, httpAddr: httpAddr, outbox: filepath.Join(dir, "outbox")}, cfg, nil
}

// start runs `bin serve -config cfg` and waits for /readyz.
func (g *benchGateway) start(ctx context.Context, bin, cfg string) error {
	log, err := os.Create(filepath.Join(g.dir, "gateway.log"))
	if err != nil {
		return err
	}
	g.log = log
	g.cmd = exec.Command(bin, "serve", "-config", cfg)
	g.cmd.Stdout, g.cmd.Stderr = log, log
	g.cmd.Env = append(os.Environ(), "INTAKE_API_TOKEN=bench-token")
	if err := g.cmd.Start(); err != nil {
		return fmt.Errorf("start %s serve: %w", bin, err)
	}
	g.exited = make(chan struct{})
	go func() { _ = g.cmd.Wait(); close(g.exited) }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get("http://" + g.httpAddr + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-g.exited:
			return fmt.Errorf("gateway exited before ready: %s", g.logTail())
		case <-ctx.Done():
			g.stop()
			return ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			g.stop()
			return fmt.Errorf("gateway not ready after 2 minutes: %s", g.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logTail is the end of the gateway's log, for errors.
func (g *benchGateway) logTail() string {
	b, _ := os.ReadFile(filepath.Join(g.dir, "gateway.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// memory reads the gateway's high-water resident set (VmHWM), its resident
// set now (VmRSS) and the part of that which is mapped files (RssFile: the
// binary and the embedded store's mmap), in bytes.
func (g *benchGateway) memory() (peak, now, file int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", g.cmd.Process.Pid))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read the gateway's RSS: %w", err)
	}
	defer f.Close()
	fields := map[string]*int64{"VmHWM:": &peak, "VmRSS:": &now, "RssFile:": &file}
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, _ := strings.Cut(sc.Text(), "\t")
		if dst, ok := fields[name]; ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, 0, 0, fmt.Errorf("%s %q: %w", name, rest, err)
			}
			*dst = kb * 1024
			found++
		}
	}
	if found != len(fields) {
		return 0, 0, 0, errors.New("no VmHWM, VmRSS or RssFile in /proc status")
	}
	return peak, now, file, nil
}

// stop sends SIGTERM, waits for the drain, and kills after 30 s.
func (g *benchGateway) stop() {
	if g.cmd == nil || g.cmd.Process == nil {
		return
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(30 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.exited
	}
	if g.log != nil {
		_ = g.log.Close()
	}
}

// replyWatch finds the replies in an outbox_dir: the customer mail each one
// answers (In-Reply-To) and when it was written (the file's mtime, so the
// poll interval does not blur the figures).
type replyWatch struct {
	dir   string
	read  map[string]bool
	first map[string]time.Time
}

func newReplyWatch(dir string) *replyWatch {
	return &replyWatch{dir: dir, read: map[string]bool{}, first: map[string]time.Time{}}
}

var inReplyTo = regexp.MustCompile(`(?m)^In-Reply-To: <([^>]+)>`)

// scan reads the reply files not read before.
func (w *replyWatch) scan() {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return // not made yet
	}
	for _, e := range entries {
		name := e.Name()
		if w.read[name] || !strings.HasSuffix(name, ".eml") || strings.HasPrefix(name, ".tmp-") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(w.dir, name))
		if err != nil {
			continue
		}
		w.read[name] = true
		head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
		if m := inReplyTo.FindSubmatch(head); m != nil {
			id := string(m[1])
			if t, ok := w.first[id]; !ok || info.ModTime().Before(t) {
				w.first[id] = info.ModTime()
			}
		}
	}
}

// wait returns when every id has a reply, or after timeout; last is the
// latest first reply, missing how many ids had none.
func (w *replyWatch) wait(ctx context.Context, ids []string, timeout time.Duration) (last time.Time, missing int, err error) {
	deadline := time.Now().Add(timeout)
	for {
		w.scan()
		missing, last = 0, time.Time{}
		for _, id := range ids {
			t, ok := w.first[id]
			if !ok {
				missing++
			} else if t.After(last) {
				last = t
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			return last, missing, nil
		}
		if err := untilCtx(ctx, 25*time.Millisecond); err != nil {
			return last, missing, err
		}
	}
}
