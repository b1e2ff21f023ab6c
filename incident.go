package intake

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// IncidentID is the human-friendly identifier of an incident, INC-000123.
type IncidentID string

var incidentIDPattern = regexp.MustCompile(`\bINC-[0-9]{6,}\b`)

// FormatIncidentID turns a sequence number into an IncidentID.
func FormatIncidentID(seq uint64) IncidentID {
	return IncidentID(fmt.Sprintf("INC-%06d", seq))
}

// ParseIncidentID reports whether s is a well-formed IncidentID.
func ParseIncidentID(s string) (IncidentID, bool) {
	if len(s) < 10 || s[:4] != "INC-" {
		return "", false
	}
	if _, err := strconv.ParseUint(s[4:], 10, 64); err != nil {
		return "", false
	}
	return IncidentID(s), true
}

// FindIncidentIDs returns the incident tokens that appear in s, in order.
func FindIncidentIDs(s string) []IncidentID {
	var ids []IncidentID
	for _, m := range incidentIDPattern.FindAllString(s, -1) {
		ids = append(ids, IncidentID(m))
	}
	return ids
}

// TierID names a human tier from the configuration, such as L2.
type TierID string

// Incident is one customer problem, from the first message to its closing.
type Incident struct {
	ID       IncidentID `json:"id"`
	Status   Status     `json:"status"`
	Tier     TierID     `json:"tier,omitempty"`
	Customer Customer   `json:"customer"`
	// Conversation is where replies to the customer go.
	Conversation Conversation `json:"conversation"`
	Subject      string       `json:"subject,omitempty"`
	Language     string       `json:"language,omitempty"`
	Category     string       `json:"category,omitempty"`
	ClaimedBy    string       `json:"claimed_by,omitempty"`
	// Details collected by the Level I bot, by name (description, since...).
	Details map[string]string `json:"details,omitempty"`
	// Escalation is what Level I handed to the humans, if it did.
	Escalation *Escalation `json:"escalation,omitempty"`
	// CardReply is the ID of the reply that posted the incident's card in its
	// tier channel; updates and thread posts refer to it.
	CardReply string `json:"card_reply,omitempty"`
	// ParentID groups a report under a major incident.
	ParentID IncidentID `json:"parent_id,omitempty"`
	// Satisfaction is the customer's 1-5 answer to the survey; 0 if none.
	Satisfaction int `json:"satisfaction,omitempty"`
	// Resolution is what the agent (or the bot) said solved the problem.
	Resolution string `json:"resolution,omitempty"`
	// Automatic marks an incident opened, closed, by an automatic message
	// (an auto-reply, a sender over the rate limit) that threaded to no
	// incident: kept so that nothing accepted is lost, never answered.
	Automatic bool `json:"automatic,omitempty"`
	// Undelivered lists the replies that could not be delivered and wait in
	// the outbox's dead-letter queue: a person retries them or reaches the
	// customer another way. A reply leaves the list once delivered.
	Undelivered []string `json:"undelivered,omitempty"`
	// Triage is the Level I bot's conversation state, opaque to everyone else.
	Triage    []byte    `json:"triage,omitempty"`
	Timeline  []Event   `json:"timeline"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases with every stored write; a write carrying an older
	// version than the stored one fails instead of overwriting it.
	Version int64 `json:"version"`
}

// HasMessage reports whether the message is already on the timeline, which
// makes handling a redelivered message idempotent.
func (inc *Incident) HasMessage(ch Channel, id MessageID) bool {
	for _, e := range inc.Timeline {
		if e.Kind == EventMessage && e.Channel == ch && e.MessageID == id {
			return true
		}
	}
	return false
}

// Transition moves the incident to status to, recording who did it on the
// timeline. It fails with ErrInvalidTransition when the status machine forbids
// the move.
func (inc *Incident) Transition(to Status, actor string, at time.Time, note string) error {
	if !inc.Status.CanMoveTo(to) {
		return fmt.Errorf("%s: %s -> %s: %w", inc.ID, inc.Status, to, ErrInvalidTransition)
	}
	from := inc.Status
	inc.Status = to
	if to != StatusClaimed && from == StatusClaimed {
		inc.ClaimedBy = ""
	}
	inc.Record(Event{Kind: EventStatus, Actor: actor, At: at, From: from, To: to, Text: note})
	return nil
}

// Record appends an event to the timeline.
func (inc *Incident) Record(e Event) {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	inc.Timeline = append(inc.Timeline, e)
	inc.UpdatedAt = e.At
}

// DeliveredAs returns the channel's ID of the message a reply was delivered
// as (a Slack ts, an email Message-ID), or "" if it has not been delivered.
func (inc *Incident) DeliveredAs(replyID string) string {
	for _, e := range inc.Timeline {
		if e.Kind == EventDelivery && e.ReplyID == replyID && e.SentID != "" {
			return e.SentID
		}
	}
	return ""
}

// Open reports whether the incident still needs work.
func (inc *Incident) Open() bool { return inc.Status != StatusResolved && inc.Status != StatusClosed }
