package discord

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/discord/discordtest"
)

const waitTimeout = 10 * time.Second

// recordingInbox records what it accepts; it can be told to fail.
type recordingInbox struct {
	mu      sync.Mutex
	msgs    []*intake.Message
	fail    int
	changed chan struct{}
}

func newInbox() *recordingInbox { return &recordingInbox{changed: make(chan struct{})} }

func (in *recordingInbox) Accept(_ context.Context, m *intake.Message) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fail > 0 {
		in.fail--
		return errors.New("inbox: disk full")
	}
	in.msgs = append(in.msgs, m)
	close(in.changed)
	in.changed = make(chan struct{})
	return nil
}

// failNext makes the next n Accepts fail.
func (in *recordingInbox) failNext(n int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.fail = n
}

func (in *recordingInbox) all() []*intake.Message {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]*intake.Message(nil), in.msgs...)
}

// wait returns the first n accepted messages, failing the test after
// waitTimeout.
func (in *recordingInbox) wait(t *testing.T, n int) []*intake.Message {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		in.mu.Lock()
		got, ch := len(in.msgs), in.changed
		in.mu.Unlock()
		if got >= n {
			return in.all()[:n]
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("inbox has %d messages after %s, want %d", got, waitTimeout, n)
		}
	}
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// fixture is an adapter running against a discordtest server, with one
// intake channel.
type fixture struct {
	srv     *discordtest.Server
	a       *Adapter
	inbox   *recordingInbox
	intake  string
	guildID string
	done    chan error
}

// newAdapter builds an adapter for srv without running it.
func newAdapter(t testing.TB, srv *discordtest.Server, cfg Config, opts ...Option) *Adapter {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = "test-token"
	}
	cfg.APIURL = srv.URL()
	opts = append([]Option{WithBackoff(20*time.Millisecond, 200*time.Millisecond, time.Hour)}, opts...)
	a, err := New(cfg, testLogger(t), opts...)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return a
}

// start runs an adapter against a fresh server and waits for READY.
func start(t *testing.T, cfg Config, opts ...Option) *fixture {
	t.Helper()
	srv := discordtest.New(t, discordtest.WithHeartbeat(500*time.Millisecond))
	f := &fixture{srv: srv, inbox: newInbox(), guildID: srv.NewID(), done: make(chan error, 1)}
	f.intake = srv.AddTextChannel(f.guildID, "support")
	cfg.IntakeChannels = append(cfg.IntakeChannels, f.intake)
	f.a = newAdapter(t, srv, cfg, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { f.done <- f.a.Run(ctx, f.inbox) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-f.done:
			if err != nil {
				t.Errorf("Run() = %v, want nil after cancel", err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("Run did not return after cancel")
		}
	})
	srv.WaitLive(waitTimeout)
	return f
}

func threadKey(id string) intake.ThreadKey { return intake.ChatThreadKey(intake.ChannelDiscord, id) }
