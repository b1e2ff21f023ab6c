package email

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/internal/journal"
	"github.com/intake-support/intake/store"
)

// startJournalListener runs an SMTP listener with its journal in dir on a
// bolt store and returns its address and the store.
func startJournalListener(t *testing.T, dir string, rl config.RateLimit) (string, store.Store) {
	t.Helper()
	s := openBolt(t, "")
	cfg := config.Email{Address: "soporte@example.test", RateLimit: rl,
		SMTPListen: config.SMTPListen{Addr: "127.0.0.1:0", Domains: []string{"example.test"}}}
	a, err := New(cfg, s, quietLogger(), WithJournal(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, &channels.StoreInbox{Store: s}) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, 5*time.Second, "smtp listener", func() bool { return a.Ready() == nil })
	return a.SMTPAddr(), s
}

// inboxMessages returns the messages in the inbox's shards, each shard in
// its order.
func inboxMessages(t *testing.T, s store.Store) []*intake.Message {
	t.Helper()
	var out []*intake.Message
	for i := range channels.InboxShards {
		qs, err := s.ListQueue(context.Background(), channels.ShardQueue(i), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			var m intake.Message
			if err := json.Unmarshal(q.Payload, &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, &m)
		}
	}
	return out
}

// TestSMTPJournalStoresMailInOrder: with a journal, every mail answered 250
// reaches the inbox, each sender's in the order sent, and the rate window
// still marks a sender's mails beyond the limit.
func TestSMTPJournalStoresMailInOrder(t *testing.T) {
	addr, s := startJournalListener(t, t.TempDir(), config.RateLimit{Messages: 2, Per: time.Hour})
	sent := []struct{ from, id string }{
		{"ana@cliente.test", "a1@x"}, {"bob@cliente.test", "b1@x"}, {"ana@cliente.test", "a2@x"},
		{"ana@cliente.test", "a3@x"}, {"ana@cliente.test", "a4@x"},
	}
	for _, m := range sent {
		if err := sendRaw(addr, m.from, "soporte@example.test", customerMail(m.from, m.id, m.id, "hola")); err != nil {
			t.Fatalf("send %s: %v", m.id, err)
		}
	}
	var got []*intake.Message
	waitFor(t, 5*time.Second, "5 mails in the inbox", func() bool { got = inboxMessages(t, s); return len(got) == 5 })
	var ana []string
	for _, m := range got {
		if m.From.ID == "ana@cliente.test" {
			ana = append(ana, fmt.Sprintf("%s:%v", m.Subject, m.AutoReply))
		}
	}
	if want := "[a1@x:false a2@x:false a3@x:true a4@x:true]"; fmt.Sprint(ana) != want {
		t.Errorf("ana's mails in the inbox: %v, want %s (in order, the last two over the rate limit)", ana, want)
	}
}

// TestSMTPJournalReplaysAfterRestart: mails journalled (answered 250) and
// not stored when the process stopped are stored after the next start, and
// the journal's files are then deleted.
func TestSMTPJournalReplaysAfterRestart(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		msg := &intake.Message{ID: intake.MessageID(fmt.Sprintf("email:left-%d", i)), Channel: intake.ChannelEmail,
			Subject: fmt.Sprintf("left-%d", i), From: intake.Customer{ID: "ana@cliente.test"}, Text: "hola"}
		data, _ := json.Marshal(msg)
		if err := j.Append(context.Background(), data); err != nil {
			t.Fatal(err)
		}
	}
	_ = j.Close() // as if killed: nothing taken, nothing done

	_, s := startJournalListener(t, dir, config.RateLimit{})
	var got []*intake.Message
	waitFor(t, 5*time.Second, "3 journalled mails in the inbox", func() bool { got = inboxMessages(t, s); return len(got) == 3 })
	for i, m := range got {
		if want := fmt.Sprintf("left-%d", i); m.Subject != want {
			t.Errorf("inbox[%d] = %s, want %s", i, m.Subject, want)
		}
	}
	waitFor(t, 5*time.Second, "the replayed segment deleted", func() bool {
		segs, _ := filepath.Glob(filepath.Join(dir, "segment-*"))
		return len(segs) == 1
	})
}
