package escalation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
)

// webOnly turns the web desk on while Slack is off (no bot token).
const webOnly = `
web:
  enabled: true
  users: [{name: Marta, email: marta@example.com, role: manager, password_hash: "$2a$04$abcdefghijklmnopqrstuuTZ0nFWbBvDq9pVqj9s1tVJ8JwGfGmRa"}]
`

// TestDeskOnlyKeepsEverythingOffSlack: with the web desk as the only human
// side, cards, thread notices and manager notifications never wait for a
// Slack adapter that is not running.
func TestDeskOnlyKeepsEverythingOffSlack(t *testing.T) {
	e := newEnv(t, webOnly, mexico(t, "2026-11-30 10:00"))
	msg := e.customer("jean@client.example", "fr", "software", "Mon logiciel ne démarre pas")
	inc := e.incident(intake.IncidentID("INC-000001"))
	if inc.Tier != "L5" {
		t.Fatalf("tier = %s, want L5 (other language)", inc.Tier)
	}
	e.clk.Advance(5 * time.Hour)
	e.fire()
	e.agent(inc.ID, "marta@example.com", "note", "", "call them in French")
	reply := e.agent(inc.ID, "marta@example.com", "reply", "", "Bonjour, nous regardons.")
	inc = e.incident(inc.ID)
	var slack []string
	for _, ev := range inc.Timeline {
		if ev.Kind == intake.EventReply && ev.Reply.Conversation.Channel == intake.ChannelSlack {
			slack = append(slack, ev.Reply.Text)
		}
	}
	if len(slack) > 0 {
		t.Errorf("replies queued for Slack while it is off: %q", slack)
	}
	cards := 0
	for _, r := range repliesTo(inc, msg) {
		if r.Card != nil && r.Conversation.Channel == intake.ChannelWeb && r.Conversation.Address == "L5" {
			cards++
		}
	}
	if cards != 1 {
		t.Errorf("cards for the web desk's L5 = %d, want 1", cards)
	}
	notes := map[string]bool{}
	for _, ev := range inc.Timeline {
		if ev.Kind == intake.EventNote {
			notes[ev.Text] = true
		}
	}
	if !notes["call them in French"] || !notes["aviso a responsables: sin tomar desde hace 4h0m0s"] {
		t.Errorf("timeline notes = %v, want the agent's note and the managers' notification", notes)
	}
	got := repliesTo(inc, reply)
	if len(got) != 1 || got[0].Conversation.Channel != intake.ChannelEmail || !strings.Contains(got[0].Text, "Bonjour") || got[0].Author != "Agent marta@example.com" {
		t.Errorf("reply action = %+v, want one email to the customer by the agent", got)
	}
}
