package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/slack/slackfake"
	"github.com/intake-support/intake/config"
)

const (
	botUser    = slackfake.BotUser
	testSecret = "8f742231b10e8888abcd99yyyzzz85a5"
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
	// Never block: a full channel already holds a wake-up for wait, and a
	// fuzzer accepts far more messages than anyone waits for.
	select {
	case i.got <- struct{}{}:
	default:
	}
	return nil
}

func (i *recInbox) all() []*intake.Message {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]*intake.Message(nil), i.msgs...)
}

func (i *recInbox) wait(t *testing.T, n int) []*intake.Message {
	t.Helper()
	deadline := time.After(20 * time.Second)
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
type call = slackfake.Call

// fakeSlack is the shared Slack Web API double.
type fakeSlack struct{ *slackfake.Server }

func newFakeSlack(t *testing.T) fakeSlack { return fakeSlack{slackfake.New(t)} }

func (f fakeSlack) callsOf(method string) []call { return f.Calls(method) }

func testConfig(f fakeSlack) config.Slack {
	return config.Slack{
		BotToken:       "xoxb-test",
		SigningSecret:  testSecret,
		IntakeChannels: []string{intakeChan},
		Agents:         []string{agentUser, "SAGENTS"},
		APIURL:         f.APIURL(),
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
	case <-time.After(20 * time.Second):
		t.Fatal("adapter did not start")
	}
	return a, inbox
}

// signed builds a request to path signed with secret at time at.
func signed(path, contentType string, body []byte, secret string, at time.Time) *http.Request {
	return slackfake.Request(path, contentType, body, secret, at)
}

func serve(a *Adapter, path string, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.Handlers()[path].ServeHTTP(rec, req)
	return rec
}

var (
	eventBody       = slackfake.EventBody
	interactionBody = slackfake.InteractionBody
	clickPayload    = slackfake.Click
)

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
