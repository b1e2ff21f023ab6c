package slack

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  config.Slack
	}{
		{"no bot token", config.Slack{SigningSecret: "s"}},
		{"no transport", config.Slack{BotToken: "xoxb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg, nil); !errors.Is(err, ErrConfig) {
				t.Errorf("New(%s) = %v, want ErrConfig", tt.name, err)
			}
		})
	}
	for _, cfg := range []config.Slack{{BotToken: "xoxb", SigningSecret: "s"}, {BotToken: "xoxb", AppToken: "xapp"}} {
		a, err := New(cfg, nil)
		if err != nil {
			t.Fatalf("New(%+v) = %v, want an adapter", cfg.SocketMode(), err)
		}
		if a.cfg.NotePrefix != DefaultNotePrefix {
			t.Errorf("NotePrefix = %q, want %q", a.cfg.NotePrefix, DefaultNotePrefix)
		}
	}
}

func TestReceivedFromTS(t *testing.T) {
	a, err := New(config.Slack{BotToken: "x", SigningSecret: "s"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.received("1700000000.000100"); got.UnixMicro() != 1700000000000100 {
		t.Errorf("received(%q) = %v, want 1700000000.000100", "1700000000.000100", got)
	}
}

// TestRecInboxNeverBlocks: the test inbox takes more messages than its
// wake-up buffer holds; it used to block at the 101st, which hung the fuzz
// target after 100 inputs (issue 14, item 8).
func TestRecInboxNeverBlocks(t *testing.T) {
	inbox := newRecInbox()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			_ = inbox.Accept(t.Context(), &intake.Message{ID: intake.MessageID(fmt.Sprint(i))})
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Accept blocked after %d messages", len(inbox.all()))
	}
	if got := len(inbox.wait(t, 1000)); got != 1000 {
		t.Errorf("inbox holds %d messages, want 1000", got)
	}
}
