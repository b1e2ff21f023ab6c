package email

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/intake-support/intake/config"
)

// deliverSMTP hands raw to the smtp_out relay, one step at a time so that an
// answer is judged by the step it came at (see classifySMTP).
func (a *Adapter) deliverSMTP(ctx context.Context, to string, raw []byte) error {
	out := a.cfg.SMTPOut
	c, err := a.dialSMTP(ctx)
	if err != nil {
		return fmt.Errorf("smtp_out %s: %w", out.Addr, err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.CommandTimeout = time.Until(dl)
	} else {
		c.CommandTimeout = 2 * time.Minute
	}
	if err := c.Hello(a.domain); err != nil {
		return classifySMTP(stageConnect, fmt.Errorf("smtp_out greeting: %w", err))
	}
	if err := a.authSMTP(ctx, c); err != nil {
		return err
	}
	from := a.local + "@" + a.domain
	var opts *smtp.MailOptions
	if !isASCII(from) || !isASCII(to) {
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(from, opts); err != nil {
		return classifySMTP(stageMail, fmt.Errorf("smtp_out MAIL FROM: %w", err))
	}
	if err := c.Rcpt(to, nil); err != nil {
		return classifySMTP(stageRcpt, fmt.Errorf("smtp_out RCPT TO: %w", err))
	}
	w, err := c.Data()
	if err == nil {
		_, err = w.Write(raw)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return classifySMTP(stageData, fmt.Errorf("smtp_out DATA: %w", err))
	}
	_ = c.Quit()
	return nil
}

func (a *Adapter) dialSMTP(ctx context.Context) (*smtp.Client, error) {
	out := a.cfg.SMTPOut
	tc := a.tlsConfig(out.Addr)
	d := net.Dialer{Timeout: 30 * time.Second}
	switch out.TLS {
	case config.TLSImplicit:
		conn, err := (&tls.Dialer{NetDialer: &d, Config: tc}).DialContext(ctx, "tcp", out.Addr)
		if err != nil {
			return nil, err
		}
		return smtp.NewClient(conn), nil
	case config.TLSNone:
		conn, err := d.DialContext(ctx, "tcp", out.Addr)
		if err != nil {
			return nil, err
		}
		return smtp.NewClient(conn), nil
	default: // starttls, the safe default for a relay on port 587
		conn, err := d.DialContext(ctx, "tcp", out.Addr)
		if err != nil {
			return nil, err
		}
		c, err := smtp.NewClientStartTLS(conn, tc)
		if err != nil {
			_ = conn.Close()
			return nil, classifySMTP(stageConnect, err)
		}
		return c, nil
	}
}

// tlsConfig is the client TLS configuration for a server at addr.
func (a *Adapter) tlsConfig(addr string) *tls.Config {
	var c *tls.Config
	if a.opts.tls != nil {
		c = a.opts.tls.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			c.ServerName = host
		}
	}
	return c
}

// outboxTempPattern names the temporary files of writeOutboxFile: hidden (a
// leading dot) and without the .eml suffix, so that whoever collects the
// finished mails with a *.eml pattern never reads one half written (Go's
// filepath.Glob, unlike a shell, matches leading dots).
const outboxTempPattern = ".tmp-*.part"

// cleanOutboxDir removes the temporary files a killed process left (and
// those of versions that named them .tmp-*.eml): their replies were not
// marked sent, so the outbox writes them again.
func cleanOutboxDir(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	for _, name := range old {
		_ = os.Remove(name)
	}
}

// writeOutboxFile writes raw as dir/<id>.eml atomically: a temp file in the
// same folder, synced, renamed over the final name, and the folder synced.
// Rewriting the same reply gives the same file.
func writeOutboxFile(dir, id string, raw []byte) error {
	name := filepath.Join(dir, safeFileName(id)+".eml")
	f, err := os.CreateTemp(dir, outboxTempPattern)
	if err != nil {
		return fmt.Errorf("outbox_dir: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(raw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("outbox_dir: write %s: %w", name, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// safeFileName keeps letters, digits, '.', '-', '_' and '@'.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '@':
			return r
		}
		return '_'
	}, s)
}
