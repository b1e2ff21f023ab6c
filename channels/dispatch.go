package channels

import (
	"context"
	"fmt"
	"time"

	"github.com/intake-support/intake"
)

// handlerKind names who handles a message.
type handlerKind int

const (
	toLevelOne handlerKind = iota
	toHumans
	// toSurvey: the humans' survey if msg answers it, Level I otherwise.
	toSurvey
)

// systemEvents is the dispatch table of intake's own messages: which handler
// each system event goes to. An event missing here goes to Level I, which
// ignores what it does not know.
var systemEvents = map[intake.SystemEvent]handlerKind{
	intake.EventConfirmExpired: toLevelOne,
	intake.EventAnswerExpired:  toLevelOne,
	intake.EventSLAClaim:       toHumans,
	intake.EventSLAResolve:     toHumans,
	intake.EventMajorReport:    toHumans,
	intake.EventMajorJoin:      toHumans,
	intake.EventMajorResolved:  toHumans,
	intake.EventMajorRefresh:   toHumans,
}

// handlerFor says who handles msg on inc: system events by the table above;
// agents' messages and actions, and anything on an incident a person is
// handling, go to the human tiers; a customer's message on a resolved or
// closed incident may answer the humans' survey; the rest goes to Level I.
func handlerFor(inc *intake.Incident, msg *intake.Message) handlerKind {
	switch {
	case msg.FromAgent:
		return toHumans
	case msg.Channel == intake.ChannelSystem:
		return systemEvents[intake.SystemEvent(msg.Action)]
	case inc.Status == intake.StatusEscalated || inc.Status == intake.StatusClaimed:
		return toHumans
	case !inc.Open():
		return toSurvey
	}
	return toLevelOne
}

// SystemMessage builds the message a timer or a notice delivers about an
// incident.
func SystemMessage(id intake.IncidentID, event intake.SystemEvent) intake.Message {
	return intake.Message{
		Channel:    intake.ChannelSystem,
		From:       intake.Customer{Channel: intake.ChannelSystem, ID: "intake"},
		Action:     string(event),
		ThreadKeys: []intake.ThreadKey{intake.TokenThreadKey(id)},
	}
}

// noticeMessage is the inbox message of a notice. Its ID names the event and
// both incidents, so a notice queued twice is handled once.
func noticeMessage(n intake.Notice, now time.Time) *intake.Message {
	msg := SystemMessage(n.To, n.Event)
	msg.ID = intake.MessageID(string(n.Event) + ":" + string(n.To) + ":" + string(n.About))
	msg.From = intake.Customer{Channel: intake.ChannelSystem, ID: "major", Verified: true}
	msg.Target = string(n.About)
	msg.Text = n.Text
	msg.ReceivedAt = now
	return &msg
}

// noticesFor returns the notices recorded on the timeline for msg, in order.
func noticesFor(inc *intake.Incident, msg *intake.Message) []intake.Notice {
	var out []intake.Notice
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventNotice && e.MessageID == msg.ID && e.Notice != nil {
			out = append(out, *e.Notice)
		}
	}
	return out
}

// applyNotices queues the notices a handler decided through a Notices inbox
// of the caller's own. It runs after the incident write has committed.
func (w *Worker) applyNotices(ctx context.Context, notices []intake.Notice) error {
	for _, n := range notices {
		if err := w.Notices.Accept(ctx, noticeMessage(n, w.Clock().UTC())); err != nil {
			return fmt.Errorf("notify %s about %s: %w", n.To, n.About, err)
		}
	}
	return nil
}
