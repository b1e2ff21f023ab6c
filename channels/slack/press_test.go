package slack

import (
	"context"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// confirmBot answers a first message with the customer's buttons, resolves
// on "solved", and otherwise (re)opens triage as the real bot does, so a
// press that reaches it on a resolved incident reopens it.
var confirmBot = channels.HandlerFunc(func(_ context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	now := time.Now()
	if msg.Action == "solved" {
		return intake.Outcome{Replies: []intake.Reply{{Text: "glad it works"}}}, inc.Transition(intake.StatusResolved, "bot", now, "solved")
	}
	if err := inc.Transition(intake.StatusTriage, "bot", now, ""); err != nil {
		return intake.Outcome{}, err
	}
	if err := inc.Transition(intake.StatusAwaitingCustomer, "bot", now, ""); err != nil {
		return intake.Outcome{}, err
	}
	return intake.Outcome{Replies: []intake.Reply{{Text: "try this; did it solve it?",
		Buttons: []intake.Button{{Action: "solved", Label: "Solved"}, {Action: "not_solved", Label: "Not solved"}}}}}, nil
})

// TestOnlyTheCustomerPressesTheirButtons: a signed press of a customer's
// "solved" by another Slack user changes nothing, the customer's own press
// resolves, and a later press of an old button does not reopen the
// incident (issue 14, item 4).
func TestOnlyTheCustomerPressesTheirButtons(t *testing.T) {
	_, a, s := startSpine(t, confirmBot)
	const dm, thread = "D7", "1700001000.000001"
	rec := serve(a, "/slack/events", signed("/slack/events", "application/json", eventBody("EP1", map[string]any{
		"type": "message", "channel": dm, "channel_type": "im", "user": outsider, "text": "vpn down", "ts": thread}), testSecret, time.Now()))
	if rec.Code != 200 {
		t.Fatalf("event = %d", rec.Code)
	}
	key := intake.ChatThreadKey(intake.ChannelSlack, dm+":"+thread)
	incident := func() *intake.Incident {
		id, err := s.LookupThread(t.Context(), key)
		if err != nil {
			return nil
		}
		inc, err := s.GetIncident(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	waitStatus := func(want intake.Status, notes int) *intake.Incident {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			inc := incident()
			if inc != nil && inc.Status == want && countNotes(inc) >= notes {
				return inc
			}
			if time.Now().After(deadline) {
				t.Fatalf("incident = %+v, want status %s with %d notes", inc, want, notes)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitStatus(intake.StatusAwaitingCustomer, 0)

	press := func(user, action, actionTs string) {
		p := clickPayload(user, "intake:"+action, "", dm, "1700001001.000001", actionTs)
		p["container"].(map[string]any)["thread_ts"] = thread
		click(t, a, p)
	}
	steps := []struct {
		name   string
		user   string
		action string
		want   intake.Status
		notes  int
	}{
		{"another user presses solved", groupUser, "solved", intake.StatusAwaitingCustomer, 1},
		{"an agent presses solved", agentUser, "solved", intake.StatusAwaitingCustomer, 2},
		{"the customer presses solved", outsider, "solved", intake.StatusResolved, 2},
		{"a stale press of not solved", outsider, "not_solved", intake.StatusResolved, 3},
		{"another user presses not solved", groupUser, "not_solved", intake.StatusResolved, 4},
	}
	for i, st := range steps {
		press(st.user, st.action, "1700001100.00000"+string(rune('1'+i)))
		inc := waitStatus(st.want, st.notes)
		if n := countNotes(inc); n != st.notes {
			t.Errorf("%s: incident has %d refusal notes, want %d", st.name, n, st.notes)
		}
	}
}

func countNotes(inc *intake.Incident) int {
	n := 0
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventNote && e.Actor == "intake" {
			n++
		}
	}
	return n
}
