package slack

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/intake-support/intake"
)

// socketDouble is Slack's Socket Mode end: apps.connections.open hands out
// its URL; each connection gets hello, then the envelopes sent with send,
// and pings; acks are read into acks.
type socketDouble struct {
	srv   *httptest.Server
	out   chan string
	acks  chan string
	conns chan struct{}
}

func newSocketDouble(t *testing.T) *socketDouble {
	d := &socketDouble{out: make(chan string, 10), acks: make(chan string, 10), conns: make(chan struct{}, 10)}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
			return
		}
		d.conns <- struct{}{}
		go func() {
			for {
				_, b, err := conn.ReadMessage()
				if err != nil {
					return
				}
				var ack struct {
					EnvelopeID string `json:"envelope_id"`
				}
				if json.Unmarshal(b, &ack) == nil && ack.EnvelopeID != "" {
					d.acks <- ack.EnvelopeID
				}
			}
		}()
		ping := time.NewTicker(50 * time.Millisecond)
		defer ping.Stop()
		for {
			select {
			case msg := <-d.out:
				if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
					return
				}
			case <-ping.C:
				if err := conn.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second)); err != nil {
					return
				}
			case <-r.Context().Done():
				return
			}
		}
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *socketDouble) url() string { return "ws" + strings.TrimPrefix(d.srv.URL, "http") + "/link" }

func (d *socketDouble) send(t *testing.T, envelopeID, typ string, payload any) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"envelope_id": envelopeID, "type": typ, "payload": payload, "accepts_response_payload": false})
	if err != nil {
		t.Fatal(err)
	}
	d.out <- string(b)
}

func (d *socketDouble) ack(t *testing.T, within time.Duration) string {
	t.Helper()
	select {
	case id := <-d.acks:
		return id
	case <-time.After(within):
		return ""
	}
}

func TestSocketMode(t *testing.T) {
	d := newSocketDouble(t)
	f := newFakeSlack(t)
	f.SetSocketURL(d.url())
	cfg := testConfig(f)
	cfg.AppToken = "xapp-test"
	cfg.SigningSecret = ""
	a, inbox := running(t, cfg)
	select {
	case <-d.conns:
	case <-time.After(20 * time.Second):
		t.Fatal("adapter did not connect")
	}

	dm := json.RawMessage(eventBody("EvS1", map[string]any{"type": "message", "channel": "D77", "channel_type": "im",
		"user": outsider, "text": "hello over the socket", "ts": "1700000700.000001"}))
	d.send(t, "env-1", "events_api", dm)
	if got := d.ack(t, 20*time.Second); got != "env-1" {
		t.Fatalf("ack = %q, want env-1", got)
	}
	if got := inbox.all(); len(got) != 1 || got[0].Text != "hello over the socket" || got[0].Conversation.Address != "D77" {
		t.Fatalf("inbox = %+v, want the DM before the ack", got)
	}
	if !a.Connected() {
		t.Errorf("Connected() = false with events flowing over the socket, want true")
	}

	d.send(t, "env-2", "interactive", clickPayload(agentUser, "intake:claim", "INC-9", tierChan, "1700000000.000009", "1700000701.000001"))
	if got := d.ack(t, 20*time.Second); got != "env-2" {
		t.Fatalf("ack = %q, want env-2", got)
	}
	if got := inbox.all(); len(got) != 2 || got[1].Action != "claim" || !got[1].FromAgent {
		t.Fatalf("inbox = %+v, want the claim", got)
	}

	// A message the inbox cannot store is not acknowledged; Slack's
	// redelivery is then stored and acknowledged.
	inbox.mu.Lock()
	inbox.failWith = errStore
	inbox.mu.Unlock()
	dm3 := json.RawMessage(eventBody("EvS3", map[string]any{"type": "message", "channel": "D77", "channel_type": "im",
		"user": outsider, "text": "again", "ts": "1700000702.000001"}))
	d.send(t, "env-3", "events_api", dm3)
	if got := d.ack(t, 300*time.Millisecond); got != "" {
		t.Fatalf("ack = %q for a message the inbox refused, want none", got)
	}
	inbox.mu.Lock()
	inbox.failWith = nil
	inbox.mu.Unlock()
	d.send(t, "env-3b", "events_api", dm3)
	if got := d.ack(t, 20*time.Second); got != "env-3b" {
		t.Fatalf("ack = %q, want env-3b", got)
	}
	if got := inbox.all(); len(got) != 3 || got[2].ID != intake.MessageID("D77:1700000702.000001") {
		t.Fatalf("inbox has %d messages, want 3", len(got))
	}
}
