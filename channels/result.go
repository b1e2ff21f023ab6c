package channels

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// result is what handling msg leaves in the store, read from inc's
// timeline: the incident itself when fresh (msg was handled now), the timers
// to schedule or cancel, the replies and notices to queue, msg's dedupe key
// and the ack of its delivery. Notices that go through a Notices inbox of
// the caller's own are returned for afterCommit instead.
func (w *Worker) result(inc *intake.Incident, msg *intake.Message, fresh, created bool, ack *store.Ack) (store.Result, []intake.Notice, error) {
	r := store.Result{Seen: msg.DedupeKey(), SeenFor: w.SeenFor, Ack: ack}
	if fresh {
		r.Incident, r.Create, r.Keys = inc, created, msg.ThreadKeys
		if created {
			r.Keys = incidentKeys(inc.ID, msg)
		}
	}
	for _, t := range timersFor(inc, msg) {
		c, err := timerChange(t)
		if err != nil {
			return store.Result{}, nil, err
		}
		r.Timers = append(r.Timers, c)
	}
	for _, rep := range repliesFor(inc, msg) {
		payload, err := json.Marshal(rep)
		if err != nil {
			return store.Result{}, nil, fmt.Errorf("encode reply %s: %w", rep.ID, err)
		}
		r.Enqueue = append(r.Enqueue, OutboxItem(&rep, payload))
	}
	notices := noticesFor(inc, msg)
	if !w.foldNotices {
		return r, notices, nil
	}
	for _, n := range notices {
		nm := noticeMessage(n, w.Clock().UTC())
		payload, err := json.Marshal(nm)
		if err != nil {
			return store.Result{}, nil, fmt.Errorf("encode notice to %s: %w", n.To, err)
		}
		r.Enqueue = append(r.Enqueue, store.Item{Queue: InboxQueueFor(nm), ID: nm.DedupeKey(), Payload: payload})
	}
	return r, notices, nil
}

// afterCommit tells the rest of the process about the notices a commit
// queued, or queues them through the caller's Notices inbox.
func (w *Worker) afterCommit(ctx context.Context, notices []intake.Notice) error {
	if !w.foldNotices {
		return w.applyNotices(ctx, notices)
	}
	for _, n := range notices {
		w.Metrics.received(intake.ChannelSystem)
		wake(w.wake, shardOf(noticeMessage(n, w.Clock().UTC())))
	}
	return nil
}
