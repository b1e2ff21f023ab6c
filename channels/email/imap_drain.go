package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/intake-support/intake/channels/email/mailparse"
)

// drain stores every unprocessed message of the selected mailbox, oldest
// first, in batches, and moves or flags each one after its fate is known.
func (p *imapPoller) drain(ctx context.Context, c *imapclient.Client) error {
	crit := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted, flagFailed}}
	if p.a.cfg.IMAP.DoneMailbox == "" {
		crit.NotFlag = append(crit.NotFlag, flagDone)
	}
	data, err := c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return fmt.Errorf("imap search: %w", err)
	}
	uids := data.AllUIDs()
	for len(uids) > 0 {
		if err := p.a.renewLease(ctx); err != nil {
			return err
		}
		n := min(fetchBatch, len(uids))
		if err := p.batch(ctx, c, uids[:n]); err != nil {
			return err
		}
		uids = uids[n:]
	}
	return nil
}

// batch handles a few messages: sizes first, so that an oversized message is
// never downloaded, then the bodies of the others.
func (p *imapPoller) batch(ctx context.Context, c *imapclient.Client, uids []imap.UID) error {
	a := p.a
	max := int64(a.cfg.MaxSize)
	if max <= 0 {
		max = mailparse.DefaultMaxSize
	}
	sizes, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("imap fetch sizes: %w", err)
	}
	var done, failed imap.UIDSet
	var fetch []imap.UID
	for _, m := range sizes {
		if m.RFC822Size > max {
			a.log.Warn("imap message over max_size; moved aside", "uid", m.UID, "size", m.RFC822Size)
			failed.AddNum(m.UID)
			continue
		}
		fetch = append(fetch, m.UID)
	}
	if len(fetch) > 0 {
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.UIDSetNum(fetch...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return fmt.Errorf("imap fetch: %w", err)
		}
		for _, m := range msgs {
			ok, err := p.one(ctx, m.UID, m.FindBodySection(section), max)
			if err != nil {
				// Store outage: keep what was done so far, then reconnect later.
				_ = p.finish(c, done, failed)
				return err
			}
			if ok {
				done.AddNum(m.UID)
			} else if p.tries[m.UID] == 0 || p.tries[m.UID] >= a.opts.maxTries {
				failed.AddNum(m.UID)
			}
		}
	}
	return p.finish(c, done, failed)
}

// one ingests one message. ok reports that it is stored; !ok with a nil
// error means it failed for good or is to be retried on the next drain
// (p.tries says which). An error means the store is unreachable.
func (p *imapPoller) one(ctx context.Context, uid imap.UID, raw []byte, max int64) (ok bool, err error) {
	a := p.a
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("imap message crashed the normalizer; moved aside", "uid", uid, "panic", fmt.Sprint(r))
			ok, err = false, nil
			delete(p.tries, uid)
		}
	}()
	if raw == nil {
		raw = []byte{}
	}
	msg, err := a.ingest(ctx, p.inbox, bytes.NewReader(raw), max)
	if err == nil {
		delete(p.tries, uid)
		return true, nil
	}
	var refused *mailparse.RefusedError
	if errors.As(err, &refused) {
		a.log.Warn("imap message refused; moved aside", "uid", uid, "reason", refused.Reason)
		delete(p.tries, uid)
		return false, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if perr := a.st.Ping(ctx); perr != nil {
		return false, fmt.Errorf("store unavailable: %w", err)
	}
	p.tries[uid]++
	id := ""
	if msg != nil {
		id = string(msg.ID)
	}
	a.log.Warn("imap message not stored", "uid", uid, "id", id, "try", p.tries[uid], "err", err)
	return false, nil
}

// finish moves (or flags) the stored and the failed messages.
func (p *imapPoller) finish(c *imapclient.Client, done, failed imap.UIDSet) error {
	cfg := p.a.cfg.IMAP
	if len(done) > 0 {
		if err := moveOrFlag(c, done, cfg.DoneMailbox, []imap.Flag{imap.FlagSeen, flagDone}); err != nil {
			return fmt.Errorf("imap mark done: %w", err)
		}
	}
	if len(failed) > 0 {
		if err := moveOrFlag(c, failed, cfg.FailedMailbox, []imap.Flag{flagFailed}); err != nil {
			return fmt.Errorf("imap mark failed: %w", err)
		}
		for _, r := range failed {
			for u := r.Start; u <= r.Stop && u != 0; u++ {
				delete(p.tries, u)
			}
		}
	}
	return nil
}

func moveOrFlag(c *imapclient.Client, set imap.UIDSet, mailbox string, flags []imap.Flag) error {
	if mailbox != "" {
		_, err := c.Move(set, mailbox).Wait()
		return err
	}
	return c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close()
}
