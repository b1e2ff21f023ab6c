package discord

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/channels/discord/discordtest"
	"github.com/intake-support/intake/store"
	"github.com/intake-support/intake/store/bolt"
)

// These tests run the whole spine against the Discord double: the adapter
// feeds a worker's durable inbox in a bolt store, a Level I stand-in answers,
// and the outbox posts the answers back through the adapter.

// spineEcho is a Level I stand-in: it moves a new incident to triage and
// answers every message by echoing it after the incident number.
var spineEcho = channels.HandlerFunc(func(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	if inc.Status == intake.StatusNew {
		if err := inc.Transition(intake.StatusTriage, "bot", time.Now(), ""); err != nil {
			return intake.Outcome{}, err
		}
	}
	return intake.Outcome{Replies: []intake.Reply{{Text: echoText(inc.ID, msg.Text), Auto: true}}}, nil
})

func echoText(id intake.IncidentID, text string) string { return fmt.Sprintf("%s: %s", id, text) }

// noHumans fails the test's incident if anything is handed to people: the
// stand-in never escalates.
type noHumans struct{}

func (noHumans) Handle(context.Context, *intake.Incident, *intake.Message) (intake.Outcome, error) {
	return intake.Outcome{}, fmt.Errorf("unexpected hand-over to humans")
}

func (noHumans) Escalate(context.Context, *intake.Incident, intake.Escalation) (intake.Outcome, error) {
	return intake.Outcome{}, fmt.Errorf("unexpected escalation")
}

func (noHumans) SurveyAnswer(*intake.Incident, *intake.Message) (intake.Outcome, bool) {
	return intake.Outcome{}, false
}

// spineFixture is the Discord adapter, a worker and an outbox on one bolt
// store, against a discordtest server with one intake channel.
type spineFixture struct {
	srv    *discordtest.Server
	store  store.Store
	intake string
}

func startSpine(t *testing.T, opts ...Option) *spineFixture {
	t.Helper()
	srv := discordtest.New(t, discordtest.WithHeartbeat(500*time.Millisecond))
	s, err := bolt.Open(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatalf("bolt.Open = %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	f := &spineFixture{srv: srv, store: s, intake: srv.AddTextChannel(srv.NewID(), "support")}

	a := newAdapter(t, srv, Config{IntakeChannels: []string{f.intake}}, opts...)
	w := &channels.Worker{Store: s, LevelOne: spineEcho, Humans: noHumans{}, Logger: testLogger(t),
		Poll: 10 * time.Millisecond, Visibility: 5 * time.Second}
	o := &channels.Outbox{Store: s, Adapters: map[intake.Channel]channels.Adapter{a.Channel(): a},
		Logger: testLogger(t), Poll: 10 * time.Millisecond, Visibility: 5 * time.Second}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	runErr := make(chan error, 1)
	wg.Add(3)
	go func() { defer wg.Done(); runErr <- a.Run(ctx, w.Inbox()) }()
	go func() { defer wg.Done(); _ = w.Run(ctx) }()
	go func() { defer wg.Done(); _ = o.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
			if err := <-runErr; err != nil {
				t.Errorf("adapter Run() = %v, want nil after cancel", err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("spine did not stop within %s of cancel", waitTimeout)
		}
	})
	srv.WaitLive(waitTimeout)
	return f
}

// waitPosted waits until the bot has posted at least n messages and returns
// them all.
func (f *spineFixture) waitPosted(t *testing.T, n int) []discordtest.Message {
	t.Helper()
	f.srv.WaitFor(waitTimeout, fmt.Sprintf("%d posted replies", n), func(discordtest.Stats) bool {
		return len(f.srv.Messages()) >= n
	})
	return f.srv.Messages()
}

func (f *spineFixture) incidents(t *testing.T) []*intake.Incident {
	t.Helper()
	incs, err := f.store.ListIncidents(context.Background(), store.Filter{})
	if err != nil {
		t.Fatalf("ListIncidents = %v", err)
	}
	return incs
}

// incidentOf returns the incident the thread key of channelID leads to.
func (f *spineFixture) incidentOf(t *testing.T, channelID string) *intake.Incident {
	t.Helper()
	ctx := context.Background()
	id, err := f.store.LookupThread(ctx, threadKey(channelID))
	if err != nil {
		t.Fatalf("LookupThread(%s) = %v", threadKey(channelID), err)
	}
	inc, err := f.store.GetIncident(ctx, id)
	if err != nil {
		t.Fatalf("GetIncident(%s) = %v", id, err)
	}
	return inc
}

// settleSpine gives a stray duplicate reply a moment to show up before
// counting.
func settleSpine() { time.Sleep(300 * time.Millisecond) }

func messageIDs(inc *intake.Incident) []string {
	var ids []string
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventMessage {
			ids = append(ids, string(e.MessageID))
		}
	}
	return ids
}

func TestSpineChannelMessageBecomesIncidentWithThreadedAnswer(t *testing.T) {
	t.Parallel()
	f := startSpine(t)

	first := f.srv.UserMessage(f.intake, "42", "My printer is on fire")
	msgs := f.waitPosted(t, 1)
	threads := f.srv.Threads()
	if len(threads) != 1 || threads[0].MessageID != first || threads[0].ParentID != f.intake {
		t.Fatalf("threads = %+v, want one started from %s in %s", threads, first, f.intake)
	}
	thread := threads[0].ID
	incs := f.incidents(t)
	if len(incs) != 1 {
		t.Fatalf("%d incidents after one channel message, want 1", len(incs))
	}
	inc := incs[0]
	if got := f.incidentOf(t, thread); got.ID != inc.ID {
		t.Errorf("thread %s leads to %s, want %s", thread, got.ID, inc.ID)
	}
	if inc.Status != intake.StatusTriage || inc.Conversation.Address != thread || inc.Customer.ID != "42" {
		t.Errorf("incident = status %s, conversation %+v, customer %+v; want triage in thread %s for 42",
			inc.Status, inc.Conversation, inc.Customer, thread)
	}
	if m := msgs[0]; m.ChannelID != thread || m.Content != echoText(inc.ID, "My printer is on fire") {
		t.Errorf("reply %q posted in %s, want %q in thread %s", m.Content, m.ChannelID, echoText(inc.ID, "My printer is on fire"), thread)
	}

	// A follow-up in the thread joins the incident and is answered there.
	follow := f.srv.UserMessage(thread, "42", "still burning")
	msgs = f.waitPosted(t, 2)
	settleSpine()
	if msgs = f.srv.Messages(); len(msgs) != 2 {
		t.Fatalf("posted %d replies after the follow-up, want 2", len(msgs))
	}
	if m := msgs[1]; m.ChannelID != thread || m.Content != echoText(inc.ID, "still burning") {
		t.Errorf("second reply %q posted in %s, want %q in thread %s", m.Content, m.ChannelID, echoText(inc.ID, "still burning"), thread)
	}
	if incs = f.incidents(t); len(incs) != 1 || incs[0].ID != inc.ID {
		t.Fatalf("incidents after the follow-up = %d, want only %s", len(incs), inc.ID)
	}
	if got, want := messageIDs(incs[0]), []string{first, follow}; !slices.Equal(got, want) {
		t.Errorf("incident messages = %v, want %v", got, want)
	}
	if n := len(f.srv.Threads()); n != 1 {
		t.Errorf("started %d threads, want 1 (the follow-up must not open another)", n)
	}
}

func TestSpineResumeAfterDropLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	// A slow first reconnect, so that the messages below are dispatched while
	// the client is surely away.
	f := startSpine(t, WithBackoff(300*time.Millisecond, time.Second, time.Hour))

	var want []string
	// Mid-stream: the drop comes while these are still on their way through
	// the client and the spine.
	for i := range 3 {
		want = append(want, f.srv.UserMessage(f.intake, "42", fmt.Sprintf("before %d", i)))
	}
	f.srv.DropConnection()
	for i := range 3 {
		want = append(want, f.srv.UserMessage(f.intake, "42", fmt.Sprintf("away %d", i)))
	}
	if st := f.srv.Stats(); st.Resumes != 0 || st.Live {
		t.Fatalf("gateway stats = %+v: the client came back before the messages for the replay were dispatched", st)
	}
	f.srv.WaitFor(waitTimeout, "a resumed connection", func(st discordtest.Stats) bool { return st.Resumes >= 1 && st.Live })
	for i := range 2 {
		want = append(want, f.srv.UserMessage(f.intake, "42", fmt.Sprintf("after %d", i)))
	}
	n := len(want)

	f.waitPosted(t, n)
	// A sentinel answered after the rest: a duplicate would have come before.
	want = append(want, f.srv.UserMessage(f.intake, "42", "sentinel"))
	f.waitPosted(t, n+1)
	settleSpine()

	st := f.srv.Stats()
	if st.Identifies != 1 || st.Resumes != 1 || st.Replayed < 3 {
		t.Errorf("gateway stats = %+v, want 1 IDENTIFY and 1 RESUME replaying at least the 3 messages sent while away", st)
	}
	threads := f.srv.Threads()
	var started []string
	for _, th := range threads {
		started = append(started, th.MessageID)
	}
	if !slices.Equal(started, want) {
		t.Errorf("threads started from %v, want one per message %v", started, want)
	}
	incs := f.incidents(t)
	if len(incs) != len(want) {
		t.Errorf("%d incidents, want %d (one per channel message)", len(incs), len(want))
	}
	msgs := f.srv.Messages()
	if len(msgs) != len(want) {
		t.Errorf("posted %d replies, want %d", len(msgs), len(want))
	}
	// Each message: its own incident, holding it once, answered once in its thread.
	perThread := map[string]int{}
	for _, m := range msgs {
		perThread[m.ChannelID]++
	}
	seen := map[intake.IncidentID]bool{}
	for i, id := range want {
		inc := f.incidentOf(t, id) // the thread has the ID of its first message
		if seen[inc.ID] {
			t.Errorf("message %d (%s) joined %s, which another message already opened", i, id, inc.ID)
		}
		seen[inc.ID] = true
		if got := messageIDs(inc); !slices.Equal(got, []string{id}) {
			t.Errorf("incident %s holds messages %v, want [%s]", inc.ID, got, id)
		}
		if perThread[id] != 1 {
			t.Errorf("thread of message %d (%s) got %d replies, want 1", i, id, perThread[id])
		}
	}
}

func TestSpineEveryoneInCustomerTextNotifiesNobody(t *testing.T) {
	t.Parallel()
	f := startSpine(t)

	const text = "@everyone @here help"
	first := f.srv.UserMessage(f.intake, "42", text)
	msgs := f.waitPosted(t, 1)
	settleSpine()
	if msgs = f.srv.Messages(); len(msgs) != 1 {
		t.Fatalf("posted %d replies, want 1", len(msgs))
	}
	incs := f.incidents(t)
	if len(incs) != 1 {
		t.Fatalf("%d incidents, want 1", len(incs))
	}
	m := msgs[0]
	if m.ChannelID != first {
		t.Errorf("reply posted in %s, want the thread %s", m.ChannelID, first)
	}
	// The stand-in echoed the customer's text, mentions and all.
	if echo := echoText(incs[0].ID, text); m.Content != neutralize(echo) {
		t.Errorf("reply content %q, want the echo %q neutralised", m.Content, echo)
	}
	if !m.AllowedMentions.NotifiesNobody() || !strings.Contains(string(m.Body), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("allowed_mentions in %s lets mentions through", m.Body)
	}
	if strings.Contains(m.Content, "@everyone") || strings.Contains(m.Content, "@here") {
		t.Errorf("reply content %q keeps a mass mention", m.Content)
	}
	if th := f.srv.Threads(); len(th) != 1 || strings.Contains(th[0].Name, "@everyone") || strings.Contains(th[0].Name, "@here") {
		t.Errorf("threads = %+v, want one whose name pings nobody", th)
	}
}
