package discordtest

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestClientReachesServerThroughDiscordgoEndpoints(t *testing.T) {
	srv := New(t)
	s, err := discordgo.New("Bot x")
	if err != nil {
		t.Fatalf("discordgo.New() = %v", err)
	}
	s.Client = srv.Client()
	u, err := s.User("@me")
	if err != nil || u.ID != srv.BotUser().ID {
		t.Errorf("User(@me) = %+v, %v; want %s", u, err, srv.BotUser().ID)
	}
	gw, err := s.Gateway()
	if err != nil || !strings.HasPrefix(gw, srv.GatewayURL()) {
		t.Errorf("Gateway() = %q, %v; want %s/", gw, err, srv.GatewayURL())
	}
	ch := srv.AddTextChannel("1", "support")
	if _, err := s.ChannelMessageSend(ch, "hi"); err != nil {
		t.Fatalf("ChannelMessageSend() = %v", err)
	}
	if m := srv.Messages(); len(m) != 1 || m[0].Content != "hi" || m[0].ChannelID != ch {
		t.Errorf("Messages() = %+v, want one hi in %s", m, ch)
	}
}
