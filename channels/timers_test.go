package channels_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
)

// TestTimerMessageReachesTheIncident has the handler ask for a timer (an
// Outcome's TimerRequest) when the first customer message arrives and checks that, when it fires, the worker
// hands it to Level I on the same incident, once.
func TestTimerMessageReachesTheIncident(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := chantest.New()
	w := newWorker(s)
	w.LevelOne = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
		if msg.Channel == intake.ChannelSystem {
			return intake.Outcome{Replies: []intake.Reply{{Text: "expired " + msg.Action}}}, nil
		}
		return intake.Outcome{Replies: []intake.Reply{{Text: "hello"}},
			Timers: []intake.TimerRequest{intake.ScheduleTimer("t:"+string(inc.ID), time.Now().Add(100*time.Millisecond), "triage:test")}}, nil
	})
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{a.Channel(): a}, Logger: quietLogger(), Poll: 10 * time.Millisecond}
	r := &channels.TimerRunner{Store: s, Inbox: w.Inbox(), Poll: 20 * time.Millisecond, Logger: quietLogger()}
	go func() { _ = a.Run(ctx, w.Inbox()) }()
	go func() { _ = w.Run(ctx) }()
	go func() { _ = o.Run(ctx) }()
	go func() { _ = r.Run(ctx) }()
	if err := a.Deliver(ctx, chantest.Message("t1", "ana", "conv-t", "hola")); err != nil {
		t.Fatal(err)
	}
	sent, err := a.WaitSent(2, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	settle()
	cancel()
	if len(a.Sent()) != 2 || sent[1].Text != "expired triage:test" || sent[1].Conversation.Address != "conv-t" {
		t.Fatalf("replies = %+v, want hello then one expiry on conv-t", a.Sent())
	}
	if incs := listAll(t, s); len(incs) != 1 {
		t.Fatalf("%d incidents, want 1", len(incs))
	}
}
