package escalation

import (
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// isUrgent reports whether an incident calls for a person at once: Level I
// found urgency or outage words, or it is an outage.
func isUrgent(inc *intake.Incident) bool {
	return inc.Category == "outage" || (inc.Escalation != nil && inc.Escalation.Reason == "urgent")
}

// onCall pages the on-call target of an urgent incident.
type onCall struct{ *scope }

// target returns the on-call target to alert for an urgent incident in
// tier at now: the tier's own when it covers now, else the desk-wide one when
// it does; ok is false when nobody is on call then.
func (d onCall) target(tier intake.TierID, now time.Time) (config.OnCall, bool) {
	bh := d.cfg.BusinessHours
	open := NewHours(bh).Open(now)
	if t := d.tier(tier); t != nil && t.OnCall.Enabled() && t.OnCall.Hours.Covers(now, bh, open) {
		return t.OnCall, true
	}
	if o := d.cfg.OnCall; o.Enabled() && o.Hours.Covers(now, bh, open) {
		return o, true
	}
	return config.OnCall{}, false
}

// alert pages the on-call target of an urgent incident that has just
// reached the humans, and records it on the timeline. It reports false, with
// no reply, when the incident is not urgent or nobody is on call.
func (d onCall) alert(inc *intake.Incident, now time.Time) (intake.Reply, bool) {
	if !isUrgent(inc) {
		return intake.Reply{}, false
	}
	oc, ok := d.target(inc.Tier, now)
	if !ok {
		return intake.Reply{}, false
	}
	when := d.toAgents("in_hours")
	if !NewHours(d.cfg.BusinessHours).Open(now) {
		when = d.toAgents("out_of_hours")
	}
	// The mention and the channel link are data: the adapter renders them
	// (in Slack the mention notifies).
	var spans []intake.Span
	if m, ok := onCallMention(oc.Mention); ok {
		spans = append(spans, m, text(" "))
	}
	spans = append(spans, text(d.toAgents("oncall_page", inc.ID, when, d.deskTime(now), orDash(inc.Category))), intake.Span{Channel: d.tierConv(inc.Tier).Address}, text("."))
	inc.Record(intake.Event{Kind: intake.EventNote, At: now, Actor: Actor, Tier: inc.Tier, Text: d.toAgents("note_oncall", oc.SlackChannel)})
	return intake.Reply{Conversation: intake.Conversation{Channel: intake.ChannelSlack, Address: oc.SlackChannel},
		Text: intake.PlainText(spans), Rich: spans, Auto: true}, true
}

// onCallMention is the on-call target as a mention: a user group (an ID
// starting with S), a user, @here or @channel; false for none.
func onCallMention(m string) (intake.Span, bool) {
	switch {
	case m == "":
		return intake.Span{}, false
	case m == "here" || m == "channel":
		return intake.Span{Notify: m}, true
	case m[0] == 'S':
		return intake.Span{Group: m}, true
	}
	return intake.Span{User: m}, true
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
