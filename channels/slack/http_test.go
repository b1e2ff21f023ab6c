package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
)

const formType = "application/x-www-form-urlencoded"

func TestDMBecomesMessageAndAnswerIsThreaded(t *testing.T) {
	f := newFakeSlack(t)
	a, inbox := running(t, testConfig(f))

	body := eventBody("Ev1", map[string]any{
		"type": "message", "channel": "D123", "channel_type": "im", "user": outsider,
		"text": "my invoice is wrong", "ts": "1700000100.000200",
	})
	if rec := serve(a, "/slack/events", signed("/slack/events", "application/json", body, testSecret, time.Now())); rec.Code != http.StatusOK {
		t.Fatalf("events = %d, want 200", rec.Code)
	}
	got := inbox.wait(t, 1)[0]
	want := intake.Message{
		ID:           "D123:1700000100.000200",
		Channel:      intake.ChannelSlack,
		From:         intake.Customer{Channel: intake.ChannelSlack, ID: outsider, Name: "Dee", Verified: true},
		Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: "D123", Thread: "1700000100.000200"},
		Text:         "my invoice is wrong",
		ThreadKeys:   []intake.ThreadKey{intake.ChatThreadKey(intake.ChannelSlack, "D123:1700000100.000200")},
	}
	if got.ID != want.ID || got.From != want.From || got.Conversation.Address != want.Conversation.Address ||
		got.Conversation.Thread != want.Conversation.Thread || got.Text != want.Text || got.FromAgent ||
		len(got.ThreadKeys) != 1 || got.ThreadKeys[0] != want.ThreadKeys[0] {
		t.Fatalf("message = %+v, want %+v", got, want)
	}

	sent, err := a.Send(context.Background(), &intake.Reply{ID: "r1", Conversation: got.Conversation, Text: "Sorry! Looking."})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	posts := f.callsOf("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	p := posts[0].Form
	if p.Get("channel") != "D123" || p.Get("thread_ts") != "1700000100.000200" || p.Get("text") != "Sorry! Looking." {
		t.Errorf("post = %v, want threaded answer in D123", p)
	}
	for k, v := range map[string]string{"unfurl_links": "false", "unfurl_media": "false", "link_names": "false", "parse": "none"} {
		if p.Get(k) != v {
			t.Errorf("post %s = %q, want %q", k, p.Get(k), v)
		}
	}
	if sent.MessageID == "" || len(sent.ThreadKeys) != 1 || sent.ThreadKeys[0] != want.ThreadKeys[0] {
		t.Errorf("Sent = %+v, want ts and the customer's thread key", sent)
	}
}

func TestRequestsRefused(t *testing.T) {
	f := newFakeSlack(t)
	a, inbox := running(t, testConfig(f))
	body := eventBody("Ev2", map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": outsider, "text": "x", "ts": "1.000001"})
	tests := []struct {
		name string
		req  *http.Request
	}{
		{"forged signature", signed("/slack/events", "application/json", body, "wrong-secret", time.Now())},
		{"old timestamp", signed("/slack/events", "application/json", body, testSecret, time.Now().Add(-6*time.Minute))},
		{"future timestamp", signed("/slack/events", "application/json", body, testSecret, time.Now().Add(6*time.Minute))},
		{"tampered body", func() *http.Request {
			r := signed("/slack/events", "application/json", body, testSecret, time.Now())
			r2 := signed("/slack/events", "application/json", []byte(strings.Replace(string(body), `"x"`, `"y"`, 1)), testSecret, time.Now())
			r2.Header.Set("X-Slack-Signature", r.Header.Get("X-Slack-Signature"))
			return r2
		}()},
		{"no signature", func() *http.Request {
			r := signed("/slack/events", "application/json", body, testSecret, time.Now())
			r.Header.Del("X-Slack-Signature")
			return r
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rec := serve(a, "/slack/events", tt.req); rec.Code != http.StatusUnauthorized {
				t.Errorf("events(%s) = %d, want 401", tt.name, rec.Code)
			}
		})
	}
	click := interactionBody(clickPayload(agentUser, "intake:claim", "INC-1", tierChan, "1.000001", "2.000001"))
	if rec := serve(a, "/slack/interactions", signed("/slack/interactions", formType, click, "forged", time.Now())); rec.Code != http.StatusUnauthorized {
		t.Errorf("forged interaction = %d, want 401", rec.Code)
	}
	if n := len(inbox.all()); n != 0 {
		t.Errorf("inbox has %d messages after refused requests, want 0", n)
	}
}

func TestURLVerification(t *testing.T) {
	f := newFakeSlack(t)
	a, _ := running(t, testConfig(f))
	body := []byte(`{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	rec := serve(a, "/slack/events", signed("/slack/events", "application/json", body, testSecret, time.Now()))
	var got struct{ Challenge string }
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK ||
		got.Challenge != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification = %d %q, want 200 with the challenge", rec.Code, rec.Body.String())
	}
}

func TestRetriesDedupedAndFailuresNotAcked(t *testing.T) {
	f := newFakeSlack(t)
	a, inbox := running(t, testConfig(f))
	body := eventBody("Ev3", map[string]any{"type": "message", "channel": intakeChan, "channel_type": "channel", "user": outsider, "text": "help", "ts": "1700000200.000100"})

	inbox.mu.Lock()
	inbox.failWith = errStore
	inbox.mu.Unlock()
	if rec := serve(a, "/slack/events", signed("/slack/events", "application/json", body, testSecret, time.Now())); rec.Code != http.StatusInternalServerError {
		t.Fatalf("events with a failing inbox = %d, want 500", rec.Code)
	}
	inbox.mu.Lock()
	inbox.failWith = nil
	inbox.mu.Unlock()

	for retry := 1; retry <= 3; retry++ {
		req := signed("/slack/events", "application/json", body, testSecret, time.Now())
		req.Header.Set("X-Slack-Retry-Num", string(rune('0'+retry)))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		if rec := serve(a, "/slack/events", req); rec.Code != http.StatusOK {
			t.Fatalf("retry %d = %d, want 200", retry, rec.Code)
		}
	}
	if got := inbox.all(); len(got) != 1 || got[0].ID != intake.MessageID(intakeChan+":1700000200.000100") {
		t.Fatalf("inbox = %d messages, want the one message once", len(got))
	}
}

func TestMessagesIgnored(t *testing.T) {
	f := newFakeSlack(t)
	a, inbox := running(t, testConfig(f))
	tests := []struct {
		name  string
		event map[string]any
	}{
		{"bot message", map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "bot_id": "B1", "user": "UX", "text": "hi", "ts": "1.1"}},
		{"our own post", map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": botUser, "text": "hi", "ts": "1.2"}},
		{"edit", map[string]any{"type": "message", "subtype": "message_changed", "channel": "D1", "channel_type": "im", "message": map[string]any{"user": outsider, "text": "x", "ts": "1.3"}, "ts": "1.4"}},
		{"other channel", map[string]any{"type": "message", "channel": "CRANDOM", "channel_type": "channel", "user": outsider, "text": "hi", "ts": "1.5"}},
		{"non-agent in a card thread", map[string]any{"type": "message", "channel": tierChan, "channel_type": "channel", "user": outsider, "text": "hi", "ts": "1.6", "thread_ts": "1.0"}},
		{"agent top-level in tier channel", map[string]any{"type": "message", "channel": tierChan, "channel_type": "channel", "user": agentUser, "text": "hi", "ts": "1.7"}},
		{"reaction", map[string]any{"type": "reaction_added", "user": outsider}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := eventBody("EvI"+string(rune('a'+i)), tt.event)
			if rec := serve(a, "/slack/events", signed("/slack/events", "application/json", body, testSecret, time.Now())); rec.Code != http.StatusOK {
				t.Errorf("events(%s) = %d, want 200", tt.name, rec.Code)
			}
		})
	}
	if n := len(inbox.all()); n != 0 {
		t.Errorf("inbox has %d messages, want 0", n)
	}
}

func TestAgentThreadReply(t *testing.T) {
	f := newFakeSlack(t)
	f.SetGroup("SAGENTS", groupUser)
	a, inbox := running(t, testConfig(f))
	tests := []struct {
		name, user, text string
	}{
		{"agent by user ID", agentUser, "Hi, a refund is on its way."},
		{"agent by user group", groupUser, "// customer is a VIP"},
	}
	for i, tt := range tests {
		ts := "1700000300.00000" + string(rune('1'+i))
		body := eventBody("EvA"+ts, map[string]any{"type": "message", "channel": tierChan, "channel_type": "channel",
			"user": tt.user, "text": tt.text, "ts": ts, "thread_ts": "1700000000.000001"})
		if rec := serve(a, "/slack/events", signed("/slack/events", "application/json", body, testSecret, time.Now())); rec.Code != http.StatusOK {
			t.Fatalf("%s: events = %d, want 200", tt.name, rec.Code)
		}
		got := inbox.wait(t, i+1)[i]
		key := intake.ChatThreadKey(intake.ChannelSlack, tierChan+":1700000000.000001")
		if !got.FromAgent || got.From.ID != tt.user || got.Text != tt.text || len(got.ThreadKeys) != 1 || got.ThreadKeys[0] != key {
			t.Errorf("%s: message = %+v, want FromAgent with key %s and the text as typed", tt.name, got, key)
		}
	}
}
