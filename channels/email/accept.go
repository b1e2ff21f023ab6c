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
)

// ingest normalizes one raw message, applies what only email knows (the
// per-sender rate window) and hands it to the inbox. It returns a *RefusedError for mail Normalize refuses, and any
// other error for a failure worth retrying; nil means the inbox has it.
func (a *Adapter) ingest(ctx context.Context, inbox channels.Inbox, raw io.Reader, maxSize int64) (*intake.Message, error) {
	opts := a.normalizeOptions()
	if maxSize > 0 {
		opts.MaxSize = maxSize
	}
	n, err := mailparse.Normalize(raw, opts)
	if err != nil {
		return nil, err
	}
	if err := a.prepare(ctx, n); err != nil {
		return n.Message, err
	}
	if err := inbox.Accept(ctx, n.Message); err != nil {
		return n.Message, fmt.Errorf("accept %s: %w", n.Message.ID, err)
	}
	a.log.Debug("mail accepted", "id", n.Message.ID, "auto_reply", n.Message.AutoReply, "reason", n.Message.AutoReplyReason)
	return n.Message, nil
}

// prepare runs the email-only steps between Normalize and Accept: the
// per-sender rate window, and the sender window the spine threads by. It is
// idempotent, so a message read twice (a crash before the IMAP flag) gives
// the same result.
func (a *Adapter) prepare(ctx context.Context, n *mailparse.Normalized) error {
	msg := n.Message
	msg.SenderWindow = a.cfg.ThreadWindow
	if msg.AutoReply || msg.From.ID == "" {
		return nil
	}
	return a.rateLimit(ctx, msg)
}

// rateLimit marks msg as automatic when its sender wrote more than
// RateLimit.Messages times in the current fixed window of RateLimit.Per.
//
// Counting uses the store's MarkSeen, which every instance shares: slot k of
// the window is the key "email-rate:<addr>:<window>:<k>", and a message
// takes the first free slot. A message seen before in the window (read
// again after a crash) is not counted twice. The window is fixed, not
// sliding: a burst straddling two windows may get up to twice the limit.
func (a *Adapter) rateLimit(ctx context.Context, msg *intake.Message) error {
	rl := a.cfg.RateLimit
	if rl.Messages <= 0 || rl.Per <= 0 {
		return nil
	}
	addr := strings.ToLower(msg.From.ID)
	window := strconv.FormatInt(a.opts.now().UnixNano()/int64(rl.Per), 10)
	prefix := "email-rate:" + addr + ":" + window + ":"
	fresh, err := a.st.MarkSeen(ctx, prefix+"msg:"+string(msg.ID), 2*rl.Per)
	if err != nil {
		return fmt.Errorf("rate window: %w", err)
	}
	if !fresh {
		return nil
	}
	for k := 1; k <= rl.Messages; k++ {
		took, err := a.st.MarkSeen(ctx, prefix+strconv.Itoa(k), 2*rl.Per)
		if err != nil {
			return fmt.Errorf("rate window: %w", err)
		}
		if took {
			return nil
		}
	}
	msg.AutoReply, msg.AutoReplyReason = true, "rate limit"
	a.log.Info("sender over the rate limit; message recorded, not answered", "id", msg.ID)
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
