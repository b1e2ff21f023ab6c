package email

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
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
