package email

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/email/mailparse"
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
// Automatic messages and messages without a sender are not counted. It is
// idempotent, so a message read twice (a crash before the IMAP flag) gives
// the same result.
//
// Counting uses the store's dedupe keys, which every instance shares: slot k
// of the window is the key "email-rate:<addr>:<window>:<k>", and a message
// takes the first free slot. A message seen before in the window (read
// again after a crash) is not counted twice. The window is fixed, not
// sliding: a burst straddling two windows may get up to twice the limit.
//
// However many messages and senders msgs holds, the store is asked three
// times in two round trips: the messages' keys and which of their senders'
// slots are taken at once, then taking the free slots; two more per retry
// when another instance takes a slot between the two.
func (a *Adapter) rateLimit(ctx context.Context, msgs []*intake.Message) error {
	rl := a.cfg.RateLimit
	if rl.Messages <= 0 || rl.Per <= 0 {
		return nil
	}
	var todo []senderMessage
	var keys []string
	for _, msg := range msgs {
		if msg.AutoReply || msg.From.ID == "" {
			continue
		}
		window := strconv.FormatInt(a.opts.now().UnixNano()/int64(rl.Per), 10)
		m := senderMessage{msg, "email-rate:" + strings.ToLower(msg.From.ID) + ":" + window + ":"}
		todo, keys = append(todo, m), append(keys, m.prefix+"msg:"+string(msg.ID))
	}
	if len(todo) == 0 {
		return nil
	}
	var fresh []bool
	var taken map[string][]bool
	var markErr, seenErr error
	var wg sync.WaitGroup
	wg.Go(func() { taken, seenErr = a.slotsTaken(ctx, todo) })
	fresh, markErr = a.st.MarkSeenMany(ctx, keys, 2*rl.Per)
	wg.Wait()
	if err := cmp.Or(markErr, seenErr); err != nil {
		return fmt.Errorf("rate window: %w", err)
	}
	var counted []senderMessage
	for i, m := range todo {
		if fresh[i] {
			counted = append(counted, m)
		}
	}
	for len(counted) > 0 {
		again, err := a.takeSlots(ctx, counted, taken)
		if err != nil {
			return fmt.Errorf("rate window: %w", err)
		}
		if len(again) == 0 {
			return nil
		}
		if taken, err = a.slotsTaken(ctx, again); err != nil {
			return fmt.Errorf("rate window: %w", err)
		}
		counted = again
	}
	return nil
}

// senderMessage is a message with the prefix of its sender's window keys.
type senderMessage struct {
	msg    *intake.Message
	prefix string
}

// slotKey is the key of slot k (from 0) of the window prefix.
func slotKey(prefix string, k int) string { return prefix + strconv.Itoa(k+1) }

// slotsTaken reads, for each sender window of msgs, which of its slots are
// taken, in one call.
func (a *Adapter) slotsTaken(ctx context.Context, msgs []senderMessage) (map[string][]bool, error) {
	n := a.cfg.RateLimit.Messages
	var prefixes, slots []string
	for _, m := range msgs {
		if !slices.Contains(prefixes, m.prefix) {
			prefixes = append(prefixes, m.prefix)
			for k := range n {
				slots = append(slots, slotKey(m.prefix, k))
			}
		}
	}
	seen, err := a.st.SeenMany(ctx, slots)
	if err != nil {
		return nil, err
	}
	taken := make(map[string][]bool, len(prefixes))
	for i, p := range prefixes {
		taken[p] = seen[i*n : (i+1)*n]
	}
	return taken, nil
}

// takeSlots gives each of msgs, in order, a slot of its sender's window that
// taken says is free, and marks the messages left without one as automatic.
// It returns the messages whose slot another instance took meanwhile, to try
// again.
func (a *Adapter) takeSlots(ctx context.Context, msgs []senderMessage, taken map[string][]bool) ([]senderMessage, error) {
	next := map[string]int{} // the next slot to look at, per window
	var claim []string
	var claimers []senderMessage
	for _, m := range msgs {
		slots := taken[m.prefix]
		k := next[m.prefix]
		for k < len(slots) && slots[k] {
			k++
		}
		if k == len(slots) {
			m.msg.AutoReply, m.msg.AutoReplyReason = true, "rate limit"
			a.log.Info("sender over the rate limit; message recorded, not answered", "id", m.msg.ID)
			next[m.prefix] = k
			continue
		}
		claim, claimers = append(claim, slotKey(m.prefix, k)), append(claimers, m)
		next[m.prefix] = k + 1
	}
	got, err := a.st.MarkSeenMany(ctx, claim, 2*a.cfg.RateLimit.Per)
	if err != nil {
		return nil, err
	}
	var again []senderMessage
	for i, ok := range got {
		if !ok {
			again = append(again, claimers[i])
		}
	}
	return again, nil
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
