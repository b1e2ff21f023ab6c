package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels/slack"
	"github.com/intake-support/intake/channels/slack/slackfake"
)

const (
	agent1   = "UAGENT1"
	agent2   = "UAGENT2"
	outsider = "UOUTSIDER"
	wait     = 60 * time.Second
)

// TestEmailToSlackDeskAndBack is issue 7's "done means" and issue 5's for
// HTTP mode: an email the bot cannot solve becomes a card in its tier's
// channel; only an agent may claim it and only one does; the agent's thread
// reply reaches the customer's email thread, an internal note does not;
// resolving sends the resolution and the survey, and the customer's "5" is
// recorded.
func TestEmailToSlackDeskAndBack(t *testing.T) {
	g := startGateway(t, "es, en", 10)
	const customer = "ana@cliente.test"
	sendMail(t, g.SMTPAddr, customer, customerMail("Ana <"+customer+">", "a1@cliente.test", "Error en facturación",
		"quiero hablar con una persona, el sistema de facturación da error 500 desde ayer"))

	// The bot escalates by the routing rules: development goes to tier V.
	waitFor(t, wait, "the card in C0L5", func() bool { return len(g.cards("C0L5")) == 1 })
	card := g.cards("C0L5")[0]
	inc := g.incidentOf(intake.EmailThreadKey("a1@cliente.test"))
	if inc.Status != intake.StatusEscalated || inc.Tier != "L5" {
		t.Fatalf("incident %s: status %s tier %s, want escalated to L5", inc.ID, inc.Status, inc.Tier)
	}
	if text := cardText(card.Form.Get("blocks")); !strings.Contains(text, string(inc.ID)) || !strings.Contains(text, "_sin tomar_") {
		t.Errorf("card = %q, want %s, unclaimed", text, inc.ID)
	}
	for _, ch := range []string{"C0L2", "C0L3", "C0L4"} {
		if n := len(g.cards(ch)); n != 0 {
			t.Errorf("cards in %s = %d, want 0", ch, n)
		}
	}
	// The customer is told their incident number and that a person follows up.
	ack := g.waitMail(customer, "registrada como "+string(inc.ID))
	if ack.AutoSubmitted != "auto-replied" || !slices.Contains(ack.InReplyTo, "a1@cliente.test") {
		t.Errorf("acknowledgement: Auto-Submitted %q In-Reply-To %q, want automatic, in the customer's thread", ack.AutoSubmitted, ack.InReplyTo)
	}
	// The bot's hand-over and the acknowledgement are one mail, although
	// the card was posted between them.
	if mails := g.mailsTo(customer); len(mails) != 1 || !strings.Contains(mails[0].Body, "especialista") {
		t.Errorf("mails to the customer after the hand-over = %d, want 1 with the bot's hand-over and the acknowledgement", len(mails))
	}

	click := func(user, action, actionTs string) map[string]any {
		return slackfake.Click(user, action, string(inc.ID), "C0L5", card.TS, actionTs)
	}
	// UAGENT1 claims: the card is updated in place and shows the claimer.
	g.interact(click(agent1, "intake:claim", "1700000900.000001"))
	waitFor(t, wait, "the card update", func() bool { return len(g.updates(card.TS)) == 1 })
	if text := cardText(g.updates(card.TS)[0].Form.Get("blocks")); !strings.Contains(text, "<@"+agent1+">") {
		t.Errorf("updated card = %q, want the claimer <@%s>", text, agent1)
	}
	if inc = g.incident(inc.ID); inc.Status != intake.StatusClaimed || inc.ClaimedBy != agent1 {
		t.Fatalf("after the claim: status %s by %q, want claimed by %s", inc.Status, inc.ClaimedBy, agent1)
	}

	// Someone not in agents is refused, ephemerally, and nothing changes.
	g.interact(click(outsider, "intake:claim", "1700000901.000001"))
	eph := g.Slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != outsider || eph[0].Form.Get("text") != slack.Refusal {
		t.Fatalf("ephemerals = %+v, want the refusal to %s", eph, outsider)
	}
	// A forged signature is refused outright.
	forged := slackfake.InteractionBody(click(agent2, "intake:claim", "1700000902.000001"))
	if code := g.post("/slack/interactions", slackfake.FormType, forged, "not-the-secret"); code != http.StatusUnauthorized {
		t.Errorf("forged click = %d, want 401", code)
	}

	// UAGENT2 presses Claim too late and is told who has it.
	g.interact(click(agent2, "intake:claim", "1700000903.000001"))
	waitFor(t, wait, "the 'already claimed' notice", func() bool { return len(g.Slack.Calls("chat.postEphemeral")) == 2 })
	// The text is what Slack shows: the adapter escapes every reply text.
	if e := g.Slack.Calls("chat.postEphemeral")[1].Form; e.Get("user") != agent2 || !strings.Contains(e.Get("text"), "ya está tomada por <@"+agent1+">") {
		t.Errorf("notice = %v, want %s told it is already claimed by %s", e, agent2, agent1)
	}
	if inc = g.incident(inc.ID); inc.ClaimedBy != agent1 || len(g.updates(card.TS)) != 1 {
		t.Errorf("after the outsider, the forgery and the late claim: claimed by %q, %d card updates; want %s, 1",
			inc.ClaimedBy, len(g.updates(card.TS)), agent1)
	}

	// The agent answers in the card's thread: the customer gets it in their
	// email thread, as a person's mail.
	const answer = "Hola Ana, ya vimos el error 500; lo estamos corrigiendo."
	g.event("Ev1", map[string]any{"type": "message", "channel": "C0L5", "channel_type": "channel", "user": agent1,
		"text": answer, "thread_ts": card.TS, "ts": "1700001000.000001"})
	reply := g.waitMail(customer, answer)
	if !slices.Contains(reply.InReplyTo, "a1@cliente.test") || !slices.Contains(reply.References, "a1@cliente.test") {
		t.Errorf("reply In-Reply-To %q References %q, want the customer's a1@cliente.test", reply.InReplyTo, reply.References)
	}
	if !strings.Contains(reply.Subject, "["+string(inc.ID)+"]") {
		t.Errorf("reply subject = %q, want the token [%s]", reply.Subject, inc.ID)
	}
	if reply.AutoSubmitted != "" {
		t.Errorf("reply Auto-Submitted = %q, want none on a person's reply", reply.AutoSubmitted)
	}

	// An internal note stays in Slack.
	const note = "// el cliente ya reportó esto en marzo"
	g.event("Ev2", map[string]any{"type": "message", "channel": "C0L5", "channel_type": "channel", "user": agent1,
		"text": note, "thread_ts": card.TS, "ts": "1700001001.000001"})

	// Resolve: the button opens the modal, its submission resolves.
	g.interact(click(agent1, "intake:resolve", "1700001100.000001"))
	opens := g.Slack.Calls("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open = %d, want 1", len(opens))
	}
	const resolution = "Corregimos el servicio de facturación y reprocesamos tus facturas."
	g.interact(slackfake.ViewSubmission(agent1, opens[0].JSON["view"].(map[string]any), resolution))
	resolved := g.waitMail(customer, resolution)
	if !strings.Contains(resolved.Body, "del 1") || !strings.Contains(resolved.Body, "al 5") || !strings.Contains(resolved.Subject, "["+string(inc.ID)+"]") {
		t.Errorf("resolution mail: subject %q body %q, want the token, the resolution and the 1-5 survey", resolved.Subject, resolved.Body)
	}
	for _, m := range g.Relay.Mails() {
		if strings.Contains(m.Body, "marzo") {
			t.Errorf("mail to %v carries the internal note: %q", m.To, m.Body)
		}
	}
	inc = g.incident(inc.ID)
	if inc.Status != intake.StatusResolved || inc.Resolution != resolution {
		t.Fatalf("after resolving: status %s resolution %q", inc.Status, inc.Resolution)
	}
	if !hasEvent(inc, intake.EventNote, agent1, "el cliente ya reportó esto en marzo") {
		t.Errorf("timeline lacks the internal note of %s", agent1)
	}

	// The customer answers the survey by email.
	sendMail(t, g.SMTPAddr, customer, customerMail("Ana <"+customer+">", "a2@cliente.test", "Re: "+resolved.Subject, "5",
		"In-Reply-To: <"+resolved.MessageID+">", "References: <a1@cliente.test> <"+resolved.MessageID+">"))
	waitFor(t, wait, "the satisfaction on the incident", func() bool { return g.incident(inc.ID).Satisfaction != 0 })
	if got := g.incident(inc.ID).Satisfaction; got != 5 {
		t.Errorf("Satisfaction = %d, want 5", got)
	}
}

func hasEvent(inc *intake.Incident, kind intake.EventKind, actor, text string) bool {
	for _, e := range inc.Timeline {
		if e.Kind == kind && e.Actor == actor && e.Text == text {
			return true
		}
	}
	return false
}

// TestUnclaimedEscalatesToNext is issue 7's SLA "done means": an incident
// nobody claims within its tier's steps moves to the tier's next, through the
// durable timers and the real timer runner, on an injected clock.
func TestUnclaimedEscalatesToNext(t *testing.T) {
	// The team reads English: the desk's language is the first of triage's.
	g := startGateway(t, "en, es", 10)
	sendMail(t, g.SMTPAddr, "luis@cliente.test", customerMail("luis@cliente.test", "b1@cliente.test", "Urgente",
		"URGENTE: el servidor de facturación está caído, nadie puede entrar, error 500 en toda la empresa"))
	waitFor(t, wait, "the card in C0L2", func() bool { return len(g.cards("C0L2")) == 1 })
	card := g.cards("C0L2")[0]
	id := g.incidentOf(intake.EmailThreadKey("b1@cliente.test")).ID

	g.Clock.Advance(14 * time.Minute)
	time.Sleep(100 * time.Millisecond) // several timer polls: nothing is due yet
	if n := len(g.cards("C0L3")); n != 0 {
		t.Fatalf("cards in C0L3 after 14m = %d, want 0", n)
	}

	g.Clock.Advance(17 * time.Minute) // 31m: past the remind (15m) and escalate (30m) steps
	waitFor(t, wait, "the card in C0L3", func() bool { return len(g.cards("C0L3")) == 1 })
	if text := cardText(g.cards("C0L3")[0].Form.Get("blocks")); !strings.Contains(text, string(id)) {
		t.Errorf("C0L3 card = %q, want %s", text, id)
	}
	inc := g.incident(id)
	if inc.Tier != "L3" || inc.Status != intake.StatusEscalated || inc.ClaimedBy != "" {
		t.Errorf("incident: tier %s status %s claimed by %q, want escalated, unclaimed, in L3", inc.Tier, inc.Status, inc.ClaimedBy)
	}
	waitFor(t, wait, "the old card marked as moved", func() bool {
		u := g.updates(card.TS)
		return len(u) > 0 && strings.Contains(cardText(u[len(u)-1].Form.Get("blocks")), "*Moved*\nto Nivel III by intake")
	})
	if n := len(g.cards("C0L2")); n != 1 {
		t.Errorf("cards in C0L2 = %d, want the one", n)
	}
	reminded := false
	for _, c := range g.Slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "C0L2" && c.Form.Get("thread_ts") == card.TS && strings.Contains(c.Form.Get("text"), "please claim it") {
			reminded = true
		}
	}
	if !reminded {
		t.Errorf("no reminder in the thread of the C0L2 card after 15m unclaimed")
	}
}

// TestOutageReportsShareOneParentCard is issue 7's major incident "done
// means": 50 similar outage reports from 50 customers within minutes give one
// parent incident whose card counts them all. The desk groups from the
// threshold-th report on; the threshold-1 reports before it got cards of
// their own, the later of which are marked as grouped under the parent.
func TestOutageReportsShareOneParentCard(t *testing.T) {
	const threshold, reporters = 3, 50
	g := startGateway(t, "es, en", threshold)
	for i := range reporters {
		from := fmt.Sprintf("cliente%02d@empresa%02d.test", i, i)
		sendMail(t, g.SMTPAddr, from, customerMail(from, fmt.Sprintf("o%02d@cliente.test", i), "Caída general",
			"URGENTE: el servidor de facturación está caído, nadie puede entrar, error 500 en toda la empresa"))
	}
	waitFor(t, 20*time.Second, "every reporter's acknowledgement", func() bool { return len(g.Relay.Mails()) >= reporters })
	// The parent's card is refreshed once per interval (5 s), not per report:
	// let the gateway's clock pass one.
	g.Clock.Advance(10 * time.Second)

	waitFor(t, wait, "the parent card counting every report", func() bool {
		for _, c := range g.cards("C0L2") {
			u := g.updates(c.TS)
			if len(u) > 0 && strings.Contains(cardText(u[len(u)-1].Form.Get("blocks")), fmt.Sprintf("*Reportes*\n%d", reporters)) {
				return true
			}
		}
		return false
	})
	if cards := g.cards("C0L2"); len(cards) != threshold-1 {
		t.Errorf("cards in C0L2 = %d, want %d (the reports before grouping started)", len(cards), threshold-1)
	}
	for _, ch := range []string{"C0L3", "C0L4", "C0L5"} {
		if n := len(g.cards(ch)); n != 0 {
			t.Errorf("cards in %s = %d, want 0", ch, n)
		}
	}
	open := 0
	for _, c := range g.cards("C0L2") {
		u := g.updates(c.TS)
		last := cardText(c.Form.Get("blocks"))
		if len(u) > 0 {
			last = cardText(u[len(u)-1].Form.Get("blocks"))
		}
		if !strings.Contains(last, "bajo la incidencia mayor") {
			open++
		}
	}
	if open != 1 {
		t.Errorf("open cards in C0L2 = %d, want 1 (the parent)", open)
	}
	// Reports are handled side by side, so any of them may be the parent
	// (the earliest incident number among the first similar ones): exactly
	// one report has no parent, and every other one is grouped under it.
	var parents []intake.IncidentID
	under := map[intake.IncidentID]int{}
	for i := range reporters {
		inc := g.incidentOf(intake.EmailThreadKey(fmt.Sprintf("o%02d@cliente.test", i)))
		if inc.ParentID == "" {
			parents = append(parents, inc.ID)
		}
		under[inc.ParentID]++
	}
	if len(parents) != 1 {
		t.Fatalf("reports without a parent = %v, want exactly one (the major incident)", parents)
	}
	if under[parents[0]] != reporters-1 {
		t.Errorf("reports grouped under %s = %d, want %d (parents: %v)", parents[0], under[parents[0]], reporters-1, under)
	}
}
