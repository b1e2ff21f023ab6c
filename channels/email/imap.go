package email

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
)

// IMAP checkpointing. The mailbox itself is the checkpoint: a message is
// moved to done_mailbox (or, without one, flagged \Seen and $IntakeDone)
// only after inbox.Accept returned nil, so whatever is still in the mailbox
// unflagged is exactly what is not yet stored. A crash between Accept and
// the move means the message is read again; the inbox and the worker
// deduplicate it by Message-ID. UIDVALIDITY and the last UID are therefore
// not needed for correctness and are not persisted: a UIDVALIDITY change
// (a rebuilt mailbox) is only logged, and the next search finds whatever is
// left. Messages Normalize refuses, oversized ones and ones that failed
// maxTries times go to failed_mailbox (or are flagged $IntakeFailed) for a
// human, never retried in a loop.
const (
	flagDone   imap.Flag = "$IntakeDone"
	flagFailed imap.Flag = "$IntakeFailed"
	// fetchBatch bounds the messages of one chunk: one body FETCH, one
	// inbox write and one move or flag command. A crash between the write
	// and the move reads up to this many again (the inbox skips them).
	fetchBatch = 500
	// batchBytes bounds the bodies of one chunk (a message over it is
	// fetched on its own); a drain holds two chunks at most, the one being
	// stored and the next one being fetched.
	batchBytes = 16 << 20
	// defaultPoll is the polling interval when IDLE is unavailable.
	defaultPoll = 30 * time.Second
)

// errLeaseLost ends a session whose poller lease another instance took.
var errLeaseLost = errors.New("imap poller lease lost")

func (a *Adapter) leaseName() string {
	c := a.cfg.IMAP
	return "imap:" + c.Addr + "/" + c.Username + "/" + c.Mailbox
}

func (a *Adapter) pollInterval() time.Duration {
	if p := a.cfg.IMAP.PollInterval; p > 0 {
		return p
	}
	return defaultPoll
}

// runIMAP holds the poller lease and keeps one IMAP session going,
// reconnecting with backoff, until ctx is done.
func (a *Adapter) runIMAP(ctx context.Context, inbox channels.Inbox) error {
	lease := a.leaseName()
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.st.ReleaseLease(rctx, lease, a.opts.holder)
	}()
	p := &imapPoller{a: a, inbox: inbox, tries: map[imap.UID]int{}}
	delay := a.opts.backoffMin
	for ctx.Err() == nil {
		err := a.st.AcquireLease(ctx, lease, a.opts.holder, a.leaseTTL())
		if errors.Is(err, store.ErrLeaseHeld) {
			a.log.Debug("another instance polls the mailbox", "lease", lease)
			_ = sleep(ctx, a.pollInterval())
			continue
		}
		start := time.Now()
		if err == nil {
			err = p.session(ctx)
		}
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > time.Minute {
			delay = a.opts.backoffMin
		}
		a.log.Warn("imap session ended; reconnecting", "in", delay, "err", err)
		_ = sleep(ctx, delay)
		delay = min(2*delay, a.opts.backoffMax)
	}
	return nil
}

// imapPoller is the state kept across IMAP sessions.
type imapPoller struct {
	a           *Adapter
	inbox       channels.Inbox
	uidValidity uint32
	// tries counts failed attempts per UID within one UIDVALIDITY; in memory
	// only, so a restart gives a poison message maxTries more attempts.
	tries map[imap.UID]int
	// renewed is when the poller lease was last renewed.
	renewed time.Time
}

// dial connects and logs in according to the TLS mode.
func (a *Adapter) dialIMAP(ctx context.Context, wake chan<- struct{}) (*imapclient.Client, error) {
	c := a.cfg.IMAP
	opts := &imapclient.Options{
		TLSConfig: a.tlsConfig(c.Addr),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var cl *imapclient.Client
	var err error
	switch c.TLS {
	case config.TLSNone:
		cl, err = imapclient.DialInsecure(c.Addr, opts)
	case config.TLSStartTLS:
		cl, err = imapclient.DialStartTLS(c.Addr, opts)
	default:
		cl, err = imapclient.DialTLS(c.Addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("imap dial %s: %w", c.Addr, err)
	}
	if err := a.loginIMAP(ctx, cl); err != nil {
		_ = cl.Close()
		return nil, err
	}
	return cl, nil
}

// session runs one connection: select, drain, wait (IDLE or poll), repeat.
func (p *imapPoller) session(ctx context.Context) error {
	a := p.a
	cfg := a.cfg.IMAP
	wake := make(chan struct{}, 1)
	c, err := a.dialIMAP(ctx, wake)
	if err != nil {
		return err
	}
	defer func() {
		_ = c.Logout().Wait()
		_ = c.Close()
	}()
	// Closing the connection is the only way to interrupt a pending command.
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	for _, mb := range []string{cfg.DoneMailbox, cfg.FailedMailbox} {
		if mb != "" {
			_ = c.Create(mb, nil).Wait() // fails harmlessly when it exists
		}
	}
	sel, err := c.Select(cfg.Mailbox, nil).Wait()
	if err != nil {
		return fmt.Errorf("imap select %s: %w", cfg.Mailbox, err)
	}
	if p.uidValidity != sel.UIDValidity {
		if p.uidValidity != 0 {
			a.log.Warn("imap UIDVALIDITY changed; rescanning the mailbox", "mailbox", cfg.Mailbox)
		}
		p.uidValidity = sel.UIDValidity
		clear(p.tries)
	}
	idle := c.Caps().Has(imap.CapIdle)
	for {
		// Renewed before every drain, however recently: the write also
		// tells a store that refuses writes (but answers pings) from a
		// run of bad messages before any is tried.
		if err := p.renewLease(ctx, true); err != nil {
			return err
		}
		if err := p.drain(ctx, c); err != nil {
			return err
		}
		if err := p.wait(ctx, c, idle, wake); err != nil {
			return err
		}
	}
}

// leaseTTL outlives the longest wait between renewals.
func (a *Adapter) leaseTTL() time.Duration {
	return max(a.opts.leaseTTL, 3*a.pollInterval(), 3*a.opts.idleMax)
}

// renewLease renews the poller lease, unless always is false and a third
// of its time has not passed since the last renewal: a drain checks before
// each chunk, and a write per chunk would queue behind the handling of the
// messages just stored.
func (p *imapPoller) renewLease(ctx context.Context, always bool) error {
	if !always && !p.renewed.IsZero() && time.Since(p.renewed) < p.a.leaseTTL()/3 {
		return nil
	}
	if err := p.a.renewLease(ctx); err != nil {
		p.renewed = time.Time{}
		return err
	}
	p.renewed = time.Now()
	return nil
}

// renewLease keeps the poller lease; another holder having it ends the session.
func (a *Adapter) renewLease(ctx context.Context) error {
	if err := a.st.AcquireLease(ctx, a.leaseName(), a.opts.holder, a.leaseTTL()); err != nil {
		if errors.Is(err, store.ErrLeaseHeld) {
			return errLeaseLost
		}
		return fmt.Errorf("renew imap lease: %w", err)
	}
	return nil
}

// wait returns when new mail may be there: an EXISTS during IDLE, the IDLE
// time limit, or the poll interval.
func (p *imapPoller) wait(ctx context.Context, c *imapclient.Client, idle bool, wake chan struct{}) error {
	if !idle {
		return sleep(ctx, p.a.pollInterval())
	}
	select {
	case <-wake: // an EXISTS arrived while we were busy
		return nil
	default:
	}
	cmd, err := c.Idle()
	if err != nil {
		return fmt.Errorf("imap idle: %w", err)
	}
	t := time.NewTimer(p.a.opts.idleMax)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
	case <-c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("imap idle: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("imap idle: %w", err)
	}
	return ctx.Err()
}
