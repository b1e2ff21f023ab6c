package channels_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/chantest"
)

// TestAutomaticMessageIsKept is the regression test of issue 14 item 2: an
// automatic message (auto-reply, sender over the rate limit) that threads to
// no incident was dropped by the worker although its source was told it is
// stored. It must be kept, visibly, on a closed incident marked automatic,
// and never answered.
func TestAutomaticMessageIsKept(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	a, w := startSpine(t, s)
	ctx := context.Background()
	for _, tc := range []struct{ id, reason string }{{"auto-1", "Auto-Submitted: auto-replied"}, {"auto-2", "rate limit"}} {
		msg := chantest.Message(tc.id, "robot", "conv-"+tc.id, "I am out of the office")
		msg.AutoReply, msg.AutoReplyReason = true, tc.reason
		if err := w.Process(ctx, msg); err != nil {
			t.Fatalf("Process(%s) = %v", tc.id, err)
		}
	}
	settle()
	incs := listAll(t, s)
	if len(incs) != 2 {
		t.Fatalf("got %d incidents, want 2 (one per automatic message)", len(incs))
	}
	for _, inc := range incs {
		if !inc.Automatic || inc.Status != intake.StatusClosed || !hasEvent(inc, intake.EventNote, "automatic message not answered") {
			t.Errorf("%s: automatic %v status %s timeline %+v, want a closed automatic incident with the note", inc.ID, inc.Automatic, inc.Status, inc.Timeline)
		}
		if !inc.HasMessage(intake.ChannelTest, inc.Timeline[0].MessageID) {
			t.Errorf("%s: message not on the timeline", inc.ID)
		}
	}
	if sent := a.Sent(); len(sent) != 0 {
		t.Errorf("sent %d replies to automatic messages, want 0", len(sent))
	}
}
