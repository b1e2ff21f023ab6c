package channels_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
)

// lockedBuffer is a log sink safe for the spine's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// failingBot fails every message of one incident, so the worker retries it.
var failingBot = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	if strings.Contains(msg.Text, "boom") {
		return intake.Outcome{}, errors.New("level I failed")
	}
	return echoBot(ctx, inc, msg)
})

// TestLogLinesNameTheIncident: the worker's and the outbox's warnings about
// one incident's message or reply carry the incident attribute.
func TestLogLinesNameTheIncident(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	a := chantest.New()
	w := &channels.Worker{Store: s, LevelOne: failingBot, Humans: deskStub{}, Logger: logger, Poll: 10 * time.Millisecond,
		Visibility: time.Second, MaxAttempts: 2}
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{a.Channel(): a}, Logger: logger, Poll: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{func(ctx context.Context) error { return a.Run(ctx, w.Inbox()) }, w.Run, o.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()

	a.FailNext(&channels.RetryAfterError{After: 10 * time.Millisecond, Err: errors.New("429")})
	if err := a.Deliver(ctx, chantest.Message("m1", "ana", "conv-1", "hola")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WaitSent(1, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	// A follow-up that Level I fails on: the incident exists.
	if err := a.Deliver(ctx, chantest.Message("m2", "bea", "conv-2", "hola")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WaitSent(2, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := a.Deliver(ctx, chantest.Message("m3", "bea", "conv-2", "boom")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"reply not delivered; will retry":                     "INC-000001",
		"inbox message failed; will retry":                    "INC-000002",
		"inbox message failed too often; parked for a person": "INC-000002",
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := map[string]string{}
		for _, l := range logs.lines() {
			if msg, _ := l["msg"].(string); want[msg] != "" {
				got[msg], _ = l["incident"].(string)
			}
		}
		if len(got) == len(want) || time.Now().After(deadline) {
			for msg, id := range want {
				if got[msg] != id {
					t.Errorf("log %q has incident %q, want %q", msg, got[msg], id)
				}
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
