package channels

import (
	"strings"
	"time"

	"github.com/intake-support/intake"
)

// noteBounce records on inc that the customer's address is failing when msg
// is a bounce of one of inc's replies (Message.Bounce). It is part of
// handling msg, so it is written once, with the message, in the same
// incident write; a note of the same text already on the timeline (another
// report of the same failure) is not repeated. An incident that never sent
// a reply (one the bounce opened for itself) gets no note: nothing of it
// can have bounced.
func (w *Worker) noteBounce(inc *intake.Incident, msg *intake.Message, now time.Time) {
	b := msg.Bounce
	if b == nil || !sentReply(inc) {
		return
	}
	reason := strings.TrimSpace(b.Status + " " + b.Reason)
	if b.Complaint {
		reason = "complaint: " + reason
	}
	addrs := b.Recipients
	if len(addrs) == 0 {
		addrs = []string{inc.Conversation.Address}
	}
	text := "customer address " + strings.Join(addrs, ", ") + " is failing: " + reason
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventNote && e.Text == text {
			return
		}
	}
	inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: "intake", Channel: msg.Channel, MessageID: msg.ID, Text: text})
	w.Logger.Info("customer address failing", "incident", inc.ID, "status", b.Status)
}

// sentReply reports whether inc has a reply on its timeline.
func sentReply(inc *intake.Incident) bool {
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventReply {
			return true
		}
	}
	return false
}
