package escalation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/metrics"
)

// The actions of SLA timer messages.
const (
	SLAClaim   = "sla:claim"
	SLAResolve = "sla:resolve"
)

// timerPayload is what an SLA timer carries and its message repeats. Epoch
// is when the clock started (arrival in the tier, or the claim); a timer
// whose epoch is no longer the incident's is stale and does nothing.
type timerPayload struct {
	Incident intake.IncidentID `json:"incident"`
	Action   string            `json:"action"`
	Tier     intake.TierID     `json:"tier"`
	Step     int               `json:"step"`
	Agent    string            `json:"agent,omitempty"`
	Epoch    time.Time         `json:"epoch"`
}

func claimTimerID(id intake.IncidentID, step int) string {
	return "sla:" + string(id) + ":claim:" + strconv.Itoa(step)
}

func resolveTimerID(id intake.IncidentID) string { return "sla:" + string(id) + ":resolve" }

// schedule arranges for the system message of p to reach the desk at due,
// through the shared durable timers (channels.TimerRunner fires them).
func (d *Desk) schedule(ctx context.Context, id string, due time.Time, p timerPayload) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("schedule %s: %w", id, err)
	}
	msg := channels.SystemMessage(p.Incident, p.Action)
	msg.From.ID = "sla"
	msg.Target = string(p.Tier)
	msg.Text = string(b)
	return channels.ScheduleMessage(ctx, d.st, id, due, msg)
}

// scheduleClaim starts the claim clock of inc in its tier: one timer per step.
func (d *Desk) scheduleClaim(ctx context.Context, inc *intake.Incident, epoch time.Time) error {
	t := d.tier(inc.Tier)
	if t == nil {
		return nil
	}
	h := ClockFor(d.cfg, t)
	for i, s := range t.Steps {
		p := timerPayload{Incident: inc.ID, Action: SLAClaim, Tier: t.ID, Step: i, Epoch: epoch}
		if err := d.schedule(ctx, claimTimerID(inc.ID, i), h.AddBusiness(epoch, s.After), p); err != nil {
			return err
		}
	}
	return nil
}

// scheduleResolve starts the resolve clock of a claimed incident.
func (d *Desk) scheduleResolve(ctx context.Context, inc *intake.Incident, epoch time.Time) error {
	t := d.tier(inc.Tier)
	if t == nil || t.ResolveWithin <= 0 {
		return nil
	}
	p := timerPayload{Incident: inc.ID, Action: SLAResolve, Tier: t.ID, Agent: inc.ClaimedBy, Epoch: epoch}
	return d.schedule(ctx, resolveTimerID(inc.ID), ClockFor(d.cfg, t).AddBusiness(epoch, t.ResolveWithin), p)
}

// cancelTimers stops the SLA clocks of inc in tier. Cancelling is only an
// optimisation: a timer that fires anyway finds its epoch stale.
func (d *Desk) cancelTimers(ctx context.Context, inc *intake.Incident, tier intake.TierID) error {
	ids := []string{resolveTimerID(inc.ID)}
	if t := d.tier(tier); t != nil {
		for i := range t.Steps {
			ids = append(ids, claimTimerID(inc.ID, i))
		}
	}
	for _, id := range ids {
		if err := d.st.CancelTimer(ctx, id); err != nil {
			return fmt.Errorf("cancel timer %s: %w", id, err)
		}
	}
	return nil
}

// sla handles a fired timer.
func (d *Desk) sla(ctx context.Context, inc *intake.Incident, msg *intake.Message, now time.Time) ([]intake.Reply, error) {
	var p timerPayload
	if err := json.Unmarshal([]byte(msg.Text), &p); err != nil {
		d.log.Warn("undecodable SLA timer ignored", "incident", inc.ID, "err", err)
		return nil, nil
	}
	t := d.tier(p.Tier)
	switch p.Action {
	case SLAClaim:
		if t == nil || inc.Status != intake.StatusEscalated || inc.Tier != p.Tier || p.Step >= len(t.Steps) ||
			!lastStatusAt(inc, intake.StatusEscalated).Equal(p.Epoch) {
			return nil, nil // claimed, moved or resolved since: stale
		}
		// The first step at or past claim_within marks the breach, once.
		if s := t.Steps; s[p.Step].After >= t.ClaimWithin && (p.Step == 0 || s[p.Step-1].After < t.ClaimWithin) {
			d.metrics.SLABreached(t.ID, metrics.ClockClaim)
		}
		return d.step(ctx, inc, t, t.Steps[p.Step], now)
	case SLAResolve:
		if t == nil || inc.Status != intake.StatusClaimed || inc.ClaimedBy != p.Agent ||
			!lastStatusAt(inc, intake.StatusClaimed).Equal(p.Epoch) {
			return nil, nil
		}
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: inc.Tier, Text: "resolve_within passed"})
		d.metrics.SLABreached(t.ID, metrics.ClockResolve)
		return []intake.Reply{d.notice(inc, fmt.Sprintf("%s %s has been claimed for longer than resolve_within (%s) and is not resolved yet.",
			mention(inc.ClaimedBy), inc.ID, t.ResolveWithin), "")}, nil
	}
	return nil, nil
}

// step runs one escalation step of an unclaimed incident.
func (d *Desk) step(ctx context.Context, inc *intake.Incident, t *config.Tier, s config.Step, now time.Time) ([]intake.Reply, error) {
	waited := fmt.Sprintf("%s has waited unclaimed in %s for %s", inc.ID, d.tierName(t.ID), s.After)
	switch s.Action {
	case config.ActionRemind:
		inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: t.ID, Text: "reminder: unclaimed for " + s.After.String()})
		return []intake.Reply{d.notice(inc, "<!here> "+waited+"; please claim it.", "")}, nil
	case config.ActionEscalate:
		to := s.Tier
		if to == "" {
			to = t.Next
		}
		if to != "" && d.tier(to) != nil {
			replies, err := d.moveTo(ctx, inc, to, Actor, "unclaimed for "+s.After.String(), now)
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

// FireDue feeds every due timer into inbox once (one pass of RunTimers).
func (d *Desk) FireDue(ctx context.Context, inbox channels.Inbox) (int, error) {
	return d.runner(inbox).FireDue(ctx)
}

// RunTimers feeds due timers into inbox every poll interval until ctx is done.
func (d *Desk) RunTimers(ctx context.Context, inbox channels.Inbox) error {
	return d.runner(inbox).Run(ctx)
}

func (d *Desk) runner(inbox channels.Inbox) *channels.TimerRunner {
	return &channels.TimerRunner{Store: d.st, Inbox: inbox, Clock: d.clock, Poll: d.poll, Logger: d.log}
}
