package discord

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/discord/discordtest"
)

// sendFixture is a server with one channel and an adapter that is not
// running: Send needs only REST.
func sendFixture(t *testing.T) (*discordtest.Server, *Adapter, intake.Conversation) {
	t.Helper()
	srv := discordtest.New(t)
	ch := srv.AddTextChannel(srv.NewID(), "support")
	return srv, newAdapter(t, srv, Config{}), intake.Conversation{Channel: intake.ChannelDiscord, Address: ch}
}

func longText() string {
	var b strings.Builder
	for i := 0; b.Len() < 4500; i++ {
		b.WriteString("Step ")
		b.WriteString(strings.Repeat("x", i%40))
		b.WriteString(" then check the cable.\n")
	}
	return b.String()
}

func TestSendSplitsLongText(t *testing.T) {
	t.Parallel()
	srv, a, conv := sendFixture(t)
	text := longText()
	r := &intake.Reply{ID: "long", Conversation: conv, Text: text, Buttons: []intake.Button{{Action: "solved", Label: "Yes"}}}
	sent, err := a.Send(context.Background(), r)
	if err != nil {
		t.Fatalf("Send() = %v", err)
	}
	msgs := srv.Messages()
	if len(msgs) != 3 {
		t.Fatalf("posted %d parts, want 3", len(msgs))
	}
	var joined []string
	for i, m := range msgs {
		if n := utf8.RuneCountInString(m.Content); n > maxContent {
			t.Errorf("part %d has %d characters", i, n)
		}
		if !strings.HasSuffix(m.Content, "cable.") {
			t.Errorf("part %d ends %q, want a cut at a line end", i, m.Content[len(m.Content)-20:])
		}
		if last := i == len(msgs)-1; (len(m.Buttons) > 0) != last {
			t.Errorf("part %d has %d buttons, want them on the last part only", i, len(m.Buttons))
		}
		if !m.AllowedMentions.NotifiesNobody() {
			t.Errorf("part %d allows mentions: %s", i, m.Body)
		}
		joined = append(joined, m.Content)
	}
	if got := strings.Join(joined, "\n"); got != strings.TrimRight(text, "\n") {
		t.Errorf("parts joined differ from the text")
	}
	if sent.MessageID != msgs[2].ID {
		t.Errorf("Sent.MessageID = %s, want the last part %s", sent.MessageID, msgs[2].ID)
	}
}

func TestSendRateLimited(t *testing.T) {
	t.Parallel()
	srv, a, conv := sendFixture(t)
	ctx := context.Background()
	// The second part hits a 429.
	srv.RateLimitAfter(1, 300*time.Millisecond)
	r := &intake.Reply{ID: "r", Conversation: conv, Text: longText()}
	_, err := a.Send(ctx, r)
	var ra *channels.RetryAfterError
	if !errors.As(err, &ra) || ra.After < 300*time.Millisecond || ra.After > time.Second {
		t.Fatalf("Send() = %v, want a RetryAfterError of 300ms", err)
	}
	if channels.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
	// Still limited: the channel's queue answers without calling Discord.
	other := &intake.Reply{ID: "other", Conversation: conv, Text: "short"}
	if _, err := a.Send(ctx, other); !errors.As(err, &ra) {
		t.Errorf("Send() while limited = %v, want a RetryAfterError", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("posted %d parts before the 429, want 1", n)
	}
	time.Sleep(ra.After)
	// The outbox's retry resumes after the part already posted.
	if _, err := a.Send(ctx, r); err != nil {
		t.Fatalf("Send() after the wait = %v", err)
	}
	if _, err := a.Send(ctx, other); err != nil {
		t.Fatalf("Send() of the other reply = %v", err)
	}
	msgs := srv.Messages()
	if len(msgs) != 4 || msgs[3].Content != "short" {
		t.Errorf("posted %d messages, want the 3 parts once and then the other reply", len(msgs))
	}
}

func TestSendPermanentErrors(t *testing.T) {
	t.Parallel()
	srv, a, conv := sendFixture(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func()
		r     intake.Reply
	}{
		{name: "missing permissions", setup: func() { srv.FailNext(http.StatusForbidden, 50013, "Missing Permissions") },
			r: intake.Reply{ID: "a", Conversation: conv, Text: "hi"}},
		{name: "unknown channel", r: intake.Reply{ID: "b", Text: "hi",
			Conversation: intake.Conversation{Channel: intake.ChannelDiscord, Address: "123"}}},
		{name: "not a channel ID", r: intake.Reply{ID: "c", Text: "hi",
			Conversation: intake.Conversation{Channel: intake.ChannelDiscord, Address: "support"}}},
		{name: "other channel", r: intake.Reply{ID: "d", Text: "hi",
			Conversation: intake.Conversation{Channel: intake.ChannelEmail, Address: "a@example.com"}}},
		{name: "empty", r: intake.Reply{ID: "e", Conversation: conv}},
	}
	for _, tc := range tests {
		if tc.setup != nil {
			tc.setup()
		}
		if _, err := a.Send(ctx, &tc.r); !channels.IsPermanent(err) {
			t.Errorf("%s: Send() = %v, want a Permanent error", tc.name, err)
		}
	}
	// A 5xx is worth retrying.
	srv.FailNext(http.StatusInternalServerError, 0, "oops")
	if _, err := a.Send(ctx, &intake.Reply{ID: "f", Conversation: conv, Text: "hi"}); err == nil || channels.IsPermanent(err) {
		t.Errorf("Send() on 500 = %v, want a retryable error", err)
	}
}
