package email

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/email/mailparse"
	"github.com/intake-support/intake/store"
)

// ingest normalizes one raw message, applies what only email knows (the
// per-sender rate window) and hands it to the inbox. It returns a *RefusedError for mail Normalize refuses, and any
// other error for a failure worth retrying; nil means the inbox has it.
func (a *Adapter) ingest(ctx context.Context, inbox channels.Inbox, raw io.Reader, maxSize int64) (*intake.Message, error) {
	msg, err := a.normalize(raw, maxSize)
	if err != nil {
		return nil, err
	}
	if err := a.rateLimit(ctx, []*intake.Message{msg}); err != nil {
		return msg, err
	}
	if err := inbox.Accept(ctx, msg); err != nil {
		return msg, fmt.Errorf("accept %s: %w", msg.ID, err)
	}
	a.log.Debug("mail accepted", "id", msg.ID, "auto_reply", msg.AutoReply, "reason", msg.AutoReplyReason)
	return msg, nil
}

// normalize parses one raw message (mailparse.Normalize, with a *RefusedError
// for mail it refuses) and sets the sender window the spine threads by.
func (a *Adapter) normalize(raw io.Reader, maxSize int64) (*intake.Message, error) {
	opts := a.normalizeOptions()
	if maxSize > 0 {
		opts.MaxSize = maxSize
	}
	n, err := mailparse.Normalize(raw, opts)
	if err != nil {
		return nil, err
	}
	n.Message.SenderWindow = a.cfg.ThreadWindow
	return n.Message, nil
}

// rateLimit marks each of msgs as automatic when its sender wrote more than
// RateLimit.Messages times in the current fixed window of RateLimit.Per.
// Automatic messages and messages without a sender are not counted.
//
// Each sender's window is a store window, "email-rate:<addr>:<window
// number>", which every instance shares; a message joins it under its ID and
// is over the limit when its rank there is above RateLimit.Messages. A
// message keeps its rank, so one read twice (a crash before the IMAP flag)
// gets the same answer and is not counted twice. The window is fixed, not
// sliding: a burst straddling two windows may get up to twice the limit.
//
// However many messages and senders msgs holds, it costs the store one
// write (store.Windows.Rank).
func (a *Adapter) rateLimit(ctx context.Context, msgs []*intake.Message) error {
	rl := a.cfg.RateLimit
	if rl.Messages <= 0 || rl.Per <= 0 {
		return nil
	}
	window := ":" + strconv.FormatInt(a.opts.now().UnixNano()/int64(rl.Per), 10)
	var counted []*intake.Message
	var entries []store.WindowEntry
	for _, msg := range msgs {
		if msg.AutoReply || msg.From.ID == "" {
			continue
		}
		counted = append(counted, msg)
		entries = append(entries, store.WindowEntry{Window: "email-rate:" + strings.ToLower(msg.From.ID) + window, Member: string(msg.ID)})
	}
	if len(entries) == 0 {
		return nil
	}
	// A window joined at any time within its Per outlives its end with a
	// ttl of Per; twice that lets an instance whose clock is behind the
	// others' still count in it.
	ranks, err := a.st.Rank(ctx, entries, 2*rl.Per)
	if err != nil {
		return fmt.Errorf("rate window: %w", err)
	}
	for i, msg := range counted {
		if ranks[i] > rl.Messages {
			msg.AutoReply, msg.AutoReplyReason = true, "rate limit"
			a.log.Info("sender over the rate limit; message recorded, not answered", "id", msg.ID)
		}
	}
	return nil
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
