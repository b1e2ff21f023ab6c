package email

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"golang.org/x/sync/errgroup"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/email/mailparse"
)

// drain stores every unprocessed message of the selected mailbox, oldest
// first, in chunks: one inbox write per chunk, in UID order, then one move
// or flag command for the chunk's stored messages and one for those moved
// aside. A crash between the write and the move reads the chunk again; the
// inbox skips what it already holds. The bodies of the next chunk are
// fetched while the current one is read, stored and moved, so the server's
// work and the store's overlap.
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
	if len(uids) == 0 {
		return nil
	}
	max := int64(p.a.cfg.MaxSize)
	if max <= 0 {
		max = mailparse.DefaultMaxSize
	}
	chunks, err := p.plan(c, uids, max)
	if err != nil || len(chunks) == 0 {
		return err
	}
	next := prefetch(c, chunks[0])
	var moving func() error // the previous chunk's move, sent and not yet answered
	for i := range chunks {
		cur := next
		next = nil
		err := p.renewLease(ctx, false)
		if err == nil && i+1 < len(chunks) {
			next = prefetch(c, chunks[i+1])
		}
		msgs, ferr := cur.wait()
		if err == nil {
			err = ferr
		}
		var moved func() error
		if err == nil {
			moved, err = p.chunk(ctx, c, msgs, max)
		}
		if moving != nil {
			if merr := moving(); err == nil {
				err = merr
			}
		}
		moving = moved
		if err != nil {
			// Read every answer before the connection is reused or closed.
			if next != nil {
				_, _ = next.wait()
			}
			if moving != nil {
				_ = moving()
			}
			return err
		}
	}
	return moving()
}

// plan reads the sizes of uids, so that an oversized message is never
// downloaded (it is moved aside now), and splits the others, in UID order,
// into chunks of at most fetchBatch messages and batchBytes.
func (p *imapPoller) plan(c *imapclient.Client, uids []imap.UID, max int64) ([][]imap.UID, error) {
	sizes, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("imap fetch sizes: %w", err)
	}
	slices.SortFunc(sizes, func(x, y *imapclient.FetchMessageBuffer) int { return cmp.Compare(x.UID, y.UID) })
	var oversized imap.UIDSet
	var chunks [][]imap.UID
	var chunk []imap.UID
	var bytes int64
	for _, m := range sizes {
		if m.RFC822Size > max {
			p.a.log.Warn("imap message over max_size; moved aside", "uid", m.UID, "size", m.RFC822Size)
			oversized.AddNum(m.UID)
			continue
		}
		if len(chunk) == fetchBatch || (len(chunk) > 0 && bytes+m.RFC822Size > batchBytes) {
			chunks, chunk, bytes = append(chunks, chunk), nil, 0
		}
		chunk, bytes = append(chunk, m.UID), bytes+m.RFC822Size
	}
	if len(chunk) > 0 {
		chunks = append(chunks, chunk)
	}
	if err := p.finish(c, nil, oversized); err != nil {
		return nil, err
	}
	return chunks, nil
}

// fetching is a body FETCH sent ahead, its answer read in the background:
// the client hands a command's messages over as they arrive, so they must be
// read for the answers of later commands (the current chunk's move) to come.
type fetching struct {
	done chan struct{}
	msgs []*imapclient.FetchMessageBuffer
	err  error
}

// prefetch sends the body FETCH of uids now and reads its answer in the
// background.
func prefetch(c *imapclient.Client, uids []imap.UID) *fetching {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	f := &fetching{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		f.msgs, f.err = cmd.Collect()
		if f.err != nil {
			f.err = fmt.Errorf("imap fetch: %w", f.err)
		}
	}()
	return f
}

// wait returns the fetched messages in UID order.
func (f *fetching) wait() ([]*imapclient.FetchMessageBuffer, error) {
	<-f.done
	slices.SortFunc(f.msgs, func(x, y *imapclient.FetchMessageBuffer) int { return cmp.Compare(x.UID, y.UID) })
	return f.msgs, f.err
}

// read is one fetched message after normalizing (and, once the chunk is
// read, the rate window).
type read struct {
	uid imap.UID
	msg *intake.Message // ready for the inbox; nil if it failed
	id  intake.MessageID
	err error
	// aside: refused for good (unparsable, crashed the normalizer).
	aside bool
}

// chunk reads the fetched msgs all at once, stores the good ones in the
// inbox with one write in UID order, and sends the command that moves or
// flags them; moved waits for its answer, so that the next chunk is read
// and stored meanwhile.
func (p *imapPoller) chunk(ctx context.Context, c *imapclient.Client, msgs []*imapclient.FetchMessageBuffer, max int64) (moved func() error, err error) {
	section := &imap.FetchItemBodySection{Peek: true}
	// The messages are parsed side by side, two per core (a chunk is at
	// most fetchBatch messages and batchBytes); the rate window of them all
	// then costs the store one write (see rateLimit).
	reads := make([]read, len(msgs))
	var g errgroup.Group
	g.SetLimit(2 * runtime.GOMAXPROCS(0))
	for i, m := range msgs {
		g.Go(func() error {
			reads[i] = p.read(m.UID, m.FindBodySection(section), max)
			return nil
		})
	}
	_ = g.Wait() // read reports its failures in reads
	if err := p.rateLimit(ctx, reads); err != nil {
		return nil, err
	}

	var done, failed imap.UIDSet
	var good []*intake.Message
	var goodUIDs []imap.UID
	for _, r := range reads {
		switch {
		case r.msg != nil:
			good, goodUIDs = append(good, r.msg), append(goodUIDs, r.uid)
		case r.aside:
			failed.AddNum(r.uid)
			delete(p.tries, r.uid)
		default:
			if err := p.storeDown(ctx, r.err); err != nil {
				// Keep the order: nothing after this message is stored now;
				// store what came before it, then reconnect later.
				if p.accept(ctx, good, goodUIDs, &done, &failed) == nil {
					_ = p.finish(c, done, failed)
				}
				return nil, err
			}
			p.tries[r.uid]++
			a := p.a
			a.log.Warn("imap message not stored", "uid", r.uid, "id", string(r.id), "try", p.tries[r.uid], "err", r.err)
			if p.tries[r.uid] >= a.opts.maxTries {
				failed.AddNum(r.uid)
			}
		}
	}
	if err := p.accept(ctx, good, goodUIDs, &done, &failed); err != nil {
		_ = p.finish(c, done, failed)
		return nil, err
	}
	return p.finishing(c, done, failed), nil
}

// rateLimit applies the sender rate window to the messages read. When it
// fails while the store answers, each of them failed to be stored: they are
// tried again on the next drain (see chunk). It returns an error only for a
// store outage.
func (p *imapPoller) rateLimit(ctx context.Context, reads []read) error {
	var msgs []*intake.Message
	for _, r := range reads {
		if r.msg != nil {
			msgs = append(msgs, r.msg)
		}
	}
	err := p.a.rateLimit(ctx, msgs)
	if err == nil {
		return nil
	}
	if down := p.storeDown(ctx, err); down != nil {
		return down
	}
	for i := range reads {
		if reads[i].msg != nil {
			reads[i].msg, reads[i].err = nil, err
		}
	}
	return nil
}

// read normalizes one message without storing it. A panic in the
// normalizer is caught here: the message goes aside.
func (p *imapPoller) read(uid imap.UID, raw []byte, max int64) (r read) {
	a := p.a
	r.uid = uid
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("imap message crashed the normalizer; moved aside", "uid", uid, "panic", fmt.Sprint(v))
			r = read{uid: uid, aside: true}
		}
	}()
	if raw == nil {
		raw = []byte{}
	}
	msg, err := a.normalize(bytes.NewReader(raw), max)
	if msg != nil {
		r.id = msg.ID
	}
	var refused *mailparse.RefusedError
	switch {
	case err == nil:
		r.msg = msg
	case errors.As(err, &refused):
		a.log.Warn("imap message refused; moved aside", "uid", uid, "reason", refused.Reason)
		r.aside = true
	default:
		r.err = err
	}
	return r
}

// storeDown tells a store outage (or the end of ctx), which stops the
// drain, from a failure of one message, which is retried on the next one.
func (p *imapPoller) storeDown(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if perr := p.a.st.Ping(ctx); perr != nil {
		return fmt.Errorf("store unavailable: %w", err)
	}
	return nil
}

// accept stores msgs in the inbox in order, with one write when the inbox
// takes batches, and adds the stored ones' UIDs to done. A batch refused
// while the store answers is stored message by message, so one message the
// store refuses does not hold back the others; one refused maxTries times
// is added to failed.
func (p *imapPoller) accept(ctx context.Context, msgs []*intake.Message, uids []imap.UID, done, failed *imap.UIDSet) error {
	if len(msgs) == 0 {
		return nil
	}
	if b, ok := p.inbox.(channels.BatchInbox); ok {
		err := b.AcceptBatch(ctx, msgs)
		if err == nil {
			for _, uid := range uids {
				done.AddNum(uid)
				delete(p.tries, uid)
			}
			return nil
		}
		if err := p.storeDown(ctx, err); err != nil {
			return err
		}
		p.a.log.Warn("imap batch not stored; storing its messages one by one", "messages", len(msgs), "err", err)
	}
	for i, msg := range msgs {
		err := p.inbox.Accept(ctx, msg)
		if err == nil {
			done.AddNum(uids[i])
			delete(p.tries, uids[i])
			continue
		}
		if err := p.storeDown(ctx, err); err != nil {
			return err
		}
		p.tries[uids[i]]++
		p.a.log.Warn("imap message not stored", "uid", uids[i], "id", string(msg.ID), "try", p.tries[uids[i]], "err", err)
		if p.tries[uids[i]] >= p.a.opts.maxTries {
			failed.AddNum(uids[i])
		}
	}
	return nil
}

// finish moves (or flags) the stored and the failed messages.
func (p *imapPoller) finish(c *imapclient.Client, done, failed imap.UIDSet) error {
	return p.finishing(c, done, failed)()
}

// finishing sends finish's commands now and returns the function that
// waits for their answers.
func (p *imapPoller) finishing(c *imapclient.Client, done, failed imap.UIDSet) func() error {
	cfg := p.a.cfg.IMAP
	markDone, markFailed := func() error { return nil }, func() error { return nil }
	if len(done) > 0 {
		markDone = moveOrFlag(c, done, cfg.DoneMailbox, []imap.Flag{imap.FlagSeen, flagDone})
	}
	if len(failed) > 0 {
		markFailed = moveOrFlag(c, failed, cfg.FailedMailbox, []imap.Flag{flagFailed})
	}
	return func() error {
		derr, ferr := markDone(), markFailed()
		if derr != nil {
			return fmt.Errorf("imap mark done: %w", derr)
		}
		if ferr != nil {
			return fmt.Errorf("imap mark failed: %w", ferr)
		}
		for _, r := range failed {
			for u := r.Start; u <= r.Stop && u != 0; u++ {
				delete(p.tries, u)
			}
		}
		return nil
	}
}

// moveOrFlag sends the command that moves set to mailbox, or flags it when
// mailbox is empty, and returns the function that waits for its answer.
func moveOrFlag(c *imapclient.Client, set imap.UIDSet, mailbox string, flags []imap.Flag) func() error {
	if mailbox != "" {
		cmd := c.Move(set, mailbox)
		return func() error {
			_, err := cmd.Wait()
			return err
		}
	}
	return c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close
}
