package channels

import (
	"testing"

	"github.com/intake-support/intake"
)

func TestHandlerFor(t *testing.T) {
	system := func(e intake.SystemEvent) *intake.Message {
		return &intake.Message{Channel: intake.ChannelSystem, Action: string(e)}
	}
	customer := &intake.Message{Channel: intake.ChannelEmail, Text: "hola"}
	agent := &intake.Message{Channel: intake.ChannelSlack, FromAgent: true, Action: "claim"}
	triage := &intake.Incident{Status: intake.StatusTriage}
	escalated := &intake.Incident{Status: intake.StatusEscalated}
	claimed := &intake.Incident{Status: intake.StatusClaimed}
	resolved := &intake.Incident{Status: intake.StatusResolved}
	closed := &intake.Incident{Status: intake.StatusClosed}
	tests := []struct {
		name string
		inc  *intake.Incident
		msg  *intake.Message
		want handlerKind
	}{
		{"customer in triage", triage, customer, toLevelOne},
		{"customer on escalated", escalated, customer, toHumans},
		{"customer on claimed", claimed, customer, toHumans},
		{"customer on resolved", resolved, customer, toSurvey},
		{"customer on closed", closed, customer, toSurvey},
		{"agent", triage, agent, toHumans},
		{"agent on resolved", resolved, agent, toHumans},
		{"confirm expired", escalated, system(intake.EventConfirmExpired), toLevelOne},
		{"answer expired", triage, system(intake.EventAnswerExpired), toLevelOne},
		{"sla claim", escalated, system(intake.EventSLAClaim), toHumans},
		{"sla resolve", claimed, system(intake.EventSLAResolve), toHumans},
		{"major report", escalated, system(intake.EventMajorReport), toHumans},
		{"major join", escalated, system(intake.EventMajorJoin), toHumans},
		{"major resolved", triage, system(intake.EventMajorResolved), toHumans},
		{"major refresh", resolved, system(intake.EventMajorRefresh), toHumans},
		{"unknown event", escalated, system("other:thing"), toLevelOne},
	}
	for _, tt := range tests {
		if got := handlerFor(tt.inc, tt.msg); got != tt.want {
			t.Errorf("handlerFor(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
