package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/intake-support/intake/channels/discord/discordtest"
)

// chaosDiscordDrops runs the gateway against discordtest and drops the
// gateway connection (no close frame, as a network failure) after every
// few of the n customer messages, some sent while no connection is live
// (discordtest replays them on RESUME). Every dispatched message must be
// handled once: one thread, one answer in it. Recover is the longest time
// from a drop to a live connection again: it grows with each drop, since the
// reconnect delay doubles until a connection has stayed up for a minute.
func chaosDiscordDrops(t *testing.T, n, drops int) chaosRow {
	srv := discordtest.New(t, discordtest.WithHeartbeat(500*time.Millisecond))
	const intakeChannel = "1234567890" // the example's intake channel
	srv.AddChannel(discordgo.Channel{ID: intakeChannel, GuildID: srv.NewID(), Name: "soporte", Type: discordgo.ChannelTypeGuildText})
	cfg := exampleConfig(t)
	replaceSMTPPort(t, cfg)
	replaceInConfig(t, cfg, map[string]string{
		"    api_url: \"\"\n    gateway_url: \"\"": fmt.Sprintf("    api_url: %q\n    gateway_url: %q", srv.URL(), srv.GatewayURL()),
	})
	g := startServe(t, cfg, "DISCORD_BOT_TOKEN=chaos-token")
	g.waitReady(t)
	srv.WaitLive(20 * time.Second)
	var ids []string
	send := func() {
		k := len(ids)
		ids = append(ids, srv.UserMessage(intakeChannel, fmt.Sprint(700+k), fmt.Sprintf("caso %d: olvidé mi contraseña y no puedo entrar", k)))
	}
	var worst time.Duration
	every := max(1, n/drops)
	for i := range n {
		send()
		if (i+1)%every != 0 {
			continue
		}
		srv.DropConnection()
		dropped := time.Now()
		send() // while nobody is connected: it must come on RESUME
		// The adapter's reconnect delay doubles with each drop (from 1 s to
		// 2 minutes) until a connection stays up a minute: wait out the longest.
		for !srv.Stats().Live && time.Since(dropped) < 150*time.Second {
			time.Sleep(20 * time.Millisecond)
		}
		worst = max(worst, time.Since(dropped))
		if !srv.Stats().Live {
			t.Errorf("drop %d: no live gateway connection 150s later (stats %+v); logs:\n%s", (i+1)/every, srv.Stats(), g.logs.String())
			break
		}
	}
	// handled counts, per message, the answers in threads started from it,
	// plus one for each thread beyond the first (a duplicate too).
	handled := func() map[string]int {
		thread := map[string]string{}
		got := map[string]int{}
		for _, th := range srv.Threads() {
			if _, again := got[th.MessageID]; again {
				got[th.MessageID]++
			}
			thread[th.ID] = th.MessageID
			got[th.MessageID] += 0
		}
		for _, m := range srv.Messages() {
			if id, ok := thread[m.ChannelID]; ok {
				got[id]++
			}
		}
		return got
	}
	lost := 0
	for deadline := time.Now().Add(60 * time.Second); ; {
		got := handled()
		lost = 0
		for _, id := range ids {
			if got[id] == 0 {
				lost++
			}
		}
		if lost == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show
	dups := 0
	for id, c := range handled() {
		if c > 1 {
			dups += c - 1
			t.Logf("message %s handled %d times", id, c)
		}
	}
	st := srv.Stats()
	t.Logf("discordtest: %d identifies, %d resumes, %d dispatches replayed", st.Identifies, st.Resumes, st.Replayed)
	if lost > 0 {
		t.Logf("%d messages unanswered; logs:\n%s", lost, g.logs.String())
	}
	g.stop(t)
	return chaosRow{sent: len(ids), acked: len(ids), lost: lost, dups: dups, recover: worst}
}
