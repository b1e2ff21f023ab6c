package escalation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

func claimTimerID(id intake.IncidentID, step int) string {
	return "sla:" + string(id) + ":claim:" + strconv.Itoa(step)
}

func resolveTimerID(id intake.IncidentID) string { return "sla:" + string(id) + ":resolve" }

// schedule asks the spine to deliver event with clock to the desk at due,
// through the shared durable timers, once this handling is stored.
func (d *Desk) schedule(id string, due time.Time, event intake.SystemEvent, clock intake.SLAClock) {
	r := intake.ScheduleTimer(id, due, event)
	r.SLA = &clock
	d.fx.Timers = append(d.fx.Timers, r)
}

// scheduleClaim starts the claim clock of inc in its tier: one timer per step.
func (d *Desk) scheduleClaim(inc *intake.Incident, epoch time.Time) {
	t := d.tier(inc.Tier)
	if t == nil {
		return
	}
	h := ClockFor(d.cfg, t)
	for i, s := range t.Steps {
		d.schedule(claimTimerID(inc.ID, i), h.AddBusiness(epoch, s.After), intake.EventSLAClaim, intake.SLAClock{Tier: t.ID, Step: i, Epoch: epoch})
	}
}

// scheduleResolve starts the resolve clock of a claimed incident.
func (d *Desk) scheduleResolve(inc *intake.Incident, epoch time.Time) {
	t := d.tier(inc.Tier)
	if t == nil || t.ResolveWithin <= 0 {
		return
	}
	d.schedule(resolveTimerID(inc.ID), ClockFor(d.cfg, t).AddBusiness(epoch, t.ResolveWithin), intake.EventSLAResolve,
		intake.SLAClock{Tier: t.ID, Agent: inc.ClaimedBy, Epoch: epoch})
}

// cancelTimers stops the SLA clocks of inc in tier. Cancelling is only an
// optimisation: a timer that fires anyway finds its epoch stale.
func (d *Desk) cancelTimers(inc *intake.Incident, tier intake.TierID) {
	d.fx.Timers = append(d.fx.Timers, intake.CancelTimer(resolveTimerID(inc.ID)))
	if t := d.tier(tier); t != nil {
		for i := range t.Steps {
			d.fx.Timers = append(d.fx.Timers, intake.CancelTimer(claimTimerID(inc.ID, i)))
		}
	}
}

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
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: inc.Tier, Text: "resolve_within passed"})
		d.metrics.SLABreached(t.ID, clockResolve)
		return []intake.Reply{d.notice(inc, "", mention(inc.ClaimedBy),
			text(fmt.Sprintf(" %s has been claimed for longer than resolve_within (%s) and is not resolved yet.", inc.ID, t.ResolveWithin)))}, nil
	}
	return nil, nil
}

// step runs one escalation step of an unclaimed incident.
func (d *Desk) step(ctx context.Context, inc *intake.Incident, t *config.Tier, s config.Step, now time.Time) ([]intake.Reply, error) {
	waited := fmt.Sprintf("%s has waited unclaimed in %s for %s", inc.ID, d.tierName(t.ID), s.After)
	switch s.Action {
	case config.ActionRemind:
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: t.ID, Text: "reminder: unclaimed for " + s.After.String()})
		return []intake.Reply{d.notice(inc, "", intake.Span{Notify: "here"}, text(" "+waited+"; please claim it."))}, nil
	case config.ActionEscalate:
		to := s.Tier
		if to == "" {
			to = t.Next
		}
		if to != "" && d.tier(to) != nil {
			replies, err := d.moveTo(inc, to, Actor, "unclaimed for "+s.After.String(), now)
			if err != nil {
				return nil, err
			}
			d.metrics.Escalated("unclaimed", to)
			return append(replies, d.inThread(inc, fmt.Sprintf("Escalated automatically: it waited unclaimed in %s for %s.", d.tierName(t.ID), s.After), "")), nil
		}
		fallthrough
	case config.ActionNotify:
		ch := s.Channel
		if ch == "" {
			ch = d.cfg.Channels.Slack.ManagerChannel
		}
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: t.ID, Text: "managers notified: unclaimed for " + s.After.String()})
		if ch == "" || d.deskOnly() {
			return nil, nil
		}
		return []intake.Reply{{Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: ch}, Text: waited + ".", Auto: true}}, nil
	}
	return nil, nil
}
