// Package channels is the spine every channel plugs into: the Adapter contract
// that email, Slack and Discord implement, the durable inbox they hand messages
// to, the worker that threads each message to its incident and gives it to
// Level I or to the humans, and the durable outbox that delivers replies
// through the adapter owning the conversation.
package channels

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/intake-support/intake"
)

// Inbox takes normalized messages from adapters.
type Inbox interface {
	// Accept returns nil only once the message is durably stored; an adapter
	// acknowledges the message to its source (IMAP flag, SMTP 250, Slack ack)
	// only after that. A message accepted twice is handled once.
	Accept(ctx context.Context, msg *intake.Message) error
}

// BatchInbox is an Inbox that also stores many messages in one write, for
// adapters that read a backlog (the IMAP poller); they check for it with a
// type assertion.
type BatchInbox interface {
	Inbox
	// AcceptBatch stores msgs in their order, all or none (see
	// store.Queues.EnqueueBatch), and returns nil only once they are durable.
	AcceptBatch(ctx context.Context, msgs []*intake.Message) error
}

// Adapter connects one channel to intake.
type Adapter interface {
	// Channel names the channel; replies whose Conversation.Channel equals it
	// are sent through this adapter.
	Channel() intake.Channel
	// Run receives messages until ctx is done, handing each to inbox.Accept.
	// It returns nil when ctx is cancelled, or an error it cannot recover from.
	Run(ctx context.Context, inbox Inbox) error
	// Send delivers a reply to its conversation. Errors are retried by the
	// outbox unless marked Permanent; a *RetryAfterError sets the delay.
	Send(ctx context.Context, r *intake.Reply) (Sent, error)
}

// Readier is implemented by adapters that open a listener of their own once
// Run starts (email's SMTP listener): /readyz answers 503 until Ready returns
// nil, so that a load balancer sends no traffic before the port takes it.
// Connections to chat services are not readiness: Slack being down must not
// take the SMTP listener out of service.
type Readier interface {
	Ready() error
}

// Connector is implemented by adapters that hold a connection to a chat
// service: Connected reports whether it is up now (the
// intake_adapter_connected gauge).
type Connector interface {
	Connected() bool
}

// Diagnoser is implemented by adapters that can tell a set-up mistake the
// service reported, such as a Slack token without a needed scope or a
// Discord bot without the Message Content intent. SetupProblem returns it, or
// nil; /readyz shows it as a warning and start-up logs it.
type Diagnoser interface {
	SetupProblem() error
}

// Spooler is implemented by adapters that keep accepted messages in a queue
// of their own before the inbox (the SMTP listener's journal). Spooled
// returns that queue's name and how many messages it holds not yet in the
// inbox; ok is false when the adapter runs without one. intake_queue_depth
// reports it beside the inbox.
type Spooler interface {
	Spooled() (queue string, n int, ok bool)
}

// Sent describes a delivered reply.
type Sent struct {
	// MessageID is the ID the channel gave the reply (email Message-ID, Slack ts).
	MessageID string
	// ThreadKeys are mapped to the incident so that answers to the reply
	// thread to it (an email reply's Message-ID, a new chat thread).
	ThreadKeys []intake.ThreadKey
}

// permanentError marks a delivery failure that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot fix, such as an SMTP
// 5xx answer or an unknown Slack channel.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// refusedError marks a peer refusing us for a reason of its own (an SMTP
// relay denying relay or asking for authentication): retrying may work once a
// person fixes the peer or our credentials, so the outbox retries it with
// backoff and raises an alert (an error log line and a metric) each time.
type refusedError struct{ err error }

func (e refusedError) Error() string { return e.err.Error() }
func (e refusedError) Unwrap() error { return e.err }

// PeerRefused marks err as the peer's own refusal, retried and alerted on.
func PeerRefused(err error) error {
	if err == nil {
		return nil
	}
	return refusedError{err}
}

// IsPeerRefused reports whether err, or an error it wraps, was marked PeerRefused.
func IsPeerRefused(err error) bool {
	var r refusedError
	return errors.As(err, &r)
}

// RetryAfterError asks the outbox to retry no sooner than After (a Slack or
// Discord 429, an SMTP 4xx with a hint).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}
func (e *RetryAfterError) Unwrap() error { return e.Err }

// Updater is the optional capability of adapters that can edit a message they
// posted earlier in place, such as a Slack card.
type Updater interface {
	Update(ctx context.Context, conv intake.Conversation, messageID string, r *intake.Reply) error
}
