package channels_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/store"
)

// waitDead waits until the dead-letter queue holds n replies.
func waitDead(t *testing.T, s store.Store, n int) []channels.DeadReply {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		dead, err := channels.ListDead(context.Background(), s, 0)
		if err != nil {
			t.Fatalf("ListDead = %v", err)
		}
		if len(dead) == n {
			return dead
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead-letter queue holds %d replies, want %d", len(dead), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestUndeliverableReplyIsParkedMarkedAndRetried: a reply refused for good
// is not dropped: it waits in the dead-letter queue, its incident lists it
// as undelivered with a timeline event, and a retry delivers it and clears
// the mark. Before the dead-letter queue the reply was acked away.
func TestUndeliverableReplyIsParkedMarkedAndRetried(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a, _ := startSpine(t, s)
	a.FailNext(channels.Permanent(errors.New("550 5.1.1 no such user")))
	ctx := context.Background()
	if err := a.Deliver(ctx, chantest.Message("d1", "ana", "conv-d", "hola")); err != nil {
		t.Fatal(err)
	}
	dead := waitDead(t, s, 1)
	d := dead[0]
	if d.IncidentID == "" || d.Channel != intake.ChannelTest || !strings.Contains(d.Reason, "no such user") || len(d.Reply) == 0 {
		t.Errorf("dead reply = %+v, want its incident, channel, reason and reply", d)
	}
	inc, err := s.GetIncident(ctx, d.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Undelivered) != 1 || inc.Undelivered[0] != d.ID {
		t.Errorf("Undelivered = %v, want [%s]", inc.Undelivered, d.ID)
	}
	if !hasEvent(inc, intake.EventDelivery, "dead-letter") {
		t.Errorf("timeline lacks the dead-letter event: %+v", inc.Timeline)
	}
	if len(a.Sent()) != 0 {
		t.Fatalf("sent %d replies before the retry, want 0", len(a.Sent()))
	}

	if err := channels.RetryDead(ctx, s, "nope", "ops", time.Now()); !errors.Is(err, channels.ErrNotDead) {
		t.Errorf("RetryDead(unknown) = %v, want %v", err, channels.ErrNotDead)
	}
	if err := channels.RetryDead(ctx, s, d.ID, "ops", time.Now()); err != nil {
		t.Fatalf("RetryDead(%q) = %v", d.ID, err)
	}
	if _, err := a.WaitSent(1, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	waitDead(t, s, 0)
	deadline := time.Now().Add(10 * time.Second)
	for {
		inc, err = s.GetIncident(ctx, d.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		if len(inc.Undelivered) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(inc.Undelivered) != 0 {
		t.Errorf("Undelivered after a delivered retry = %v, want none", inc.Undelivered)
	}
	if !hasEvent(inc, intake.EventNote, "outbox again") {
		t.Errorf("timeline lacks the retry note: %+v", inc.Timeline)
	}
}

// TestRefusedReplyIsRetried: a PeerRefused failure (the relay's own
// refusal) is retried, not parked.
func TestRefusedReplyIsRetried(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a, _ := startSpine(t, s)
	a.FailNext(channels.PeerRefused(errors.New("530 5.7.0 authentication required")))
	if err := a.Deliver(context.Background(), chantest.Message("r1", "ana", "conv-r", "hola")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WaitSent(1, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	waitDead(t, s, 0)
}

// TestReplyParkedAfterMaxAttempts: a reply still failing after MaxAttempts
// goes to the dead-letter queue instead of being retried for ever.
func TestReplyParkedAfterMaxAttempts(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a := chantest.New()
	w := newWorker(s)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	a.FailNext(&channels.RetryAfterError{After: time.Millisecond, Err: errors.New("busy")},
		&channels.RetryAfterError{After: time.Millisecond, Err: errors.New("busy")})
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{a.Channel(): a}, Logger: quietLogger(),
		Poll: 10 * time.Millisecond, MaxAttempts: 2}
	for _, run := range []func(context.Context) error{
		func(ctx context.Context) error { return a.Run(ctx, w.Inbox()) }, w.Run, o.Run,
	} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(ctx) }()
	}
	if err := a.Deliver(ctx, chantest.Message("x1", "ana", "conv-x", "hola")); err != nil {
		t.Fatal(err)
	}
	dead := waitDead(t, s, 1)
	if !strings.Contains(dead[0].Reason, "after 2 attempts") || dead[0].Attempts != 2 {
		t.Errorf("dead reply = %+v, want parked after 2 attempts", dead[0])
	}
}

func hasEvent(inc *intake.Incident, kind intake.EventKind, text string) bool {
	for _, e := range inc.Timeline {
		if e.Kind == kind && strings.Contains(e.Text, text) {
			return true
		}
	}
	return false
}
