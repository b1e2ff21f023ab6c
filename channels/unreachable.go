package channels

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

// noAdapterRetry is how often a reply for a channel with no running adapter
// is tried again: the channel may be switched on by a restart.
const noAdapterRetry = 10 * time.Minute

// noAdapter handles a reply whose channel has no adapter running, such as a
// tier's card while Slack is off: the reply stays queued for a restart with
// the channel on, but a person must learn that it reached no one. The first
// time for each reply it is marked on the incident's timeline and counted
// (intake_delivery_failures_total{kind="no_adapter"}); the first time for
// each channel it is logged at error.
func (o *Outbox) noAdapter(ctx context.Context, r *intake.Reply) (time.Duration, error) {
	err := fmt.Errorf("no %s adapter is running", r.Conversation.Channel)
	if _, seen := o.noAdapterLogged.LoadOrStore(r.Conversation.Channel, true); !seen {
		o.Logger.Error("replies for a channel that is off wait in the outbox; nobody sees them until it is switched on",
			"channel", r.Conversation.Channel, "incident", r.IncidentID)
	}
	if r.IncidentID == "" {
		return noAdapterRetry, err
	}
	text := fmt.Sprintf("not delivered: %s channel is off, so nobody sees this %s; it waits in the outbox until the channel is switched on",
		r.Conversation.Channel, replyKind(r))
	now := o.Clock().UTC()
	_, merr := store.Mutate(ctx, o.Store, r.IncidentID, func(inc *intake.Incident) error {
		for _, e := range inc.Timeline {
			if e.Kind == intake.EventDelivery && e.ReplyID == r.ID && e.Text == text {
				return errAlreadyRecorded
			}
		}
		inc.Record(intake.Event{Kind: intake.EventDelivery, At: now, Actor: "intake", Channel: r.Conversation.Channel, ReplyID: r.ID, Text: text})
		return nil
	})
	switch {
	case merr == nil:
		o.Metrics.failed(r.Conversation.Channel, "no_adapter")
	case !errors.Is(merr, errAlreadyRecorded):
		o.Logger.Warn("record undeliverable reply", "incident", r.IncidentID, "reply", r.ID, "err", merr)
	}
	return noAdapterRetry, err
}

func replyKind(r *intake.Reply) string {
	if r.Card != nil {
		return "card"
	}
	return "reply"
}
