package intake

import "time"

// Channel names the kind of conversation a message arrived on or a reply leaves by.
type Channel string

// The channels intake speaks.
const (
	ChannelEmail   Channel = "email"
	ChannelSlack   Channel = "slack"
	ChannelDiscord Channel = "discord"
	// ChannelWeb is the desk in a browser: agents' actions come from it and
	// the cards of tiers without a Slack channel go to it.
	ChannelWeb Channel = "web"
	// ChannelSystem carries intake's own events into the inbox, such as an
	// SLA timer firing; they flow through the same durable path as messages.
	ChannelSystem Channel = "intake"
	// ChannelTest is used by the in-repo test adapter.
	ChannelTest Channel = "test"
)

// MessageID identifies a message within its channel: an email Message-ID without
// angle brackets, a Slack ts, a Discord snowflake.
type MessageID string

// ThreadKey is any key that ties a message to a conversation: an email
// Message-ID, an incident token, a chat thread ID. Keys carry a prefix naming
// their kind (see the ThreadKey constructors) so keys of different channels
// never collide.
type ThreadKey string

// ThreadKey constructors, one per kind of key.
func EmailThreadKey(messageID string) ThreadKey { return ThreadKey("email:" + messageID) }

// TokenThreadKey is the key of an incident token such as INC-000123 found in a
// subject line or a plus address.
func TokenThreadKey(id IncidentID) ThreadKey { return ThreadKey("token:" + string(id)) }

// ChatThreadKey is the key of a chat thread or DM conversation.
func ChatThreadKey(ch Channel, threadID string) ThreadKey {
	return ThreadKey(string(ch) + ":" + threadID)
}

// Customer identifies who wrote, per channel: an email address, a Slack user
// ID, a Discord user ID.
type Customer struct {
	Channel Channel `json:"channel"`
	ID      string  `json:"id"`
	Name    string  `json:"name,omitempty"`
	// Verified says whether the channel vouches for the identity (DKIM/SPF/DMARC
	// for email; always true for authenticated chat platforms).
	Verified bool `json:"verified"`
}

// Conversation tells an adapter where to deliver a reply: the channel, the
// place within it (a mailbox address, a Slack or Discord channel ID) and the
// thread (an email Message-ID to answer, a thread ts or thread ID).
type Conversation struct {
	Channel Channel `json:"channel"`
	Address string  `json:"address"`
	Thread  string  `json:"thread,omitempty"`
	// Subject is the email subject of the conversation; empty elsewhere.
	Subject string `json:"subject,omitempty"`
	// References lists the earlier Message-IDs of an email thread.
	References []string `json:"references,omitempty"`
}

// Attachment describes a file that came with a message; intake records it but
// never opens it.
type Attachment struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// Message is one inbound message, normalized from any channel.
type Message struct {
	ID           MessageID    `json:"id"`
	Channel      Channel      `json:"channel"`
	From         Customer     `json:"from"`
	Conversation Conversation `json:"conversation"`
	Subject      string       `json:"subject,omitempty"`
	Text         string       `json:"text"`
	Language     string       `json:"language,omitempty"`
	ThreadKeys   []ThreadKey  `json:"thread_keys,omitempty"`
	Attachments  []Attachment `json:"attachments,omitempty"`
	// AutoReply marks machine-generated mail (out-of-office, bounces, lists):
	// it is recorded but never answered.
	AutoReply       bool   `json:"auto_reply,omitempty"`
	AutoReplyReason string `json:"auto_reply_reason,omitempty"`
	// SenderWindow, when positive, asks the spine to thread the message by
	// its sender when none of ThreadKeys finds an incident: to the sender's
	// open incident it follows up (the same subject, or a short answer),
	// updated within this window. Email sets it from thread_window.
	SenderWindow time.Duration `json:"sender_window,omitempty"`
	// Bounce is set when the message reports that a reply could not be
	// delivered (or a complaint): the spine notes the failing address on the
	// incident the message threads to.
	Bounce *BounceReport `json:"bounce,omitempty"`
	// FromAgent is set by the channel when the sender is a configured agent
	// (a support person writing in a card's thread), not a customer.
	FromAgent bool `json:"from_agent,omitempty"`
	// Action is set when the message is a button press or an event rather
	// than typed text: "solved" and "not_solved" from customers; "claim",
	// "release", "escalate", "resolve", "note" and "reply" from agents (Target names the tier of
	// an escalation, Text carries a note or the resolution); "sla:..." and
	// "triage:..." from intake's own timers on ChannelSystem (a SystemEvent).
	Action string `json:"action,omitempty"`
	Target string `json:"target,omitempty"`
	// SLA is the payload of a fired SLA timer (Action EventSLAClaim or
	// EventSLAResolve).
	SLA        *SLAClock `json:"sla,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

// BounceReport is what a delivery report says about a reply of ours that
// failed for good. A report of delayed delivery only is no BounceReport:
// nothing failed yet.
type BounceReport struct {
	// Recipients whose delivery failed, lower-cased; empty when the report
	// does not say (the incident's customer address is then the one).
	Recipients []string `json:"recipients,omitempty"`
	// Status is the enhanced status code reported, such as 5.1.1.
	Status string `json:"status,omitempty"`
	// Reason says what made the message a bounce.
	Reason string `json:"reason,omitempty"`
	// Complaint is set for an abuse feedback report instead of a bounce.
	Complaint bool `json:"complaint,omitempty"`
}

// DedupeKey is the key under which the message is remembered so that a second
// delivery of it is recognised.
func (m *Message) DedupeKey() string { return "msg:" + string(m.Channel) + ":" + string(m.ID) }

// Reply is one outbound message to a customer or an agent channel.
type Reply struct {
	// ID is unique and deterministic: a retried delivery reuses it so that the
	// outbox sends it once.
	ID           string       `json:"id"`
	IncidentID   IncidentID   `json:"incident_id"`
	Conversation Conversation `json:"conversation"`
	Text         string       `json:"text"`
	// Language of the text, for adapters that localize chrome such as buttons.
	Language string `json:"language,omitempty"`
	// Buttons offered with the reply, for adapters that can show them.
	Buttons []Button `json:"buttons,omitempty"`
	// Auto is true for replies written by the bot rather than a person.
	Auto bool `json:"auto"`
	// EphemeralTo, when set, shows the reply only to that user (a Slack
	// ephemeral message), such as "already claimed by ..." to a late claimer.
	EphemeralTo string `json:"ephemeral_to,omitempty"`
	// Rich, when set, is the text as data (mentions, notices, emphasis) for
	// channels that render it; Text is then its plain rendering. Everything
	// in Text is escaped by the adapters.
	Rich []Span `json:"rich,omitempty"`
	// Author is the agent who wrote a human reply, for channels that show it.
	Author string `json:"author,omitempty"`
	// Card, when set, asks the adapter to render an incident card (Slack
	// Block Kit) instead of plain text; Text is then the fallback.
	Card *Card `json:"card,omitempty"`
	// UpdateOf, when set, names an earlier reply whose delivered message
	// this one replaces in place (chat.update); the adapter must be an Updater.
	UpdateOf string `json:"update_of,omitempty"`
	// ThreadOf, when set, names an earlier reply whose delivered message is the
	// thread to post in (a card's thread); the outbox fills Conversation.Thread.
	ThreadOf string `json:"thread_of,omitempty"`
}

// Card is an incident as shown to agents in a tier channel.
type Card struct {
	IncidentID IncidentID `json:"incident_id"`
	Title      string     `json:"title"`
	Status     Status     `json:"status"`
	Tier       TierID     `json:"tier"`
	TierName   string     `json:"tier_name,omitempty"`
	Customer   Customer   `json:"customer"`
	Origin     Channel    `json:"origin"`
	Language   string     `json:"language,omitempty"`
	Category   string     `json:"category,omitempty"`
	// Fields are labelled facts: the details the bot collected, what it tried.
	Fields    []CardField `json:"fields,omitempty"`
	ClaimedBy string      `json:"claimed_by,omitempty"`
	// ClaimDue and ResolveDue are the SLA deadlines; zero when not running.
	ClaimDue   time.Time `json:"claim_due,omitempty"`
	ResolveDue time.Time `json:"resolve_due,omitempty"`
	// Reports counts the customer reports grouped under a major incident.
	Reports int `json:"reports,omitempty"`
	// Actions are the buttons to show: claim, release, escalate, resolve.
	Actions []Button `json:"actions,omitempty"`
	// EscalateTo lists the tiers an agent may pick when escalating.
	EscalateTo []TierID `json:"escalate_to,omitempty"`
	// Labels are the card's own labels in the desk's language; a card
	// stored before they existed has none and is shown in English.
	Labels *CardLabels `json:"labels,omitempty"`
}

// CardLabels name a card's standard facts in the desk's language, so that
// an adapter renders them without phrases of its own.
type CardLabels struct {
	Customer   string `json:"customer"`
	Channel    string `json:"channel"`
	Status     string `json:"status"`
	Tier       string `json:"tier"`
	Language   string `json:"language"`
	Category   string `json:"category"`
	ClaimedBy  string `json:"claimed_by"`
	Unclaimed  string `json:"unclaimed"`
	ClaimDue   string `json:"claim_due"`
	ResolveDue string `json:"resolve_due"`
	Reports    string `json:"reports"`
	Overdue    string `json:"overdue"`
	// EscalateTo prompts for the tier to escalate to.
	EscalateTo string `json:"escalate_to"`
	// StatusName is the card's status as agents read it ("escalada").
	StatusName string `json:"status_name"`
}

// englishCardLabels label cards that carry no labels of their own.
var englishCardLabels = CardLabels{
	Customer: "Customer", Channel: "Channel", Status: "Status", Tier: "Tier", Language: "Language",
	Category: "Category", ClaimedBy: "Claimed by", Unclaimed: "unclaimed", ClaimDue: "Claim due",
	ResolveDue: "Resolve due", Reports: "Reports", Overdue: "overdue", EscalateTo: "Escalate to…",
}

// LabelsOrEnglish returns the card's labels, English for a card without them.
func (c *Card) LabelsOrEnglish() CardLabels {
	if c.Labels != nil {
		return *c.Labels
	}
	l := englishCardLabels
	l.StatusName = string(c.Status)
	return l
}

// CardField is one labelled fact on a card.
type CardField struct {
	Label string `json:"label"`
	Value string `json:"value"`
	// Rich, when set, is Value as data (see Reply.Rich).
	Rich []Span `json:"rich,omitempty"`
}

// Button is a choice offered to the customer, such as "Yes, solved".
type Button struct {
	Action string `json:"action"`
	Label  string `json:"label"`
}
