package email

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// A backlog larger than one batch reaches the inbox in mailbox order, each
// message once, and leaves INBOX for Done; a message over max_size in the
// middle goes to Failed without holding back the ones after it.
func TestIMAPBacklogKeepsOrderAcrossBatches(t *testing.T) {
	const n = 2*fetchBatch + 17
	p := startMemIMAP(t)
	c := p.Client(t)
	for i := range n {
		body := "la impresora no imprime"
		if i == fetchBatch+3 {
			body = strings.Repeat("x", 64<<10)
		}
		appendMail(t, c, "INBOX", customerMail(fmt.Sprintf("c%d@cliente.test", i%7), fmt.Sprintf("order%d@cliente.test", i), "ayuda", body))
	}
	cfg := imapConfig(p, "Done", "Failed")
	cfg.MaxSize = 32 << 10
	s := openBolt(t, "")
	_, inboxLen := runIMAPIntakeOn(t, cfg, s)
	waitFor(t, 60*time.Second, "the backlog stored", func() bool { return inboxLen() == n-1 })
	waitFor(t, 10*time.Second, "INBOX emptied", func() bool { return countMailbox(t, c, "INBOX") == 0 })
	if got := countMailbox(t, c, "Done"); got != n-1 {
		t.Errorf("Done holds %d, want %d", got, n-1)
	}
	if got := countMailbox(t, c, "Failed"); got != 1 {
		t.Errorf("Failed holds %d, want 1", got)
	}
	// Order is kept per customer (the inbox shard a customer's mail goes
	// to): each customer's messages come out in mailbox order.
	last := map[string]int{}
	total := 0
	for shard := range channels.InboxShards {
		for {
			d, err := s.Dequeue(context.Background(), channels.ShardQueue(shard), time.Minute)
			if err != nil {
				break
			}
			var m intake.Message
			if err := json.Unmarshal(d.Payload, &m); err != nil {
				t.Fatal(err)
			}
			var i int
			if _, err := fmt.Sscanf(string(m.ID), "order%d@", &i); err != nil {
				t.Fatalf("message ID %q: %v", m.ID, err)
			}
			if prev, ok := last[m.From.ID]; ok && i <= prev {
				t.Errorf("%s: message %d came after message %d, want mailbox order", m.From.ID, i, prev)
			}
			last[m.From.ID] = i
			total++
		}
	}
	if total != n-1 {
		t.Errorf("dequeued %d messages, want %d", total, n-1)
	}
}
