package escalation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/intake-support/intake"
)

// Handle takes every message on an escalated or claimed incident: agents'
// card actions and thread replies, SLA timers, and customer messages (relayed
// into the card's thread). It changes inc in place.
func (d *Desk) Handle(ctx context.Context, inc *intake.Incident, msg *intake.Message) (intake.Outcome, error) {
	d = d.bound()
	now := d.clock()
	var replies []intake.Reply
	var err error
	switch {
	case msg.Channel == intake.ChannelSystem:
		replies, err = d.system(ctx, inc, msg, now)
	case msg.FromAgent:
		replies, err = d.agent(ctx, inc, msg, now)
	default:
		if out, ok := d.SurveyAnswer(inc, msg); ok {
			return out, nil
		}
		replies = d.fromCustomer(inc, msg)
	}
	if err != nil {
		return intake.Outcome{}, fmt.Errorf("handle %s on %s: %w", msg.DedupeKey(), inc.ID, err)
	}
	return d.outcome(replies), nil
}

// system handles intake's own messages: SLA timers and major incident notices.
func (d *Desk) system(ctx context.Context, inc *intake.Incident, msg *intake.Message, now time.Time) ([]intake.Reply, error) {
	switch intake.SystemEvent(msg.Action) {
	case intake.EventMajorReport, intake.EventMajorJoin, intake.EventMajorResolved, intake.EventMajorRefresh:
		return d.majors.handle(ctx, inc, msg, now)
	case intake.EventSLAClaim, intake.EventSLAResolve:
		return d.sla(ctx, inc, msg, now)
	}
	d.log.Warn("unknown system event ignored", "incident", inc.ID, "event", msg.Action)
	return nil, nil
}

// agent handles a card action or a thread reply by an agent.
func (d *Desk) agent(ctx context.Context, inc *intake.Incident, msg *intake.Message, now time.Time) ([]intake.Reply, error) {
	who := msg.From.ID
	switch msg.Action {
	case ActionClaim:
		return d.claim(ctx, inc, who, now)
	case ActionRelease:
		return d.release(ctx, inc, who, now)
	case ActionEscalate:
		return d.escalate(ctx, inc, who, intake.TierID(msg.Target), msg.Text, now)
	case ActionResolve:
		return d.resolve(ctx, inc, who, msg.Text, now)
	case "":
		return d.agentText(inc, msg, now), nil
	case ActionNote:
		d.note(inc, msg, strings.TrimSpace(msg.Text), now)
		return nil, nil
	case ActionReply:
		if strings.TrimSpace(msg.Text) == "" {
			return nil, nil
		}
		return []intake.Reply{d.relay(inc, msg)}, nil
	}
	return []intake.Reply{d.cards.inThread(inc, d.toAgents("unknown_action", msg.Action), who)}, nil
}

// claim gives the incident to who unless someone holds it. Exactly one of
// concurrent claimers wins: each handling runs on the version it read, and
// the store refuses all but the first write, so the others are handled again
// and find the incident claimed.
func (d *Desk) claim(ctx context.Context, inc *intake.Incident, who string, now time.Time) ([]intake.Reply, error) {
	switch {
	case inc.ClaimedBy == who:
		return []intake.Reply{d.cards.inThread(inc, d.toAgents("already_yours", inc.ID), who)}, nil
	case inc.ClaimedBy != "":
		return []intake.Reply{d.cards.notice(inc, who, text(d.toAgents("already_claimed", inc.ID)), mention(inc.ClaimedBy))}, nil
	case inc.Status != intake.StatusEscalated:
		return []intake.Reply{d.cards.inThread(inc, d.toAgents("cannot_claim", inc.ID, d.statusName(inc.Status)), who)}, nil
	}
	if err := inc.Transition(intake.StatusClaimed, who, now, d.toAgents("note_claimed")); err != nil {
		return nil, err
	}
	inc.ClaimedBy = who
	d.clocks.cancel(inc, inc.Tier)
	d.clocks.startResolve(inc, now)
	return []intake.Reply{d.cards.update(inc)}, nil
}

// release gives a claimed incident back to the tier; the claim clock restarts.
func (d *Desk) release(ctx context.Context, inc *intake.Incident, who string, now time.Time) ([]intake.Reply, error) {
	if inc.Status != intake.StatusClaimed || inc.ClaimedBy != who {
		return []intake.Reply{d.cards.inThread(inc, d.toAgents("only_holder", inc.ID), who)}, nil
	}
	d.clocks.cancel(inc, inc.Tier)
	if err := inc.Transition(intake.StatusEscalated, who, now, d.toAgents("note_released")); err != nil {
		return nil, err
	}
	inc.Timeline[len(inc.Timeline)-1].Tier = inc.Tier
	d.clocks.startClaim(inc, now)
	return []intake.Reply{d.cards.update(inc), d.cards.notice(inc, "", text(d.toAgents("released_by")), mention(who), text(d.toAgents("needs_owner")))}, nil
}

// escalate moves the incident to tier to (empty: the tier's next) with a note.
func (d *Desk) escalate(ctx context.Context, inc *intake.Incident, who string, to intake.TierID, note string, now time.Time) ([]intake.Reply, error) {
	if !inc.Open() {
		return []intake.Reply{d.cards.inThread(inc, d.toAgents("not_open", inc.ID, d.statusName(inc.Status)), who)}, nil
	}
	if to == "" {
		if t := d.tier(inc.Tier); t != nil {
			to = t.Next
		}
	}
	if to == "" || d.tier(to) == nil {
		return []intake.Reply{d.cards.inThread(inc, d.toAgents("no_such_tier", inc.ID, to), who)}, nil
	}
	from := inc.Tier
	replies, err := d.moveTo(inc, to, who, note, now)
	if err != nil {
		return nil, err
	}
	d.metrics.Escalated("agent", to)
	said := []intake.Span{text(d.toAgents("escalated_from", d.tierName(from))), mention(who)}
	if note != "" {
		said = append(said, text(": "+note))
	}
	return append(replies, d.cards.notice(inc, "", said...)), nil
}

// resolve closes the incident's work: the customer gets the resolution and
// the survey; a knowledge-tier resolution is shared with the team.
func (d *Desk) resolve(ctx context.Context, inc *intake.Incident, who, resolution string, now time.Time) ([]intake.Reply, error) {
	if !inc.Open() {
		return []intake.Reply{d.cards.inThread(inc, d.toAgents("already_status", inc.ID, d.statusName(inc.Status)), who)}, nil
	}
	if inc.ClaimedBy != "" && inc.ClaimedBy != who {
		return []intake.Reply{d.cards.notice(inc, who, text(d.toAgents("claimed_by_other", inc.ID)), mention(inc.ClaimedBy), text(d.toAgents("only_they")))}, nil
	}
	d.clocks.cancel(inc, inc.Tier)
	inc.Resolution = strings.TrimSpace(resolution)
	if err := inc.Transition(intake.StatusResolved, who, now, inc.Resolution); err != nil {
		return nil, err
	}
	replies := []intake.Reply{d.cards.update(inc), d.customers.resolved(inc, who)}
	if inc.Tier == d.knowledgeTier {
		replies = append(replies, d.knowledge.share(inc, who, now)...)
	}
	if err := d.majors.resolveChildren(ctx, inc); err != nil {
		return nil, err
	}
	return replies, nil
}

// agentText relays an agent's thread reply to the customer, unless it starts
// with the note prefix: then it stays on the timeline as an internal note.
func (d *Desk) agentText(inc *intake.Incident, msg *intake.Message, now time.Time) []intake.Reply {
	text := strings.TrimSpace(msg.Text)
	prefix := d.cfg.Channels.Slack.NotePrefix
	if prefix == "" {
		prefix = "//"
	}
	if strings.HasPrefix(text, prefix) || text == "" {
		d.note(inc, msg, strings.TrimSpace(strings.TrimPrefix(text, prefix)), now)
		return nil
	}
	return []intake.Reply{d.relay(inc, msg)}
}

// note records an agent's internal note on the timeline.
func (d *Desk) note(inc *intake.Incident, msg *intake.Message, text string, now time.Time) {
	inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: msg.From.ID, Channel: msg.Channel, MessageID: msg.ID, Text: text})
}

// relay is an agent's reply to the customer, on the customer's channel.
func (d *Desk) relay(inc *intake.Incident, msg *intake.Message) intake.Reply {
	author := msg.From.Name
	if author == "" {
		author = msg.From.ID
	}
	return intake.Reply{Text: strings.TrimSpace(msg.Text), Author: author, Language: inc.Language}
}

// fromCustomer posts a customer's message into the card's thread.
func (d *Desk) fromCustomer(inc *intake.Incident, msg *intake.Message) []intake.Reply {
	if inc.CardReply == "" || msg.Channel == intake.ChannelSystem {
		return nil
	}
	who := msg.From.Name
	if who == "" {
		who = msg.From.ID
	}
	text := d.toAgents("from_customer", who, msg.Text)
	for _, a := range msg.Attachments {
		text += d.toAgents("attachment", a.Name, a.Type, a.Size)
	}
	return []intake.Reply{d.cards.inThread(inc, text, "")}
}
