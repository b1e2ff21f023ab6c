package channels_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/store"
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

// TestOutcomeTimersWithTheWrite: the timers a handler asks for are stored
// with the incident; a worker that dies before the write leaves neither,
// the redelivered message schedules them; a later outcome cancels them.
func TestOutcomeTimersWithTheWrite(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	ctx := context.Background()
	due := time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)
	w := newWorker(s)
	w.LevelOne = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
		if inc.Status == intake.StatusNew {
			if err := inc.Transition(intake.StatusTriage, "bot", time.Now(), ""); err != nil {
				return intake.Outcome{}, err
			}
		}
		key := intake.TimerKey("test", inc.ID)
		req := intake.ScheduleTimer(key, due, intake.EventAnswerExpired)
		if msg.Text == "cancel" {
			req = intake.CancelTimer(key)
		}
		return intake.Outcome{Replies: []intake.Reply{{Text: "ok"}}, Timers: []intake.TimerRequest{req}}, nil
	})
	died := make(chan struct{})
	channels.SetCrashPoint(w, func(point string) {
		if point == "decided" {
			close(died)
			runtime.Goexit() // the worker dies right before the write
		}
	})
	m1 := chantest.Message("t1", "ana", "conv-t", "hola")
	go func() { _ = w.Process(ctx, m1) }()
	<-died
	if got, err := s.DueTimers(ctx, due.Add(time.Hour), 10); err != nil || len(got) != 0 {
		t.Fatalf("DueTimers after a death before the write = %v, %v; want none scheduled", got, err)
	}
	if incs, err := s.ListIncidents(ctx, store.Filter{}); err != nil || len(incs) != 0 {
		t.Fatalf("incidents after a death before the write = %d, %v; want none", len(incs), err)
	}
	channels.SetCrashPoint(w, nil)
	if err := w.Process(ctx, m1); err != nil { // redelivered
		t.Fatalf("Process(redelivered) = %v", err)
	}
	incs := listAll(t, s)
	if len(incs) != 1 {
		t.Fatalf("%d incidents after redelivery, want 1", len(incs))
	}
	want := intake.TimerKey("test", incs[0].ID) // the number the dead worker took is not reused
	got, err := s.DueTimers(ctx, due, 10)
	if err != nil || len(got) != 1 || got[0].ID != want {
		t.Fatalf("DueTimers after redelivery = %+v, %v; want %s", got, err, want)
	}
	if err := w.Process(ctx, chantest.Message("t2", "ana", "conv-t", "hola again")); err != nil {
		t.Fatal(err)
	}
	if err := w.Process(ctx, chantest.Message("t3", "ana", "conv-t", "cancel")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DueTimers(ctx, due.Add(time.Hour), 10); err != nil || len(got) != 0 {
		t.Fatalf("DueTimers after cancel = %+v, %v; want none", got, err)
	}
}
