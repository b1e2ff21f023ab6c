package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// messageTimer is the store timer that delivers msg to the inbox at due:
// a restart does not lose it and, with several instances polling, it fires
// once. Scheduling the same id again replaces it. msg is a system message
// (Channel intake.ChannelSystem) whose Action names the event and whose
// thread key names the incident.
func messageTimer(id string, due time.Time, msg intake.Message) (store.Timer, error) {
	payload, err := json.Marshal(msg)
	if err != nil {
		return store.Timer{}, fmt.Errorf("schedule %s: %w", id, err)
	}
	return store.Timer{ID: id, Due: due, Payload: payload}, nil
}

// TimerRunner moves due timers into the inbox as messages, so that what a
// timer triggers (an SLA step, a soft resolution) is handled by the worker
// like everything else.
type TimerRunner struct {
	Store  store.Timers
	Inbox  Inbox
	Clock  func() time.Time
	Poll   time.Duration
	Logger *slog.Logger
}

// Run polls for due timers until ctx is done.
func (r *TimerRunner) Run(ctx context.Context) error {
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	poll, log := r.Poll, r.Logger
	if poll == 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := r.FireDue(ctx); err != nil && ctx.Err() == nil {
			log.Warn("timers", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// FireDue delivers every timer due now, once, and returns how many it
// delivered. A timer the inbox refuses is put back, with the rest of its batch,
// to fire on the next poll.
func (r *TimerRunner) FireDue(ctx context.Context) (int, error) {
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	now := time.Now
	if r.Clock != nil {
		now = r.Clock
	}
	n := 0
	for {
		due, err := r.Store.DueTimers(ctx, now(), 100)
		if err != nil {
			return n, fmt.Errorf("due timers: %w", err)
		}
		for i, t := range due {
			var msg intake.Message
			if err := json.Unmarshal(t.Payload, &msg); err != nil || len(msg.ThreadKeys) == 0 {
				// With no incident to thread to it would open one.
				r.Logger.Error("undecodable timer dropped", "timer", t.ID, "err", err)
				continue
			}
			msg.ID = intake.MessageID(fmt.Sprintf("%s@%d", t.ID, t.Due.UnixNano()))
			msg.ReceivedAt = now().UTC()
			if err := r.Inbox.Accept(ctx, &msg); err != nil {
				errs := []error{fmt.Errorf("fire %s: %w", t.ID, err)}
				for _, rest := range due[i:] {
					errs = append(errs, r.Store.Schedule(context.WithoutCancel(ctx), rest))
				}
				return n, errors.Join(errs...)
			}
			n++
		}
		if len(due) < 100 {
			return n, nil
		}
	}
}

// timerFor is a timer request with the incident it is about.
type timerFor struct {
	incident intake.IncidentID
	req      intake.TimerRequest
}

// timersFor returns the timer requests recorded on the timeline for msg, in
// order, so that a redelivered message applies exactly what was decided.
func timersFor(inc *intake.Incident, msg *intake.Message) []timerFor {
	var out []timerFor
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventTimer && e.MessageID == msg.ID && e.Timer != nil {
			out = append(out, timerFor{incident: inc.ID, req: *e.Timer})
		}
	}
	return out
}

// timerChange is the store change a handler's timer request asks for. It
// is committed with the incident write, so a timer never fires about a
// decision that was not stored.
func timerChange(t timerFor) (store.TimerChange, error) {
	if t.req.Cancel() {
		return store.TimerChange{Timer: store.Timer{ID: t.req.Key}, Cancel: true}, nil
	}
	msg := SystemMessage(t.incident, t.req.Event)
	if t.req.SLA != nil {
		// An SLA clock acts as "sla" on the timeline.
		msg.From.ID = "sla"
		msg.Target = string(t.req.SLA.Tier)
		msg.SLA = t.req.SLA
	}
	timer, err := messageTimer(t.req.Key, t.req.Due, msg)
	return store.TimerChange{Timer: timer}, err
}
