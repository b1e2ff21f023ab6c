package escalation_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/store/bolt"
)

// slackPeer is a hand-written Slack stand-in: it records posts and edits,
// gives each post a ts, and lets the test click buttons and reply in threads.
type slackPeer struct {
	mu      sync.Mutex
	inbox   channels.Inbox
	ready   chan struct{}
	posts   []intake.Reply
	updates []intake.Reply
	seq     int
}

var (
	_ channels.Adapter = (*slackPeer)(nil)
	_ channels.Updater = (*slackPeer)(nil)
)

func (p *slackPeer) Channel() intake.Channel { return intake.ChannelSlack }

func (p *slackPeer) Run(ctx context.Context, inbox channels.Inbox) error {
	p.mu.Lock()
	p.inbox = inbox
	close(p.ready)
	p.mu.Unlock()
	<-ctx.Done()
	return nil
}

func (p *slackPeer) Send(ctx context.Context, r *intake.Reply) (channels.Sent, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	p.posts = append(p.posts, *r)
	ts := fmt.Sprintf("1700000000.%06d", p.seq)
	if r.Card != nil { // a card starts a thread that agents answer in
		return channels.Sent{MessageID: ts, ThreadKeys: []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelSlack, ts)}}, nil
	}
	return channels.Sent{MessageID: ts}, nil
}

func (p *slackPeer) Update(ctx context.Context, conv intake.Conversation, ts string, r *intake.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.updates = append(p.updates, *r)
	return nil
}

// agent clicks or writes in the thread of the card posted with ts.
func (p *slackPeer) agent(t *testing.T, ts, user, action, text string) {
	t.Helper()
	<-p.ready
	p.mu.Lock()
	p.seq++
	id := fmt.Sprintf("1700000001.%06d", p.seq)
	p.mu.Unlock()
	msg := &intake.Message{ID: intake.MessageID(id), Channel: intake.ChannelSlack, FromAgent: true, Action: action, Text: text,
		From:       intake.Customer{Channel: intake.ChannelSlack, ID: user, Name: "Agent " + user, Verified: true},
		ThreadKeys: []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelSlack, ts)}, ReceivedAt: time.Now().UTC()}
	if err := p.inbox.Accept(context.Background(), msg); err != nil {
		t.Fatalf("Accept = %v", err)
	}
}

func (p *slackPeer) snapshot() (posts, updates []intake.Reply) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]intake.Reply(nil), p.posts...), append([]intake.Reply(nil), p.updates...)
}

// waitFor polls cond until it holds or fails the test after 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSpineEndToEnd runs a customer adapter, a Slack peer, the worker, the
// outbox and the timer runner on a bolt store: a message Level I cannot solve
// becomes a card, an agent claims it and replies in the thread, the customer
// gets the reply, then the resolution with the survey.
func TestSpineEndToEnd(t *testing.T) {
	st, err := bolt.Open(t.TempDir() + "/intake.db")
	if err != nil {
		t.Fatalf("bolt.Open = %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cfg := loadConfig(t, "")
	log := quiet()
	desk := escalation.New(cfg, channels.Incidents{Store: st}, escalation.WithLogger(log))
	w := &channels.Worker{Store: st, LevelOne: levelOne, Humans: desk, Logger: log, Poll: 10 * time.Millisecond, Visibility: 5 * time.Second}
	cust := chantest.New()
	peer := &slackPeer{ready: make(chan struct{})}
	out := &channels.Outbox{Store: st, Logger: log, Poll: 10 * time.Millisecond,
		Adapters: map[intake.Channel]channels.Adapter{intake.ChannelTest: cust, intake.ChannelSlack: peer}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	inbox := w.Inbox()
	for _, run := range []func(context.Context) error{
		func(ctx context.Context) error { return cust.Run(ctx, inbox) },
		func(ctx context.Context) error { return peer.Run(ctx, inbox) },
		(&channels.TimerRunner{Store: st, Inbox: inbox, Poll: 10 * time.Millisecond, Logger: log}).Run,
		w.Run, out.Run,
	} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(ctx) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })

	msg := chantest.Message("c1", "ana", "conv-ana", "the server room is flooded")
	msg.Language, msg.Target = "en", "server"
	if err := cust.Deliver(ctx, msg); err != nil {
		t.Fatalf("Deliver = %v", err)
	}
	var cardTS string
	waitFor(t, "the card in C0L3", func() bool {
		posts, _ := peer.snapshot()
		for i, p := range posts {
			if p.Card != nil && p.Conversation.Address == "C0L3" {
				cardTS = fmt.Sprintf("1700000000.%06d", i+1)
				return true
			}
		}
		return false
	})
	if _, err := cust.WaitSent(1, 10*time.Second); err != nil {
		t.Fatalf("customer ack: %v", err)
	}

	peer.agent(t, cardTS, "U1", "claim", "")
	waitFor(t, "the card update showing the claim", func() bool {
		_, ups := peer.snapshot()
		return len(ups) > 0 && ups[len(ups)-1].Card.ClaimedBy == "U1"
	})
	peer.agent(t, cardTS, "U1", "", "Please switch off the rack until we arrive")
	sent, err := cust.WaitSent(2, 10*time.Second)
	if err != nil || sent[1].Text != "Please switch off the rack until we arrive" || sent[1].Conversation.Address != "conv-ana" {
		t.Fatalf("customer got %+v (%v), want the agent's reply in their conversation", sent, err)
	}

	if err := cust.Deliver(ctx, &intake.Message{ID: "c2", Channel: intake.ChannelTest, Text: "done, it is off",
		From:         intake.Customer{Channel: intake.ChannelTest, ID: "ana"},
		Conversation: intake.Conversation{Channel: intake.ChannelTest, Address: "conv-ana", Thread: "conv-ana"},
		ThreadKeys:   []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelTest, "conv-ana")}}); err != nil {
		t.Fatalf("Deliver = %v", err)
	}
	waitFor(t, "the customer's message in the card thread", func() bool {
		posts, _ := peer.snapshot()
		for _, p := range posts {
			if p.Conversation.Thread == cardTS && strings.Contains(p.Text, "done, it is off") {
				return true
			}
		}
		return false
	})

	peer.agent(t, cardTS, "U1", "resolve", "Cause: a burst pipe\nFix: replaced the pipe and dried the room")
	sent, err = cust.WaitSent(3, 10*time.Second)
	if err != nil || !strings.Contains(sent[2].Text, "replaced the pipe") || len(sent[2].Buttons) != 5 {
		t.Fatalf("customer got %+v (%v), want the resolution and the survey", sent, err)
	}
	waitFor(t, "the knowledge channel post", func() bool {
		posts, _ := peer.snapshot()
		for _, p := range posts {
			if p.Conversation.Address == "C0KNOWLEDGE" && strings.Contains(p.Text, "burst pipe") {
				return true
			}
		}
		return false
	})
}
