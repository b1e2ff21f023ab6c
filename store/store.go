// Package store defines the contract for intake's durable state — incidents,
// thread keys, dedupe keys, counting windows, queues, timers and leases —
// and the helpers built on it. Implementations live in store/bolt (embedded,
// one file) and store/redis; store/storetest holds the conformance suite
// both must pass.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/intake-support/intake"
)

// Sentinel errors callers branch on. Implementations wrap them with context.
var (
	// ErrNotFound: the incident, thread key or lease does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: an incident write carried a stale version, or a create
	// found the ID or one of the thread keys already taken.
	ErrConflict = errors.New("version conflict")
	// ErrEmpty: Dequeue found no message ready.
	ErrEmpty = errors.New("queue empty")
	// ErrLeaseHeld: another holder owns the lease.
	ErrLeaseHeld = errors.New("lease held by another holder")
	// ErrCorrupt: the stored data cannot be read; nothing was changed.
	ErrCorrupt = errors.New("store corrupt")
)

// Store is everything intake keeps. All methods are safe for concurrent use by
// many goroutines and, for shared backends, many processes.
type Store interface {
	Incidents
	Dedupe
	Windows
	Queues
	Timers
	Leases
	Results
	// Ping reports whether the backend is reachable (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the backend.
	Close() error
}

// Filter selects incidents in ListIncidents. Zero fields match everything.
type Filter struct {
	Status intake.Status
	Tier   intake.TierID
	// Limit caps the result; 0 means no cap.
	Limit int
	// Before, when set, starts the list after this position: only incidents
	// older in the list's order (CreatedAt, then ID, both descending) are
	// returned. Paging passes the position of the last incident of a page.
	Before *Position
}

// Position is an incident's place in ListIncidents' order.
type Position struct {
	CreatedAt time.Time
	ID        intake.IncidentID
}

// PositionOf returns inc's place in ListIncidents' order.
func PositionOf(inc *intake.Incident) Position { return Position{CreatedAt: inc.CreatedAt, ID: inc.ID} }

// Incidents stores incidents with optimistic versioning and finds them by
// thread key.
type Incidents interface {
	// NextIncidentID returns a new ID, unique across every process sharing the
	// store, increasing: INC-000001, INC-000002... An ID never used for an
	// incident may be handed out again after a restart (bolt keeps the
	// counter in memory and stores the highest number created).
	NextIncidentID(ctx context.Context) (intake.IncidentID, error)
	// CreateIncident stores a new incident and maps the thread keys to it, all
	// or nothing. It sets inc.Version to 1. ErrConflict if the ID exists or a
	// key already maps to another incident (the caller should then thread to it).
	CreateIncident(ctx context.Context, inc *intake.Incident, keys []intake.ThreadKey) error
	// GetIncident returns the stored incident or ErrNotFound.
	GetIncident(ctx context.Context, id intake.IncidentID) (*intake.Incident, error)
	// UpdateIncident stores inc if the stored version equals inc.Version and then
	// increments inc.Version; otherwise it returns ErrConflict and stores nothing.
	// Keys are mapped to the incident in the same write (keys already mapped to
	// it are fine; a key mapped to another incident is left alone).
	UpdateIncident(ctx context.Context, inc *intake.Incident, keys []intake.ThreadKey) error
	// LookupThread returns the incident a thread key maps to, or ErrNotFound.
	LookupThread(ctx context.Context, key intake.ThreadKey) (intake.IncidentID, error)
	// LookupThreads is LookupThread for each of keys in one read (one
	// transaction, one round trip): ids[i] is the incident keys[i] maps to,
	// "" when it maps to none.
	LookupThreads(ctx context.Context, keys []intake.ThreadKey) (ids []intake.IncidentID, err error)
	// ListIncidents returns the incidents matching f, newest first (latest
	// CreatedAt; equal times by descending ID), after f.Before if set.
	ListIncidents(ctx context.Context, f Filter) ([]*intake.Incident, error)
}

// Dedupe remembers keys for a while.
type Dedupe interface {
	// MarkSeen remembers key for ttl and reports whether it was new (true) or
	// already remembered (false). Exactly one of concurrent callers gets true.
	MarkSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Seen reports whether key is remembered and has not expired.
	Seen(ctx context.Context, key string) (bool, error)
}

// Windows counts distinct members in shared, expiring windows, such as the
// messages one sender wrote this hour (a per-sender rate limit).
type Windows interface {
	// Rank adds each entry's Member to its Window unless it is there
	// already, and returns, for each entry in order, the member's rank in
	// its window: 1 for the first member that joined, 2 for the next, with
	// no gaps. A member added before keeps its rank, so asking again (a
	// message read twice after a crash, or given twice in entries) gives
	// the same answer. Concurrent callers never get one rank for two
	// members of a window. A window, members and count, is forgotten ttl
	// after its first member joined; the next member starts it again at 1.
	// All entries cost one write: one transaction on a file, one round
	// trip on a server. An entry with an empty Window is an error, and
	// then no member joins.
	Rank(ctx context.Context, entries []WindowEntry, ttl time.Duration) (ranks []int, err error)
}

// WindowEntry is one member of one window, for Windows.Rank.
type WindowEntry struct {
	Window, Member string
}

// Delivery is a queue message handed to one consumer.
type Delivery struct {
	// ID is the ID given to Enqueue.
	ID      string
	Payload []byte
	// Attempt counts deliveries of this message, starting at 1.
	Attempt int
	// Token identifies this delivery; Ack and Nack need it so that a consumer
	// whose lease expired cannot ack a message redelivered to another.
	Token string
}

// Queues are durable FIFO queues with at-least-once delivery. A dequeued
// message is invisible to other consumers for the visibility timeout given to
// Dequeue; if it is neither acked nor nacked by then it is delivered again.
type Queues interface {
	// Enqueue adds a message with a caller-chosen ID, ready at once. Enqueueing
	// an ID that is already in the queue (pending or in flight) does nothing.
	Enqueue(ctx context.Context, queue, id string, payload []byte) error
	// EnqueueBatch adds the messages in their order, as Enqueue would one
	// after the other, in one write that other clients see whole. On error
	// none is added (Redis: at most a prefix, if the server failed midway),
	// so sending the same batch again is always safe. Only ID and Payload
	// of each are read; an ID already in the queue, or earlier in the batch,
	// is skipped.
	EnqueueBatch(ctx context.Context, queue string, msgs []Queued) error
	// Dequeue hands the oldest ready message to the caller, or returns ErrEmpty.
	Dequeue(ctx context.Context, queue string, visibility time.Duration) (Delivery, error)
	// DequeueMany is Dequeue for up to max ready messages at once, oldest
	// first, in one write (one transaction, one round trip): each is in
	// flight for visibility from now, under a token of its own, and is
	// acked or nacked on its own. ErrEmpty when none is ready; max below 1
	// is an error.
	DequeueMany(ctx context.Context, queue string, visibility time.Duration, max int) ([]Delivery, error)
	// Ack removes a delivered message for good. ErrNotFound if the token no
	// longer owns it (it was redelivered or already acked).
	Ack(ctx context.Context, queue string, d Delivery) error
	// Nack makes a delivered message ready again after delay (a retry with
	// backoff). With no delay (0 or less) it is ready at once in its old
	// place, ahead of the messages queued after it: a consumer that gives
	// back messages it took but did not handle keeps the queue's order.
	// ErrNotFound as for Ack.
	Nack(ctx context.Context, queue string, d Delivery, delay time.Duration) error
	// QueueLen returns how many messages are in the queue, in flight included.
	QueueLen(ctx context.Context, queue string) (int, error)
	// ListQueue returns up to limit messages of the queue (0: all) in
	// enqueue order, in flight included, without changing them. It is for
	// queues a person looks at, such as a dead-letter queue.
	ListQueue(ctx context.Context, queue string, limit int) ([]Queued, error)
	// RemoveFromQueue deletes the message with id whatever its state: a
	// delivery of it can then no longer be acked. ErrNotFound if it is not
	// in the queue.
	RemoveFromQueue(ctx context.Context, queue, id string) error
}

// Queued is a message as it sits in a queue.
type Queued struct {
	ID      string
	Payload []byte
	// Attempt counts the deliveries of the message so far.
	Attempt int
}

// Timer is a scheduled piece of work.
type Timer struct {
	ID      string
	Due     time.Time
	Payload []byte
}

// Timers fire scheduled work once, even with several processes polling.
type Timers interface {
	// Schedule creates or replaces the timer with t.ID.
	Schedule(ctx context.Context, t Timer) error
	// CancelTimer removes a timer; cancelling an unknown timer is not an error.
	CancelTimer(ctx context.Context, id string) error
	// DueTimers removes and returns up to limit timers due at or before now.
	// Each timer is returned to exactly one caller.
	DueTimers(ctx context.Context, now time.Time, limit int) ([]Timer, error)
}

// Leases give one holder at a time a named role, such as "the IMAP poller".
type Leases interface {
	// AcquireLease takes the lease for ttl if it is free, expired, or already
	// held by holder (which renews it). ErrLeaseHeld otherwise.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error
	// ReleaseLease gives the lease up if holder has it; otherwise it does nothing.
	ReleaseLease(ctx context.Context, name, holder string) error
}
