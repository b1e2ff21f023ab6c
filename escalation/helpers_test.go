package escalation_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/internal/testclock"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

const baseConfig = `
business_hours: {timezone: America/Mexico_City, days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00", holidays: ["2026-12-25"]}
channels:
  slack: {knowledge_channel: C0KNOWLEDGE, manager_channel: C0MANAGERS}
triage:
  languages: [es, en]
  drafts_dir: %s
  details: {default: [description], onsite: [address, availability]}
tiers:
  - {id: L2, name: "Nivel II", slack_channel: C0L2, claim_within: 15m, resolve_within: 8h, next: L3,
     steps: [{after: 15m, action: remind}, {after: 30m, action: escalate}]}
  - {id: L3, name: "Nivel III", slack_channel: C0L3, claim_within: 30m, resolve_within: 24h, next: L4}
  - {id: L4, name: "Nivel IV", slack_channel: C0L4, claim_within: 2h, resolve_within: 72h, next: L5}
  - {id: L5, name: "Nivel V", slack_channel: C0L5, claim_within: 2h, resolve_within: 72h, clock: always,
     steps: [{after: 2h, action: remind}, {after: 4h, action: notify}]}
routing:
  - {name: other-language, when: {language_not: [es, en]}, tier: L5}
  - {name: on-site, when: {category: [onsite]}, tier: L4}
  - {name: back-end, when: {category: [server, infrastructure]}, tier: L3}
  - {name: default, tier: L2}
`

// loadConfig parses baseConfig plus extra YAML with drafts in a temporary folder.
func loadConfig(t testing.TB, extra string) *config.Config {
	t.Helper()
	src := fmt.Sprintf(baseConfig, t.TempDir()) + extra
	cfg, err := config.Parse("test.yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("config.Parse = %v", err)
	}
	return cfg
}

// newClock is a settable clock shared by the worker and the desk.
func newClock(t time.Time) *testclock.Clock { return testclock.New(t) }

// capture is an Inbox that keeps messages for the test to process.
type capture struct {
	mu   sync.Mutex
	msgs []*intake.Message
}

func (c *capture) Accept(ctx context.Context, msg *intake.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, msg)
	return nil
}

func (c *capture) take() []*intake.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.msgs
	c.msgs = nil
	return m
}

// levelOne escalates every customer message it sees with the category in
// the message's Target (a test convention) and the text as description.
var levelOne = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	if inc.Status == intake.StatusNew {
		if err := inc.Transition(intake.StatusTriage, "bot", msg.ReceivedAt, ""); err != nil {
			return intake.Outcome{}, err
		}
	}
	details := map[string]string{"description": msg.Text}
	if msg.Target == "onsite" {
		details["address"] = "Av. Reforma 1, piso 3"
		details["availability"] = "mañanas"
	}
	return intake.Outcome{Escalate: &intake.Escalation{Reason: "not_solved", Category: msg.Target, Language: msg.Language,
		Confidence: 0.4, Details: details}}, nil
})

// env is a desk on a real bolt store, behind a real worker.
type env struct {
	t     testing.TB
	cfg   *config.Config
	st    store.Store
	clk   *testclock.Clock
	desk  *escalation.Desk
	w     *channels.Worker
	inbox *capture
	seq   int
}

func newEnv(t testing.TB, extra string, now time.Time) *env {
	t.Helper()
	return newEnvWith(t, loadConfig(t, extra), now)
}

// newEnvWith is newEnv with a configuration of the test's own.
func newEnvWith(t testing.TB, cfg *config.Config, now time.Time) *env {
	t.Helper()
	st, err := bolt.Open(t.TempDir() + "/intake.db")
	if err != nil {
		t.Fatalf("bolt.Open = %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := &env{t: t, cfg: cfg, st: st, clk: newClock(now), inbox: &capture{}}
	log := quiet()
	e.desk = escalation.New(e.cfg, channels.Incidents{Store: st}, escalation.WithClock(e.clk.Now), escalation.WithLogger(log))
	e.w = &channels.Worker{Store: st, LevelOne: levelOne, Humans: e.desk, Clock: e.clk.Now, Logger: log, Notices: e.inbox}
	return e
}

// process runs msg through the worker, retrying as the inbox would.
func (e *env) process(msg *intake.Message) {
	e.t.Helper()
	if msg.ReceivedAt.IsZero() {
		msg.ReceivedAt = e.clk.Now()
	}
	var err error
	for i := 0; i < 20; i++ {
		if err = e.w.Process(context.Background(), msg); err == nil {
			return
		}
	}
	e.t.Fatalf("Process(%s) = %v", msg.DedupeKey(), err)
}

// drain processes the desk's own system messages until none are left.
func (e *env) drain() {
	e.t.Helper()
	for {
		msgs := e.inbox.take()
		if len(msgs) == 0 {
			return
		}
		for _, m := range msgs {
			e.process(m)
		}
	}
}

// fire feeds due timers and processes them; it returns how many fired.
func (e *env) fire() int {
	e.t.Helper()
	timers := &channels.TimerRunner{Store: e.st, Inbox: e.inbox, Clock: e.clk.Now, Logger: quiet()}
	n, err := timers.FireDue(context.Background())
	if err != nil {
		e.t.Fatalf("FireDue = %v", err)
	}
	e.drain()
	return n
}

// customer sends an email from addr with the Level I category in Target.
func (e *env) customer(addr, lang, category, text string, keys ...intake.ThreadKey) *intake.Message {
	e.seq++
	id := fmt.Sprintf("m%d@client.example", e.seq)
	if len(keys) == 0 {
		keys = []intake.ThreadKey{intake.EmailThreadKey(id)}
	}
	msg := &intake.Message{
		ID: intake.MessageID(id), Channel: intake.ChannelEmail, Language: lang, Target: category,
		From:         intake.Customer{Channel: intake.ChannelEmail, ID: addr, Verified: true},
		Conversation: intake.Conversation{Channel: intake.ChannelEmail, Address: addr, Thread: id, Subject: text},
		Subject:      text, Text: text, ThreadKeys: keys,
	}
	e.process(msg)
	return msg
}

// agent sends a card action (or thread text when action is empty).
func (e *env) agent(inc intake.IncidentID, user, action, target, text string) *intake.Message {
	e.seq++
	msg := &intake.Message{
		ID: intake.MessageID(fmt.Sprintf("%d.000%d", 1700000000+e.seq, e.seq)), Channel: intake.ChannelSlack, FromAgent: true,
		From:   intake.Customer{Channel: intake.ChannelSlack, ID: user, Name: "Agent " + user, Verified: true},
		Action: action, Target: target, Text: text, ThreadKeys: []intake.ThreadKey{intake.TokenThreadKey(inc)},
	}
	e.process(msg)
	return msg
}

func (e *env) incident(id intake.IncidentID) *intake.Incident {
	e.t.Helper()
	inc, err := e.st.GetIncident(context.Background(), id)
	if err != nil {
		e.t.Fatalf("GetIncident(%s) = %v", id, err)
	}
	return inc
}

// repliesTo returns the replies decided for one message.
func repliesTo(inc *intake.Incident, msg *intake.Message) []intake.Reply {
	var out []intake.Reply
	for _, ev := range inc.Timeline {
		if ev.Kind == intake.EventReply && ev.MessageID == msg.ID && ev.Reply != nil {
			out = append(out, *ev.Reply)
		}
	}
	return out
}

// find returns the first reply that matches, or fails.
func find(t *testing.T, replies []intake.Reply, what string, ok func(r intake.Reply) bool) intake.Reply {
	t.Helper()
	for _, r := range replies {
		if ok(r) {
			return r
		}
	}
	var b strings.Builder
	for _, r := range replies {
		fmt.Fprintf(&b, "\n  %+v", r)
	}
	t.Fatalf("no %s among replies:%s", what, b.String())
	return intake.Reply{}
}

func to(ch string) func(intake.Reply) bool {
	return func(r intake.Reply) bool { return r.Conversation.Address == ch && r.Card == nil && r.UpdateOf == "" }
}

// mexico returns a time in the business-hours zone.
func mexico(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatalf("LoadLocation = %v", err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatalf("ParseInLocation(%q) = %v", s, err)
	}
	return v
}

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// slackish writes spans in Slack's notation, so that tests can say which
// mentions, notices and emphasis a text carries.
func slackish(spans []intake.Span) string {
	var b strings.Builder
	for _, s := range spans {
		switch {
		case s.User != "":
			b.WriteString("<@" + s.User + ">")
		case s.Group != "":
			b.WriteString("<!subteam^" + s.Group + ">")
		case s.Notify != "":
			b.WriteString("<!" + s.Notify + ">")
		case s.Channel != "":
			b.WriteString("<#" + s.Channel + ">")
		case s.Strong:
			b.WriteString("*" + s.Text + "*")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}
