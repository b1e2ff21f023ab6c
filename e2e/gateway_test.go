package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/email"
	"github.com/intake-support/intake/channels/slack"
	"github.com/intake-support/intake/channels/slack/slackfake"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/internal/testclock"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
	"github.com/intake-support/intake/triage"
	"github.com/intake-support/intake/triage/lang"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// configYAML is the gateway's configuration: tiers in Slack channels, the
// routing of config/example.yaml, no business hours (the clocks always run).
// The %s are the relay address, the Slack API URL, the languages (the
// first is the desk's) and the major incident threshold.
const configYAML = `
store: bolt:intake.db
channels:
  email:
    address: soporte@example.test
    smtp_listen: {addr: "127.0.0.1:0", domains: [example.test]}
    smtp_out: {addr: "%s", tls: none}
    thread_window: 1h
  slack:
    bot_token: xoxb-test
    signing_secret: ` + signingSecret + `
    intake_channels: [CINTAKE]
    knowledge_channel: CKNOWLEDGE
    manager_channel: CMANAGERS
    agents: [UAGENT1, UAGENT2]
    note_prefix: "//"
    api_url: "%s"
triage:
  languages: [%s]
  knowledge_base: ../config/kb
  details:
    default: [description, since, impact]
    onsite: [address, availability]
  confirm_within: 24h
  threshold: 0.5
tiers:
  - {id: L2, name: "Nivel II", slack_channel: C0L2, claim_within: 15m, resolve_within: 8h, next: L3,
     steps: [{after: 15m, action: remind}, {after: 30m, action: escalate}]}
  - {id: L3, name: "Nivel III", slack_channel: C0L3, claim_within: 30m, resolve_within: 24h, next: L4}
  - {id: L4, name: "Nivel IV (presencial)", slack_channel: C0L4, claim_within: 2h, resolve_within: 72h, next: L5}
  - {id: L5, name: "Nivel V", slack_channel: C0L5, claim_within: 2h, resolve_within: 72h}
routing:
  - {name: other-language, when: {language_not: [es, en]}, tier: L5}
  - {name: on-site, when: {category: [onsite]}, tier: L4}
  - {name: programming, when: {category: [development]}, tier: L5}
  - {name: back-end, when: {category: [server, infrastructure]}, tier: L3}
  - {name: default, tier: L2}
major_incidents:
  window: 15m
  threshold: %d
  similarity: 0.8
`

// gateway is intake wired as serve wires it, against test peers.
type gateway struct {
	t      *testing.T
	Config *config.Config
	Store  store.Store
	Slack  *slackfake.Server
	Relay  *relay
	Clock  *testclock.Clock
	// SMTPAddr is the email adapter's listener; Web serves the Slack handlers.
	SMTPAddr string
	Web      *httptest.Server
}

// startGateway runs the whole gateway until the end of the test, with the
// triage languages languages ("es, en": agents read Spanish). The worker, the
// desk and the timer runner read clock; the adapters use the wall clock.
func startGateway(t *testing.T, languages string, majorThreshold int) *gateway {
	t.Helper()
	g := &gateway{t: t, Slack: slackfake.New(t), Relay: startRelay(t), Clock: testclock.New(time.Now())}
	cfg, err := config.Parse("intake.yaml", fmt.Appendf(nil, configYAML, g.Relay.Addr, g.Slack.APIURL(), languages, majorThreshold), nil)
	if err != nil {
		t.Fatalf("config.Parse = %v", err)
	}
	g.Config = cfg
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	g.Store, err = bolt.Open(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatalf("bolt.Open = %v", err)
	}
	t.Cleanup(func() { _ = g.Store.Close() })

	k, err := triage.LoadKB(cfg.Triage.KnowledgeBase)
	if err != nil {
		t.Fatalf("LoadKB(%q) = %v", cfg.Triage.KnowledgeBase, err)
	}
	bot, err := triage.New(k, cfg.Triage)
	if err != nil {
		t.Fatalf("triage.New = %v", err)
	}
	fast := 10 * time.Millisecond
	w := &channels.Worker{Store: g.Store, Logger: logger, Clock: g.Clock.Now, Poll: fast, Visibility: 10 * time.Second}
	desk := escalation.New(cfg, channels.Incidents{Store: g.Store}, escalation.WithLogger(logger), escalation.WithClock(g.Clock.Now))
	w.Humans = desk
	w.LevelOne = triage.NewLevelOne(bot)

	detector := lang.New()
	mailer, err := email.New(cfg.Channels.Email, g.Store, logger, email.WithLanguageDetector(func(s string) string { return detector.Detect(s).Lang }))
	if err != nil {
		t.Fatalf("email.New = %v", err)
	}
	sl, err := slack.New(cfg.Channels.Slack, logger)
	if err != nil {
		t.Fatalf("slack.New = %v", err)
	}
	mux := http.NewServeMux()
	for path, h := range sl.Handlers() {
		mux.Handle("POST "+path, h)
	}
	g.Web = httptest.NewServer(mux)
	t.Cleanup(g.Web.Close)

	o := &channels.Outbox{Store: g.Store, Logger: logger, Poll: fast, Visibility: 10 * time.Second,
		Adapters: map[intake.Channel]channels.Adapter{mailer.Channel(): mailer, sl.Channel(): sl}}
	timers := &channels.TimerRunner{Store: g.Store, Inbox: w.Inbox(), Clock: g.Clock.Now, Poll: fast, Logger: logger}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	inbox := w.Inbox()
	for name, run := range map[string]func(context.Context) error{
		"email":  func(ctx context.Context) error { return mailer.Run(ctx, inbox) },
		"slack":  func(ctx context.Context) error { return sl.Run(ctx, inbox) },
		"worker": w.Run, "outbox": o.Run, "timers": timers.Run,
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil {
				t.Errorf("%s: Run = %v, want nil", name, err)
			}
		}()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	waitFor(t, 5*time.Second, "the SMTP listener", func() bool { return mailer.SMTPAddr() != "" })
	g.SMTPAddr = mailer.SMTPAddr()
	return g
}

// post sends body to the Slack endpoint path, signed with secret now, and
// returns the status.
func (g *gateway) post(path, contentType string, body []byte, secret string) int {
	g.t.Helper()
	req, err := http.NewRequest(http.MethodPost, g.Web.URL+path, strings.NewReader(string(body)))
	if err != nil {
		g.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	slackfake.Sign(req, body, secret, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatalf("POST %s = %v", path, err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// interact posts a signed interaction payload and wants 200.
func (g *gateway) interact(payload map[string]any) {
	g.t.Helper()
	if code := g.post("/slack/interactions", slackfake.FormType, slackfake.InteractionBody(payload), signingSecret); code != http.StatusOK {
		g.t.Fatalf("interaction %v = %d, want 200", payload["type"], code)
	}
}

// event posts a signed event_callback and wants 200.
func (g *gateway) event(id string, ev map[string]any) {
	g.t.Helper()
	if code := g.post("/slack/events", slackfake.JSONType, slackfake.EventBody(id, ev), signingSecret); code != http.StatusOK {
		g.t.Fatalf("event %s = %d, want 200", id, code)
	}
}

// cards returns the cards (posts with blocks) posted in channel.
func (g *gateway) cards(channel string) []slackfake.Call {
	var out []slackfake.Call
	for _, c := range g.Slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == channel && c.Form.Get("blocks") != "" && c.Form.Get("thread_ts") == "" {
			out = append(out, c)
		}
	}
	return out
}

// updates returns the chat.update calls of the message ts.
func (g *gateway) updates(ts string) []slackfake.Call {
	var out []slackfake.Call
	for _, c := range g.Slack.Calls("chat.update") {
		if c.Form.Get("ts") == ts {
			out = append(out, c)
		}
	}
	return out
}

// mailsTo returns the mails the relay got for rcpt.
func (g *gateway) mailsTo(rcpt string) []sentMail {
	var out []sentMail
	for _, m := range g.Relay.Mails() {
		for _, to := range m.To {
			if to == rcpt {
				out = append(out, m)
			}
		}
	}
	return out
}

// waitMail waits for a mail to rcpt whose body contains text and returns it.
func (g *gateway) waitMail(rcpt, text string) sentMail {
	g.t.Helper()
	var found sentMail
	waitFor(g.t, wait, "a mail to "+rcpt+" saying "+text, func() bool {
		for _, m := range g.mailsTo(rcpt) {
			if strings.Contains(m.Body, text) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

func (g *gateway) incident(id intake.IncidentID) *intake.Incident {
	g.t.Helper()
	inc, err := g.Store.GetIncident(context.Background(), id)
	if err != nil {
		g.t.Fatalf("GetIncident(%s) = %v", id, err)
	}
	return inc
}

// incidentOf returns the incident a thread key leads to.
func (g *gateway) incidentOf(key intake.ThreadKey) *intake.Incident {
	g.t.Helper()
	id, err := g.Store.LookupThread(context.Background(), key)
	if err != nil {
		g.t.Fatalf("LookupThread(%s) = %v", key, err)
	}
	return g.incident(id)
}
