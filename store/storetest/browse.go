package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/intake-support/intake/store"
)

var browseTests = []test{
	{"Queue/List", testListQueue},
	{"Queue/Remove", testRemoveFromQueue},
}

func listIDs(t *testing.T, s store.Store, q string, limit int) string {
	t.Helper()
	got, err := s.ListQueue(t.Context(), q, limit)
	if err != nil {
		t.Fatalf("ListQueue(%q, %d) = %v, want nil", q, limit, err)
	}
	out := ""
	for _, m := range got {
		out += fmt.Sprintf("%s:%s:%d ", m.ID, m.Payload, m.Attempt)
	}
	return out
}

func testListQueue(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	if got := listIDs(t, a, "dead", 0); got != "" {
		t.Errorf("ListQueue(never used) = %q, want nothing", got)
	}
	for _, id := range []string{"r-c", "r-a", "r-b"} {
		if err := a.Enqueue(ctx, "dead", id, []byte("p"+id)); err != nil {
			t.Fatal(err)
		}
	}
	dequeue(t, a, "dead", time.Minute) // r-c in flight still counts, in its place
	tests := []struct {
		limit int
		want  string
	}{
		{0, "r-c:pr-c:1 r-a:pr-a:0 r-b:pr-b:0 "},
		{2, "r-c:pr-c:1 r-a:pr-a:0 "},
	}
	for _, tc := range tests {
		if got := listIDs(t, b, "dead", tc.limit); got != tc.want {
			t.Errorf("ListQueue(%q, %d) = %q, want %q", "dead", tc.limit, got, tc.want)
		}
	}
	queueLen(t, a, "dead", 3)
}

func testRemoveFromQueue(t *testing.T, f Factory) {
	ctx := t.Context()
	a, b := f(t)
	for _, id := range []string{"r-1", "r-2", "r-3"} {
		if err := a.Enqueue(ctx, "dead", id, []byte(id)); err != nil {
			t.Fatal(err)
		}
	}
	d := dequeue(t, a, "dead", time.Minute)
	tests := []struct {
		id   string
		want error
	}{
		{"r-1", nil}, // in flight
		{"r-3", nil}, // waiting
		{"r-3", store.ErrNotFound},
		{"nope", store.ErrNotFound},
	}
	for _, tc := range tests {
		if err := b.RemoveFromQueue(ctx, "dead", tc.id); !isErr(err, tc.want) {
			t.Errorf("RemoveFromQueue(%q) = %v, want %v", tc.id, err, tc.want)
		}
	}
	if err := b.RemoveFromQueue(ctx, "never", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RemoveFromQueue(unused queue) = %v, want %v", err, store.ErrNotFound)
	}
	if err := a.Ack(ctx, "dead", d); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ack(removed delivery) = %v, want %v", err, store.ErrNotFound)
	}
	queueLen(t, a, "dead", 1)
	if got := listIDs(t, a, "dead", 0); got != "r-2:r-2:0 " {
		t.Errorf("ListQueue after removals = %q, want %q", got, "r-2:r-2:0 ")
	}
	if err := a.Enqueue(ctx, "dead", "r-1", []byte("again")); err != nil {
		t.Fatal(err)
	}
	if got := listIDs(t, b, "dead", 0); got != "r-2:r-2:0 r-1:again:0 " {
		t.Errorf("ListQueue after re-enqueue = %q, want %q", got, "r-2:r-2:0 r-1:again:0 ")
	}
}
