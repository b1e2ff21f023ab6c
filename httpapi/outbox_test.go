package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/chantest"
)

func post(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOutboxDeadAPI: a reply refused for good is listed by GET
// /api/v1/outbox/dead, and POST .../retry sends it again.
func TestOutboxDeadAPI(t *testing.T) {
	srv, s := newServer(t, "s3cret")
	ctx, cancel := context.WithCancel(context.Background())
	a := chantest.New()
	a.FailNext(channels.Permanent(errors.New("550 5.1.1 no such user")))
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{a.Channel(): a},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: 10 * time.Millisecond}
	done := make(chan struct{})
	go func() { defer close(done); _ = o.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	reply, _ := json.Marshal(intake.Reply{ID: "r/1", IncidentID: "INC-000001", Text: "hola",
		Conversation: intake.Conversation{Channel: intake.ChannelTest, Address: "ana"}})
	if err := s.Enqueue(ctx, channels.OutboxQueue, "r/1", reply); err != nil {
		t.Fatal(err)
	}
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, body = get(t, srv.URL+"/api/v1/outbox/dead", "s3cret"); strings.Contains(body, "r/1") {
			break
		}
	}
	var list struct{ Replies []channels.DeadReply }
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Replies) != 1 || list.Replies[0].IncidentID != "INC-000001" ||
		!strings.Contains(list.Replies[0].Reason, "no such user") {
		t.Fatalf("GET /api/v1/outbox/dead = %s (%v), want the refused reply with its reason", body, err)
	}
	if _, body := get(t, srv.URL+"/api/v1/incidents", "s3cret"); !strings.Contains(body, `"undelivered"`) {
		t.Errorf("GET /api/v1/incidents = %s, want the incident marked undelivered", body)
	}
	tests := []struct {
		name, path, token string
		code              int
	}{
		{"retry without token", "/api/v1/outbox/dead/r%2F1/retry", "", 401},
		{"retry unknown", "/api/v1/outbox/dead/nope/retry", "s3cret", 404},
		{"retry", "/api/v1/outbox/dead/r%2F1/retry", "s3cret", 200},
		{"retry twice", "/api/v1/outbox/dead/r%2F1/retry", "s3cret", 404},
	}
	for _, tt := range tests {
		if code, body := post(t, srv.URL+tt.path, tt.token); code != tt.code {
			t.Errorf("%s: POST %s = %d, want %d; body %s", tt.name, tt.path, code, tt.code, body)
		}
	}
	if _, err := a.WaitSent(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, srv.URL+"/api/v1/outbox/dead", "s3cret"); strings.Contains(body, "r/1") {
		t.Errorf("GET /api/v1/outbox/dead after the retry = %s, want it empty", body)
	}
}
