package email

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
	redisstore "github.com/intake-support/intake/store/redis"
)

func TestRateLimitPerSender(t *testing.T) {
	s := openBolt(t, "")
	cfg := config.Email{Address: "soporte@example.test", RateLimit: config.RateLimit{Messages: 2, Per: time.Hour}}
	a, err := New(cfg, s, quietLogger(), WithClock(fixedNow))
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
		id   string
		want bool
	}{{"r1@x", false}, {"r2@x", false}, {"r1@x", false}, {"r3@x", true}, {"r4@x", true}}
	for _, tc := range tests {
		if got := ingest(tc.id); got.AutoReply != tc.want || (tc.want && got.AutoReplyReason != "rate limit") {
			t.Errorf("ingest(%s): auto_reply %v (%q), want %v", tc.id, got.AutoReply, got.AutoReplyReason, tc.want)
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
