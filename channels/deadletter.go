package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// DeadOutboxQueue keeps the replies that could not be delivered (refused
// for good, or still failing after the outbox's last attempt) until a person
// retries them: nothing leaves the outbox silently.
const DeadOutboxQueue = OutboxQueue + ".dead"

// DeadReply is a reply in the dead-letter queue, as the API shows it.
type DeadReply struct {
	ID         string            `json:"id"`
	IncidentID intake.IncidentID `json:"incident_id,omitempty"`
	Channel    intake.Channel    `json:"channel,omitempty"`
	// Reason is the last delivery error.
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
	Attempts int       `json:"attempts"`
	// Reply is the queued reply as it was (JSON), or, when it could not
	// be decoded, its raw bytes as a JSON string.
	Reply json.RawMessage `json:"reply"`
}

// ErrNotDead is returned by RetryDead for an ID not in the dead-letter queue.
var ErrNotDead = errors.New("not in the dead-letter queue")

// newDeadReply wraps an outbox payload for the dead-letter queue.
func newDeadReply(d store.Delivery, r *intake.Reply, reason string, at time.Time) DeadReply {
	dr := DeadReply{ID: d.ID, Reason: reason, At: at, Attempts: d.Attempt, Reply: d.Payload}
	if !json.Valid(d.Payload) {
		dr.Reply, _ = json.Marshal(string(d.Payload))
	}
	if r != nil {
		dr.IncidentID, dr.Channel = r.IncidentID, r.Conversation.Channel
	}
	return dr
}

// ListDead returns up to limit replies of the dead-letter queue (0: all),
// oldest first.
func ListDead(ctx context.Context, st store.Queues, limit int) ([]DeadReply, error) {
	items, err := st.ListQueue(ctx, DeadOutboxQueue, limit)
	if err != nil {
		return nil, err
	}
	out := make([]DeadReply, 0, len(items))
	for _, it := range items {
		out = append(out, decodeDead(it))
	}
	return out, nil
}

// decodeDead reads a dead-letter entry; one parked by an older version (the
// bare payload) is shown with an unknown reason rather than hidden.
func decodeDead(it store.Queued) DeadReply {
	var dr DeadReply
	if err := json.Unmarshal(it.Payload, &dr); err != nil || dr.ID == "" || len(dr.Reply) == 0 {
		dr = newDeadReply(store.Delivery{ID: it.ID, Payload: it.Payload}, nil, "unknown (parked by an older version)", time.Time{})
	}
	dr.ID = it.ID
	return dr
}

// RetryDead moves a dead reply back to the outbox, which tries it again at
// once; the incident notes who asked. The reply keeps its ID, so a reply
// that was in fact delivered is not sent twice. ErrNotDead if id is not in
// the dead-letter queue.
func RetryDead(ctx context.Context, st store.Store, id, actor string, now time.Time) error {
	items, err := st.ListQueue(ctx, DeadOutboxQueue, 0)
	if err != nil {
		return fmt.Errorf("retry %s: %w", id, err)
	}
	i := slices.IndexFunc(items, func(q store.Queued) bool { return q.ID == id })
	if i < 0 {
		return fmt.Errorf("retry %s: %w", id, ErrNotDead)
	}
	dr := decodeDead(items[i])
	payload := []byte(dr.Reply)
	var s string
	if json.Unmarshal(dr.Reply, &s) == nil {
		payload = []byte(s) // an undecodable reply, kept as a string
	}
	// Enqueue first: a crash in between leaves the reply in both queues,
	// never in neither; the sent mark (by reply ID) keeps a second delivery
	// away. The outbox item gets an ID of its own: the outbox may still hold
	// the parked delivery under the old one for a moment (it parks, then
	// acks), and an Enqueue under that ID would be taken for a duplicate
	// and then acked away with it.
	retryID := fmt.Sprintf("%s%s%d", strings.SplitN(id, retrySuffix, 2)[0], retrySuffix, now.UnixNano())
	if err := st.Enqueue(ctx, retryQueue(payload), retryID, payload); err != nil {
		return fmt.Errorf("retry %s: %w", id, err)
	}
	if err := st.RemoveFromQueue(ctx, DeadOutboxQueue, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("retry %s: %w", id, err)
	}
	if dr.IncidentID != "" {
		_, err := store.Mutate(ctx, st, dr.IncidentID, func(inc *intake.Incident) error {
			inc.Record(intake.Event{Kind: intake.EventNote, At: now.UTC(), Actor: actor, Channel: dr.Channel, ReplyID: id,
				Text: "undelivered reply sent to the outbox again"})
			return nil
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("retry %s: note on %s: %w", id, dr.IncidentID, err)
		}
	}
	return nil
}

// retryQueue is the outbox shard a dead reply goes back to: its incident's,
// or the first for a reply that cannot be read.
func retryQueue(payload []byte) string {
	var r intake.Reply
	if json.Unmarshal(payload, &r) != nil {
		return OutboxQueue
	}
	return OutboxQueueFor(&r)
}

// retrySuffix separates a dead reply's ID from the time it was sent to the
// outbox again.
const retrySuffix = "@retry"

// deadLetter moves a reply that cannot be delivered to the dead-letter
// queue, marks its incident for a person and acks it in the outbox.
func (o *Outbox) deadLetter(ctx context.Context, ack *store.Ack, r *intake.Reply, reason string) {
	ctx = context.WithoutCancel(ctx) // finish the move even while shutting down
	now := o.Clock().UTC()
	d := ack.Delivery
	log := o.Logger.With("queue", ack.Queue, "reply", d.ID, "attempt", d.Attempt)
	// Mark the incident first: a crash before the ack leaves the reply in
	// the outbox, which comes back here, and both steps are idempotent.
	var ch intake.Channel
	if r != nil {
		ch = r.Conversation.Channel
		o.markUndelivered(ctx, r, reason, now)
	}
	payload, err := json.Marshal(newDeadReply(d, r, reason, now))
	if err == nil {
		err = o.Store.Enqueue(ctx, DeadOutboxQueue, d.ID, payload)
	}
	if err != nil {
		// Not acked: the reply stays in the outbox and comes back.
		log.Error("reply not delivered and not parked; it stays in the outbox", "err", err)
		return
	}
	o.Metrics.dead(ch)
	log.Error("reply not delivered; parked in the dead-letter queue for a person", "channel", ch, "incident", incidentOf(r), "reason", reason)
	if err := o.Store.Ack(ctx, ack.Queue, d); err != nil {
		log.Warn("ack parked reply", "err", err)
	}
}

func incidentOf(r *intake.Reply) intake.IncidentID {
	if r == nil {
		return ""
	}
	return r.IncidentID
}

// markUndelivered notes the failure on the incident's timeline and lists
// the reply in Incident.Undelivered, the mark a person follows up.
func (o *Outbox) markUndelivered(ctx context.Context, r *intake.Reply, reason string, now time.Time) {
	if r.IncidentID == "" {
		return
	}
	text := "reply not delivered (in the dead-letter queue): " + reason
	_, err := store.Mutate(ctx, o.Store, r.IncidentID, func(inc *intake.Incident) error {
		if slices.Contains(inc.Undelivered, r.ID) {
			return errAlreadyRecorded
		}
		inc.Undelivered = append(inc.Undelivered, r.ID)
		inc.Record(intake.Event{Kind: intake.EventDelivery, At: now, Actor: "intake", Channel: r.Conversation.Channel,
			ReplyID: r.ID, Text: text})
		return nil
	})
	if err != nil && !errors.Is(err, errAlreadyRecorded) {
		o.Logger.Warn("mark undelivered reply", "incident", r.IncidentID, "reply", r.ID, "err", err)
	}
}
