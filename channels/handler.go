package channels

import (
	"context"

	"github.com/intake-support/intake"
)

// Handler decides what to do with a message on an incident: the Level I bot
// for incidents in triage, the human tiers for escalated ones. It changes inc
// in place (status, details, timeline) and returns the replies to send; the
// worker stores the incident and queues the replies durably.
type Handler interface {
	Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error)
}

// Humans is the hand-over to the human tiers.
type Humans interface {
	Handler
	// Escalate routes an incident Level I could not resolve to a tier. Like
	// Handle it changes inc and returns what to tell the customer.
	Escalate(ctx context.Context, inc *intake.Incident, esc intake.Escalation) (intake.Outcome, error)
	// SurveyAnswer records a customer's answer to the satisfaction survey on
	// a resolved incident. It reports false, changing nothing, when msg is
	// not such an answer: the message then goes to Level I.
	SurveyAnswer(inc *intake.Incident, msg *intake.Message) (intake.Outcome, bool)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	return f(ctx, inc, msg)
}
