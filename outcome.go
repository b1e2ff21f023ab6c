package intake

// Outcome is what a handler (the Level I bot, the human tiers) decided about
// one message on an incident. The handler has already changed the incident
// (status, details, timeline); the spine stores it and queues the replies.
type Outcome struct {
	// Replies to the customer, sent on the incident's conversation. The spine
	// fills in ID, IncidentID and Conversation when they are empty.
	Replies []Reply
	// Escalate, when set, hands the incident to the human tiers.
	Escalate *Escalation
}

// Escalation is what Level I hands to the humans: why, and everything it learned.
type Escalation struct {
	// Reason is a short machine-friendly cause: "not_solved", "asked_for_human",
	// "urgent", "out_of_scope", "low_confidence", "language", "category".
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
