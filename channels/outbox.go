package channels

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Outbox delivers queued replies through the adapter that owns their
// conversation, retrying with backoff until the peer accepts them. A reply
// refused for good (Permanent), or still failing after MaxAttempts, goes to
// the dead-letter queue (DeadOutboxQueue) and its incident is marked
// (Incident.Undelivered), never dropped. A failure marked PeerRefused is
// retried like any other and also logged at error level.
type Outbox struct {
	Store    store.Store
	Adapters map[intake.Channel]Adapter
	Logger   *slog.Logger
	Metrics  *Metrics
	Clock    func() time.Time
	// Visibility is how long a delivery attempt may take before another
	// worker retries it.
	Visibility time.Duration
	Poll       time.Duration
	// SentFor is how long the marker of a delivered reply is kept; it stops a
	// reply queued twice from being sent twice.
	SentFor time.Duration
	// noAdapterLogged holds the channels whose missing adapter was logged.
	noAdapterLogged sync.Map
	// queued carries the shards a worker in this process just queued
	// replies in (see Queued).
	queued     chan int
	queuedOnce sync.Once
	// MaxAttempts parks a reply still failing after this many attempts in
	// the dead-letter queue; 0 retries for ever.
	MaxAttempts int
	// Concurrency is how many replies Run delivers at once, each from a
	// different outbox shard (replies of different incidents); below 1, one
	// at a time.
	Concurrency int
	// Holder names this outbox in the shard leases it takes; it should be
	// the instance's name, so that a restarted instance takes its shards
	// back at once. Empty: a random name.
	Holder string
}

func (o *Outbox) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Visibility == 0 {
		o.Visibility = 2 * time.Minute
	}
	if o.Poll == 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.SentFor == 0 {
		o.SentFor = 30 * 24 * time.Hour
	}
	if o.Holder == "" {
		o.Holder = "outbox-" + rand.Text()
	}
}

// Queued tells the outbox, when it runs in this process, that a reply was
// just queued in queue (an outbox shard; other queues are ignored), so that
// the shard is drained at once instead of at the next poll. It never waits:
// a call finding the outbox busy is dropped and the poll finds the reply.
func (o *Outbox) Queued(queue string) {
	if i, ok := outboxShardIndex(queue); ok {
		wake(o.queuedShards(), i)
	}
}

func (o *Outbox) queuedShards() chan int {
	o.queuedOnce.Do(func() { o.queued = make(chan int, InboxShards) })
	return o.queued
}

// Run delivers replies until ctx is done, the outbox's shards shared with
// the other instances as the inbox's are (see Worker).
func (o *Outbox) Run(ctx context.Context) error {
	o.defaults()
	return newPool(shardQueues{name: OutboxQueue, shard: OutboxShardQueue, store: o.Store, holder: o.Holder, logger: o.Logger,
		visibility: o.Visibility, poll: o.Poll, concurrency: o.Concurrency, wake: o.queuedShards(), deliver: o.deliver}).run(ctx)
}

func sentKey(replyID string) string { return "sent:" + replyID }

// deliver sends one reply of an outbox shard and acks, retries or parks
// it. It returns false when shutting down left the reply in flight.
func (o *Outbox) deliver(ctx context.Context, queue string, d store.Delivery) bool {
	log := o.Logger.With("queue", queue, "reply", d.ID, "attempt", d.Attempt)
	ack := &store.Ack{Queue: queue, Delivery: d}
	var r intake.Reply
	if err := json.Unmarshal(d.Payload, &r); err != nil {
		o.deadLetter(ctx, ack, nil, "undecodable reply: "+err.Error())
		return true
	}
	log = log.With("incident", r.IncidentID)
	retry, err := o.send(ctx, &r, ack)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return false
	case IsPermanent(err):
		o.Metrics.failed(r.Conversation.Channel, "permanent")
		o.deadLetter(ctx, ack, &r, err.Error())
	case o.MaxAttempts > 0 && d.Attempt >= o.MaxAttempts:
		o.Metrics.failed(r.Conversation.Channel, "retry")
		o.deadLetter(ctx, ack, &r, fmt.Sprintf("still failing after %d attempts: %v", d.Attempt, err))
	default:
		if retry == 0 {
			retry = backoff(d.Attempt)
		}
		if IsPeerRefused(err) {
			// A person must fix the peer or our credentials: say so loudly.
			o.Metrics.failed(r.Conversation.Channel, "refused")
			log.Error("peer refuses us; reply kept, will retry", "channel", r.Conversation.Channel, "in", retry, "err", err)
		} else {
			o.Metrics.failed(r.Conversation.Channel, "retry")
			log.Warn("reply not delivered; will retry", "channel", r.Conversation.Channel, "in", retry, "err", err)
		}
		if err := o.Store.Nack(ctx, queue, d, retry); err != nil {
			log.Warn("nack reply", "err", err)
		}
	}
	return true
}

// send delivers r once and acks it (ack) when it is delivered or was
// delivered before. It returns the delay a peer asked for with the error.
func (o *Outbox) send(ctx context.Context, r *intake.Reply, ack *store.Ack) (time.Duration, error) {
	done, err := o.Store.Seen(ctx, sentKey(r.ID))
	if err != nil {
		return 0, err
	}
	if done {
		if err := o.Store.Ack(context.WithoutCancel(ctx), ack.Queue, ack.Delivery); err != nil {
			o.Logger.Warn("ack reply", "reply", r.ID, "err", err)
		}
		return 0, nil
	}
	a, ok := o.Adapters[r.Conversation.Channel]
	if !ok {
		return o.noAdapter(ctx, r)
	}
	sent, err := o.dispatch(ctx, a, r)
	if err != nil {
		var ra *RetryAfterError
		if errors.As(err, &ra) {
			return ra.After, err
		}
		return 0, err
	}
	o.Metrics.sent(r.Conversation.Channel)
	// The peer has the reply: finish the bookkeeping even while shutting
	// down, or a restart would send it again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	// The sent marker goes first, alone: it is what keeps another instance
	// (or this one after a crash) from sending the reply again, so the time
	// between the peer taking the reply and the marker being durable stays
	// one write, not the incident's read and update too.
	if _, err := o.Store.MarkSeen(ctx, sentKey(r.ID), o.SentFor); err != nil {
		o.Logger.Error("reply sent but not marked; it may be sent again", "reply", r.ID, "incident", r.IncidentID, "err", err)
	}
	o.recordDelivered(ctx, r, sent, ack)
	return 0, nil
}

// recordDelivered writes, in one store commit, what a delivered reply
// leaves: the delivery noted on its incident (and the reply taken off its
// undelivered list, the thread keys the channel gave it mapped), the sent
// marker, and the ack of its outbox item.
func (o *Outbox) recordDelivered(ctx context.Context, r *intake.Reply, sent Sent, ack *store.Ack) {
	res := store.Result{Seen: sentKey(r.ID), SeenFor: o.SentFor, Ack: ack}
	for range maxRecordAttempts {
		inc, err := o.deliveredOn(ctx, r, sent)
		if err != nil {
			o.Logger.Warn("record delivery", "incident", r.IncidentID, "reply", r.ID, "err", err)
		}
		res.Incident, res.Keys = inc, nil
		if inc != nil {
			res.Keys = sent.ThreadKeys
		}
		err = o.Store.Commit(ctx, res)
		if !errors.Is(err, store.ErrConflict) {
			if err != nil {
				o.Logger.Error("reply sent but not marked; it may be sent again", "reply", r.ID, "incident", r.IncidentID, "err", err)
			}
			return
		}
	}
	o.Logger.Error("reply sent but not marked (its incident kept changing); it may be sent again", "reply", r.ID, "incident", r.IncidentID)
}

// maxRecordAttempts bounds the commits of a delivery whose incident others
// keep changing.
const maxRecordAttempts = 50

// deliveredOn reads r's incident and notes the delivery on it; it returns
// nil when there is nothing to write (no incident, already noted).
func (o *Outbox) deliveredOn(ctx context.Context, r *intake.Reply, sent Sent) (*intake.Incident, error) {
	if r.IncidentID == "" {
		return nil, nil
	}
	inc, err := o.Store.GetIncident(ctx, r.IncidentID)
	if err != nil {
		return nil, err
	}
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventDelivery && e.ReplyID == r.ID && e.Text == "" && len(sent.ThreadKeys) == 0 {
			return nil, nil
		}
	}
	inc.Record(intake.Event{Kind: intake.EventDelivery, At: o.Clock().UTC(), Actor: "intake", Channel: r.Conversation.Channel,
		ReplyID: r.ID, SentID: sent.MessageID})
	inc.Undelivered = slices.DeleteFunc(inc.Undelivered, func(id string) bool { return id == r.ID })
	return inc, nil
}

// errNotYetDelivered delays a reply that refers to one still in the outbox.
var errNotYetDelivered = errors.New("the reply it refers to is not delivered yet")

// dispatch sends r through a, first resolving the earlier replies it refers
// to: the thread to post in (ThreadOf) or the message to replace (UpdateOf).
func (o *Outbox) dispatch(ctx context.Context, a Adapter, r *intake.Reply) (Sent, error) {
	if r.ThreadOf == "" && r.UpdateOf == "" {
		return a.Send(ctx, r)
	}
	inc, err := o.Store.GetIncident(ctx, r.IncidentID)
	if err != nil {
		return Sent{}, fmt.Errorf("reply %s: %w", r.ID, err)
	}
	if r.ThreadOf != "" {
		ts := inc.DeliveredAs(r.ThreadOf)
		if ts == "" {
			return Sent{}, &RetryAfterError{After: 2 * time.Second, Err: fmt.Errorf("thread of %s: %w", r.ThreadOf, errNotYetDelivered)}
		}
		r.Conversation.Thread = ts
	}
	if r.UpdateOf == "" {
		return a.Send(ctx, r)
	}
	ts := inc.DeliveredAs(r.UpdateOf)
	if ts == "" {
		return Sent{}, &RetryAfterError{After: 2 * time.Second, Err: fmt.Errorf("update of %s: %w", r.UpdateOf, errNotYetDelivered)}
	}
	u, ok := a.(Updater)
	if !ok {
		return Sent{}, Permanent(fmt.Errorf("the %s adapter cannot update messages", a.Channel()))
	}
	if err := u.Update(ctx, r.Conversation, ts, r); err != nil {
		return Sent{}, err
	}
	return Sent{MessageID: ts}, nil
}

var errAlreadyRecorded = errors.New("already recorded")
