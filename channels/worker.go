package channels

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// Worker takes each message from the inbox, deduplicates it, threads it to its
// incident (or opens one), hands it to Level I or to the humans according to
// the incident's state, stores the result and queues the replies in the outbox.
//
// The whole result of a message (the incident, its timers, the replies and
// notices it queues, the dedupe key and the inbox ack) is written in one
// store.Commit, so a worker killed at any point leaves either nothing or all
// of it. A message redelivered anyway still produces one incident and one
// set of replies: the incident is found again by the message's thread keys,
// a message already on its timeline is not handled twice, and its replies
// are re-queued under the same IDs from the timeline.
//
// Run handles messages of different shards of the inbox in parallel (see
// InboxShards and Concurrency) and the messages of one shard in order.
type Worker struct {
	Store    store.Store
	LevelOne Handler
	Humans   Humans
	Logger   *slog.Logger
	Metrics  *Metrics
	Clock    func() time.Time
	// SeenFor is how long a handled message's dedupe key is remembered.
	SeenFor time.Duration
	// Visibility is how long a dequeued message stays hidden from other
	// workers before it is redelivered; handling must finish well within it.
	Visibility time.Duration
	// Poll is the idle wait between empty dequeues.
	Poll time.Duration
	// Outbox, when set, is the outbox running in this process: it is told
	// of each reply queued, so that the reply goes out at once rather than
	// at its next poll.
	Outbox *Outbox
	// Notices is where the notices of handlers (system messages to other
	// incidents) are queued; this worker's durable inbox by default.
	Notices Inbox
	// MaxAttempts moves a message that failed this many times to DeadQueue.
	MaxAttempts int
	// Concurrency is how many messages Run handles at once, each from a
	// different inbox shard; below 1, one at a time.
	Concurrency int
	// Holder names this worker in the shard leases it takes; it should be
	// the instance's name, the same across restarts, so that a restarted
	// process takes its shards back at once. Empty: a random name.
	Holder string
	// wake is signalled by a StoreInbox in the same process with the shard
	// it queued to.
	wake chan int
	// foldNotices: notices go to the store's inbox with the result of the
	// message that decided them, in the same Commit (Notices was not set).
	foldNotices bool
	// setup applies the defaults once, whichever of Run, Process and Inbox
	// is called first and from whichever goroutine.
	setup sync.Once
	// crashPoint, in tests, is called at named points of Process so that a
	// test can kill the process exactly there.
	crashPoint func(point string)
}

func (w *Worker) reached(point string) {
	if w.crashPoint != nil {
		w.crashPoint(point)
	}
}

// Inbox returns a durable Inbox that wakes this worker when a message arrives.
func (w *Worker) Inbox() *StoreInbox {
	w.setup.Do(w.defaults)
	return &StoreInbox{Store: w.Store, Metrics: w.Metrics, notify: w.wake}
}

func (w *Worker) defaults() {
	if w.Logger == nil {
		w.Logger = slog.Default()
	}
	if w.Clock == nil {
		w.Clock = time.Now
	}
	if w.SeenFor == 0 {
		w.SeenFor = 30 * 24 * time.Hour
	}
	if w.Visibility == 0 {
		w.Visibility = 2 * time.Minute
	}
	if w.Poll == 0 {
		w.Poll = 250 * time.Millisecond
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 8
	}
	if w.wake == nil {
		w.wake = make(chan int, InboxShards)
	}
	if w.Notices == nil {
		w.foldNotices = true
		w.Notices = &StoreInbox{Store: w.Store, Metrics: w.Metrics, notify: w.wake}
	}
	if w.Holder == "" {
		w.Holder = "worker-" + rand.Text()
	}
}

// Run handles inbox messages until ctx is done.
func (w *Worker) Run(ctx context.Context) error {
	w.setup.Do(w.defaults)
	return newPool(shardQueues{name: InboxQueue, shard: ShardQueue, store: w.Store, holder: w.Holder, logger: w.Logger,
		visibility: w.Visibility, poll: w.Poll, concurrency: w.Concurrency, wake: w.wake, deliver: w.deliver}).run(ctx)
}

// deliver handles one message of an inbox shard and acks (with the result),
// retries or parks it. It returns false when shutting down left the message
// in flight, to be redelivered after the visibility timeout.
func (w *Worker) deliver(ctx context.Context, queue string, d store.Delivery) bool {
	log := w.Logger.With("queue", queue, "id", d.ID, "attempt", d.Attempt)
	var msg intake.Message
	err := json.Unmarshal(d.Payload, &msg)
	if err == nil {
		err = w.process(ctx, &msg, &store.Ack{Queue: queue, Delivery: d})
	}
	var ie *incidentError
	if errors.As(err, &ie) {
		log = log.With("incident", ie.id)
	}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		// Shutting down: the message is redelivered after the visibility timeout.
		return false
	case d.Attempt >= w.MaxAttempts:
		log.Error("inbox message failed too often; parked for a person", "queue_dead", DeadQueue, "err", err)
		if perr := w.Store.Enqueue(ctx, DeadQueue, d.ID, d.Payload); perr != nil {
			log.Error("park inbox message", "err", perr)
			return true
		}
		if err := w.Store.Ack(ctx, queue, d); err != nil {
			log.Warn("ack parked inbox message", "err", err)
		}
	default:
		log.Warn("inbox message failed; will retry", "err", err)
		if err := w.Store.Nack(ctx, queue, d, backoff(d.Attempt)); err != nil {
			log.Warn("nack inbox message", "err", err)
		}
	}
	return true
}

// Process handles one message end to end. It is exported for tests and for
// tools that replay messages.
func (w *Worker) Process(ctx context.Context, msg *intake.Message) error {
	w.setup.Do(w.defaults)
	return w.process(ctx, msg, nil)
}

// process handles msg and, with its result, acks ack when set.
func (w *Worker) process(ctx context.Context, msg *intake.Message, ack *store.Ack) error {
	key := msg.DedupeKey()
	seen, err := w.Store.Seen(ctx, key)
	if err != nil {
		return fmt.Errorf("process %s: %w", key, err)
	}
	if seen {
		w.Logger.Debug("duplicate message ignored", "key", key)
		if ack != nil {
			if err := w.Store.Ack(ctx, ack.Queue, ack.Delivery); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("process %s: ack duplicate: %w", key, err)
			}
		}
		return nil
	}
	if err := w.handle(ctx, msg, ack); err != nil {
		return fmt.Errorf("process %s: %w", key, err)
	}
	return nil
}

// handle threads msg to its incident, runs the right handler unless the
// message is already on the timeline, and commits the incident with what
// its timeline says was decided for msg: timers, notices and replies.
func (w *Worker) handle(ctx context.Context, msg *intake.Message, ack *store.Ack) error {
	for attempt := 0; attempt < 20; attempt++ {
		inc, created, err := w.thread(ctx, msg)
		if err != nil {
			return err
		}
		fresh := !inc.HasMessage(msg.Channel, msg.ID)
		if fresh {
			if err := w.apply(ctx, inc, msg); err != nil {
				return inIncident(inc.ID, created, err)
			}
		}
		w.reached("decided")
		r, notices, err := w.result(inc, msg, fresh, created, ack)
		if err != nil {
			return inIncident(inc.ID, created, err)
		}
		err = w.Store.Commit(ctx, r)
		if errors.Is(err, store.ErrConflict) {
			continue // someone else wrote first: thread and decide again
		}
		if err != nil {
			return inIncident(inc.ID, created, err)
		}
		w.reached("committed")
		if w.Outbox != nil {
			for _, it := range r.Enqueue {
				w.Outbox.Queued(it.Queue)
			}
		}
		if fresh && created {
			w.Metrics.opened()
			w.Logger.Info("incident opened", "incident", inc.ID, "channel", msg.Channel)
		}
		return w.afterCommit(ctx, notices)
	}
	return fmt.Errorf("thread %s: too many conflicting writes", msg.DedupeKey())
}

// incidentError is a failure in handling one incident's message; it carries
// the incident so the worker's log line names it.
type incidentError struct {
	id  intake.IncidentID
	err error
}

func (e *incidentError) Error() string { return string(e.id) + ": " + e.err.Error() }

// inIncident names the incident in err unless it was only being created: an
// ID that was never stored would lead a reader nowhere.
func inIncident(id intake.IncidentID, created bool, err error) error {
	if created {
		return err
	}
	return &incidentError{id, err}
}
func (e *incidentError) Unwrap() error { return e.err }

// thread finds the incident of msg by its thread keys (its own, then those
// of its sender's window, see withSenderKeys), or prepares a new one
// (created is then true and the incident is not stored yet).
func (w *Worker) thread(ctx context.Context, msg *intake.Message) (inc *intake.Incident, created bool, err error) {
	reads := newThreadReads()
	if err := w.withSenderKeys(ctx, msg, reads); err != nil {
		return nil, false, err
	}
	ids, err := w.Store.LookupThreads(ctx, msg.ThreadKeys)
	if err != nil {
		return nil, false, fmt.Errorf("look up threads: %w", err)
	}
	for i, id := range ids {
		if id == "" {
			continue
		}
		inc, err := w.incident(ctx, reads, id)
		if err != nil {
			return nil, false, fmt.Errorf("thread %s: %w", msg.ThreadKeys[i], err)
		}
		return inc, false, nil // the first key in the message's order wins
	}
	id, err := w.Store.NextIncidentID(ctx)
	if err != nil {
		return nil, false, err
	}
	now := w.Clock().UTC()
	status := intake.StatusNew
	if msg.AutoReply {
		// Accepted mail is never thrown away: an automatic message that
		// threads nowhere is kept on an incident of its own, closed and
		// marked automatic, so no agent is asked to answer it.
		status = intake.StatusClosed
	}
	return &intake.Incident{
		ID:           id,
		Status:       status,
		Automatic:    msg.AutoReply,
		Customer:     msg.From,
		Conversation: msg.Conversation,
		Subject:      msg.Subject,
		Language:     msg.Language,
		CreatedAt:    now,
		UpdatedAt:    now,
	}, true, nil
}

// incidentKeys are the keys a new incident is found by: the message's own and
// the incident's token.
func incidentKeys(id intake.IncidentID, msg *intake.Message) []intake.ThreadKey {
	return append(append([]intake.ThreadKey{}, msg.ThreadKeys...), intake.TokenThreadKey(id))
}

// apply records msg on the incident, runs the handler its state calls for and
// records the replies it decided.
func (w *Worker) apply(ctx context.Context, inc *intake.Incident, msg *intake.Message) error {
	now := w.Clock().UTC()
	ev := intake.Event{Kind: intake.EventMessage, At: now, Actor: msg.From.ID, Channel: msg.Channel, MessageID: msg.ID}
	if !msg.FromAgent && msg.Channel != intake.ChannelSystem && msg.Action == "" {
		ev.Text = msg.Text // the conversation, as the web desk shows it
	}
	inc.Record(ev)
	w.noteBounce(inc, msg, now)
	if msg.AutoReply {
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: "intake", Channel: msg.Channel, MessageID: msg.ID,
			Text: "automatic message not answered: " + msg.AutoReplyReason})
		return nil
	}
	if why := refusedPress(inc, msg); why != "" {
		w.Logger.Info("button press refused", "incident", inc.ID, "user", msg.From.ID, "action", msg.Action, "status", inc.Status)
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: "intake", Channel: msg.Channel, MessageID: msg.ID, Text: why})
		return nil
	}
	if !msg.FromAgent && msg.Channel != intake.ChannelSystem && msg.Channel == inc.Conversation.Channel && msg.Conversation.Address != "" {
		// Answer in the customer's latest message: an email reply then
		// carries In-Reply-To and References of the mail it answers.
		inc.Conversation = msg.Conversation
	}
	var out intake.Outcome
	var err error
	kind := handlerFor(inc, msg)
	survey := false
	if kind == toSurvey {
		out, survey = w.Humans.SurveyAnswer(inc, msg)
	}
	switch {
	case survey:
	case kind == toHumans:
		out, err = w.Humans.Handle(ctx, inc, msg)
	default:
		out, err = w.LevelOne.Handle(ctx, inc, msg)
	}
	if err != nil {
		return fmt.Errorf("handle %s on %s: %w", msg.DedupeKey(), inc.ID, err)
	}
	if out.Escalate != nil {
		more, err := w.Humans.Escalate(ctx, inc, *out.Escalate)
		if err != nil {
			return fmt.Errorf("escalate %s: %w", inc.ID, err)
		}
		out.Replies = append(out.Replies, more.Replies...)
		out.Timers = append(out.Timers, more.Timers...)
		out.Notify = append(out.Notify, more.Notify...)
		out.Drafts = append(out.Drafts, more.Drafts...)
	}
	for _, d := range out.Drafts {
		if err := writeDraft(d); err != nil {
			return err
		}
	}
	for i := range out.Timers {
		t := out.Timers[i]
		inc.Record(intake.Event{Kind: intake.EventTimer, At: now, Actor: "intake", MessageID: msg.ID, Timer: &t})
	}
	for i := range out.Notify {
		n := out.Notify[i]
		inc.Record(intake.Event{Kind: intake.EventNotice, At: now, Actor: "intake", MessageID: msg.ID, Notice: &n})
	}
	out.Replies = mergePlain(out.Replies)
	for i := range out.Replies {
		r := out.Replies[i]
		if r.ID == "" {
			r.ID = fmt.Sprintf("%s/reply/%d", msg.DedupeKey(), i+1)
		}
		r.IncidentID = inc.ID
		if r.Conversation.Channel == "" {
			r.Conversation = inc.Conversation
		}
		inc.Record(intake.Event{Kind: intake.EventReply, At: now, Actor: "intake", Channel: r.Conversation.Channel,
			MessageID: msg.ID, ReplyID: r.ID, Reply: &r})
	}
	return nil
}

// mergePlain joins plain-text replies bound for the same place into one, so
// that a customer whose case the bot hands over gets one mail ("I'm passing
// your case on" and "your number is INC-..."), not two, even when the agents'
// card is posted in between. A plain reply joins the last earlier reply to its
// conversation only when that one is plain too, so the order of what one
// conversation sees never changes.
func mergePlain(replies []intake.Reply) []intake.Reply {
	plain := func(r intake.Reply) bool {
		return r.ID == "" && r.Card == nil && len(r.Buttons) == 0 && r.EphemeralTo == "" && r.UpdateOf == "" &&
			r.ThreadOf == "" && len(r.Rich) == 0 && r.Author == ""
	}
	var out []intake.Reply
	for _, r := range replies {
		last := -1
		for i := len(out) - 1; i >= 0; i-- {
			if samePlace(out[i].Conversation, r.Conversation) {
				last = i
				break
			}
		}
		if last >= 0 && plain(r) && plain(out[last]) {
			out[last].Text += "\n\n" + r.Text
			out[last].Auto = out[last].Auto && r.Auto
			continue
		}
		out = append(out, r)
	}
	return out
}

func samePlace(a, b intake.Conversation) bool {
	return a.Channel == b.Channel && a.Address == b.Address && a.Thread == b.Thread
}

// repliesFor returns the replies recorded on the timeline for msg.
func repliesFor(inc *intake.Incident, msg *intake.Message) []intake.Reply {
	var out []intake.Reply
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventReply && e.MessageID == msg.ID && e.Reply != nil {
			out = append(out, *e.Reply)
		}
	}
	return out
}
