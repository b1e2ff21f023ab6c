package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/store/bolt"
)

// TestOutboxRetry parks a reply in the dead-letter queue of the example
// configuration's store and runs `intake outbox list` and `retry -all`.
func TestOutboxRetry(t *testing.T) {
	cfg := exampleConfig(t)
	dbPath := filepath.Join(filepath.Dir(cfg), "data", "intake.db")
	s, err := bolt.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	payload, _ := json.Marshal(channels.DeadReply{ID: "r/1", Reason: "550 5.1.1 no such user", At: time.Now(), Attempts: 1,
		Reply: json.RawMessage(`{"id":"r/1","text":"hola"}`)})
	if err := s.Enqueue(ctx, channels.DeadOutboxQueue, "r/1", payload); err != nil {
		t.Fatal(err)
	}
	s.Close()

	tests := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{[]string{"outbox", "list", "-config", cfg}, 0, "no such user"},
		{[]string{"outbox", "retry", "-config", cfg}, 2, "-all"},
		{[]string{"outbox", "retry", "-config", cfg, "nope"}, 1, "not in the dead-letter queue"},
		{[]string{"outbox", "retry", "-config", cfg, "-all"}, 0, "retried r/1"},
		{[]string{"outbox", "list", "-config", cfg}, 0, `"replies": []`},
	}
	for _, tc := range tests {
		out, err := exec.Command(binary, tc.args...).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != tc.wantCode || !strings.Contains(string(out), tc.want) {
			t.Errorf("intake %s = exit %d %q, want exit %d with %q", strings.Join(tc.args, " "), code, out, tc.wantCode, tc.want)
		}
	}
	s, err = bolt.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := channels.OutboxLen(ctx, s); err != nil || n != 1 {
		t.Errorf("outbox holds %d replies (%v) after the retry, want 1", n, err)
	}
}
