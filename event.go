package intake

import "time"

// EventKind names what happened on an incident.
type EventKind string

// The kinds of timeline events.
const (
	EventMessage  EventKind = "message"  // a customer message arrived
	EventReply    EventKind = "reply"    // a reply was queued for the customer
	EventDelivery EventKind = "delivery" // a reply was delivered, or failed for good
	EventStatus   EventKind = "status"   // the status changed
	EventNote     EventKind = "note"     // an internal note by an agent or the system
	EventTriage   EventKind = "triage"   // a Level I decision (classification, answer)
	EventTimer    EventKind = "timer"    // a timer scheduled or cancelled by a handler
	EventNotice   EventKind = "notice"   // a system message queued for another incident
)

// Event is one entry on an incident's timeline: who did what, when, on which channel.
type Event struct {
	Kind    EventKind `json:"kind"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor,omitempty"`
	Channel Channel   `json:"channel,omitempty"`
	// MessageID is the inbound message an EventMessage records, or the message
	// that caused a reply.
	MessageID MessageID `json:"message_id,omitempty"`
	// ReplyID ties EventReply and EventDelivery to the outbox entry.
	ReplyID string `json:"reply_id,omitempty"`
	// SentID is the channel's ID of a delivered reply (EventDelivery).
	SentID string `json:"sent_id,omitempty"`
	From   Status `json:"from,omitempty"`
	To     Status `json:"to,omitempty"`
	Tier   TierID `json:"tier,omitempty"`
	Text   string `json:"text,omitempty"`
	// Reply is the full outbound message of an EventReply, kept so that a
	// redelivered inbound message can re-queue exactly what was decided.
	Reply *Reply `json:"reply,omitempty"`
	// Timer is the request of an EventTimer, kept so that a redelivered
	// inbound message can apply exactly what was decided.
	Timer *TimerRequest `json:"timer,omitempty"`
	// Notice is the system message of an EventNotice, kept for the same reason.
	Notice *Notice `json:"notice,omitempty"`
}
