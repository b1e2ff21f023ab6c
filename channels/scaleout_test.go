package channels_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
	"github.com/intake-support/intake/store"
)

// TestTwoWorkersOnOneRedis runs two workers, each with its own Redis client
// and holder as two processes would, over one inbox of 60 customers writing
// 5 messages each. Halfway through, one worker dies (its client is closed
// under it, leaving what it had in flight); the other takes its shards over.
// Every message is handled once, on one incident per customer, in the order
// the customer wrote.
func TestTwoWorkersOnOneRedis(t *testing.T) {
	const customers, each = 60, 5
	a, prefix := openRedis(t, "")
	b, _ := openRedis(t, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	handled := map[intake.MessageID]int{}
	byWorker := map[string]int{}
	newWorker := func(s store.Store, holder string) *channels.Worker {
		bot := channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
			mu.Lock()
			handled[msg.ID]++
			byWorker[holder]++
			mu.Unlock()
			return intake.Outcome{Replies: []intake.Reply{{Text: "got " + string(msg.ID), Auto: true}}}, nil
		})
		return &channels.Worker{Store: s, LevelOne: bot, Humans: deskStub{}, Logger: quietLogger(),
			Poll: 20 * time.Millisecond, Visibility: 2 * time.Second, Concurrency: 4, Holder: holder}
	}
	wa, wb := newWorker(a, "instance-a"), newWorker(b, "instance-b")
	inbox := wa.Inbox()
	for k := range each {
		for i := range customers {
			msg := chantest.Message(fmt.Sprintf("m-%02d-%d", i, k), fmt.Sprintf("cust-%02d", i), fmt.Sprintf("conv-%02d", i), "hola")
			if err := inbox.Accept(ctx, msg); err != nil {
				t.Fatalf("Accept = %v", err)
			}
		}
	}
	ctxA, killA := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = wa.Run(ctxA) })
	wg.Go(func() { _ = wb.Run(ctx) })
	waitFor(t, 60*time.Second, "a third of the messages handled", func() bool {
		n, err := channels.InboxLen(ctx, b)
		return err == nil && n <= customers*each*2/3
	})
	_ = a.Close() // instance a dies: no more writes, nothing released
	killA()
	waitFor(t, 60*time.Second, "the inbox drained by instance b", func() bool {
		n, err := channels.InboxLen(ctx, b)
		return err == nil && n == 0
	})
	cancel()
	wg.Wait()

	checkInOrder(t, b, customers, each)
	mu.Lock()
	defer mu.Unlock()
	if byWorker["instance-a"] == 0 || byWorker["instance-b"] == 0 {
		t.Errorf("messages handled per worker = %v, want both to share the inbox", byWorker)
	}
	for id, n := range handled {
		if n > 1 {
			// Only a message whose worker died before its commit may be
			// decided twice; its result is stored once (checked above).
			t.Logf("%s decided %d times", id, n)
		}
	}
}

// checkInOrder checks the incidents of an inbox that held each messages
// m-CC-K from each of customers customers cust-CC (K from 0): one incident
// per customer, each message on it once with one reply, in K order.
func checkInOrder(t *testing.T, s store.Store, customers, each int) {
	t.Helper()
	incs, err := s.ListIncidents(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != customers {
		t.Errorf("%d incidents, want %d (one per customer)", len(incs), customers)
	}
	perCustomer := map[string]int{}
	replies := 0
	for _, inc := range incs {
		perCustomer[inc.Customer.ID]++
		var order []intake.MessageID
		for _, e := range inc.Timeline {
			switch e.Kind {
			case intake.EventMessage:
				order = append(order, e.MessageID)
			case intake.EventReply:
				replies++
			}
		}
		for k, id := range order {
			if want := intake.MessageID(fmt.Sprintf("m-%s-%d", inc.Customer.ID[len("cust-"):], k)); id != want {
				t.Errorf("%s: message %d handled is %s, want %s (order %v)", inc.ID, k, id, want, order)
				break
			}
		}
		if len(order) != each {
			t.Errorf("%s: %d messages on the timeline, want %d", inc.ID, len(order), each)
		}
	}
	for c, n := range perCustomer {
		if n != 1 {
			t.Errorf("customer %s has %d incidents, want 1", c, n)
		}
	}
	if replies != customers*each {
		t.Errorf("%d replies recorded, want %d", replies, customers*each)
	}
	if n, err := channels.OutboxLen(context.Background(), s); err != nil || n != customers*each {
		t.Errorf("outbox holds %d replies (%v), want %d", n, err, customers*each)
	}
}

// TestConcurrentWorkerKeepsOrder: with eight goroutines on the embedded
// store, 40 customers' messages are handled in parallel and each
// customer's in the order written.
func TestConcurrentWorkerKeepsOrder(t *testing.T) {
	const customers, each = 40, 5
	s := openStore(t, filepath.Join(t.TempDir(), "intake.db"))
	w := newWorker(s)
	w.Concurrency = 8
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for k := range each {
		for i := range customers {
			msg := chantest.Message(fmt.Sprintf("m-%02d-%d", i, k), fmt.Sprintf("cust-%02d", i), fmt.Sprintf("conv-%02d", i), "hola")
			if err := w.Inbox().Accept(ctx, msg); err != nil {
				t.Fatalf("Accept = %v", err)
			}
		}
	}
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	waitFor(t, 60*time.Second, "the inbox drained", func() bool {
		n, err := channels.InboxLen(ctx, s)
		return err == nil && n == 0
	})
	cancel()
	<-done
	checkInOrder(t, s, customers, each)
}

func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
