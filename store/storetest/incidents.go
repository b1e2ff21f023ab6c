package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
)

var incidentTests = []test{
	{"Incident/CreateGet", testCreateGet},
	{"Incident/LookupThreads", testLookupThreads},
	{"Incident/CreateConflict", testCreateConflict},
	{"Incident/UpdateVersioning", testUpdateVersioning},
	{"Incident/UpdateKeys", testUpdateKeys},
	{"Incident/ConcurrentMutate", testConcurrentMutate},
	{"Incident/List", testList},
	{"Incident/ListPaging", testListPaging},
	{"Incident/NextIDConcurrent", testNextIDConcurrent},
	{"Incident/ClaimConcurrent", testClaimConcurrent},
}

// sameIncident compares incidents by their JSON form, which is what every
// store keeps and what the API serves.
func sameIncident(t *testing.T, got, want *intake.Incident) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if string(g) != string(w) {
		t.Errorf("GetIncident(%q) =\n%s\nwant\n%s", want.ID, g, w)
	}
}

func testCreateGet(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	inc := newIncident("INC-000001", intake.StatusNew, "", base)
	keys := []intake.ThreadKey{intake.EmailThreadKey("m1@example.com"), intake.TokenThreadKey("INC-000001")}
	if err := a.CreateIncident(ctx, inc, keys); err != nil {
		t.Fatalf("CreateIncident(%q) = %v, want nil", inc.ID, err)
	}
	if inc.Version != 1 {
		t.Errorf("CreateIncident(%q) set Version = %d, want 1", inc.ID, inc.Version)
	}
	got, err := b.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatalf("GetIncident(%q) = %v, want nil", inc.ID, err)
	}
	sameIncident(t, got, inc)
	for _, k := range keys {
		id, err := b.LookupThread(ctx, k)
		if err != nil || id != inc.ID {
			t.Errorf("LookupThread(%q) = %q, %v, want %q, nil", k, id, err, inc.ID)
		}
	}
	if _, err := b.GetIncident(ctx, "INC-999999"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetIncident(%q) = %v, want %v", "INC-999999", err, store.ErrNotFound)
	}
	if id, err := b.LookupThread(ctx, "email:nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupThread(%q) = %q, %v, want %v", "email:nobody@example.com", id, err, store.ErrNotFound)
	}
	// The returned incident is the caller's: changing it must not change the store.
	got.Subject = "changed"
	again, err := a.GetIncident(ctx, inc.ID)
	if err != nil || again.Subject != inc.Subject {
		t.Errorf("GetIncident(%q) after changing a returned copy: subject %q, %v, want %q", inc.ID, again.Subject, err, inc.Subject)
	}
}

func testCreateConflict(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	first := newIncident("INC-000001", intake.StatusNew, "", base)
	taken := intake.EmailThreadKey("m1@example.com")
	if err := a.CreateIncident(ctx, first, []intake.ThreadKey{taken}); err != nil {
		t.Fatalf("CreateIncident(%q) = %v, want nil", first.ID, err)
	}
	fresh := intake.EmailThreadKey("m2@example.com")
	tests := []struct {
		name string
		inc  *intake.Incident
		keys []intake.ThreadKey
	}{
		{"same ID", newIncident("INC-000001", intake.StatusTriage, "", base.Add(time.Minute)), []intake.ThreadKey{fresh}},
		{"taken key", newIncident("INC-000002", intake.StatusNew, "", base.Add(time.Minute)), []intake.ThreadKey{fresh, taken}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := b.CreateIncident(ctx, tc.inc, tc.keys)
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("CreateIncident(%q) = %v, want %v", tc.inc.ID, err, store.ErrConflict)
			}
			// All or nothing: the fresh key is not mapped, the first incident is intact.
			if id, err := a.LookupThread(ctx, fresh); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("LookupThread(%q) = %q, %v, want %v", fresh, id, err, store.ErrNotFound)
			}
			if id, err := a.LookupThread(ctx, taken); err != nil || id != first.ID {
				t.Errorf("LookupThread(%q) = %q, %v, want %q, nil", taken, id, err, first.ID)
			}
			got, err := a.GetIncident(ctx, first.ID)
			if err != nil {
				t.Fatalf("GetIncident(%q) = %v, want nil", first.ID, err)
			}
			sameIncident(t, got, first)
		})
	}
	if _, err := a.GetIncident(ctx, "INC-000002"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetIncident(%q) after a failed create = %v, want %v", "INC-000002", err, store.ErrNotFound)
	}
	list, err := a.ListIncidents(ctx, store.Filter{})
	if err != nil || len(list) != 1 {
		t.Errorf("ListIncidents({}) = %d incidents, %v, want 1, nil", len(list), err)
	}
}

func testUpdateVersioning(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	inc := newIncident("INC-000001", intake.StatusNew, "", base)
	if err := a.CreateIncident(ctx, inc, nil); err != nil {
		t.Fatalf("CreateIncident(%q) = %v, want nil", inc.ID, err)
	}
	mine, err := a.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatalf("GetIncident(%q) = %v, want nil", inc.ID, err)
	}
	theirs, err := b.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatalf("GetIncident(%q) = %v, want nil", inc.ID, err)
	}
	mine.Subject = "mine"
	if err := a.UpdateIncident(ctx, mine, nil); err != nil {
		t.Fatalf("UpdateIncident(%q, v1) = %v, want nil", mine.ID, err)
	}
	if mine.Version != 2 {
		t.Errorf("UpdateIncident(%q) set Version = %d, want 2", mine.ID, mine.Version)
	}
	theirs.Subject = "theirs"
	if err := b.UpdateIncident(ctx, theirs, []intake.ThreadKey{"email:stale@example.com"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("UpdateIncident(%q, stale v1) = %v, want %v", theirs.ID, err, store.ErrConflict)
	}
	got, err := b.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatalf("GetIncident(%q) = %v, want nil", inc.ID, err)
	}
	if got.Subject != "mine" || got.Version != 2 {
		t.Errorf("GetIncident(%q) after stale write = subject %q version %d, want %q version 2", inc.ID, got.Subject, got.Version, "mine")
	}
	if id, err := b.LookupThread(ctx, "email:stale@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupThread(%q) after stale write = %q, %v, want %v", "email:stale@example.com", id, err, store.ErrNotFound)
	}
	// A write from the future is as wrong as one from the past.
	got.Version = 7
	if err := b.UpdateIncident(ctx, got, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateIncident(%q, v7 over v2) = %v, want %v", got.ID, err, store.ErrConflict)
	}
}

func testUpdateKeys(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	one := newIncident("INC-000001", intake.StatusNew, "", base)
	two := newIncident("INC-000002", intake.StatusNew, "", base.Add(time.Second))
	k1, k2, k3 := intake.ThreadKey("email:one"), intake.ThreadKey("email:two"), intake.ThreadKey("slack:T1")
	if err := a.CreateIncident(ctx, one, []intake.ThreadKey{k1}); err != nil {
		t.Fatalf("CreateIncident(%q) = %v, want nil", one.ID, err)
	}
	if err := a.CreateIncident(ctx, two, []intake.ThreadKey{k2}); err != nil {
		t.Fatalf("CreateIncident(%q) = %v, want nil", two.ID, err)
	}
	// k1 is already one's, k2 belongs to two and stays there, k3 is new.
	if err := b.UpdateIncident(ctx, one, []intake.ThreadKey{k1, k2, k3}); err != nil {
		t.Fatalf("UpdateIncident(%q, keys) = %v, want nil", one.ID, err)
	}
	want := map[intake.ThreadKey]intake.IncidentID{k1: one.ID, k2: two.ID, k3: one.ID}
	for k, w := range want {
		if id, err := a.LookupThread(ctx, k); err != nil || id != w {
			t.Errorf("LookupThread(%q) = %q, %v, want %q, nil", k, id, err, w)
		}
	}
}

// testConcurrentMutate checks that no update is lost when writers on both
// handles race on one incident.
func testConcurrentMutate(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	inc := newIncident("INC-000001", intake.StatusNew, "", base)
	if err := a.CreateIncident(ctx, inc, nil); err != nil {
		t.Fatalf("CreateIncident(%q) = %v, want nil", inc.ID, err)
	}
	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		s := []store.Store{a, b}[i%2]
		wg.Go(func() {
			_, err := store.Mutate(ctx, s, inc.ID, func(inc *intake.Incident) error {
				inc.Record(intake.Event{Kind: intake.EventNote, At: base, Actor: keyN("w", i)})
				return nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Mutate(%q) = %v, want nil", inc.ID, err)
		}
	}
	got, err := a.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatalf("GetIncident(%q) = %v, want nil", inc.ID, err)
	}
	if len(got.Timeline) != 1+writers || got.Version != 1+writers {
		t.Errorf("GetIncident(%q) = %d events version %d, want %d events version %d", inc.ID, len(got.Timeline), got.Version, 1+writers, 1+writers)
	}
}

func testNextIDConcurrent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	first, err := a.NextIncidentID(ctx)
	if err != nil {
		t.Fatalf("NextIncidentID() = %v, want nil", err)
	}
	second, err := b.NextIncidentID(ctx)
	if err != nil {
		t.Fatalf("NextIncidentID() = %v, want nil", err)
	}
	if seq(t, second) <= seq(t, first) {
		t.Errorf("NextIncidentID() = %q after %q, want an increasing ID", second, first)
	}
	const n = 100
	ids := make([]intake.IncidentID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		s := []store.Store{a, b}[i%2]
		wg.Go(func() { ids[i], errs[i] = s.NextIncidentID(ctx) })
	}
	wg.Wait()
	seen := map[intake.IncidentID]bool{first: true, second: true}
	for i, id := range ids {
		if errs[i] != nil {
			t.Fatalf("NextIncidentID() = %v, want nil", errs[i])
		}
		if seen[id] {
			t.Errorf("NextIncidentID() = %q twice, want unique IDs", id)
		}
		seen[id] = true
		if seq(t, id) <= seq(t, second) {
			t.Errorf("NextIncidentID() = %q after %q, want an increasing ID", id, second)
		}
	}
}

func seq(t *testing.T, id intake.IncidentID) int {
	t.Helper()
	if _, ok := intake.ParseIncidentID(string(id)); !ok {
		t.Fatalf("NextIncidentID() = %q, want an ID like INC-000001", id)
	}
	var n int
	for _, c := range id[4:] {
		n = n*10 + int(c-'0')
	}
	return n
}

// claimedError says who already holds an incident a claimer wanted.
type claimedError struct {
	ID intake.IncidentID
	By string
}

func (e *claimedError) Error() string { return fmt.Sprintf("%s is already claimed by %s", e.ID, e.By) }

// claim gives the incident to agent if nobody holds it, through store.Mutate:
// of many concurrent claimers exactly one may win.
func claim(ctx context.Context, s store.Incidents, id intake.IncidentID, agent string, at time.Time) (*intake.Incident, error) {
	return store.Mutate(ctx, s, id, func(inc *intake.Incident) error {
		if inc.ClaimedBy != "" && inc.ClaimedBy != agent {
			return &claimedError{ID: id, By: inc.ClaimedBy}
		}
		if inc.ClaimedBy == agent {
			return nil
		}
		if err := inc.Transition(intake.StatusClaimed, agent, at, ""); err != nil {
			return err
		}
		inc.ClaimedBy = agent
		return nil
	})
}

func testClaimConcurrent(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	inc := newIncident("INC-000001", intake.StatusEscalated, "L2", base)
	if err := a.CreateIncident(ctx, inc, nil); err != nil {
		t.Fatalf("CreateIncident(%q) = %v, want nil", inc.ID, err)
	}
	const n = 100
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		s := []store.Store{a, b}[i%2]
		wg.Go(func() { _, errs[i] = claim(ctx, s, inc.ID, keyN("agent", i), base) })
	}
	wg.Wait()
	var winners []string
	for i, err := range errs {
		if err == nil {
			winners = append(winners, keyN("agent", i))
		}
	}
	if len(winners) != 1 {
		t.Fatalf("Claim(%q) by %d agents: %d winners %v, want exactly 1", inc.ID, n, len(winners), winners)
	}
	for i, err := range errs {
		var ce *claimedError
		if err == nil {
			continue
		}
		if !errors.As(err, &ce) || ce.By != winners[0] || ce.ID != inc.ID {
			t.Errorf("Claim(%q) by %s = %v, want *claimedError by %s", inc.ID, keyN("agent", i), err, winners[0])
		}
	}
	got, err := b.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatalf("GetIncident(%q) = %v, want nil", inc.ID, err)
	}
	if got.ClaimedBy != winners[0] || got.Status != intake.StatusClaimed || got.Version != 2 {
		t.Errorf("GetIncident(%q) = claimed by %q, %s, version %d, want %q, %s, 2", inc.ID, got.ClaimedBy, got.Status, got.Version, winners[0], intake.StatusClaimed)
	}
	list, err := b.ListIncidents(ctx, store.Filter{Status: intake.StatusClaimed})
	if err != nil || len(list) != 1 {
		t.Errorf("ListIncidents(status=claimed) = %d incidents, %v, want 1, nil", len(list), err)
	}
}

// LookupThreads answers for each key in order, "" for a key mapped to no
// incident, and sees keys mapped by the other handle.
func testLookupThreads(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	if ids, err := b.LookupThreads(ctx, nil); err != nil || len(ids) != 0 {
		t.Errorf("LookupThreads(nil) = %v, %v, want none, nil", ids, err)
	}
	one := newIncident("INC-000001", intake.StatusNew, "", base)
	two := newIncident("INC-000002", intake.StatusNew, "", base)
	if err := a.CreateIncident(ctx, one, []intake.ThreadKey{"email:a@x", "email:b@x"}); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateIncident(ctx, two, []intake.ThreadKey{"slack:C1:1.0"}); err != nil {
		t.Fatal(err)
	}
	keys := []intake.ThreadKey{"email:none@x", "slack:C1:1.0", "email:b@x", "email:none@x", "email:a@x"}
	ids, err := b.LookupThreads(ctx, keys)
	if err != nil {
		t.Fatalf("LookupThreads = %v", err)
	}
	want := []intake.IncidentID{"", "INC-000002", "INC-000001", "", "INC-000001"}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("LookupThreads(%v) = %q, want %q", keys, ids, want)
	}
}
