package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

var resultTests = []test{
	{"Commit/CreateWritesAll", testCommitCreate},
	{"Commit/UpdateAndCancel", testCommitUpdate},
	{"Commit/StaleVersionWritesNothing", testCommitStale},
	{"Commit/TakenKeyWritesNothing", testCommitTakenKey},
	{"Commit/Concurrent", testCommitConcurrent},
}

// fullResult is a Result that touches every part of the store: the
// incident, a timer, two queues, a dedupe key and the ack of d.
func fullResult(inc *intake.Incident, create bool, d store.Delivery) store.Result {
	return store.Result{
		Incident: inc,
		Create:   create,
		Keys:     []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelTest, "conv-"+string(inc.ID))},
		Timers:   []store.TimerChange{{Timer: store.Timer{ID: "t-" + string(inc.ID), Due: base, Payload: []byte("p-t-" + string(inc.ID))}}},
		Enqueue: []store.Item{
			{Queue: "outbox", ID: "r-" + string(inc.ID) + "-" + d.ID, Payload: []byte("reply")},
			{Queue: "inbox.2", ID: "n-" + string(inc.ID) + "-" + d.ID, Payload: []byte("notice")},
		},
		Seen:    "msg:" + d.ID,
		SeenFor: time.Hour,
		Ack:     &store.Ack{Queue: "inbox", Delivery: d},
	}
}

// delivered enqueues id in the inbox of s and dequeues it.
func delivered(t *testing.T, s store.Store, id string) store.Delivery {
	t.Helper()
	if err := s.Enqueue(t.Context(), "inbox", id, []byte("msg "+id)); err != nil {
		t.Fatalf("Enqueue(inbox, %q) = %v", id, err)
	}
	return dequeue(t, s, "inbox", time.Minute)
}

func seen(t *testing.T, s store.Store, key string, want bool) {
	t.Helper()
	if got, err := s.Seen(t.Context(), key); err != nil || got != want {
		t.Errorf("Seen(%q) = %v, %v, want %v", key, got, err, want)
	}
}

func testCommitCreate(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	d := delivered(t, a, "m1")
	inc := newIncident("INC-000001", intake.StatusNew, "", base)
	r := fullResult(inc, true, d)
	if err := a.Commit(ctx, r); err != nil {
		t.Fatalf("Commit(create) = %v, want nil", err)
	}
	if inc.Version != 1 {
		t.Errorf("Commit(create) set Version = %d, want 1", inc.Version)
	}
	got, err := b.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatalf("GetIncident = %v", err)
	}
	sameIncident(t, got, inc)
	if id, err := b.LookupThread(ctx, r.Keys[0]); err != nil || id != inc.ID {
		t.Errorf("LookupThread(%q) = %q, %v, want %q", r.Keys[0], id, err, inc.ID)
	}
	if ids := due(t, b, base, 0, nil); len(ids) != 1 || ids[0] != "t-INC-000001" {
		t.Errorf("due timers = %q, want [t-INC-000001]", ids)
	}
	queueLen(t, b, "outbox", 1)
	queueLen(t, b, "inbox.2", 1)
	queueLen(t, b, "inbox", 0) // acked
	seen(t, b, "msg:m1", true)
	if err := b.Ack(ctx, "inbox", d); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ack after Commit acked it = %v, want %v", err, store.ErrNotFound)
	}
}

func testCommitUpdate(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	inc := newIncident("INC-000001", intake.StatusNew, "", base)
	if err := a.Commit(ctx, fullResult(inc, true, delivered(t, a, "m1"))); err != nil {
		t.Fatalf("Commit(create) = %v", err)
	}
	// The second message's delivery was taken over by another consumer:
	// its ack is refused quietly and the rest is written.
	d := delivered(t, a, "m2")
	stale := d
	stale.Token = "not-the-token"
	inc.Status = intake.StatusTriage
	r := fullResult(inc, false, stale)
	r.Timers = []store.TimerChange{{Timer: store.Timer{ID: "t-INC-000001"}, Cancel: true}}
	if err := b.Commit(ctx, r); err != nil {
		t.Fatalf("Commit(update) = %v, want nil", err)
	}
	if inc.Version != 2 {
		t.Errorf("Commit(update) set Version = %d, want 2", inc.Version)
	}
	got, err := a.GetIncident(ctx, inc.ID)
	if err != nil || got.Status != intake.StatusTriage || got.Version != 2 {
		t.Fatalf("GetIncident = %+v, %v, want status triage at version 2", got, err)
	}
	if ids := due(t, a, base, 0, nil); len(ids) != 0 {
		t.Errorf("due timers = %q, want none (cancelled)", ids)
	}
	queueLen(t, a, "outbox", 2)
	queueLen(t, a, "inbox", 1) // m2 not acked by the stale token
	if err := a.Ack(ctx, "inbox", d); err != nil {
		t.Errorf("Ack by the owning token = %v, want nil", err)
	}
	if l, err := a.ListIncidents(ctx, store.Filter{Status: intake.StatusNew}); err != nil || len(l) != 0 {
		t.Errorf("ListIncidents(new) = %d, %v, want none (moved to triage)", len(l), err)
	}
}

// nothingWritten checks that a refused commit of fullResult(_, _, d) left
// no trace.
func nothingWritten(t *testing.T, s store.Store, d store.Delivery, outbox int) {
	t.Helper()
	if ids := due(t, s, base, 0, nil); len(ids) != 0 {
		t.Errorf("due timers = %q, want none", ids)
	}
	queueLen(t, s, "outbox", outbox)
	queueLen(t, s, "inbox.2", outbox)
	seen(t, s, "msg:"+d.ID, false)
	if err := s.Ack(t.Context(), "inbox", d); err != nil {
		t.Errorf("Ack(%q) = %v, want nil (the failed commit must not ack)", d.ID, err)
	}
}

func testCommitStale(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	inc := newIncident("INC-000001", intake.StatusNew, "", base)
	if err := a.CreateIncident(ctx, inc, nil); err != nil {
		t.Fatalf("CreateIncident = %v", err)
	}
	old := *inc
	inc.Status = intake.StatusTriage
	if err := a.UpdateIncident(ctx, inc, nil); err != nil {
		t.Fatalf("UpdateIncident = %v", err)
	}
	d := delivered(t, a, "m1")
	old.Status = intake.StatusClosed
	if err := b.Commit(ctx, fullResult(&old, false, d)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Commit(stale version) = %v, want %v", err, store.ErrConflict)
	}
	if old.Version != 1 {
		t.Errorf("refused Commit changed Version to %d, want 1", old.Version)
	}
	got, err := a.GetIncident(ctx, inc.ID)
	if err != nil || got.Status != intake.StatusTriage || got.Version != 2 {
		t.Errorf("GetIncident = %+v, %v, want the triage write at version 2", got, err)
	}
	if _, err := a.LookupThread(ctx, intake.ChatThreadKey(intake.ChannelTest, "conv-INC-000001")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupThread of the refused commit's key = %v, want %v", err, store.ErrNotFound)
	}
	nothingWritten(t, a, d, 0)
}

func testCommitTakenKey(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	first := newIncident("INC-000001", intake.StatusNew, "", base)
	key := intake.ChatThreadKey(intake.ChannelTest, "conv-INC-000002")
	if err := a.CreateIncident(ctx, first, []intake.ThreadKey{key}); err != nil {
		t.Fatalf("CreateIncident = %v", err)
	}
	d := delivered(t, a, "m1")
	second := newIncident("INC-000002", intake.StatusNew, "", base)
	if err := b.Commit(ctx, fullResult(second, true, d)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Commit(create with a taken key) = %v, want %v", err, store.ErrConflict)
	}
	if _, err := a.GetIncident(ctx, second.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetIncident(%q) = %v, want %v", second.ID, err, store.ErrNotFound)
	}
	nothingWritten(t, a, d, 0)
}

// testCommitConcurrent: of two commits on the same version from two
// handles, exactly one wins and only its queue items are written.
func testCommitConcurrent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	inc := newIncident("INC-000001", intake.StatusNew, "", base)
	if err := a.CreateIncident(ctx, inc, nil); err != nil {
		t.Fatalf("CreateIncident = %v", err)
	}
	const rounds = 20
	for round := range rounds {
		cur, err := a.GetIncident(ctx, inc.ID)
		if err != nil {
			t.Fatalf("GetIncident = %v", err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, s := range []store.Store{a, b} {
			cp := *cur
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Commit(ctx, store.Result{Incident: &cp,
					Enqueue: []store.Item{{Queue: "outbox", ID: keyN("r", 2*round+i), Payload: []byte("x")}}})
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: Commit errors = %v, want exactly one %v", round, errs, store.ErrConflict)
		}
		for _, err := range errs {
			if err != nil && !errors.Is(err, store.ErrConflict) {
				t.Fatalf("round %d: Commit = %v, want nil or %v", round, err, store.ErrConflict)
			}
		}
	}
	queueLen(t, a, "outbox", rounds)
	if got, err := a.GetIncident(ctx, inc.ID); err != nil || got.Version != 1+rounds {
		t.Errorf("GetIncident version = %d, %v, want %d", got.Version, err, 1+rounds)
	}
}
