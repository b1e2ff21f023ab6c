package escalation_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/escalation"
	"github.com/intake-support/intake/triage/kb"
)

const inc1 intake.IncidentID = "INC-000001"

func TestEscalatePostsCardAndAcks(t *testing.T) {
	tests := []struct {
		name, lang, category, wantTier, wantChannel string
		wantAck                                     []string
	}{
		{"default tier in spanish", "es", "network", "L2", "C0L2", []string{"INC-000001", "Una persona"}},
		{"back end in english", "en", "server", "L3", "C0L3", []string{"INC-000001", "A person will follow up"}},
		{"on site", "es", "onsite", "L4", "C0L4", []string{"INC-000001"}},
		{"foreign language to tier V, both languages", "pt", "network", "L5", "C0L5", []string{"Una persona", "A person"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
			msg := e.customer("ana@client.example", tt.lang, tt.category, "El servidor no responde")
			inc := e.incident(inc1)
			if inc.Status != intake.StatusEscalated || string(inc.Tier) != tt.wantTier {
				t.Fatalf("incident = %s in %s, want escalated in %s", inc.Status, inc.Tier, tt.wantTier)
			}
			replies := repliesTo(inc, msg)
			card := find(t, replies, "card", func(r intake.Reply) bool { return r.Card != nil && r.UpdateOf == "" })
			if card.ID != "card:INC-000001:1" || inc.CardReply != card.ID || card.Conversation.Address != tt.wantChannel || card.Conversation.Channel != intake.ChannelSlack {
				t.Errorf("card = %s in %+v (incident card %q), want card:INC-000001:1 in %s", card.ID, card.Conversation, inc.CardReply, tt.wantChannel)
			}
			if card.Card.ClaimDue.IsZero() || len(card.Card.Actions) == 0 {
				t.Errorf("card = %+v, want a claim deadline and actions", card.Card)
			}
			ack := find(t, replies, "customer ack", func(r intake.Reply) bool { return r.Conversation.Channel == intake.ChannelEmail })
			for _, w := range tt.wantAck {
				if !strings.Contains(ack.Text, w) {
					t.Errorf("ack = %q, want it to contain %q", ack.Text, w)
				}
			}
			if tt.category == "onsite" && !hasField(card.Card, "address", "Av. Reforma 1, piso 3") {
				t.Errorf("on-site card fields = %+v, want the address", card.Card.Fields)
			}
			if tt.lang == "pt" && !hasField(card.Card, "Idioma detectado", "pt") {
				t.Errorf("tier V card fields = %+v, want the detected language", card.Card.Fields)
			}
		})
	}
}

func hasField(c *intake.Card, label, value string) bool {
	for _, f := range c.Fields {
		if f.Label == label && (f.Value == value || len(f.Rich) > 0 && slackish(f.Rich) == value) {
			return true
		}
	}
	return false
}

func TestAckOutsideBusinessHours(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-28 11:00")) // Saturday
	msg := e.customer("ana@client.example", "es", "network", "No tengo internet")
	ack := find(t, repliesTo(e.incident(inc1), msg), "ack", func(r intake.Reply) bool { return r.Conversation.Channel == intake.ChannelEmail })
	if !strings.Contains(ack.Text, "fuera de horario") || !strings.Contains(ack.Text, "lunes 30/11 a las 08:00") {
		t.Errorf("ack = %q, want the business-hours expectation (lunes 30/11 a las 08:00)", ack.Text)
	}
}

func TestConcurrentClaimsOneWinner(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	e.customer("ana@client.example", "es", "network", "No tengo internet")
	const n = 50
	msgs := make([]*intake.Message, n)
	for i := range msgs {
		msgs[i] = &intake.Message{
			ID: intake.MessageID(fmt.Sprintf("claim-%02d", i)), Channel: intake.ChannelSlack, FromAgent: true, Action: "claim",
			From:       intake.Customer{Channel: intake.ChannelSlack, ID: fmt.Sprintf("U%02d", i)},
			ThreadKeys: []intake.ThreadKey{intake.TokenThreadKey(inc1)}, ReceivedAt: e.clk.Now(),
		}
	}
	var wg sync.WaitGroup
	for _, m := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ { // the inbox redelivers a message whose handling failed
				if err := e.w.Process(context.Background(), m); err == nil {
					return
				}
			}
			t.Errorf("Process(%s) kept failing", m.ID)
		}()
	}
	wg.Wait()
	inc := e.incident(inc1)
	if inc.Status != intake.StatusClaimed || inc.ClaimedBy == "" {
		t.Fatalf("incident = %s by %q, want claimed", inc.Status, inc.ClaimedBy)
	}
	winners, refused := 0, 0
	for _, m := range msgs {
		for _, r := range repliesTo(inc, m) {
			switch {
			case r.UpdateOf == inc.CardReply && r.Card != nil && r.Card.ClaimedBy == m.From.ID:
				winners++
			case r.EphemeralTo == m.From.ID && r.ThreadOf == inc.CardReply &&
				slackish(r.Rich) == "INC-000001 ya está tomada por <@"+inc.ClaimedBy+">":
				refused++
			}
		}
	}
	if winners != 1 || refused != n-1 {
		t.Errorf("winners = %d, refused = %d, want 1 and %d", winners, refused, n-1)
	}
	claims := 0
	for _, ev := range inc.Timeline {
		if ev.Kind == intake.EventStatus && ev.To == intake.StatusClaimed {
			claims++
		}
	}
	if claims != 1 {
		t.Errorf("claims on the timeline = %d, want 1", claims)
	}
}

// deskTexts are what agents read in TestReleaseEscalateResolveSurvey, by
// the desk's language (the first of triage.languages).
var deskTexts = map[string]struct {
	languages                                  []string
	moved, movedTo, refusal, escalated, routed string
	shared                                     []string
}{
	"es": {[]string{"es", "en"}, "Movida", "a Nivel III por <@U1>", "Solo quien tiene INC-000001 puede liberarla.",
		"Escalada desde Nivel II por <@U1>: needs the network team", "enviada a L2: regla default",
		[]string{"*Resuelta en Nivel III: INC-000001*", "*Problema:*", "*Causa:* certificado vencido", "*Solución:* se renovó", "borrador"}},
	"en": {[]string{"en", "es"}, "Moved", "to Nivel III by <@U1>", "Only the agent holding INC-000001 can release it.",
		"Escalated from Nivel II by <@U1>: needs the network team", "routed to L2: rule default",
		[]string{"*Resolved in Nivel III: INC-000001*", "*Problem:*", "*Cause:* certificado vencido", "*Fix:* se renovó", "draft KB article"}},
}

func TestReleaseEscalateResolveSurvey(t *testing.T) {
	for lang, want := range deskTexts {
		t.Run("desk in "+lang, func(t *testing.T) {
			cfg := loadConfig(t, "")
			cfg.Triage.Languages = want.languages
			releaseEscalateResolveSurvey(t, newEnvWith(t, cfg, mexico(t, "2026-11-23 10:00")), lang)
		})
	}
}

func releaseEscalateResolveSurvey(t *testing.T, e *env, lang string) {
	want := deskTexts[lang]
	e.customer("ana@client.example", "es", "network", "La VPN se cae cada hora")

	if !slices.ContainsFunc(e.incident(inc1).Timeline, func(ev intake.Event) bool { return ev.Text == want.routed }) {
		t.Errorf("timeline = %+v, want the note %q", e.incident(inc1).Timeline, want.routed)
	}
	e.agent(inc1, "U1", "claim", "", "")
	m := e.agent(inc1, "U2", "release", "", "")
	if inc := e.incident(inc1); inc.ClaimedBy != "U1" {
		t.Fatalf("after release by another agent ClaimedBy = %q, want U1", inc.ClaimedBy)
	}
	find(t, repliesTo(e.incident(inc1), m), "refusal", func(r intake.Reply) bool { return r.EphemeralTo == "U2" && r.Text == want.refusal })
	e.agent(inc1, "U1", "release", "", "")
	if inc := e.incident(inc1); inc.Status != intake.StatusEscalated || inc.ClaimedBy != "" {
		t.Fatalf("after release = %s by %q, want escalated, unclaimed", inc.Status, inc.ClaimedBy)
	}

	m = e.agent(inc1, "U1", "escalate", "", "needs the network team")
	inc := e.incident(inc1)
	if inc.Tier != "L3" || inc.CardReply != "card:INC-000001:2" {
		t.Fatalf("after escalate tier = %s card = %s, want L3 card:INC-000001:2", inc.Tier, inc.CardReply)
	}
	rs := repliesTo(inc, m)
	find(t, rs, "new card in C0L3", func(r intake.Reply) bool { return r.ID == "card:INC-000001:2" && r.Conversation.Address == "C0L3" })
	find(t, rs, "old card update in C0L2", func(r intake.Reply) bool {
		return r.UpdateOf == "card:INC-000001:1" && r.Conversation.Address == "C0L2" && hasField(r.Card, want.moved, want.movedTo)
	})
	find(t, rs, "note in the new thread", func(r intake.Reply) bool {
		return r.ThreadOf == "card:INC-000001:2" && slackish(r.Rich) == want.escalated
	})

	e.agent(inc1, "U3", "claim", "", "")
	m = e.agent(inc1, "U3", "resolve", "", "Causa: certificado vencido en el concentrador\nSolución: se renovó el certificado")
	inc = e.incident(inc1)
	if inc.Status != intake.StatusResolved || !strings.Contains(inc.Resolution, "renovó") {
		t.Fatalf("after resolve = %s %q", inc.Status, inc.Resolution)
	}
	rs = repliesTo(inc, m)
	res := find(t, rs, "resolution to the customer", func(r intake.Reply) bool { return r.Conversation.Channel == intake.ChannelEmail })
	if !strings.Contains(res.Text, "se renovó el certificado") || !strings.Contains(res.Text, "del 1") || len(res.Buttons) != 5 {
		t.Errorf("resolution = %q with %d buttons, want resolution and a 1-5 survey", res.Text, len(res.Buttons))
	}
	kn := find(t, rs, "knowledge post", to("C0KNOWLEDGE"))
	for _, w := range want.shared {
		if !strings.Contains(slackish(kn.Rich), w) {
			t.Errorf("knowledge post = %q, want %q", slackish(kn.Rich), w)
		}
	}
	b, err := os.ReadFile(e.cfg.Triage.DraftsDir + "/inc-000001.yaml")
	if err != nil {
		t.Fatalf("draft article: %v", err)
	}
	// The draft is a KB file: the knowledge base's own parser reads it back.
	arts, probs := kb.Parse("inc-000001.yaml", b)
	if len(probs) > 0 || len(arts) != 1 {
		t.Fatalf("draft parsed by the KB = %v, problems %v, want one article:\n%s", arts, probs, b)
	}
	if a := arts[0]; a.ID != "draft-inc-000001" || a.Category != "network" || a.TitleIn("es") == "" || len(a.Questions["es"]) != 1 ||
		!strings.Contains(a.AnswerIn("es"), "Causa: certificado vencido") || !strings.Contains(a.AnswerIn("es"), "se renovó el certificado") {
		t.Errorf("draft article = %+v, want the incident's title, problem, cause and fix in Spanish", a)
	}

	e.customer("ana@client.example", "es", "", "5", intake.TokenThreadKey(inc1))
	if inc := e.incident(inc1); inc.Satisfaction != 5 {
		t.Errorf("Satisfaction = %d, want 5", inc.Satisfaction)
	}
}

func TestResolveOutsideKnowledgeTierSharesNothing(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	e.customer("ana@client.example", "en", "network", "wifi drops")
	m := e.agent(inc1, "U1", "resolve", "", "reset the access point")
	for _, r := range repliesTo(e.incident(inc1), m) {
		if r.Conversation.Address == "C0KNOWLEDGE" {
			t.Errorf("tier II resolution posted to the knowledge channel: %+v", r)
		}
	}
	if _, err := os.Stat(e.cfg.Triage.DraftsDir + "/inc-000001.yaml"); err == nil {
		t.Error("tier II resolution wrote a draft article")
	}
}

func TestAgentRepliesAndNotes(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	e.customer("ana@client.example", "es", "network", "No tengo internet")
	e.agent(inc1, "U1", "claim", "", "")

	note := e.agent(inc1, "U1", "", "", "// parece el switch del piso 3")
	inc := e.incident(inc1)
	if rs := repliesTo(inc, note); len(rs) != 0 {
		t.Errorf("note replies = %+v, want none", rs)
	}
	last := inc.Timeline[len(inc.Timeline)-1]
	if last.Kind != intake.EventNote || last.Text != "parece el switch del piso 3" || last.Actor != "U1" {
		t.Errorf("last event = %+v, want the internal note by U1", last)
	}

	reply := e.agent(inc1, "U1", "", "", "¿Puedes reiniciar el router?")
	r := find(t, repliesTo(e.incident(inc1), reply), "relay", func(r intake.Reply) bool { return r.Conversation.Channel == intake.ChannelEmail })
	if r.Text != "¿Puedes reiniciar el router?" || r.Author != "Agent U1" || r.Conversation.Address != "ana@client.example" {
		t.Errorf("relay = %+v, want the text by Agent U1 to the customer", r)
	}

	cm := e.customer("ana@client.example", "es", "", "Ya lo reinicié y sigue igual", intake.TokenThreadKey(inc1))
	r = find(t, repliesTo(e.incident(inc1), cm), "customer message in the card thread", func(r intake.Reply) bool { return r.ThreadOf == "card:INC-000001:1" })
	if r.Conversation.Address != "C0L2" || !strings.Contains(r.Text, "sigue igual") {
		t.Errorf("thread post = %+v", r)
	}
}

func TestUnclaimedRemindsThenEscalates(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	e.customer("ana@client.example", "es", "network", "No tengo internet")
	e.clk.Advance(14 * time.Minute)
	if n := e.fire(); n != 0 {
		t.Fatalf("timers fired after 14m = %d, want 0", n)
	}
	e.clk.Advance(2 * time.Minute)
	if n := e.fire(); n != 1 {
		t.Fatalf("timers fired after 16m = %d, want 1 (remind)", n)
	}
	inc := e.incident(inc1)
	if inc.Tier != "L2" || !strings.Contains(lastReplyText(inc), "<!here>") {
		t.Fatalf("after remind tier = %s, last reply %q", inc.Tier, lastReplyText(inc))
	}
	e.clk.Advance(15 * time.Minute)
	if n := e.fire(); n != 1 {
		t.Fatalf("timers fired after 31m = %d, want 1 (escalate)", n)
	}
	inc = e.incident(inc1)
	if inc.Tier != "L3" || inc.Status != intake.StatusEscalated || inc.CardReply != "card:INC-000001:2" {
		t.Fatalf("after the escalate step = %s in %s card %s, want escalated in L3 with a new card", inc.Status, inc.Tier, inc.CardReply)
	}
}

func TestClaimStopsTheClock(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	e.customer("ana@client.example", "es", "network", "No tengo internet")
	e.agent(inc1, "U1", "claim", "", "")
	e.clk.Advance(time.Hour)
	if n := e.fire(); n != 0 {
		t.Errorf("timers fired on a claimed incident = %d, want 0", n)
	}
	// resolve_within is 8 business hours: 10:00 Monday + 8h = 18:00 Monday.
	e.clk.Advance(7*time.Hour + time.Minute)
	if n := e.fire(); n != 1 {
		t.Fatalf("timers fired past resolve_within = %d, want 1", n)
	}
	if txt := lastReplyText(e.incident(inc1)); !strings.Contains(txt, "<@U1>") || !strings.Contains(txt, "resolve_within") {
		t.Errorf("warning = %q, want a mention of the claimer", txt)
	}
}

func TestSLAClockStopsOutsideBusinessHours(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-27 17:50")) // Friday
	e.customer("ana@client.example", "es", "network", "No tengo internet")
	e.clk.Advance(16 * time.Minute) // Friday 18:06: only 10 business minutes
	if n := e.fire(); n != 0 {
		t.Fatalf("timers fired at Friday 18:06 = %d, want 0", n)
	}
	e.clk.Advance(62 * time.Hour) // Monday 08:06
	if n := e.fire(); n != 1 {
		t.Fatalf("timers fired at Monday 08:06 = %d, want 1 (remind due 08:05)", n)
	}
	if inc := e.incident(inc1); inc.Tier != "L2" {
		t.Errorf("tier = %s, want still L2 (only the reminder is due)", inc.Tier)
	}
}

func TestTimersAreDurable(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	e.customer("ana@client.example", "es", "network", "No tengo internet")
	due, err := e.st.DueTimers(context.Background(), e.clk.Now().Add(24*time.Hour), 10)
	if err != nil {
		t.Fatalf("DueTimers = %v", err)
	}
	var ids []string
	for _, tm := range due {
		ids = append(ids, tm.ID)
	}
	want := "sla:INC-000001:claim:0 sla:INC-000001:claim:1"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("stored timers = %q, want %q", got, want)
	}
}

func TestRunTimersFeedsTheInbox(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	e.customer("ana@client.example", "es", "network", "No tengo internet")
	e.clk.Advance(20 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	in := &capture{}
	timers := &channels.TimerRunner{Store: e.st, Inbox: in, Clock: e.clk.Now, Poll: 10 * time.Millisecond, Logger: quiet()}
	go func() { done <- timers.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		in.mu.Lock()
		n := len(in.msgs)
		in.mu.Unlock()
		if n > 0 {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunTimers = %v", err)
	}
	msgs := in.take()
	if len(msgs) != 1 || msgs[0].Action != "sla:claim" || msgs[0].Channel != intake.ChannelSystem ||
		msgs[0].ThreadKeys[0] != intake.TokenThreadKey(inc1) {
		t.Fatalf("RunTimers fed %+v, want one sla:claim message for INC-000001", msgs)
	}
}

func lastReplyText(inc *intake.Incident) string {
	for i := len(inc.Timeline) - 1; i >= 0; i-- {
		if ev := inc.Timeline[i]; ev.Kind == intake.EventReply && ev.Reply != nil {
			if len(ev.Reply.Rich) > 0 {
				return slackish(ev.Reply.Rich)
			}
			return ev.Reply.Text
		}
	}
	return ""
}

func TestReloadChangesRouting(t *testing.T) {
	e := newEnv(t, "", mexico(t, "2026-11-23 10:00"))
	cfg := loadConfig(t, "")
	cfg.Routing = cfg.Routing[len(cfg.Routing)-1:]
	cfg.Routing[0].Tier = "L4"
	if err := e.desk.Reload(cfg); err != nil {
		t.Fatalf("Reload = %v", err)
	}
	bad := loadConfig(t, "")
	bad.Routing[0].When.Regex, bad.Routing[0].When.Regexp = "([", nil
	if err := e.desk.Reload(bad); err == nil {
		t.Error("Reload(bad regex) = nil, want an error")
	}
	e.customer("ana@client.example", "es", "network", "No tengo internet")
	if inc := e.incident(inc1); inc.Tier != "L4" {
		t.Errorf("tier after reload = %s, want L4", inc.Tier)
	}
	if d := e.desk.Router().Route(escalation.RouteInput{Category: "server"}); d.Tier != "L4" {
		t.Errorf("Router().Route = %+v, want L4", d)
	}
}
