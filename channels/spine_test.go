package channels_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

// echoBot is a Level I stand-in: it acknowledges every message with the
// incident number and escalates when asked for a person.
var echoBot = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	if inc.Status == intake.StatusNew {
		if err := inc.Transition(intake.StatusTriage, "bot", time.Now(), ""); err != nil {
			return intake.Outcome{}, err
		}
	}
	out := intake.Outcome{Replies: []intake.Reply{{Text: fmt.Sprintf("%s: %s", inc.ID, msg.Text), Auto: true}}}
	if strings.Contains(msg.Text, "human") {
		out.Escalate = &intake.Escalation{Reason: "asked_for_human"}
	}
	return out, nil
})

// deskStub is the human side: escalation moves the incident and says so.
type deskStub struct{}

func (deskStub) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	return intake.Outcome{}, nil
}

func (deskStub) Escalate(ctx context.Context, inc *intake.Incident, esc intake.Escalation) (intake.Outcome, error) {
	inc.Tier = "L2"
	err := inc.Transition(intake.StatusEscalated, "bot", time.Now(), esc.Reason)
	return intake.Outcome{Replies: []intake.Reply{{Text: "a person will follow up"}}}, err
}

func (deskStub) SurveyAnswer(*intake.Incident, *intake.Message) (intake.Outcome, bool) {
	return intake.Outcome{}, false
}

func openStore(t *testing.T, path string) store.Store {
	t.Helper()
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("bolt.Open(%q) = %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newWorker(s store.Store) *channels.Worker {
	return &channels.Worker{Store: s, LevelOne: echoBot, Humans: deskStub{}, Logger: quietLogger(), Poll: 10 * time.Millisecond, Visibility: time.Second}
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// startSpine runs an adapter, a worker and an outbox on s until the test ends.
func startSpine(t *testing.T, s store.Store) (*chantest.Adapter, *channels.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a := chantest.New()
	w := newWorker(s)
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{a.Channel(): a}, Logger: quietLogger(), Poll: 10 * time.Millisecond}
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{
		func(ctx context.Context) error { return a.Run(ctx, w.Inbox()) },
		w.Run, o.Run,
	} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(ctx) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	return a, w
}

func listAll(t *testing.T, s store.Store) []*intake.Incident {
	t.Helper()
	incs, err := s.ListIncidents(context.Background(), store.Filter{})
	if err != nil {
		t.Fatalf("ListIncidents = %v", err)
	}
	return incs
}

// settle gives stray duplicate replies a chance to show up before counting.
func settle() { time.Sleep(300 * time.Millisecond) }

func TestOneMessageOneIncidentOneReply(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a, _ := startSpine(t, s)
	ctx := context.Background()
	if err := a.Deliver(ctx, chantest.Message("m1", "ana", "conv-1", "la impresora no imprime")); err != nil {
		t.Fatalf("Deliver = %v", err)
	}
	sent, err := a.WaitSent(1, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	settle()
	sent = a.Sent()
	incs := listAll(t, s)
	if len(incs) != 1 || len(sent) != 1 {
		t.Fatalf("got %d incidents and %d replies, want 1 and 1", len(incs), len(sent))
	}
	inc := incs[0]
	if want := string(inc.ID) + ": la impresora no imprime"; sent[0].Text != want {
		t.Errorf("reply text = %q, want %q", sent[0].Text, want)
	}
	if sent[0].Conversation.Address != "conv-1" || sent[0].IncidentID != inc.ID {
		t.Errorf("reply went to %+v for %s, want conv-1 for %s", sent[0].Conversation, sent[0].IncidentID, inc.ID)
	}
	if inc.Status != intake.StatusTriage {
		t.Errorf("status = %s, want %s", inc.Status, intake.StatusTriage)
	}
}

func TestDuplicateDeliveryGivesOneIncident(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a, _ := startSpine(t, s)
	ctx := context.Background()
	msg := chantest.Message("dup-1", "ana", "conv-dup", "no tengo internet")
	for i := 0; i < 3; i++ {
		if err := a.Deliver(ctx, msg); err != nil {
			t.Fatalf("Deliver #%d = %v", i+1, err)
		}
		if i == 0 {
			if _, err := a.WaitSent(1, 20*time.Second); err != nil {
				t.Fatal(err)
			}
		}
	}
	settle()
	if incs, sent := listAll(t, s), a.Sent(); len(incs) != 1 || len(sent) != 1 {
		t.Fatalf("got %d incidents and %d replies, want 1 and 1", len(incs), len(sent))
	}
}

func TestFollowUpThreadsToTheSameIncident(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a, _ := startSpine(t, s)
	ctx := context.Background()
	for i, text := range []string{"mi VPN no conecta", "sigue igual", "quiero un human"} {
		if err := a.Deliver(ctx, chantest.Message(fmt.Sprintf("f%d", i), "ana", "conv-f", text)); err != nil {
			t.Fatal(err)
		}
	}
	sent, err := a.WaitSent(3, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	settle()
	// The bot's answer and the hand-over notice go out as one message.
	if sent = a.Sent(); len(sent) != 3 || !strings.HasSuffix(sent[2].Text, ": quiero un human\n\na person will follow up") {
		t.Errorf("replies = %+v, want 3, the last joining the bot's answer and the hand-over", sent)
	}
	incs := listAll(t, s)
	if len(incs) != 1 {
		t.Fatalf("got %d incidents, want 1", len(incs))
	}
	if inc := incs[0]; inc.Status != intake.StatusEscalated || inc.Tier != "L2" {
		t.Errorf("after asking for a human: status %s tier %q, want escalated L2", inc.Status, inc.Tier)
	}
}

func TestOutboxRetriesUntilDelivered(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a, _ := startSpine(t, s)
	a.FailNext(&channels.RetryAfterError{After: 50 * time.Millisecond, Err: errors.New("429")},
		&channels.RetryAfterError{After: 50 * time.Millisecond, Err: errors.New("429")})
	if err := a.Deliver(context.Background(), chantest.Message("r1", "ana", "conv-r", "hola")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WaitSent(1, 20*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestPermanentFailureIsRecorded(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a, _ := startSpine(t, s)
	a.FailNext(channels.Permanent(errors.New("550 no such user")))
	if err := a.Deliver(context.Background(), chantest.Message("p1", "ana", "conv-p", "hola")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, inc := range listAll(t, s) {
			for _, e := range inc.Timeline {
				if e.Kind == intake.EventDelivery && strings.Contains(e.Text, "550 no such user") {
					return
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("permanent failure never reached the timeline")
}

// TestKilledBetweenInboxAndOutbox kills a real process once the message is
// decided but not stored, and once its result is committed, restarts on the
// same file and checks that the reply is sent exactly once.
func TestKilledBetweenInboxAndOutbox(t *testing.T) {
	for _, point := range []string{"decided", "committed"} {
		t.Run(point, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "intake.db")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
			cmd.Env = append(os.Environ(), "INTAKE_CRASH_DB="+path, "INTAKE_CRASH_AT="+point)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 3 {
				t.Fatalf("crash helper: err %v, want exit 3; output:\n%s", err, out)
			}
			s := openStore(t, path)
			a, _ := startSpine(t, s)
			if _, err := a.WaitSent(1, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			settle()
			if incs, sent := listAll(t, s), a.Sent(); len(incs) != 1 || len(sent) != 1 {
				t.Fatalf("after restart: %d incidents and %d replies, want 1 and 1", len(incs), len(sent))
			}
		})
	}
}

// TestCrashHelper runs in a child process: it accepts one message and dies
// at INTAKE_CRASH_AT without closing anything, like a killed process.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv("INTAKE_CRASH_DB")
	if path == "" {
		t.Skip("runs only as the child of TestKilledBetweenInboxAndOutbox")
	}
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(s)
	channels.SetCrashPoint(w, func(point string) {
		if point == os.Getenv("INTAKE_CRASH_AT") {
			os.Exit(3)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Inbox().Accept(ctx, chantest.Message("crash-1", "ana", "conv-c", "el servidor no responde")); err != nil {
		t.Fatal(err)
	}
	_ = w.Run(ctx)
	t.Fatalf("crash point %q never reached", os.Getenv("INTAKE_CRASH_AT"))
}

// TestWorkerWakesTheOutbox: a reply the worker queues goes out at once, not
// at the outbox's next poll (an hour here), when the outbox runs in the
// same process and the worker knows it.
func TestWorkerWakesTheOutbox(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	ctx, cancel := context.WithCancel(context.Background())
	a := chantest.New()
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{a.Channel(): a}, Logger: quietLogger(), Poll: time.Hour}
	w := newWorker(s)
	w.Outbox = o
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{
		func(ctx context.Context) error { return a.Run(ctx, w.Inbox()) }, w.Run, o.Run,
	} {
		wg.Go(func() { _ = run(ctx) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	time.Sleep(100 * time.Millisecond) // past the outbox's first poll, at start
	for i, text := range []string{"la impresora no imprime", "sigue sin imprimir"} {
		if err := a.Deliver(ctx, chantest.Message(fmt.Sprintf("w%d", i), "ana", "conv-w", text)); err != nil {
			t.Fatal(err)
		}
		if _, err := a.WaitSent(i+1, 10*time.Second); err != nil {
			t.Fatalf("reply %d not sent within 10 s with the outbox polling hourly: %v", i+1, err)
		}
	}
}
