package intake

import "time"

// Outcome is what a handler (the Level I bot, the human tiers) decided about
// one message on an incident. The handler has already changed the incident
// (status, details, timeline); the spine stores it, then queues the replies
// and schedules or cancels the timers.
type Outcome struct {
	// Replies to the customer, sent on the incident's conversation. The spine
	// fills in ID, IncidentID and Conversation when they are empty.
	Replies []Reply
	// Escalate, when set, hands the incident to the human tiers.
	Escalate *Escalation
	// Timers to schedule or cancel once the incident is stored. When one
	// fires, its Event comes back to the handlers as a system message on the
	// incident (Message.Channel ChannelSystem, Message.Action the event).
	Timers []TimerRequest
	// Notify are system messages to other incidents (major incident
	// grouping), queued in the inbox once this incident is stored.
	Notify []Notice
	// Drafts are knowledge base articles to write for a manager to review
	// (a resolved tier III incident); the spine writes them before it
	// stores the incident, so a failed write is retried with the message.
	Drafts []Draft
}

// Draft is a knowledge base article drafted from an incident, written as a
// KB file (a YAML list of one article) at Path, after the comment Header.
// Writing the same draft again rewrites the same file.
type Draft struct {
	Path    string
	Header  string
	Article Article
}

// SystemEvent names something intake's own timers deliver to a handler, as
// the Action of a system message.
type SystemEvent string

// The Level I bot's events.
const (
	// EventConfirmExpired: "did that solve it?" got no answer in time.
	EventConfirmExpired SystemEvent = "triage:confirm_expired"
	// EventAnswerExpired: a question the bot asked (details, a choice between
	// articles, a clearer description) got no answer in time.
	EventAnswerExpired SystemEvent = "triage:answer_expired"
)

// The human desk's events. Their values are those stored by earlier
// versions, so timers and messages already queued keep working.
const (
	// EventSLAClaim: a step of the claim clock (remind, escalate, notify) is due.
	EventSLAClaim SystemEvent = "sla:claim"
	// EventSLAResolve: a claimed incident passed resolve_within.
	EventSLAResolve SystemEvent = "sla:resolve"
	// EventMajorReport tells a parent incident that a report joined it.
	EventMajorReport SystemEvent = "sla:major-report"
	// EventMajorJoin tells an earlier report that it now belongs to a parent.
	EventMajorJoin SystemEvent = "sla:major-join"
	// EventMajorResolved tells a report that its parent was resolved.
	EventMajorResolved SystemEvent = "sla:major-resolved"
	// EventMajorRefresh is the coalesced update of a parent incident: a
	// report's timer passes it on to its parent, which then counts every
	// report grouped under it since the last refresh and updates its card once.
	EventMajorRefresh SystemEvent = "sla:major-refresh"
)

// SLAClock is the payload of an SLA timer: which clock of which tier, and
// when it started (arrival in the tier, or the claim). A timer whose epoch is
// no longer the incident's is stale and does nothing.
type SLAClock struct {
	Tier  TierID    `json:"tier"`
	Step  int       `json:"step"`
	Agent string    `json:"agent,omitempty"`
	Epoch time.Time `json:"epoch"`
}

// Notice is a system message from one incident to another: Event delivered to
// incident To about incident About, with Text (a parent's resolution).
type Notice struct {
	To    IncidentID  `json:"to"`
	Event SystemEvent `json:"event"`
	About IncidentID  `json:"about"`
	Text  string      `json:"text,omitempty"`
}

// TimerRequest asks the spine to schedule a durable timer or, when Due is
// zero, to cancel it. Key names the timer: scheduling a key again replaces
// it, so a handler keeps one key per incident and purpose (see TimerKey).
type TimerRequest struct {
	Key   string      `json:"key"`
	Due   time.Time   `json:"due,omitempty"`
	Event SystemEvent `json:"event,omitempty"`
	// SLA is the payload of an SLA timer; the fired message carries it.
	SLA *SLAClock `json:"sla,omitempty"`
}

// Cancel reports whether the request cancels its timer.
func (t TimerRequest) Cancel() bool { return t.Due.IsZero() }

// TimerKey is the conventional key of an incident's timer for purpose, such
// as "triage".
func TimerKey(purpose string, id IncidentID) string { return purpose + ":" + string(id) }

// ScheduleTimer is the request for key to fire event at due.
func ScheduleTimer(key string, due time.Time, event SystemEvent) TimerRequest {
	return TimerRequest{Key: key, Due: due, Event: event}
}

// CancelTimer is the request to cancel the timer key.
func CancelTimer(key string) TimerRequest { return TimerRequest{Key: key} }

// Escalation is what Level I hands to the humans: why, and everything it learned.
type Escalation struct {
	// Reason is a short machine-friendly cause: "not_solved", "asked_for_human",
	// "urgent", "out_of_scope", "low_confidence", "language", "category",
	// "no_answer" (a question of the bot went unanswered), "insisted" (the
	// customer wrote again after an out-of-scope reply).
	Reason string `json:"reason"`
	// Tier forces a tier; empty lets the routing rules decide.
	Tier       TierID            `json:"tier,omitempty"`
	Language   string            `json:"language,omitempty"`
	Category   string            `json:"category,omitempty"`
	Confidence float64           `json:"confidence,omitempty"`
	Details    map[string]string `json:"details,omitempty"`
	// Tried lists what the bot attempted, such as the KB articles it answered with.
	Tried []string `json:"tried,omitempty"`
}
