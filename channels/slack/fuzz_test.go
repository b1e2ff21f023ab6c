package slack

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/intake-support/intake/channels/slack/slackfake"
)

// FuzzHandlers sends correctly signed but arbitrary bodies to both HTTP
// endpoints: whatever Slack (or someone holding the secret) sends, the
// adapter answers 200 or 400 and never crashes. A 5xx would make Slack
// retry garbage; messages that parse reach the inbox and nothing else.
func FuzzHandlers(f *testing.F) {
	f.Add(false, string(eventBody("EvF1", map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": outsider, "text": "<!channel> help", "ts": "1.000001"})))
	f.Add(false, string(eventBody("EvF2", map[string]any{"type": "message", "channel": intakeChan, "user": outsider, "text": "x", "ts": "2.000001", "thread_ts": "1.000001"})))
	f.Add(false, string(eventBody("EvF3", map[string]any{"type": "message", "subtype": "bot_message", "channel": "D1", "text": "x", "ts": "3"})))
	f.Add(false, `{"type":"url_verification","challenge":"c"}`)
	f.Add(false, `{"type":"event_callback","event":{"type":"message","ts":"junk"}}`)
	f.Add(false, `{"type":"event_callback","event":null}`)
	f.Add(true, string(interactionBody(clickPayload(agentUser, "intake:claim", "INC-000001", tierChan, "1.000001", "2.000001"))))
	f.Add(true, string(interactionBody(clickPayload(outsider, "intake:resolve", "INC-000001", tierChan, "1.000001", "2.000002"))))
	f.Add(true, string(interactionBody(map[string]any{"type": "view_submission", "user": map[string]any{"id": agentUser}, "view": map[string]any{"private_metadata": "{}"}})))
	f.Add(true, "payload=%7B%7D")
	f.Add(true, "payload=")

	fs := fakeSlack{slackfake.New(f)}
	a, err := New(testConfig(fs), slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	inbox := newRecInbox()
	ctx, cancel := context.WithCancel(context.Background())
	f.Cleanup(cancel)
	go func() { _ = a.Run(ctx, inbox) }()
	<-a.ready

	f.Fuzz(func(t *testing.T, interaction bool, body string) {
		path, ctype := "/slack/events", "application/json"
		if interaction {
			path, ctype = "/slack/interactions", formType
		}
		rec := serve(a, path, signed(path, ctype, []byte(body), testSecret, time.Now()))
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Errorf("%s with body %q = %d %s, want 200 or 400", path, body, rec.Code, rec.Body)
		}
		if interaction {
			if _, err := url.ParseQuery(body); err != nil && rec.Code != http.StatusBadRequest {
				t.Errorf("an unparseable form got %d, want 400", rec.Code)
			}
		}
	})
}
