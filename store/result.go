package store

import (
	"context"
	"time"

	"github.com/intake-support/intake"
)

// Results writes everything handling one message changes in one atomic step:
// one transaction (one fsync) on an embedded store, one request on a server.
type Results interface {
	// Commit writes r all or nothing. If r.Incident is set and its write
	// fails the version or ownership check (see Result.Incident), Commit
	// returns ErrConflict and writes nothing; the caller should read the
	// incident again and decide again.
	Commit(ctx context.Context, r Result) error
}

// Result is the durable outcome of handling one message.
type Result struct {
	// Incident, when set, is written as CreateIncident (Create true: version
	// 1, ErrConflict if the ID or one of Keys belongs to another incident)
	// or UpdateIncident (the stored version must equal Incident.Version;
	// ErrConflict otherwise) would, with Keys mapped to it. On success
	// Incident.Version is the stored version.
	Incident *intake.Incident
	Create   bool
	Keys     []intake.ThreadKey
	// Timers are scheduled or cancelled, in order.
	Timers []TimerChange
	// Enqueue adds messages to queues, in order, each unless a message
	// with its ID is already in its queue.
	Enqueue []Item
	// Seen, when not empty, is a dedupe key remembered for SeenFor, as
	// MarkSeen does.
	Seen    string
	SeenFor time.Duration
	// Ack, when set, removes a delivered message, as Queues.Ack does; a
	// delivery that no longer owns its message is left alone and does not
	// fail the commit (the message was redelivered, and whoever has it
	// finds this result).
	Ack *Ack
}

// TimerChange schedules Timer (replacing one with its ID), or cancels the
// timer Timer.ID when Cancel is set.
type TimerChange struct {
	Timer  Timer
	Cancel bool
}

// Item is a message for Queues.Enqueue.
type Item struct {
	Queue   string
	ID      string
	Payload []byte
}

// Ack names a delivery to acknowledge.
type Ack struct {
	Queue    string
	Delivery Delivery
}
