package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/internal/testclock"
)

func testCard() *intake.Card {
	return &intake.Card{
		IncidentID: "INC-000042",
		Title:      "Refund <!channel> not received",
		Status:     "escalated",
		Tier:       "tier2",
		TierName:   "Billing",
		Customer:   intake.Customer{Channel: intake.ChannelEmail, ID: "ana@example.com", Name: "Ana <@U999>"},
		Origin:     intake.ChannelEmail,
		Language:   "en",
		Category:   "billing",
		Fields: []intake.CardField{
			{Label: "Order", Value: "A-17 <https://evil.example|click here>"},
			{Label: "Bot tried", Value: "Sent the refund policy & asked for the order"},
		},
		ClaimDue:   time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC),
		ResolveDue: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		Reports:    3,
		Actions: []intake.Button{
			{Action: "claim", Label: "Claim"}, {Action: "escalate", Label: "Escalate"}, {Action: "resolve", Label: "Resolve"},
		},
		EscalateTo: []intake.TierID{"tier3"},
	}
}

// activeMention finds Slack control sequences: <!...>, <@...>, <#...>, and
// <http...> links.
var activeMention = regexp.MustCompile(`<[!@#]|<https?:|<mailto:`)

// unJSON undoes encoding/json's escaping of <, > and &, to read blocks as
// Slack renders them.
func unJSON(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}

func TestCardPostedAndUpdated(t *testing.T) {
	f := newFakeSlack(t)
	a, _ := running(t, testConfig(f))
	sent, err := a.Send(context.Background(), &intake.Reply{ID: "card-1", IncidentID: "INC-000042",
		Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: tierChan}, Card: testCard()})
	if err != nil {
		t.Fatalf("Send(card): %v", err)
	}
	posts := f.callsOf("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	wantKey := intake.ChatThreadKey(intake.ChannelSlack, tierChan+":"+sent.MessageID)
	if sent.MessageID == "" || len(sent.ThreadKeys) != 1 || sent.ThreadKeys[0] != wantKey {
		t.Errorf("Sent = %+v, want the card ts and key %s", sent, wantKey)
	}
	blocks := unJSON(posts[0].Form.Get("blocks"))
	if posts[0].Form.Get("channel") != tierChan || posts[0].Form.Get("thread_ts") != "" {
		t.Errorf("card posted to %q thread %q, want top level of %s", posts[0].Form.Get("channel"), posts[0].Form.Get("thread_ts"), tierChan)
	}
	var parsed slackapi.Blocks
	if err := json.Unmarshal([]byte(blocks), &parsed); err != nil {
		t.Fatalf("card blocks do not parse: %v", err)
	}
	for _, want := range []string{"INC-000042", "Billing", "ana@example.com", "billing", "Order", "Bot tried",
		`"action_id":"intake:claim"`, `"value":"INC-000042"`, `"action_id":"intake:escalate_to"`, `"value":"tier3"`,
		"Reports", "<!date^", "Resolve due", "&amp;"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("card blocks lack %q", want)
		}
	}
	for _, bad := range activeMention.FindAllString(strings.ReplaceAll(blocks, "<!date^", ""), -1) {
		t.Errorf("card blocks contain an active sequence %q", bad)
	}

	c := testCard()
	c.ClaimedBy = agentUser
	c.Status = "claimed"
	if err := a.Update(context.Background(), intake.Conversation{Channel: intake.ChannelSlack, Address: tierChan}, sent.MessageID,
		&intake.Reply{ID: "card-2", Card: c}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	ups := f.callsOf("chat.update")
	if len(ups) != 1 || ups[0].Form.Get("ts") != sent.MessageID || ups[0].Form.Get("channel") != tierChan {
		t.Fatalf("chat.update = %+v, want one for the card ts", ups)
	}
	if b := unJSON(ups[0].Form.Get("blocks")); !strings.Contains(b, "<@"+agentUser+">") || !strings.Contains(b, "claimed") {
		t.Errorf("updated card does not show the claimer: %s", b)
	}
}

func TestTextEscaped(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"channel", "<!channel> help", "&lt;!channel&gt; help"},
		{"here", "<!here>", "&lt;!here&gt;"},
		{"everyone", "<!everyone>", "&lt;!everyone&gt;"},
		{"user", "ping <@U1>", "ping &lt;@U1&gt;"},
		{"link", "<https://evil|click>", "&lt;https://evil|click&gt;"},
		{"ampersand", "R&D &lt;", "R&amp;D &amp;lt;"},
		{"plain", "hello", "hello"},
	}
	f := newFakeSlack(t)
	a, _ := running(t, testConfig(f))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escape(tt.in); got != tt.want {
				t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			_, err := a.Send(context.Background(), &intake.Reply{ID: fmt.Sprint("e", i), Text: tt.in,
				Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: "D9", Thread: "1.1"}})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			posts := f.callsOf("chat.postMessage")
			text := posts[len(posts)-1].Form.Get("text")
			if text != tt.want || activeMention.MatchString(text) {
				t.Errorf("posted text for %q = %q, want %q", tt.in, text, tt.want)
			}
		})
	}
}

// TestRichKeepsIntakesOwnMentions: the mentions intake puts in a reply as
// data notify the agents they name, its text stays escaped; the same words
// as plain text do not notify.
func TestRichKeepsIntakesOwnMentions(t *testing.T) {
	f := newFakeSlack(t)
	a, _ := running(t, testConfig(f))
	conv := intake.Conversation{Channel: intake.ChannelSlack, Address: tierChan, Thread: "3.3"}
	spans := []intake.Span{{Notify: "here"}, {Text: " INC-000001 <waits>; claimed by "}, {User: "UAGENT1"},
		{Text: ", tell "}, {Group: "S0ONCALL"}, {Text: " in "}, {Channel: "C0L2"}, {Text: "bold", Strong: true}}
	for i, rich := range []bool{true, false} {
		r := &intake.Reply{ID: fmt.Sprint("m", i), Conversation: conv, Text: "<!here> INC-000001 waits; claimed by <@UAGENT1>"}
		if rich {
			r.Rich = spans
		}
		if _, err := a.Send(context.Background(), r); err != nil {
			t.Fatalf("Send(rich=%v): %v", rich, err)
		}
	}
	posts := f.callsOf("chat.postMessage")
	want := "<!here> INC-000001 &lt;waits&gt;; claimed by <@UAGENT1>, tell <!subteam^S0ONCALL> in <#C0L2>*bold*"
	if got := posts[0].Form.Get("text"); got != want {
		t.Errorf("rich text posted as %q, want %q", got, want)
	}
	if got := posts[1].Form.Get("text"); activeMention.MatchString(got) {
		t.Errorf("plain text posted as %q, want it escaped", got)
	}
}

func TestAuthorButtonsAndEphemeral(t *testing.T) {
	f := newFakeSlack(t)
	a, _ := running(t, testConfig(f))
	conv := intake.Conversation{Channel: intake.ChannelSlack, Address: "D9", Thread: "1.1"}
	if _, err := a.Send(context.Background(), &intake.Reply{ID: "b1", IncidentID: "INC-1", Conversation: conv, Text: "Did that solve it?",
		Buttons: []intake.Button{{Action: "solved", Label: "Yes"}, {Action: "not_solved", Label: "No"}}}); err != nil {
		t.Fatalf("Send(buttons): %v", err)
	}
	if _, err := a.Send(context.Background(), &intake.Reply{ID: "b2", Conversation: conv, Text: "On it", Author: "Ana <!here>"}); err != nil {
		t.Fatalf("Send(author): %v", err)
	}
	posts := f.callsOf("chat.postMessage")
	if b := posts[0].Form.Get("blocks"); !strings.Contains(b, "intake:solved") || !strings.Contains(b, "intake:not_solved") {
		t.Errorf("buttons reply blocks = %s, want solved/not_solved", b)
	}
	if got := posts[1].Form.Get("text"); got != "*Ana &lt;!here&gt;:* On it" {
		t.Errorf("author reply = %q, want escaped author prefix", got)
	}
	sent, err := a.Send(context.Background(), &intake.Reply{ID: "e1", Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: tierChan, Thread: "2.2"},
		Text: "Already claimed by <@UOTHER>", EphemeralTo: agentUser})
	if err != nil {
		t.Fatalf("Send(ephemeral): %v", err)
	}
	eph := f.callsOf("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != agentUser || eph[0].Form.Get("thread_ts") != "2.2" || len(sent.ThreadKeys) != 0 {
		t.Errorf("ephemeral = %+v sent %+v, want one to %s in the thread and no thread keys", eph, sent, agentUser)
	}
}

func TestRateLimitStormLosesNothing(t *testing.T) {
	f := newFakeSlack(t)
	clock := testclock.New(time.Now())
	a, _ := running(t, testConfig(f), WithClock(clock.Now))
	const queued, limited = 12, 7
	f.Limit(limited)

	// Each reply is retried as the outbox would: after the RetryAfter the
	// error asks for, here by moving the clock.
	var wg sync.WaitGroup
	for i := range queued {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &intake.Reply{ID: fmt.Sprint("storm-", i), Text: fmt.Sprint("post ", i),
				Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: []string{"C1", "C2"}[i%2]}}
			for attempt := 0; attempt < 200; attempt++ {
				_, err := a.Send(context.Background(), r)
				if err == nil {
					return
				}
				var ra *channels.RetryAfterError
				if !errors.As(err, &ra) || ra.After <= 0 || ra.After > time.Second {
					t.Errorf("Send = %v, want *RetryAfterError of at most 1s", err)
					return
				}
				clock.Advance(ra.After)
				time.Sleep(time.Millisecond)
			}
			t.Errorf("reply %s never delivered", r.ID)
		}()
	}
	wg.Wait()
	delivered := map[string]bool{}
	for _, c := range f.callsOf("chat.postMessage") {
		delivered[c.Form.Get("text")] = true
	}
	attempts, left := f.Attempts(), f.Limited()
	if len(delivered) != queued || left != 0 {
		t.Errorf("delivered %d distinct posts (%d 429s left), want all %d", len(delivered), left, queued)
	}
	// A rate-limited channel waits out Retry-After instead of asking again.
	if attempts != queued+limited {
		t.Errorf("chat.postMessage requests = %d, want %d: one per post plus one per 429", attempts, queued+limited)
	}
}

func TestRateLimitIsPerChannel(t *testing.T) {
	f := newFakeSlack(t)
	clock := testclock.New(time.Now())
	a, _ := running(t, testConfig(f), WithClock(clock.Now))
	f.Limit(1)
	send := func(channel string) error {
		_, err := a.Send(context.Background(), &intake.Reply{ID: "p-" + channel, Text: "x",
			Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: channel}})
		return err
	}
	var ra *channels.RetryAfterError
	if err := send("CBUSY"); !errors.As(err, &ra) {
		t.Fatalf("Send(CBUSY) = %v, want RetryAfterError", err)
	}
	if err := send("CBUSY"); !errors.As(err, &ra) {
		t.Fatalf("Send(CBUSY) again within Retry-After = %v, want RetryAfterError", err)
	}
	if err := send("CQUIET"); err != nil {
		t.Fatalf("Send(CQUIET) = %v, want nil: another channel's limit must not block it", err)
	}
	clock.Advance(time.Second)
	if err := send("CBUSY"); err != nil {
		t.Fatalf("Send(CBUSY) after Retry-After = %v, want nil", err)
	}
}

func TestErrorsClassified(t *testing.T) {
	tests := []struct {
		name      string
		code      string
		status    int
		permanent bool
	}{
		{"channel_not_found", "channel_not_found", 200, true},
		{"not_in_channel", "not_in_channel", 200, true},
		{"invalid_auth", "invalid_auth", 200, true},
		{"internal_error", "internal_error", 200, false},
		{"server 503", "", 503, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			a, _ := running(t, testConfig(f))
			// Sends go to a Web API that answers only errors.
			srv := failing(t, tt.code, tt.status)
			a.api = slackapi.New("xoxb-test", slackapi.OptionAPIURL(srv))
			_, err := a.Send(context.Background(), &intake.Reply{ID: "x", Text: "hi",
				Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: "C404"}})
			if err == nil {
				t.Fatal("Send = nil, want an error")
			}
			if got := channels.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
		})
	}
}

// TestCardSpeaksTheDesksLanguage: a card's own labels (the desk's language,
// set by the escalation desk) replace the English ones, escaped like the rest.
func TestCardSpeaksTheDesksLanguage(t *testing.T) {
	c := testCard()
	c.Labels = &intake.CardLabels{Customer: "Cliente", Channel: "Canal", Status: "Estado", Tier: "Nivel", Language: "Idioma",
		Category: "Categoría", ClaimedBy: "Tomada por", Unclaimed: "sin tomar", ClaimDue: "Tomar antes de",
		ResolveDue: "Resolver antes de", Reports: "Reportes <!here>", Overdue: "vencido", EscalateTo: "Escalar a…", StatusName: "escalada"}
	raw, err := json.Marshal(cardBlocks(c, c.ResolveDue.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	blocks := unJSON(string(raw))
	for _, want := range []string{"*Cliente*", "*Estado*\\nescalada", "*Tomada por*\\n_sin tomar_", "*Resolver antes de*",
		"*vencido*", "Escalar a…", "*Reportes &lt;!here&gt;*"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("card blocks lack %q", want)
		}
	}
	for _, english := range []string{"Customer", "Status", "Claimed by", "unclaimed", "overdue", "Escalate to", "Reports"} {
		if strings.Contains(blocks, english) {
			t.Errorf("card blocks still say %q in English", english)
		}
	}
}
