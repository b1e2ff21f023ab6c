package channels_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
)

// TestBounceNote: a bounce that threads to the incident whose reply it
// returns is recorded there, unanswered, with one note naming the failing
// address; a second report of the same failure adds no second note; a
// bounce that threads to nothing is kept on an automatic incident without
// a note.
func TestBounceNote(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	w := newWorker(s)
	ctx := context.Background()
	if err := w.Process(ctx, mailFrom("luis@cliente.test", "c1@cliente.test", "Problema", "No funciona el correo.", 0)); err != nil {
		t.Fatal(err)
	}
	bounce := func(id, returned string) *intake.Message {
		m := mailFrom("mailer-daemon@mx.cliente.test", id, "Undelivered Mail Returned to Sender", "The mail could not be delivered.", time.Hour)
		m.ThreadKeys = append(m.ThreadKeys, intake.EmailThreadKey(returned))
		m.AutoReply, m.AutoReplyReason = true, "bounce"
		m.Bounce = &intake.BounceReport{Recipients: []string{"luis@cliente.test"}, Status: "5.1.1", Reason: "delivery status report"}
		return m
	}
	for _, m := range []*intake.Message{bounce("b1@mx", "c1@cliente.test"), bounce("b2@mx", "c1@cliente.test"), bounce("b3@mx", "unknown@example.test")} {
		if err := w.Process(ctx, m); err != nil {
			t.Fatalf("Process(%s) = %v", m.ID, err)
		}
	}
	incs := listAll(t, s)
	if len(incs) != 2 {
		t.Fatalf("%d incidents, want 2 (the customer's and the unthreaded bounce's)", len(incs))
	}
	for _, inc := range incs {
		notes := 0
		for _, e := range inc.Timeline {
			if e.Kind == intake.EventNote && strings.HasPrefix(e.Text, "customer address ") {
				notes++
				if want := "customer address luis@cliente.test is failing: 5.1.1 delivery status report"; e.Text != want {
					t.Errorf("%s: note %q, want %q", inc.ID, e.Text, want)
				}
			}
		}
		switch {
		case inc.Automatic && notes != 0:
			t.Errorf("%s (opened by a bounce): %d address notes, want 0", inc.ID, notes)
		case !inc.Automatic && notes != 1:
			t.Errorf("%s: %d address notes, want 1", inc.ID, notes)
		case !inc.Automatic && !inc.HasMessage(intake.ChannelEmail, "b1@mx") || !inc.Automatic && !inc.HasMessage(intake.ChannelEmail, "b2@mx"):
			t.Errorf("%s: the bounces are not on its timeline", inc.ID)
		}
	}
}
