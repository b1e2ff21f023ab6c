package triage

import (
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
)

// TestEveryWaitHasATimer: each waiting step asks for its timer, and the
// timer firing (on the injectable clock) ends the wait.
func TestEveryWaitHasATimer(t *testing.T) {
	tests := []struct {
		name   string
		turns  []string
		event  intake.SystemEvent
		after  time.Duration // when the timer fires
		status intake.Status // after it fires
		reason string
	}{
		{"confirm", []string{"The printer is offline since this morning and only I am affected"}, intake.EventConfirmExpired, 24 * time.Hour, intake.StatusResolved, ""},
		{"details", []string{"la impresora no imprime, sale offline", "no"}, intake.EventAnswerExpired, 8 * time.Hour, intake.StatusAwaitingCustomer, "not_solved"},
		{"onsite details", []string{"necesito que venga un tecnico a instalar un equipo nuevo"}, intake.EventAnswerExpired, 8 * time.Hour, intake.StatusAwaitingCustomer, "category"},
		{"describe", []string{"hola"}, intake.EventAnswerExpired, 8 * time.Hour, intake.StatusClosed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, clk := newTestBot(t)
			inc := newIncident()
			var out intake.Outcome
			for _, turn := range tt.turns {
				out = handle(t, b, inc, msg(turn))
			}
			if inc.Status != intake.StatusAwaitingCustomer || len(out.Timers) != 1 || out.Timers[0].Event != tt.event {
				t.Fatalf("after %q: status %s timers %+v, want awaiting_customer with %s", tt.turns, inc.Status, out.Timers, tt.event)
			}
			if due := out.Timers[0].Due; !due.Equal(clk.now.Add(tt.after)) {
				t.Errorf("timer due %s, want %s", due, clk.now.Add(tt.after))
			}
			clk.now = clk.now.Add(tt.after - time.Minute)
			early := handle(t, b, inc, systemMsg(tt.event))
			if len(early.Replies) != 0 || inc.Status != intake.StatusAwaitingCustomer {
				t.Fatalf("timer a minute early: %+v status %s, want nothing", early, inc.Status)
			}
			clk.now = clk.now.Add(time.Minute)
			out = handle(t, b, inc, systemMsg(tt.event))
			reason := ""
			if out.Escalate != nil {
				reason = out.Escalate.Reason
			}
			if inc.Status != tt.status || reason != tt.reason || len(out.Replies) != 1 {
				t.Fatalf("timer fired: status %s reason %q replies %+v, want %s %q and one reply", inc.Status, reason, out.Replies, tt.status, tt.reason)
			}
			if len(out.Timers) != 1 || !out.Timers[0].Cancel() {
				t.Errorf("timers after firing = %+v, want cancelled", out.Timers)
			}
			if tt.reason != "" && out.Escalate.Details["not_answered"] == "" {
				t.Errorf("details = %v, want what was not answered", out.Escalate.Details)
			}
			if tt.reason != "" && !strings.Contains(out.Replies[0].Text, say("unanswered", "es")) {
				t.Errorf("reply = %q, want it to say the questions went unanswered", out.Replies[0].Text)
			}
		})
	}
}

// TestAnswerWithinFromOptions: the wait follows triage.answer_within.
func TestAnswerWithinFromOptions(t *testing.T) {
	clk := &fakeClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	tr := exampleTriage()
	tr.AnswerWithin = 30 * time.Minute
	b, err := New(loadDefaultKB(t), tr, WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	inc := newIncident()
	handle(t, b, inc, msg("la impresora esta offline"))
	out := handle(t, b, inc, msg("no"))
	if len(out.Timers) != 1 || !out.Timers[0].Due.Equal(clk.now.Add(30*time.Minute)) {
		t.Fatalf("timers = %+v, want due in 30m", out.Timers)
	}
}

func systemMsg(event intake.SystemEvent) *intake.Message {
	m := msg("")
	m.Channel, m.Action = intake.ChannelSystem, string(event)
	return m
}
