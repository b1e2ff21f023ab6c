package escalation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// sla handles a fired timer.
func (d *Desk) sla(ctx context.Context, inc *intake.Incident, msg *intake.Message, now time.Time) ([]intake.Reply, error) {
	p := msg.SLA
	if p == nil {
		// A timer scheduled by an earlier version carries its clock as JSON
		// in Text.
		p = &intake.SLAClock{}
		if err := json.Unmarshal([]byte(msg.Text), p); err != nil {
			d.log.Warn("undecodable SLA timer ignored", "incident", inc.ID, "err", err)
			return nil, nil
		}
	}
	t := d.tier(p.Tier)
	switch intake.SystemEvent(msg.Action) {
	case intake.EventSLAClaim:
		if t == nil || inc.Status != intake.StatusEscalated || inc.Tier != p.Tier || p.Step >= len(t.Steps) ||
			!lastStatusAt(inc, intake.StatusEscalated).Equal(p.Epoch) {
			return nil, nil // claimed, moved or resolved since: stale
		}
		// The first step at or past claim_within marks the breach, once.
		if s := t.Steps; s[p.Step].After >= t.ClaimWithin && (p.Step == 0 || s[p.Step-1].After < t.ClaimWithin) {
			d.metrics.SLABreached(t.ID, clockClaim)
		}
		return d.step(ctx, inc, t, t.Steps[p.Step], now)
	case intake.EventSLAResolve:
		if t == nil || inc.Status != intake.StatusClaimed || inc.ClaimedBy != p.Agent ||
			!lastStatusAt(inc, intake.StatusClaimed).Equal(p.Epoch) {
			return nil, nil
		}
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: inc.Tier, Text: d.toAgents("note_resolve_overdue")})
		d.metrics.SLABreached(t.ID, clockResolve)
		return []intake.Reply{d.cards.notice(inc, "", mention(inc.ClaimedBy),
			text(d.toAgents("resolve_overdue", inc.ID, t.ResolveWithin)))}, nil
	}
	return nil, nil
}

// step runs one escalation step of an unclaimed incident.
func (d *Desk) step(ctx context.Context, inc *intake.Incident, t *config.Tier, s config.Step, now time.Time) ([]intake.Reply, error) {
	waited := d.toAgents("waited", inc.ID, d.tierName(t.ID), s.After)
	switch s.Action {
	case config.ActionRemind:
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: t.ID, Text: d.toAgents("note_reminded", s.After)})
		return []intake.Reply{d.cards.notice(inc, "", intake.Span{Notify: "here"}, text(" "+waited+d.toAgents("please_claim")))}, nil
	case config.ActionEscalate:
		to := s.Tier
		if to == "" {
			to = t.Next
		}
		if to != "" && d.tier(to) != nil {
			replies, err := d.moveTo(inc, to, Actor, d.toAgents("note_unclaimed", s.After), now)
			if err != nil {
				return nil, err
			}
			d.metrics.Escalated("unclaimed", to)
			return append(replies, d.cards.inThread(inc, d.toAgents("auto_escalated", d.tierName(t.ID), s.After), "")), nil
		}
		fallthrough
	case config.ActionNotify:
		ch := s.Channel
		if ch == "" {
			ch = d.cfg.Channels.Slack.ManagerChannel
		}
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: t.ID, Text: d.toAgents("note_managers", s.After)})
		if ch == "" || d.deskOnly() {
			return nil, nil
		}
		return []intake.Reply{{Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: ch}, Text: waited + ".", Auto: true}}, nil
	}
	return nil, nil
}
