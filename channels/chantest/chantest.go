// Package chantest is an in-memory channel adapter for tests of the spine and
// of anything built on it: tests push customer messages in with Deliver and
// read what the outbox sent with Sent. It can be told to fail sends.
package chantest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// Adapter is a channels.Adapter for the intake.ChannelTest channel.
type Adapter struct {
	mu       sync.Mutex
	inbox    channels.Inbox
	ready    chan struct{}
	sent     []intake.Reply
	failures []error
	sendWait chan struct{}
}

var _ channels.Adapter = (*Adapter)(nil)

// New returns an adapter that is ready once Run has been called.
func New() *Adapter { return &Adapter{ready: make(chan struct{})} }

// Channel returns intake.ChannelTest.
func (a *Adapter) Channel() intake.Channel { return intake.ChannelTest }

// Run makes Deliver work until ctx is done.
func (a *Adapter) Run(ctx context.Context, inbox channels.Inbox) error {
	a.mu.Lock()
	a.inbox = inbox
	close(a.ready)
	a.mu.Unlock()
	<-ctx.Done()
	return nil
}

// Deliver hands a customer message to the inbox as a real adapter would,
// waiting for Run to start, and returns the inbox's answer.
func (a *Adapter) Deliver(ctx context.Context, msg *intake.Message) error {
	select {
	case <-a.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	a.mu.Lock()
	inbox := a.inbox
	a.mu.Unlock()
	return inbox.Accept(ctx, msg)
}

// FailNext makes the next sends fail with errs, one error per send.
func (a *Adapter) FailNext(errs ...error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures = append(a.failures, errs...)
}

// Send records r, or fails with the next error given to FailNext.
func (a *Adapter) Send(ctx context.Context, r *intake.Reply) (channels.Sent, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.failures) > 0 {
		err := a.failures[0]
		a.failures = a.failures[1:]
		return channels.Sent{}, err
	}
	a.sent = append(a.sent, *r)
	if a.sendWait != nil {
		close(a.sendWait)
		a.sendWait = nil
	}
	return channels.Sent{MessageID: "test-" + r.ID}, nil
}

// Sent returns a copy of the replies delivered so far.
func (a *Adapter) Sent() []intake.Reply {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]intake.Reply(nil), a.sent...)
}

// WaitSent waits until at least n replies were delivered or timeout passes.
func (a *Adapter) WaitSent(n int, timeout time.Duration) ([]intake.Reply, error) {
	deadline := time.Now().Add(timeout)
	for {
		a.mu.Lock()
		if len(a.sent) >= n {
			out := append([]intake.Reply(nil), a.sent...)
			a.mu.Unlock()
			return out, nil
		}
		wait := make(chan struct{})
		a.sendWait = wait
		a.mu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			return a.Sent(), fmt.Errorf("%d replies sent, want %d: %w", len(a.Sent()), n, errTimeout)
		}
		select {
		case <-wait:
		case <-time.After(left):
		}
	}
}

var errTimeout = errors.New("timed out")

// Message builds a customer message on the test channel in conversation conv.
func Message(id, from, conv, text string) *intake.Message {
	return &intake.Message{
		ID:           intake.MessageID(id),
		Channel:      intake.ChannelTest,
		From:         intake.Customer{Channel: intake.ChannelTest, ID: from, Verified: true},
		Conversation: intake.Conversation{Channel: intake.ChannelTest, Address: conv, Thread: conv},
		Text:         text,
		ThreadKeys:   []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelTest, conv)},
		ReceivedAt:   time.Now().UTC(),
	}
}
