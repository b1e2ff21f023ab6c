package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// permanentErrors are Slack error codes that retrying cannot fix.
var permanentErrors = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "invalid_auth": true,
	"not_authed": true, "account_inactive": true, "token_revoked": true,
	"is_archived": true, "user_not_in_channel": true, "user_not_found": true,
	"msg_too_long": true, "no_text": true, "invalid_blocks": true,
	"cant_update_message": true, "message_not_found": true, "missing_scope": true,
}

// Send posts r: a card (Block Kit) when r.Card is set, an ephemeral message
// when r.EphemeralTo is set, else escaped text in Conversation.Thread. Posts
// to one channel go out one at a time. A 429 is a *channels.RetryAfterError,
// unknown channels and bad tokens are channels.Permanent.
func (a *Adapter) Send(ctx context.Context, r *intake.Reply) (channels.Sent, error) {
	channel := r.Conversation.Address
	if channel == "" {
		return channels.Sent{}, channels.Permanent(fmt.Errorf("slack: reply %s has no channel", r.ID))
	}
	release, wait, err := a.lanes.acquire(ctx, channel)
	if err != nil {
		return channels.Sent{}, err
	}
	if wait > 0 {
		return channels.Sent{}, &channels.RetryAfterError{After: wait, Err: fmt.Errorf("slack: reply %s: channel %s is rate-limited", r.ID, channel)}
	}
	var limited time.Duration
	defer func() { release(limited) }()

	opts := a.messageOptions(r)
	if r.Conversation.Thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(r.Conversation.Thread))
	}
	if r.EphemeralTo != "" {
		ts, err := a.api.PostEphemeralContext(ctx, channel, r.EphemeralTo, opts...)
		if err != nil {
			err = classify(fmt.Errorf("slack: reply %s: chat.postEphemeral: %w", r.ID, err), err)
			limited = retryAfter(err)
			return channels.Sent{}, err
		}
		return channels.Sent{MessageID: ts}, nil
	}
	_, ts, err := a.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		err = classify(fmt.Errorf("slack: reply %s: chat.postMessage: %w", r.ID, err), err)
		limited = retryAfter(err)
		return channels.Sent{}, err
	}
	thread := r.Conversation.Thread
	if thread == "" {
		thread = ts
	}
	return channels.Sent{
		MessageID:  ts,
		ThreadKeys: []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelSlack, channel+":"+thread)},
	}, nil
}

// Update replaces the message ts in conv (a card) with r, by chat.update.
func (a *Adapter) Update(ctx context.Context, conv intake.Conversation, ts string, r *intake.Reply) error {
	if conv.Address == "" || ts == "" {
		return channels.Permanent(fmt.Errorf("slack: update %s: no channel or ts", r.ID))
	}
	release, wait, err := a.lanes.acquire(ctx, conv.Address)
	if err != nil {
		return err
	}
	if wait > 0 {
		return &channels.RetryAfterError{After: wait, Err: fmt.Errorf("slack: reply %s: channel %s is rate-limited", r.ID, conv.Address)}
	}
	var limited time.Duration
	defer func() { release(limited) }()
	if _, _, _, err := a.api.UpdateMessageContext(ctx, conv.Address, ts, a.messageOptions(r)...); err != nil {
		err = classify(fmt.Errorf("slack: reply %s: chat.update: %w", r.ID, err), err)
		limited = retryAfter(err)
		return err
	}
	return nil
}

// messageOptions renders r. Text is escaped here and never parsed by Slack,
// so that nothing a customer typed can notify anyone or render as a link;
// only the mentions intake put in r.Rich as data notify.
func (a *Adapter) messageOptions(r *intake.Reply) []slackapi.MsgOption {
	text := escape(r.Text)
	if len(r.Rich) > 0 {
		text = rich(r.Rich)
	}
	if r.Author != "" {
		text = "*" + escape(r.Author) + ":* " + text
	}
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionDisableLinkUnfurl(),
		slackapi.MsgOptionDisableMediaUnfurl(),
		slackapi.MsgOptionLinkNames(false),
		slackapi.MsgOptionParse(false),
	}
	switch {
	case r.Card != nil:
		fallback := escape(string(r.Card.IncidentID) + " " + r.Card.Title)
		if r.Text != "" {
			fallback = text
		}
		opts = append(opts, slackapi.MsgOptionText(fallback, false), slackapi.MsgOptionBlocks(cardBlocks(r.Card, a.opts.now())...))
	case len(r.Buttons) > 0:
		opts = append(opts, slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(buttonBlocks(text, r)...))
	default:
		opts = append(opts, slackapi.MsgOptionText(text, false))
	}
	return opts
}

// classify marks err by what the outbox should do about cause.
func classify(err, cause error) error {
	var rl *slackapi.RateLimitedError
	if errors.As(cause, &rl) {
		after := rl.RetryAfter
		if after <= 0 {
			after = time.Second
		}
		return &channels.RetryAfterError{After: after, Err: err}
	}
	var sc slackapi.StatusCodeError
	if errors.As(cause, &sc) && sc.Code == http.StatusTooManyRequests {
		return &channels.RetryAfterError{After: time.Second, Err: err}
	}
	var se slackapi.SlackErrorResponse
	if errors.As(cause, &se) && permanentErrors[se.Err] {
		return channels.Permanent(err)
	}
	return err
}

// retryAfter is the delay a classified error asks for, or 0.
func retryAfter(err error) time.Duration {
	var ra *channels.RetryAfterError
	if errors.As(err, &ra) {
		return ra.After
	}
	return 0
}

// isPermanent reports whether a Web API error cannot be fixed by retrying.
func isPermanent(err error) bool { return channels.IsPermanent(classify(err, err)) }
