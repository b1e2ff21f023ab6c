package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

const (
	testSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	botUser    = "UBOT"
	agentUser  = "UAGENT1"
	groupUser  = "UGROUPIE"
	outsider   = "UCUSTOMER"
	tierChan   = "CTIER1"
	intakeChan = "CINTAKE"
)

// recInbox records accepted messages; it fails while failWith is set.
type recInbox struct {
	mu       sync.Mutex
	msgs     []*intake.Message
	failWith error
	got      chan struct{}
}

func newRecInbox() *recInbox { return &recInbox{got: make(chan struct{}, 100)} }

func (i *recInbox) Accept(_ context.Context, m *intake.Message) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.failWith != nil {
		return i.failWith
	}
	for _, old := range i.msgs {
		if old.ID == m.ID {
			return nil
		}
	}
	i.msgs = append(i.msgs, m)
	i.got <- struct{}{}
	return nil
}

func (i *recInbox) all() []*intake.Message {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]*intake.Message(nil), i.msgs...)
}

func (i *recInbox) wait(t *testing.T, n int) []*intake.Message {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for len(i.all()) < n {
		select {
		case <-i.got:
		case <-deadline:
			t.Fatalf("inbox has %d messages, want %d", len(i.all()), n)
		}
	}
	return i.all()
}

// call is one recorded Web API request.
type call struct {
	Method string
	TS     string // the ts the fake answered
	Form   url.Values
	JSON   map[string]any
}

// fakeSlack is slacktest with handlers recording what the adapter posts,
// unique message timestamps, and a switch for 429 storms.
type fakeSlack struct {
	*slacktest.Server
	mu        sync.Mutex
	calls     []call
	ts        int
	limitNext int // the next limitNext posts get a 429
	groups    map[string][]string
	groupHits int
	socketURL string // answered by apps.connections.open
	attempts  int    // chat.postMessage requests, refused ones included
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{groups: map[string][]string{}}
	f.Server = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, `{"ok":true,"user_id":%q,"user":"intake","team_id":"T1"}`, botUser)
		})
		c.Handle("/chat.postMessage", f.post("chat.postMessage"))
		c.Handle("/chat.update", f.post("chat.update"))
		c.Handle("/chat.postEphemeral", f.post("chat.postEphemeral"))
		c.Handle("/views.open", f.post("views.open"))
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, _ *http.Request) {
			f.mu.Lock()
			u := f.socketURL
			f.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"url":%q}`, u)
		})
		c.Handle("/usergroups.users.list", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			f.mu.Lock()
			f.groupHits++
			users := f.groups[r.Form.Get("usergroup")]
			f.mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "users": users})
		})
		c.Handle("/users.info", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"name":"n","real_name":"Real Name","profile":{"display_name":"Dee"}}}`, r.Form.Get("user"))
		})
	})
	f.Start()
	t.Cleanup(f.Stop)
	return f
}

func (f *fakeSlack) post(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := call{Method: method}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			_ = json.Unmarshal(body, &c.JSON)
		} else {
			c.Form, _ = url.ParseQuery(string(body))
		}
		f.mu.Lock()
		if method == "chat.postMessage" {
			f.attempts++
		}
		if (method == "chat.postMessage" || method == "chat.update") && f.limitNext > 0 {
			f.limitNext--
			f.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		f.ts++
		ts := fmt.Sprintf("1700000000.%06d", f.ts)
		c.TS = ts
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		switch method {
		case "views.open":
			fmt.Fprint(w, `{"ok":true,"view":{"id":"V1"}}`)
		case "chat.postEphemeral":
			fmt.Fprintf(w, `{"ok":true,"message_ts":%q}`, ts)
		default:
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, c.Form.Get("channel"), ts)
		}
	}
}

func (f *fakeSlack) callsOf(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func testConfig(f *fakeSlack) config.Slack {
	return config.Slack{
		BotToken:       "xoxb-test",
		SigningSecret:  testSecret,
		IntakeChannels: []string{intakeChan},
		Agents:         []string{agentUser, "SAGENTS"},
		APIURL:         f.GetAPIURL(),
	}
}

// running starts an adapter for cfg and waits until it accepts messages.
func running(t *testing.T, cfg config.Slack, opts ...Option) (*Adapter, *recInbox) {
	t.Helper()
	a, err := New(cfg, slog.New(slog.DiscardHandler), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	inbox := newRecInbox()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, inbox) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	})
	select {
	case <-a.ready:
	case <-time.After(5 * time.Second):
		t.Fatal("adapter did not start")
	}
	return a, inbox
}

// signed builds a request to path signed with secret at time at.
func signed(path, contentType string, body []byte, secret string, at time.Time) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

func serve(a *Adapter, path string, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.Handlers()[path].ServeHTTP(rec, req)
	return rec
}

func eventBody(eventID string, event map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": eventID, "team_id": "T1", "event": event})
	return b
}

func interactionBody(payload map[string]any) []byte {
	b, _ := json.Marshal(payload)
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

// clickPayload is a block_actions payload of user pressing action on the
// card ts in channel.
func clickPayload(user, actionID, value, channel, ts, actionTs string) map[string]any {
	return map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user},
		"trigger_id": "trig-1",
		"channel":    map[string]any{"id": channel},
		"container":  map[string]any{"type": "message", "channel_id": channel, "message_ts": ts},
		"message":    map[string]any{"ts": ts},
		"actions": []map[string]any{{
			"type": "button", "action_id": actionID, "block_id": "actions", "value": value, "action_ts": actionTs,
		}},
	}
}

var errStore = errors.New("store down")

// failing is a Web API answering every call with the error code, or with
// the HTTP status when code is empty.
func failing(t *testing.T, code string, status int) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if code == "" {
			w.WriteHeader(status)
			return
		}
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}
