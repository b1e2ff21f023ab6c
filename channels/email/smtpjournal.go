package email

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/internal/journal"
)

// journalBatch is how many journalled mails the mover stores with one write.
const journalBatch = 256

// smtpJournal is the SMTP listener's own queue on local disk, used with an
// embedded store (see WithJournal): DATA is answered 250 once the
// normalized message is in the journal, with one fsync shared by the
// sessions writing at that moment, and a mover takes the journal in order
// into the inbox in batches, applying the rate window to each batch as the
// IMAP poller does. The store's single writer then sees one write per
// batch instead of several per mail, and a burst of mail is acknowledged
// at the pace of the disk, not of handling. A mail journalled and not yet
// stored when the process stops is stored after the next start.
type smtpJournal struct {
	a     *Adapter
	j     *journal.Journal
	inbox channels.Inbox
}

// openJournal opens the journal folder and reports what a previous run left.
func (a *Adapter) openJournal(inbox channels.Inbox) (*smtpJournal, error) {
	j, err := journal.Open(a.opts.journal)
	if err != nil {
		return nil, fmt.Errorf("smtp journal: %w", err)
	}
	if j.Replayed > 0 || j.Skipped > 0 {
		a.log.Info("smtp journal: storing mails accepted before the last stop", "mails", j.Replayed, "torn_bytes_skipped", j.Skipped)
	}
	return &smtpJournal{a: a, j: j, inbox: inbox}, nil
}

// accept journals msg; nil means it is durable.
func (q *smtpJournal) accept(ctx context.Context, msg *intake.Message) error {
	data, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("journal %s: %w", msg.ID, err)
	}
	if err := q.j.Append(ctx, data); err != nil {
		return fmt.Errorf("journal %s: %w", msg.ID, err)
	}
	q.a.log.Debug("mail accepted", "id", msg.ID, "auto_reply", msg.AutoReply, "reason", msg.AutoReplyReason)
	return nil
}

// move stores the journal's mails in the inbox in batches until listening
// is done and the journal is empty, then closes it. A batch the store
// refuses is tried again, with backoff: nothing leaves the journal before
// it is stored. Once listening is done, the mails already journalled are
// still stored for up to grace; whatever is left then is stored after the
// next start.
func (q *smtpJournal) move(listening context.Context, grace time.Duration) {
	defer func() { _ = q.j.Close() }()
	ctx, cancel := context.WithCancel(context.WithoutCancel(listening))
	defer cancel()
	stop := context.AfterFunc(listening, func() { time.AfterFunc(grace, cancel) })
	defer stop()
	for {
		// Once listening is done, Take still returns what is left, then fails.
		entries, err := q.j.Take(listening, journalBatch)
		if err != nil {
			return
		}
		if err := q.storeRetrying(ctx, entries); err != nil {
			q.a.log.Warn("smtp journal: mails left for the next start", "err", err)
			return
		}
	}
}

// storeRetrying stores entries, trying again with backoff until it works or
// ctx is done.
func (q *smtpJournal) storeRetrying(ctx context.Context, entries []journal.Entry) error {
	wait := q.a.opts.backoffMin
	for {
		err := q.store(ctx, entries)
		if err == nil || ctx.Err() != nil {
			return err
		}
		q.a.log.Warn("smtp journal: mails not stored yet; retrying", "mails", len(entries), "in", wait, "err", err)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, q.a.opts.backoffMax)
	}
}

// store puts entries in the inbox, in order, and tells the journal.
func (q *smtpJournal) store(ctx context.Context, entries []journal.Entry) error {
	msgs := make([]*intake.Message, 0, len(entries))
	for _, e := range entries {
		var msg intake.Message
		if err := json.Unmarshal(e.Data, &msg); err != nil {
			// Written by this code and checked by CRC: only a change of
			// format could do this. Say so loudly and go on.
			q.a.log.Error("smtp journal: record unreadable; skipped", "record", e.Seq, "err", err)
			continue
		}
		msgs = append(msgs, &msg)
	}
	if err := q.a.rateLimit(ctx, msgs); err != nil {
		return err
	}
	if err := q.acceptAll(ctx, msgs); err != nil {
		return err
	}
	return q.j.Done(entries[len(entries)-1].Seq, len(entries))
}

func (q *smtpJournal) acceptAll(ctx context.Context, msgs []*intake.Message) error {
	if b, ok := q.inbox.(channels.BatchInbox); ok {
		return b.AcceptBatch(ctx, msgs)
	}
	for _, msg := range msgs {
		if err := q.inbox.Accept(ctx, msg); err != nil {
			return fmt.Errorf("accept %s: %w", msg.ID, err)
		}
	}
	return nil
}

// Spooled reports the mails in the SMTP listener's journal not yet in the
// inbox (channels.Spooler); ok is false without a journal.
func (a *Adapter) Spooled() (queue string, n int, ok bool) {
	a.mu.Lock()
	srv := a.smtpSrv
	a.mu.Unlock()
	if srv == nil || srv.journal == nil {
		return "", 0, false
	}
	return "smtp.journal", srv.journal.j.Len(), true
}
