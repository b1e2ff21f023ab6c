package email

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
	redisstore "github.com/intake-support/intake/store/redis"
)

// TestRateLimitPerSender: beyond 2 messages in the hour a sender's mail is
// automatic; a message read again (after a crash) gets the answer it got the
// first time, over the limit or not; the next hour counts from 1 again.
func TestRateLimitPerSender(t *testing.T) {
	s := openBolt(t, "")
	cfg := config.Email{Address: "soporte@example.test", RateLimit: config.RateLimit{Messages: 2, Per: time.Hour}}
	now := fixedNow()
	a, err := New(cfg, s, quietLogger(), WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	inbox := &channels.StoreInbox{Store: s}
	ingest := func(id string) *intake.Message {
		msg, err := a.ingest(context.Background(), inbox, bytes.NewReader(customerMail("ana@cliente.test", id, "hola", "hola")), 0)
		if err != nil {
			t.Fatalf("ingest(%s) = %v", id, err)
		}
		return msg
	}
	tests := []struct {
		id    string
		later time.Duration // how long after fixedNow
		want  bool
	}{
		{"r1@x", 0, false}, {"r2@x", 0, false}, {"r1@x", 0, false}, {"r3@x", 0, true}, {"r4@x", 0, true}, {"r3@x", 0, true},
		{"r5@x", time.Hour, false}, {"r6@x", time.Hour, false}, {"r7@x", time.Hour, true},
	}
	for _, tc := range tests {
		now = fixedNow().Add(tc.later)
		if got := ingest(tc.id); got.AutoReply != tc.want || (tc.want && got.AutoReplyReason != "rate limit") {
			t.Errorf("ingest(%s) at +%v: auto_reply %v (%q), want %v", tc.id, tc.later, got.AutoReply, got.AutoReplyReason, tc.want)
		}
	}
}

// TestRateLimitBatch: a batch of messages (the IMAP intake's chunk) gets the
// rate window message by message in order, on both stores, and shares it
// with messages counted one at a time.
func TestRateLimitBatch(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"bolt": func(t *testing.T) store.Store { return openBolt(t, "") },
		"redis": func(t *testing.T) store.Store {
			s, err := redisstore.Open(context.Background(), "redis://"+startRedis(t)+"/0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			cfg := config.Email{Address: "soporte@example.test", RateLimit: config.RateLimit{Messages: 2, Per: time.Hour}}
			a, err := New(cfg, s, quietLogger(), WithClock(fixedNow))
			if err != nil {
				t.Fatal(err)
			}
			msg := func(from, id string) *intake.Message {
				m, err := a.normalize(bytes.NewReader(customerMail(from, id, "hola", "hola")), 0)
				if err != nil {
					t.Fatalf("normalize(%s) = %v", id, err)
				}
				return m
			}
			batch := []*intake.Message{
				msg("ana@cliente.test", "r1@x"), msg("ana@cliente.test", "r2@x"), msg("bob@cliente.test", "b1@x"),
				msg("Ana@cliente.test", "r3@x"), msg("ana@cliente.test", "r1@x"), msg("ana@cliente.test", "r4@x"),
			}
			if err := a.rateLimit(context.Background(), batch); err != nil {
				t.Fatalf("rateLimit(batch) = %v", err)
			}
			for i, want := range []bool{false, false, false, true, false, true} {
				if got := batch[i]; got.AutoReply != want {
					t.Errorf("batch[%d] %s from %s: auto_reply %v, want %v", i, got.ID, got.From.ID, got.AutoReply, want)
				}
			}
			inbox := &channels.StoreInbox{Store: s}
			for _, tc := range []struct {
				from, id string
				want     bool
			}{{"ana@cliente.test", "r5@x", true}, {"bob@cliente.test", "b2@x", false}, {"bob@cliente.test", "b3@x", true}} {
				got, err := a.ingest(context.Background(), inbox, bytes.NewReader(customerMail(tc.from, tc.id, "hola", "hola")), 0)
				if err != nil {
					t.Fatalf("ingest(%s) after the batch = %v", tc.id, err)
				}
				if got.AutoReply != tc.want {
					t.Errorf("ingest(%s) after the batch: auto_reply %v, want %v", tc.id, got.AutoReply, tc.want)
				}
			}
		})
	}
}

// TestSMTPAcceptWrites counts what one mail accepted over SMTP costs the
// store, with the sender rate window on: one write for the window and one
// for the inbox (bolt: fsync'd commits; Redis: requests). In a burst every
// bolt write waits for the one committer, so they bound the accept rate.
func TestSMTPAcceptWrites(t *testing.T) {
	stores := map[string]func(t *testing.T) (store.Store, func() uint64){
		"bolt": func(t *testing.T) (store.Store, func() uint64) {
			s := openBolt(t, "").(*bolt.Store)
			return s, s.Commits
		},
		"redis": func(t *testing.T) (store.Store, func() uint64) {
			s, err := redisstore.Open(context.Background(), "redis://"+startRedis(t)+"/0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s, s.RoundTrips
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s, writes := open(t)
			const n = 10
			addr := startSMTPIntakeWith(t, s, config.RateLimit{Messages: n, Per: time.Hour})
			send := func(from, id string) {
				t.Helper()
				if err := sendRaw(addr, from, "soporte@example.test", customerMail(from, id, "hola", "hola")); err != nil {
					t.Fatalf("send %s = %v", id, err)
				}
			}
			send("warm@cliente.test", "warm@x") // the first use of each script loads it on Redis
			for _, phase := range []string{"within the limit", "over the limit"} {
				before := writes()
				for i := range n {
					send("ana@cliente.test", fmt.Sprintf("%d-%s@x", i, phase[:4]))
				}
				perMail := float64(writes()-before) / n
				t.Logf("%s, %s: %.2f store writes per accepted SMTP mail", name, phase, perMail)
				if perMail != 2 {
					t.Errorf("%s, %s: %.2f store writes per accepted SMTP mail, want 2 (rate window, inbox)", name, phase, perMail)
				}
			}
			if got := inboxLen(t, s); got != 2*n+1 {
				t.Errorf("inbox holds %d messages, want %d", got, 2*n+1)
			}
		})
	}
}
