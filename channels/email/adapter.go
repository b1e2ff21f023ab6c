// Package email is the email channel of intake: it reads mail by IMAP and
// an SMTP listener, normalizes it with package mailparse, applies the
// per-sender rate limit and hands each message to the spine's inbox; and it
// carries replies back to customers by SMTP or as .eml files. Threading by
// sender and bounce notes are the spine's: the adapter only puts what the
// mail says on the message (thread keys, the sender window, the bounce).
package email

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"strings"
	"sync"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/email/mailparse"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
)

// ErrConfig is returned by New for a configuration it cannot use.
var ErrConfig = errors.New("email: bad configuration")

// Adapter is the email channels.Adapter: it reads mail by IMAP and/or an
// SMTP listener, hands each message to the inbox, and sends replies through
// smtp_out or as .eml files into outbox_dir.
type Adapter struct {
	cfg    config.Email
	st     Store
	log    *slog.Logger
	opts   options
	local  string // local part of cfg.Address
	domain string // domain of cfg.Address
	ours   []string

	mu      sync.Mutex
	smtpSrv *smtpServer
	// imapToken and smtpToken hold the OAuth2 tokens of IMAP and smtp_out
	// (nil: password).
	imapToken, smtpToken *mailToken
}

var (
	_ channels.Adapter = (*Adapter)(nil)
	_ channels.Spooler = (*Adapter)(nil)
)

// Store is what the adapter keeps in the store: the IMAP poller lease and
// the per-sender rate windows. It never reads or writes incidents:
// threading and bounce notes are the spine's.
type Store interface {
	store.Windows
	store.Leases
	// Ping reports whether the store answers, to tell a store outage from a
	// mailbox one.
	Ping(ctx context.Context) error
}

// New returns an adapter for cfg; it connects when Run is called.
func New(cfg config.Email, st Store, logger *slog.Logger, opts ...Option) (*Adapter, error) {
	addr, err := mail.ParseAddress(cfg.Address)
	if err != nil || !strings.Contains(addr.Address, "@") {
		return nil, fmt.Errorf("%w: address %q is not an email address", ErrConfig, cfg.Address)
	}
	if st == nil {
		return nil, fmt.Errorf("%w: no store", ErrConfig)
	}
	for _, mode := range []string{cfg.IMAP.TLS, cfg.SMTPOut.TLS} {
		switch mode {
		case "", config.TLSImplicit, config.TLSStartTLS, config.TLSNone:
		default:
			return nil, fmt.Errorf("%w: unknown tls mode %q", ErrConfig, mode)
		}
	}
	for _, o := range []config.OAuth2{cfg.IMAP.OAuth2, cfg.SMTPOut.OAuth2} {
		if o.Enabled() && o.Mechanism != config.MechXOAUTH2 && o.Mechanism != config.MechOAuthBearer {
			return nil, fmt.Errorf("%w: unknown oauth2 mechanism %q", ErrConfig, o.Mechanism)
		}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.holder == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.holder = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	at := strings.LastIndexByte(addr.Address, '@')
	a := &Adapter{
		cfg:    cfg,
		st:     st,
		log:    logger.With("channel", intake.ChannelEmail),
		opts:   o,
		local:  addr.Address[:at],
		domain: strings.ToLower(addr.Address[at+1:]),
		ours:   []string{strings.ToLower(addr.Address)},
	}
	a.imapToken = newMailToken("imap", cfg.IMAP.OAuth2, o.now)
	a.smtpToken = newMailToken("smtp_out", cfg.SMTPOut.OAuth2, o.now)
	if cfg.IMAP.Enabled() && cfg.IMAP.Mailbox == "" {
		a.cfg.IMAP.Mailbox = "INBOX"
	}
	if cfg.OutboxDir != "" {
		// Created now so that a folder we cannot write is a start-up error,
		// not a reply retried forever.
		if err := os.MkdirAll(cfg.OutboxDir, 0o750); err != nil {
			return nil, fmt.Errorf("outbox_dir: %w", err)
		}
		cleanOutboxDir(cfg.OutboxDir)
	}
	return a, nil
}

// Channel returns intake.ChannelEmail.
func (a *Adapter) Channel() intake.Channel { return intake.ChannelEmail }

// Run reads mail by IMAP and the SMTP listener, whichever is configured,
// until ctx is done. It returns nil on cancellation, or the error that made
// the SMTP listener stop; IMAP errors are retried with backoff.
func (a *Adapter) Run(ctx context.Context, inbox channels.Inbox) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	n := 0
	if a.cfg.IMAP.Enabled() {
		n++
		go func() { errc <- a.runIMAP(ctx, inbox) }()
	}
	if a.cfg.SMTPListen.Enabled() {
		srv, err := a.listenSMTP(inbox)
		if err != nil {
			cancel()
			for ; n > 0; n-- {
				<-errc
			}
			return err
		}
		n++
		go func() { errc <- srv.serve(ctx) }()
	}
	if n == 0 {
		<-ctx.Done() // send-only: nothing to read, but stay up like the others
		return nil
	}
	var first error
	for ; n > 0; n-- {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	if ctx.Err() != nil && first != nil && errors.Is(first, context.Canceled) {
		return nil
	}
	return first
}

// Ready reports whether the SMTP listener of smtp_listen is bound; an adapter
// without one is ready at once. An OAuth2 token endpoint that refused the
// credentials of IMAP or smtp_out (invalid_client...) makes it unready too:
// a configuration fault that no retry mends, unlike a server that is down.
func (a *Adapter) Ready() error {
	for _, t := range []*mailToken{a.imapToken, a.smtpToken} {
		if err := t.ready(); err != nil {
			return err
		}
	}
	if !a.cfg.SMTPListen.Enabled() {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.smtpSrv == nil {
		return fmt.Errorf("SMTP listener on %s not bound yet", a.cfg.SMTPListen.Addr)
	}
	return nil
}

// SMTPAddr returns the address the SMTP listener is bound to once Run has
// started it ("" before), useful with smtp_listen addr 127.0.0.1:0.
func (a *Adapter) SMTPAddr() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.smtpSrv == nil {
		return ""
	}
	return a.smtpSrv.ln.Addr().String()
}

func (a *Adapter) normalizeOptions() mailparse.NormalizeOptions {
	return mailparse.NormalizeOptions{
		OurAddresses:   a.ours,
		MaxSize:        int64(a.cfg.MaxSize),
		MaxAttachment:  int64(a.cfg.MaxAttachment),
		DetectLanguage: a.opts.detectLang,
		Now:            a.opts.now,
	}
}
