package email

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

// echoBot is a Level I stand-in that answers every message.
var echoBot = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	if inc.Status == intake.StatusNew {
		if err := inc.Transition(intake.StatusTriage, "bot", time.Now(), ""); err != nil {
			return intake.Outcome{}, err
		}
	}
	return intake.Outcome{Replies: []intake.Reply{{Text: fmt.Sprintf("Recibido (%s): %s", inc.ID, msg.Subject), Auto: true, Language: "es"}}}, nil
})

type deskStub struct{}

func (deskStub) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	return intake.Outcome{}, nil
}
func (deskStub) Escalate(ctx context.Context, inc *intake.Incident, esc intake.Escalation) (intake.Outcome, error) {
	return intake.Outcome{}, nil
}

func (deskStub) SurveyAnswer(*intake.Incident, *intake.Message) (intake.Outcome, bool) {
	return intake.Outcome{}, false
}

func openBolt(t testing.TB, path string) store.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "intake.db")
	}
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatalf("bolt.Open(%q) = %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// spine is a running worker, outbox and email adapter on one store.
type spine struct {
	Store   store.Store
	Adapter *Adapter
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	runErr  error
}

// startEmailSpine runs the email adapter with cfg, a worker with echoBot and
// an outbox on s until Stop or the end of the test.
func startEmailSpine(t testing.TB, s store.Store, cfg config.Email, opts ...Option) *spine {
	t.Helper()
	opts = append([]Option{WithBackoff(20*time.Millisecond, 200*time.Millisecond), WithIdleMax(time.Second)}, opts...)
	a, err := New(cfg, s, quietLogger(), opts...)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	w := &channels.Worker{Store: s, LevelOne: echoBot, Humans: deskStub{}, Logger: quietLogger(), Poll: 10 * time.Millisecond, Visibility: 5 * time.Second}
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{a.Channel(): a}, Logger: quietLogger(), Poll: 10 * time.Millisecond, Visibility: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	sp := &spine{Store: s, Adapter: a, cancel: cancel}
	inbox := w.Inbox()
	for i, run := range []func(context.Context) error{
		func(ctx context.Context) error { return a.Run(ctx, inbox) },
		w.Run, o.Run,
	} {
		sp.wg.Add(1)
		go func() {
			defer sp.wg.Done()
			if err := run(ctx); err != nil && i == 0 {
				sp.runErr = err
			}
		}()
	}
	t.Cleanup(sp.Stop)
	return sp
}

// Stop cancels everything and waits for it to return.
func (sp *spine) Stop() {
	sp.cancel()
	sp.wg.Wait()
}

func listIncidents(t testing.TB, s store.Store) []*intake.Incident {
	t.Helper()
	incs, err := s.ListIncidents(context.Background(), store.Filter{})
	if err != nil {
		t.Fatalf("ListIncidents = %v", err)
	}
	return incs
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// customerMail builds a plain customer message.
func customerMail(from, id, subject, body string, extra ...string) []byte {
	h := fmt.Sprintf("From: %s\r\nTo: soporte@example.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n", from, subject, id)
	for _, e := range extra {
		h += e + "\r\n"
	}
	return []byte(h + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}
