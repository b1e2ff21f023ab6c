package slack

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/store/bolt"
)

// echoBot answers every customer message and escalates on "human".
var echoBot = channels.HandlerFunc(func(_ context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	out := intake.Outcome{Replies: []intake.Reply{{Text: "bot: " + msg.Text, Auto: true}}}
	if strings.Contains(msg.Text, "human") {
		out.Escalate = &intake.Escalation{Reason: "asked_for_human"}
	}
	return out, nil
})

// deskStub stands in for the escalation code: a card on escalation, the
// card updated on claim, agents' replies to the customer, customers'
// messages into the card's thread.
type deskStub struct{}

func cardReply(inc *intake.Incident, id, updateOf string) intake.Reply {
	return intake.Reply{ID: id, UpdateOf: updateOf,
		Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: tierChan},
		Card: &intake.Card{IncidentID: inc.ID, Title: "help", Status: inc.Status, Customer: inc.Customer,
			Origin: inc.Conversation.Channel, ClaimedBy: inc.ClaimedBy,
			Actions: []intake.Button{{Action: "claim", Label: "Claim"}}}}
}

func (deskStub) Escalate(_ context.Context, inc *intake.Incident, esc intake.Escalation) (intake.Outcome, error) {
	err := inc.Transition(intake.StatusEscalated, "bot", time.Now(), esc.Reason)
	return intake.Outcome{Replies: []intake.Reply{cardReply(inc, string(inc.ID)+"/card", "")}}, err
}

func (deskStub) SurveyAnswer(*intake.Incident, *intake.Message) (intake.Outcome, bool) {
	return intake.Outcome{}, false
}

func (deskStub) Handle(_ context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	switch {
	case msg.Action == "claim":
		if err := inc.Transition(intake.StatusClaimed, msg.From.ID, time.Now(), ""); err != nil {
			return intake.Outcome{}, err
		}
		inc.ClaimedBy = msg.From.ID
		return intake.Outcome{Replies: []intake.Reply{cardReply(inc, msg.DedupeKey()+"/card", string(inc.ID)+"/card")}}, nil
	case msg.FromAgent:
		return intake.Outcome{Replies: []intake.Reply{{Text: msg.Text, Author: "Ana (agent)"}}}, nil
	}
	return intake.Outcome{Replies: []intake.Reply{{ThreadOf: string(inc.ID) + "/card", Text: msg.Text,
		Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: tierChan}}}}, nil
}

// startSpine runs an adapter on the Slack double with the real worker, bolt
// store and outbox, levelOne standing in for the bot.
func startSpine(t *testing.T, levelOne channels.Handler) (fakeSlack, *Adapter, *bolt.Store) {
	t.Helper()
	f := newFakeSlack(t)
	a, err := New(testConfig(f), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s, err := bolt.Open(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	quiet := slog.New(slog.DiscardHandler)
	w := &channels.Worker{Store: s, LevelOne: levelOne, Humans: deskStub{}, Logger: quiet, Poll: 10 * time.Millisecond, Visibility: time.Second}
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{intake.ChannelSlack: a}, Logger: quiet, Poll: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{func(ctx context.Context) error { return a.Run(ctx, w.Inbox()) }, w.Run, o.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(ctx) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	<-a.ready
	return f, a, s
}

// TestThroughTheSpine runs the adapter with the real worker, store and
// outbox: a DM opens an incident and is answered in its thread, escalation
// posts a card, a Claim click updates it, and an agent's reply in the card's
// thread reaches the customer's thread.
func TestThroughTheSpine(t *testing.T) {
	f, a, _ := startSpine(t, echoBot)

	event := func(id string, ev map[string]any) {
		t.Helper()
		rec := serve(a, "/slack/events", signed("/slack/events", "application/json", eventBody(id, ev), testSecret, time.Now()))
		if rec.Code != 200 {
			t.Fatalf("event %s = %d", id, rec.Code)
		}
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	posts := func() []call { return f.callsOf("chat.postMessage") }

	event("E1", map[string]any{"type": "message", "channel": "D5", "channel_type": "im", "user": outsider, "text": "printer broken", "ts": "1700000800.000001"})
	waitFor("the bot's answer", func() bool { return len(posts()) == 1 })
	if p := posts()[0].Form; p.Get("channel") != "D5" || p.Get("thread_ts") != "1700000800.000001" || p.Get("text") != "bot: printer broken" {
		t.Fatalf("answer = %v, want it in the DM thread", p)
	}

	event("E2", map[string]any{"type": "message", "channel": "D5", "channel_type": "im", "user": outsider, "text": "a human please", "thread_ts": "1700000800.000001", "ts": "1700000801.000001"})
	var ts string
	waitFor("the card", func() bool {
		for _, p := range posts() {
			if p.Form.Get("channel") == tierChan && p.Form.Get("blocks") != "" {
				ts = p.TS
				return true
			}
		}
		return false
	})

	click(t, a, clickPayload(agentUser, "intake:claim", "INC", tierChan, ts, "1700000900.000001"))
	waitFor("the card update", func() bool { return len(f.callsOf("chat.update")) == 1 })
	if u := f.callsOf("chat.update")[0].Form; u.Get("ts") != ts || !strings.Contains(unJSON(u.Get("blocks")), "<@"+agentUser+">") {
		t.Fatalf("update = %v, want card %s showing the claimer", u, ts)
	}

	event("E3", map[string]any{"type": "message", "channel": tierChan, "channel_type": "channel", "user": agentUser, "text": "Try turning it off and on", "thread_ts": ts, "ts": "1700000950.000001"})
	waitFor("the agent's answer", func() bool {
		for _, p := range posts() {
			if p.Form.Get("channel") == "D5" && strings.Contains(p.Form.Get("text"), "Try turning it off and on") {
				return p.Form.Get("thread_ts") == "1700000800.000001"
			}
		}
		return false
	})

	event("E4", map[string]any{"type": "message", "channel": "D5", "channel_type": "im", "user": outsider, "text": "still <!here> broken", "thread_ts": "1700000800.000001", "ts": "1700000960.000001"})
	waitFor("the customer's message in the card's thread", func() bool {
		for _, p := range posts() {
			if p.Form.Get("channel") == tierChan && p.Form.Get("thread_ts") == ts {
				return p.Form.Get("text") == "still &lt;!here&gt; broken"
			}
		}
		return false
	})
}
