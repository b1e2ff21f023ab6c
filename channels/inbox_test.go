package channels_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
)

// AcceptBatch stores one customer's messages in their order, in their inbox
// shard, under their dedupe keys, and a message that cannot be stored leaves
// the whole batch out.
func TestAcceptBatchKeepsOrderAllOrNone(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	in := &channels.StoreInbox{Store: s}
	ctx := context.Background()
	bad := chantest.Message("", "eva", "conv-x", "sin id")
	if err := in.AcceptBatch(ctx, []*intake.Message{chantest.Message("m0", "ana", "conv-0", "hola"), bad}); err == nil {
		t.Fatalf("AcceptBatch(a message without ID) = nil, want an error")
	}
	if n, _ := channels.InboxLen(ctx, s); n != 0 {
		t.Fatalf("inbox holds %d after a refused batch, want 0", n)
	}
	var batch []*intake.Message
	for _, id := range []string{"m3", "m1", "m2", "m1"} {
		batch = append(batch, chantest.Message(id, "ana", "conv-"+id, "texto "+id))
	}
	if err := in.AcceptBatch(ctx, batch); err != nil {
		t.Fatalf("AcceptBatch = %v, want nil", err)
	}
	var got []intake.MessageID
	for {
		d, err := s.Dequeue(ctx, channels.InboxQueueFor(batch[0]), time.Minute)
		if err != nil {
			break
		}
		var m intake.Message
		if err := json.Unmarshal(d.Payload, &m); err != nil {
			t.Fatal(err)
		}
		if d.ID != m.DedupeKey() {
			t.Errorf("queued as %q, want its dedupe key %q", d.ID, m.DedupeKey())
		}
		got = append(got, m.ID)
	}
	if want := []intake.MessageID{"m3", "m1", "m2"}; !slices.Equal(got, want) {
		t.Errorf("inbox order = %v, want %v", got, want)
	}
}
