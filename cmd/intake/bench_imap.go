package main

import (
	"context"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// dialAccount logs in to the bench's Dovecot.
func dialAccount(a imapAccount) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(a.addr, nil)
	if err != nil {
		return nil, fmt.Errorf("imap dial %s: %w", a.addr, err)
	}
	if err := c.Login(a.user, a.pass).Wait(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("imap login %s: %w", a.user, err)
	}
	return c, nil
}

// appendAll stores ms in mailbox (created if missing).
func appendAll(c *imapclient.Client, mailbox string, ms []benchMail) error {
	_ = c.Create(mailbox, nil).Wait() // exists already: fine
	for _, m := range ms {
		if err := appendOne(c, mailbox, m); err != nil {
			return err
		}
	}
	return nil
}

func appendOne(c *imapclient.Client, mailbox string, m benchMail) error {
	cmd := c.Append(mailbox, int64(len(m.raw)), nil)
	if _, err := cmd.Write(m.raw); err != nil {
		return fmt.Errorf("imap append: %w", err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("imap append: %w", err)
	}
	if _, err := cmd.Wait(); err != nil {
		return fmt.Errorf("imap append: %w", err)
	}
	return nil
}

// rawFetch measures one UID FETCH 1:* BODY.PEEK[] of mailbox: the limit of
// IMAP intake on this machine.
func rawFetch(c *imapclient.Client, mailbox string, n int) (float64, error) {
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		return 0, fmt.Errorf("imap select %s: %w", mailbox, err)
	}
	section := &imap.FetchItemBodySection{Peek: true}
	all := imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}
	start := time.Now()
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("imap fetch: %w", err)
	}
	if len(msgs) != n {
		return 0, fmt.Errorf("imap fetch got %d messages, want %d", len(msgs), n)
	}
	if err := c.Unselect().Wait(); err != nil {
		return 0, fmt.Errorf("imap unselect: %w", err)
	}
	return rate(n, d), nil
}

// backlogIntake moves the n messages of the Backlog mailbox into INBOX in
// one command while the gateway idles on INBOX, and waits until the gateway
// has stored them all and moved them to Done: its IMAP backlog intake. It
// returns the time from the move.
func backlogIntake(ctx context.Context, c *imapclient.Client, n int, timeout time.Duration) (time.Duration, error) {
	if _, err := c.Select("Backlog", nil).Wait(); err != nil {
		return 0, fmt.Errorf("imap select Backlog: %w", err)
	}
	all := imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}
	if _, err := c.Move(all, "INBOX").Wait(); err != nil {
		return 0, fmt.Errorf("imap move Backlog to INBOX: %w", err)
	}
	// The clock starts once the messages are in the INBOX: Dovecot tells
	// the gateway only then, and moving them is the bench's own setup.
	start := time.Now()
	deadline := start.Add(timeout)
	for {
		done, err := mailboxCount(c, "Done")
		if err != nil {
			return 0, err
		}
		if done >= n {
			return time.Since(start), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the gateway took %d of %d backlog messages in %s", done, n, timeout)
		}
		if err := untilCtx(ctx, 10*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

func mailboxCount(c *imapclient.Client, mailbox string) (int, error) {
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0, fmt.Errorf("imap status %s: %w", mailbox, err)
	}
	if st.NumMessages == nil {
		return 0, nil
	}
	return int(*st.NumMessages), nil
}

// rawIdleNotify measures how long the server takes to tell a client idling
// on a mailbox that a message was appended to it (Dovecot waits about half
// a second): the floor of first-reply latency over IMAP IDLE.
func rawIdleNotify(ctx context.Context, a imapAccount, ms []benchMail) ([]time.Duration, error) {
	exists := make(chan struct{}, 1)
	c, err := imapclient.DialInsecure(a.addr, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case exists <- struct{}{}:
					default:
					}
				}
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("imap dial %s: %w", a.addr, err)
	}
	defer c.Close()
	if err := c.Login(a.user, a.pass).Wait(); err != nil {
		return nil, fmt.Errorf("imap login: %w", err)
	}
	_ = c.Create("Idle", nil).Wait()
	if _, err := c.Select("Idle", nil).Wait(); err != nil {
		return nil, fmt.Errorf("imap select Idle: %w", err)
	}
	writer, err := dialAccount(a)
	if err != nil {
		return nil, err
	}
	defer writer.Close()
	var took []time.Duration
	for _, m := range ms {
		idle, err := c.Idle()
		if err != nil {
			return nil, fmt.Errorf("imap idle: %w", err)
		}
		if err := untilCtx(ctx, 100*time.Millisecond); err != nil {
			return nil, err
		}
		start := time.Now()
		if err := appendOne(writer, "Idle", m); err != nil {
			return nil, err
		}
		select {
		case <-exists:
			took = append(took, time.Since(start))
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("no EXISTS 10 s after an APPEND")
		}
		if err := idle.Close(); err != nil {
			return nil, fmt.Errorf("imap idle: %w", err)
		}
		if err := idle.Wait(); err != nil {
			return nil, fmt.Errorf("imap idle: %w", err)
		}
	}
	return took, nil
}
