package discord

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/discord/discordtest"
)

func TestChannelMessageOpensThreadAndGetsThreadedAnswer(t *testing.T) {
	t.Parallel()
	f := start(t, Config{})
	if id, ok := f.srv.LastIdentify(); !ok || id.Intents != Intents {
		t.Errorf("IDENTIFY intents = %v, want %v", id.Intents, Intents)
	}

	first := f.srv.UserMessage(f.intake, "42", "My printer is on fire @everyone")
	got := f.inbox.wait(t, 1)[0]
	threads := f.srv.Threads()
	if len(threads) != 1 || threads[0].ParentID != f.intake || threads[0].MessageID != first {
		t.Fatalf("threads = %+v, want one started from %s in %s", threads, first, f.intake)
	}
	thread := threads[0].ID
	if strings.Contains(threads[0].Name, "@everyone") {
		t.Errorf("thread name %q pings everyone", threads[0].Name)
	}
	want := intake.Message{
		ID: intake.MessageID(first), Channel: intake.ChannelDiscord,
		From:         intake.Customer{Channel: intake.ChannelDiscord, ID: "42", Name: "user42", Verified: true},
		Conversation: intake.Conversation{Channel: intake.ChannelDiscord, Address: thread},
		Text:         "My printer is on fire @everyone",
		ThreadKeys:   []intake.ThreadKey{threadKey(thread)},
	}
	if got.ID != want.ID || got.From != want.From || got.Conversation.Address != want.Conversation.Address ||
		got.Text != want.Text || !slices.Equal(got.ThreadKeys, want.ThreadKeys) || got.ReceivedAt.IsZero() {
		t.Errorf("accepted %+v, want %+v", got, want)
	}

	// A follow-up in the thread joins the same conversation.
	follow := f.srv.UserMessage(thread, "42", "still burning")
	if m := f.inbox.wait(t, 2)[1]; string(m.ID) != follow || !slices.Equal(m.ThreadKeys, want.ThreadKeys) {
		t.Errorf("follow-up = %+v, want ID %s with keys %v", m, follow, want.ThreadKeys)
	}

	sent, err := f.a.Send(context.Background(), &intake.Reply{
		ID: "r1", Conversation: got.Conversation, Text: "Unplug it, @everyone and @here stay calm",
		Buttons: []intake.Button{{Action: "solved", Label: "Yes"}, {Action: "not_solved", Label: "No"}},
	})
	if err != nil {
		t.Fatalf("Send() = %v", err)
	}
	msgs := f.srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("posted %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ChannelID != thread || m.ID != sent.MessageID {
		t.Errorf("posted to %s as %s, want thread %s and Sent.MessageID %s", m.ChannelID, m.ID, thread, sent.MessageID)
	}
	if !m.AllowedMentions.NotifiesNobody() || !strings.Contains(string(m.Body), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("allowed_mentions in %s lets mentions through", m.Body)
	}
	if strings.Contains(m.Content, "@everyone") || strings.Contains(m.Content, "@here") {
		t.Errorf("content %q keeps a mass mention", m.Content)
	}
	if len(m.Buttons) != 2 || m.Buttons[0].CustomID != "solved" || m.Buttons[1].CustomID != "not_solved" {
		t.Errorf("buttons = %+v, want solved and not_solved", m.Buttons)
	}

	// The gateway echoes the bot's own message; it is ignored, so the next
	// message in the inbox is the customer's.
	next := f.srv.UserMessage(thread, "42", "thanks")
	if m := f.inbox.wait(t, 3)[2]; string(m.ID) != next {
		t.Errorf("third accepted message = %s (%q), want %s", m.ID, m.Text, next)
	}
}

func TestIgnoresBotsAndOtherChannels(t *testing.T) {
	t.Parallel()
	f := start(t, Config{})
	other := f.srv.AddTextChannel(f.guildID, "general")
	f.srv.UserMessage(other, "42", "not a support request")
	f.srv.Dispatch("MESSAGE_CREATE", discordgo.Message{ID: f.srv.NewID(), ChannelID: f.intake, GuildID: f.guildID,
		Content: "beep", Author: &discordgo.User{ID: "99", Username: "otherbot", Bot: true}})
	f.srv.Dispatch("MESSAGE_CREATE", discordgo.Message{ID: f.srv.NewID(), ChannelID: f.intake, GuildID: f.guildID,
		Author: &discordgo.User{ID: "42", Username: "user42"}, Type: discordgo.MessageTypeChannelPinnedMessage})
	sentinel := f.srv.UserMessage(f.intake, "42", "help")
	if m := f.inbox.wait(t, 1)[0]; string(m.ID) != sentinel {
		t.Errorf("first accepted message = %s (%q), want %s", m.ID, m.Text, sentinel)
	}
	if n := len(f.srv.Threads()); n != 1 {
		t.Errorf("started %d threads, want 1", n)
	}
}

func TestDMsAreOneConversationPerUser(t *testing.T) {
	t.Parallel()
	f := start(t, Config{})
	dm := f.srv.AddDM("77")
	a := f.srv.UserMessage(dm, "77", "hola, no puedo entrar")
	b := f.srv.UserMessage(dm, "77", "sigo sin poder")
	got := f.inbox.wait(t, 2)
	for i, id := range []string{a, b} {
		m := got[i]
		if string(m.ID) != id || m.Conversation.Address != dm || !slices.Equal(m.ThreadKeys, []intake.ThreadKey{threadKey("dm:77")}) {
			t.Errorf("DM %d = %+v, want ID %s at %s keyed discord:dm:77", i, m, id, dm)
		}
	}
	if n := len(f.srv.Threads()); n != 0 {
		t.Errorf("started %d threads for DMs, want 0", n)
	}
	if _, err := f.a.Send(context.Background(), &intake.Reply{ID: "r", Conversation: got[0].Conversation, Text: "¿Probaste reiniciar?"}); err != nil {
		t.Fatalf("Send() to DM = %v", err)
	}
	if msgs := f.srv.Messages(); len(msgs) != 1 || msgs[0].ChannelID != dm {
		t.Errorf("posted %+v, want one message in %s", msgs, dm)
	}
}

func TestButtonPressBecomesAction(t *testing.T) {
	t.Parallel()
	f := start(t, Config{})
	f.srv.UserMessage(f.intake, "42", "VPN down")
	m := f.inbox.wait(t, 1)[0]
	thread := m.Conversation.Address
	sent, err := f.a.Send(context.Background(), &intake.Reply{ID: "r1", Conversation: m.Conversation, Text: "Did that solve it?",
		Buttons: []intake.Button{{Action: "solved", Label: "Yes"}, {Action: "not_solved", Label: "No"}}})
	if err != nil {
		t.Fatalf("Send() = %v", err)
	}

	press := f.srv.PressButton(thread, "42", sent.MessageID, "solved")
	got := f.inbox.wait(t, 2)[1]
	if string(got.ID) != press || got.Action != "solved" || !slices.Equal(got.ThreadKeys, m.ThreadKeys) || got.From.ID != "42" {
		t.Errorf("press = %+v, want action solved on %v by 42", got, m.ThreadKeys)
	}
	waitResponses(t, f, 1)
	if r := f.srv.InteractionResponses()[0]; r.InteractionID != press || r.Type != discordgo.InteractionResponseDeferredMessageUpdate {
		t.Errorf("answer = %+v, want a deferred update of %s", r, press)
	}

	// The inbox failing: nothing is taken and the customer is told.
	f.inbox.failNext(1)
	press = f.srv.PressButton(thread, "42", sent.MessageID, "not_solved")
	waitResponses(t, f, 2)
	r := f.srv.InteractionResponses()[1]
	if r.InteractionID != press || r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("answer = %+v, want an ephemeral message for %s", r, press)
	}
	if n := len(f.inbox.all()); n != 2 {
		t.Errorf("inbox has %d messages, want 2", n)
	}

	// In a DM the press joins the user's DM conversation.
	dm := f.srv.AddDM("77")
	press = f.srv.PressButton(dm, "77", f.srv.NewID(), "not_solved")
	got = f.inbox.wait(t, 3)[2]
	if string(got.ID) != press || got.Action != "not_solved" || !slices.Equal(got.ThreadKeys, []intake.ThreadKey{threadKey("dm:77")}) {
		t.Errorf("DM press = %+v, want not_solved keyed discord:dm:77", got)
	}
}

func waitResponses(t *testing.T, f *fixture, n int) {
	t.Helper()
	f.srv.WaitFor(waitTimeout, "interaction answers", func(discordtest.Stats) bool {
		return len(f.srv.InteractionResponses()) >= n
	})
}

func TestFollowUpInThreadNotSeenBefore(t *testing.T) {
	t.Parallel()
	f := start(t, Config{})
	// A thread a customer opened in the intake channel, and one elsewhere.
	thread, elsewhere := f.srv.NewID(), f.srv.NewID()
	other := f.srv.AddTextChannel(f.guildID, "general")
	f.srv.AddChannel(discordgo.Channel{ID: thread, GuildID: f.guildID, ParentID: f.intake, Type: discordgo.ChannelTypeGuildPublicThread})
	f.srv.AddChannel(discordgo.Channel{ID: elsewhere, GuildID: f.guildID, ParentID: other, Type: discordgo.ChannelTypeGuildPublicThread})
	f.srv.UserMessage(elsewhere, "42", "not for us")
	id := f.srv.UserMessage(thread, "42", "my screen flickers")
	m := f.inbox.wait(t, 1)[0]
	if string(m.ID) != id || m.Conversation.Address != thread || !slices.Equal(m.ThreadKeys, []intake.ThreadKey{threadKey(thread)}) {
		t.Errorf("accepted %+v, want %s in thread %s", m, id, thread)
	}
	if n := len(f.srv.Threads()); n != 0 {
		t.Errorf("started %d threads, want 0", n)
	}
}

func TestInboxFailureIsRetried(t *testing.T) {
	t.Parallel()
	f := start(t, Config{})
	f.inbox.failNext(2)
	id := f.srv.UserMessage(f.intake, "42", "disk full?")
	if m := f.inbox.wait(t, 1)[0]; string(m.ID) != id {
		t.Errorf("accepted %s, want %s", m.ID, id)
	}
	if n := len(f.srv.Threads()); n != 1 {
		t.Errorf("started %d threads, want 1 (the retry must not open another)", n)
	}
}
