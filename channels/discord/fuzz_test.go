package discord

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/discord/discordtest"
)

// checkingInbox fails the fuzz target when the receiver hands it a message
// the rest of the gateway could not thread or answer.
type checkingInbox struct{ t *testing.T }

func (in checkingInbox) Accept(_ context.Context, m *intake.Message) error {
	if m.ID == "" || m.Channel != intake.ChannelDiscord || m.From.ID == "" || len(m.ThreadKeys) != 1 ||
		m.Conversation.Address == "" || m.ReceivedAt.IsZero() {
		in.t.Fatalf("accepted %+v: want an ID, a sender, one thread key, an address and a time", m)
	}
	return nil
}

// FuzzGatewayEvent feeds arbitrary MESSAGE_CREATE and INTERACTION_CREATE
// payloads through discordgo's decoding and the adapter's handlers, with the
// REST calls they make (threads, channel look-ups, interaction answers)
// going to a discordtest server on loopback: no panic, no hang (each event
// has 5 s), and whatever reaches the inbox is a complete message.
func FuzzGatewayEvent(f *testing.F) {
	srv := discordtest.New(f)
	guild := srv.NewID()
	channel := srv.AddTextChannel(guild, "support")
	dm := srv.AddDM("42")
	a := newAdapter(f, srv, Config{IntakeChannels: []string{channel}},
		WithBackoff(time.Millisecond, 2*time.Millisecond, time.Hour))
	a.opts.acceptTries = 1
	for _, s := range []struct {
		interaction bool
		payload     string
	}{
		{false, `{"id":"100","channel_id":"` + channel + `","guild_id":"` + guild + `","author":{"id":"42","username":"ana"},"content":"printer <@1> on fire @everyone","timestamp":"2026-01-02T03:04:05Z","attachments":[{"id":"1","filename":"a.png","content_type":"image/png","size":9}]}`},
		{false, `{"id":"101","channel_id":"` + dm + `","author":{"id":"42","global_name":"Ana"},"content":"hola","mentions":[{"id":"1","username":"x"}]}`},
		{false, `{"id":"102","channel_id":"999","guild_id":"` + guild + `","author":{"id":"42"},"type":19,"content":"in a thread?"}`},
		{false, `{"id":"103","author":{"id":"7","bot":true}}`},
		{false, `{"id":"104","channel_id":"` + channel + `","guild_id":"` + guild + `","author":{"id":"42"},"content":"` + "\n\n\u202e" + `","attachments":[null]}`},
		{true, `{"id":"200","type":3,"channel_id":"` + dm + `","token":"tok","user":{"id":"42"},"data":{"custom_id":"solved","component_type":2},"message":{"id":"9","components":[{"type":1,"components":[{"type":2,"custom_id":"solved","label":"Sí"}]}]}}`},
		{true, `{"id":"201","type":3,"guild_id":"` + guild + `","channel_id":"` + channel + `","member":{"user":{"id":"42"}},"data":{"custom_id":"not_solved","component_type":3,"values":["a"]}}`},
		{true, `{"id":"202","type":2,"data":{"name":"x","options":[{"name":"a","type":3,"value":1}]}}`},
		{true, `{"id":"203","type":5,"data":{"custom_id":"m","components":[{"type":1,"components":[{"type":4}]}]}}`},
		{true, `{"type":3,"data":null}`},
	} {
		f.Add(s.interaction, []byte(s.payload))
	}
	f.Fuzz(func(t *testing.T, interaction bool, payload []byte) {
		r := newReceiver(a, checkingInbox{t})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			if interaction {
				var ev discordgo.InteractionCreate
				if json.Unmarshal(payload, &ev) == nil && ev.Interaction != nil {
					r.handleInteraction(ctx, ev.Interaction)
				}
				return
			}
			var ev discordgo.MessageCreate
			if json.Unmarshal(payload, &ev) == nil && ev.Message != nil {
				r.handleMessage(ctx, ev.Message)
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("event %q still handled 10s after it arrived (5s deadline)", payload)
		}
	})
}
