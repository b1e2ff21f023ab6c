package channels_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/store"
)

// storedCheck is an inbox that notes, as each notice arrives, whether the
// incident that decided it is already stored with the notice on its timeline.
type storedCheck struct {
	st  store.Store
	mu  sync.Mutex
	got []string
}

func (c *storedCheck) Accept(ctx context.Context, msg *intake.Message) error {
	about := intake.IncidentID(msg.Target)
	stored := false
	if inc, err := c.st.GetIncident(ctx, about); err == nil {
		for _, e := range inc.Timeline {
			stored = stored || e.Kind == intake.EventNotice
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, fmt.Sprintf("%s %s about %s stored=%v", msg.Action, msg.ThreadKeys[0], about, stored))
	return nil
}

func TestNoticesAreQueuedAfterTheIncidentWrite(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	check := &storedCheck{st: s}
	w := newWorker(s)
	w.Notices = check
	w.LevelOne = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
		return intake.Outcome{Notify: []intake.Notice{{To: "INC-000042", Event: intake.EventMajorReport, About: inc.ID, Text: string(inc.ID)}}}, nil
	})
	msg := chantest.Message("n-1", "ana", "conv-n", "the printer is down")
	for range 2 { // the second delivery is a duplicate: nothing more is queued
		if err := w.Process(context.Background(), msg); err != nil {
			t.Fatalf("Process = %v", err)
		}
	}
	want := "sla:major-report " + string(intake.TokenThreadKey("INC-000042")) + " about INC-000001 stored=true"
	if len(check.got) != 1 || check.got[0] != want {
		t.Errorf("notices queued = %q, want [%q]", check.got, want)
	}
}
