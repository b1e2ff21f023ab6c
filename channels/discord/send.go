package discord

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// errRateLimited is the cause of a RetryAfterError given without asking
// Discord, because the channel is still rate limited.
var errRateLimited = errors.New("discord: channel rate limited")

// minRetryAfter keeps a zero Retry-After from turning into a busy loop.
const minRetryAfter = 100 * time.Millisecond

// outgoing is the body of POST /channels/{id}/messages. discordgo's
// MessageSend has no nonce; with enforce_nonce Discord posts a retried part
// once even when the first answer was lost.
type outgoing struct {
	Content         string                            `json:"content,omitempty"`
	Components      []discordgo.MessageComponent      `json:"components,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
}

// Send posts r in its thread or DM: allowed mentions none, the text split at
// Discord's limit, buttons under the last part. Replies to one channel go
// out one at a time; while a channel is rate limited Send returns a
// *channels.RetryAfterError without calling Discord. A retried reply resumes
// after the parts already posted. Unusable conversations and 4xx answers
// other than 429 are channels.Permanent.
func (a *Adapter) Send(ctx context.Context, r *intake.Reply) (channels.Sent, error) {
	if r == nil || r.Conversation.Channel != intake.ChannelDiscord {
		return channels.Sent{}, channels.Permanent(errors.New("discord: send: not a Discord reply"))
	}
	target := r.Conversation.Thread
	if target == "" {
		target = r.Conversation.Address
	}
	if !isSnowflake(target) {
		return channels.Sent{}, channels.Permanent(fmt.Errorf("discord: send %s: %q is not a channel ID", r.ID, target))
	}
	parts := splitText(neutralize(r.Text), maxContent)
	rows := buttonRows(r.Buttons)
	if len(parts) == 0 {
		if len(rows) == 0 {
			return channels.Sent{}, channels.Permanent(fmt.Errorf("discord: send %s: empty reply", r.ID))
		}
		parts = []string{""}
	}

	l, err := a.lanes.acquire(ctx, target)
	if err != nil {
		return channels.Sent{}, fmt.Errorf("discord: send %s: %w", r.ID, err)
	}
	defer a.lanes.release(target, l, a.opts.now())
	if wait := a.lanes.wait(l, a.opts.now()); wait > 0 {
		return channels.Sent{}, &channels.RetryAfterError{After: wait, Err: errRateLimited}
	}
	var last string
	for i := a.lanes.progress(r.ID); i < len(parts); i++ {
		p := &outgoing{Content: parts[i], AllowedMentions: noMentions(),
			Nonce: nonce(r.ID, i), EnforceNonce: true}
		if i == len(parts)-1 {
			p.Components = rows
		}
		m, err := a.post(ctx, target, p)
		if err != nil {
			a.lanes.setProgress(r.ID, i)
			err = classify(err)
			var ra *channels.RetryAfterError
			if errors.As(err, &ra) {
				a.lanes.limit(l, a.opts.now().Add(ra.After))
			}
			a.log.Warn("discord send failed", "reply_id", r.ID, "channel_id", target, "part", i+1, "parts", len(parts), "err", err)
			return channels.Sent{}, fmt.Errorf("discord: send %s part %d/%d: %w", r.ID, i+1, len(parts), err)
		}
		last = m.ID
	}
	a.lanes.setProgress(r.ID, 0)
	a.log.Info("discord reply sent", "reply_id", r.ID, "channel_id", target, "parts", len(parts))
	return channels.Sent{MessageID: last}, nil
}

// post sends one message through discordgo's rate limiter (same bucket as
// ChannelMessageSend), without its sleep-and-retry on 429.
func (a *Adapter) post(ctx context.Context, channelID string, p *outgoing) (*discordgo.Message, error) {
	endpoint := discordgo.EndpointChannelMessages(channelID)
	body, err := a.session.RequestWithBucketID(http.MethodPost, endpoint, p, endpoint,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("decode posted message: %w", err)
	}
	return &m, nil
}

// classify maps discordgo errors onto the outbox's: 429 is a
// *channels.RetryAfterError, other 4xx (but 408) are Permanent.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return &channels.RetryAfterError{After: max(rl.RetryAfter, minRetryAfter), Err: err}
	}
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response == nil {
		return err
	}
	switch code := re.Response.StatusCode; {
	case code == http.StatusTooManyRequests:
		after := minRetryAfter
		if s, perr := strconv.ParseFloat(re.Response.Header.Get("Retry-After"), 64); perr == nil && s > 0 {
			after = max(after, time.Duration(s*float64(time.Second)))
		}
		return &channels.RetryAfterError{After: after, Err: err}
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout:
		return channels.Permanent(err)
	}
	return err
}

// noMentions lets no mention in the content notify anyone. Parse must be an
// empty list: discordgo's zero MessageAllowedMentions sends "parse": null.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// nonce is the same for every attempt at one part of one reply; Discord
// takes up to 25 characters.
func nonce(replyID string, part int) string {
	sum := sha256.Sum256([]byte(replyID + "/" + strconv.Itoa(part)))
	return hex.EncodeToString(sum[:])[:25]
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// lanes serialise sends per channel and remember per channel rate limits
// and per reply how many parts are out.
type lanes struct {
	mu    sync.Mutex
	m     map[string]*lane
	parts map[string]int
}

type lane struct {
	sem       chan struct{}
	users     int
	notBefore time.Time
}

func newLanes() *lanes {
	return &lanes{m: map[string]*lane{}, parts: map[string]int{}}
}

func (ls *lanes) acquire(ctx context.Context, id string) (*lane, error) {
	ls.mu.Lock()
	l := ls.m[id]
	if l == nil {
		l = &lane{sem: make(chan struct{}, 1)}
		ls.m[id] = l
	}
	l.users++
	ls.mu.Unlock()
	select {
	case l.sem <- struct{}{}:
		return l, nil
	case <-ctx.Done():
		ls.mu.Lock()
		l.users--
		ls.mu.Unlock()
		return nil, ctx.Err()
	}
}

func (ls *lanes) release(id string, l *lane, now time.Time) {
	<-l.sem
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l.users--
	if l.users == 0 && !l.notBefore.After(now) {
		delete(ls.m, id)
	}
}

func (ls *lanes) wait(l *lane, now time.Time) time.Duration {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return l.notBefore.Sub(now)
}

func (ls *lanes) limit(l *lane, until time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if until.After(l.notBefore) {
		l.notBefore = until
	}
}

func (ls *lanes) progress(replyID string) int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.parts[replyID]
}

// setProgress records that parts before next are posted; 0 forgets the
// reply. The map is bounded: forgetting costs at most a repeated part, which
// the nonce then catches.
func (ls *lanes) setProgress(replyID string, next int) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if next == 0 {
		delete(ls.parts, replyID)
		return
	}
	if len(ls.parts) >= 1024 {
		clear(ls.parts)
	}
	ls.parts[replyID] = next
}
