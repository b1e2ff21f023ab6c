package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/store"
)

// ingest normalizes one raw message, applies what only email knows (bounces,
// the per-sender rate window, threading by sender) and hands it to the
// inbox. It returns a *RefusedError for mail Normalize refuses, and any
// other error for a failure worth retrying; nil means the inbox has it.
func (a *Adapter) ingest(ctx context.Context, inbox channels.Inbox, raw io.Reader, maxSize int64) (*intake.Message, error) {
	opts := a.normalizeOptions()
	if maxSize > 0 {
		opts.MaxSize = maxSize
	}
	n, err := Normalize(raw, opts)
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

// prepare runs the email-only steps between Normalize and Accept. Every
// step is idempotent, so a message read twice (a crash before the IMAP flag)
// gives the same result.
func (a *Adapter) prepare(ctx context.Context, n *Normalized) error {
	if n.Bounce != nil {
		if err := a.noteBounce(ctx, n.Bounce); err != nil {
			return err
		}
	}
	msg := n.Message
	if msg.AutoReply || msg.From.ID == "" {
		return nil
	}
	if err := a.rateLimit(ctx, msg); err != nil {
		return err
	}
	if msg.AutoReply {
		return nil
	}
	return a.senderKey(ctx, msg)
}

// noteBounce records on each incident whose reply bounced that the
// customer's address is failing. The incident is found by the returned
// Message-ID, which Send mapped as a thread key when the reply left.
func (a *Adapter) noteBounce(ctx context.Context, b *Bounce) error {
	if len(b.Recipients) == 0 && len(b.Delayed) > 0 {
		return nil // still being retried by the MTA: nothing failed yet
	}
	reason := strings.TrimSpace(strings.TrimSpace(b.Status + " " + b.Reason))
	if b.Complaint {
		reason = "complaint: " + reason
	}
	done := map[intake.IncidentID]bool{}
	for _, id := range b.MessageIDs {
		incID, err := a.st.LookupThread(ctx, intake.EmailThreadKey(id))
		if errors.Is(err, store.ErrNotFound) || done[incID] {
			continue
		}
		if err != nil {
			return fmt.Errorf("bounce: look up %s: %w", id, err)
		}
		done[incID] = true
		_, err = store.Mutate(ctx, a.st, incID, func(inc *intake.Incident) error {
			addrs := b.Recipients
			if len(addrs) == 0 {
				addrs = []string{inc.Conversation.Address}
			}
			text := "customer address " + strings.Join(addrs, ", ") + " is failing: " + reason
			for _, e := range inc.Timeline {
				if e.Kind == intake.EventNote && e.Text == text {
					return errNoted
				}
			}
			inc.Record(intake.Event{Kind: intake.EventNote, At: a.opts.now().UTC(), Actor: "intake",
				Channel: intake.ChannelEmail, Text: text})
			return nil
		})
		if err != nil && !errors.Is(err, errNoted) {
			return fmt.Errorf("bounce: note on %s: %w", incID, err)
		}
		a.log.Info("customer address failing", "incident", incID, "status", b.Status)
	}
	return nil
}

var errNoted = errors.New("already noted")

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

// senderKey threads a message by its sender when nothing else does, and
// only when it continues the sender's open incident: a mail that replies to
// nothing about a different problem opens its own incident even within
// ThreadWindow. Two kinds of keys, added after the message's own (so any
// Message-ID or token match wins):
//
//   - email-sender:<addr>:s:<subject digest>: the same subject after Re:/Fwd:;
//   - email-sender:<addr>: any subject, kept only when the message follows up
//     the incident it maps to (see followsUp).
//
// Each is "<base>:<bucket>[#<generation>]", where bucket is the
// ThreadWindow-long period of now and generations number the incidents the
// sender opened in one bucket, so that the latest is the one followed up.
// See windowKeys.
func (a *Adapter) senderKey(ctx context.Context, msg *intake.Message) error {
	if a.cfg.ThreadWindow <= 0 {
		return nil
	}
	addr := strings.ToLower(msg.From.ID)
	var bySubject intake.IncidentID
	if subj := baseSubject(msg.Subject); subj != "" {
		keys, joined, err := a.windowKeys(ctx, "email-sender:"+addr+":s:"+subjectHash(subj), func(*intake.Incident) bool { return true })
		if err != nil {
			return err
		}
		msg.ThreadKeys = append(msg.ThreadKeys, keys...)
		bySubject = joined
	}
	keys, _, err := a.windowKeys(ctx, "email-sender:"+addr, func(inc *intake.Incident) bool {
		if bySubject != "" {
			return inc.ID == bySubject // the subject decided: that incident becomes the latest
		}
		return followsUp(msg, inc)
	})
	if err != nil {
		return err
	}
	msg.ThreadKeys = append(msg.ThreadKeys, keys...)
	return nil
}

// maxGenerations bounds the incidents one sender key tells apart in a bucket.
const maxGenerations = 20

// windowKeys returns the keys of base to add to a message (see senderKey)
// and the incident a kept key maps to, "" when none is kept.
// The latest generation of the current bucket, else of the previous one, is
// kept when it maps to an open incident updated within ThreadWindow that
// join accepts. Unless that key is the current bucket's, the current
// bucket's next, unmapped generation is added too, so that the incident the
// message lands on (a new one, or the one found) becomes the latest: an
// active conversation carries over from bucket to bucket, and a short answer
// joins the problem the sender wrote about last. A key mapped to a closed,
// stale or other incident is never added: the worker would otherwise thread
// the message to it.
func (a *Adapter) windowKeys(ctx context.Context, base string, join func(*intake.Incident) bool) ([]intake.ThreadKey, intake.IncidentID, error) {
	win := a.cfg.ThreadWindow
	now := a.opts.now()
	bucket := now.UnixNano() / int64(win)
	key := func(b int64, gen int) intake.ThreadKey {
		k := base + ":" + strconv.FormatInt(b, 10)
		if gen > 1 {
			k += "#" + strconv.Itoa(gen)
		}
		return intake.ThreadKey(k)
	}
	var keep []intake.ThreadKey
	var joined intake.IncidentID
	next := 1
	for _, b := range []int64{bucket, bucket - 1} {
		id, gen, err := a.latestGeneration(ctx, func(g int) intake.ThreadKey { return key(b, g) })
		if err != nil {
			return nil, "", err
		}
		if b == bucket {
			next = gen + 1
		}
		if gen == 0 {
			continue
		}
		inc, err := a.st.GetIncident(ctx, id)
		if err != nil {
			return nil, "", fmt.Errorf("sender thread: %w", err)
		}
		if inc.Open() && now.Sub(inc.UpdatedAt) <= win && join(inc) {
			keep, joined = append(keep, key(b, gen)), inc.ID
			if b == bucket {
				return keep, joined, nil
			}
			break
		}
	}
	if next <= maxGenerations {
		keep = append(keep, key(bucket, next))
	}
	return keep, joined, nil
}

// latestGeneration returns the incident of the highest mapped generation of
// a key and that generation, 0 when none is mapped.
func (a *Adapter) latestGeneration(ctx context.Context, key func(gen int) intake.ThreadKey) (intake.IncidentID, int, error) {
	var last intake.IncidentID
	for gen := 1; gen <= maxGenerations; gen++ {
		id, err := a.st.LookupThread(ctx, key(gen))
		if errors.Is(err, store.ErrNotFound) {
			return last, gen - 1, nil
		}
		if err != nil {
			return "", 0, fmt.Errorf("sender thread: %w", err)
		}
		last = id
	}
	return last, maxGenerations, nil
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
