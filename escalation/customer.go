package escalation

import (
	"strconv"
	"strings"
	"time"

	"github.com/intake-support/intake"
)

// ActionRatePrefix starts the action of a survey button: "rate:1" to "rate:5".
const ActionRatePrefix = "rate:"

// customers writes what the desk tells customers, in their language
// (phrases.go): the acknowledgement, the resolution with its survey.
type customers struct{ *scope }

// ack tells the customer their incident number, the tier's name in
// their language, and when a person will reply. It is the one text that
// states timing, so it never says two things: an urgent incident whose
// on-call target was alerted (oncall) or that arrives in business hours is
// "the team is alerted now"; anything else out of hours is "queued until"
// the next opening, in the desk's time zone.
func (c customers) ack(inc *intake.Incident, now time.Time, oncall bool) intake.Reply {
	h := ClockFor(c.cfg, c.tier(inc.Tier))
	urgent := isUrgent(inc)
	in := func(l string) string {
		s := phrase("ack", l, inc.ID, c.tierNameIn(inc.Tier, l))
		switch {
		case urgent && (oncall || h.Open(now)):
			s += phrase("ack_urgent_now", l)
		case h.Open(now):
			s += phrase("ack_open", l)
		default:
			bh := c.cfg.BusinessHours
			s += phrase("ack_closed", l, bh.From, bh.To, h.loc(), when(l, h.NextOpen(now).In(h.loc())))
			if urgent {
				s += phrase("ack_urgent_queued", l)
			}
		}
		return s
	}
	return intake.Reply{Text: say(inc.Language, in), Language: inc.Language, Auto: true}
}

// grouped tells the customer their report joined major incident parent.
func (c customers) grouped(inc *intake.Incident, parent intake.IncidentID) intake.Reply {
	in := func(l string) string { return phrase("grouped", l, inc.ID, parent) }
	return intake.Reply{Text: say(inc.Language, in), Language: inc.Language, Auto: true}
}

// resolved gives the customer the resolution and the one-question survey.
func (c customers) resolved(inc *intake.Incident, who string) intake.Reply {
	res := inc.Resolution
	if res == "" {
		res = "-"
	}
	in := func(l string) string { return phrase("resolved", l, inc.ID, res) }
	r := intake.Reply{Text: say(inc.Language, in), Language: inc.Language, Author: who}
	for i := 1; i <= 5; i++ {
		r.Buttons = append(r.Buttons, intake.Button{Action: ActionRatePrefix + strconv.Itoa(i), Label: strconv.Itoa(i)})
	}
	return r
}

// thanks thanks the customer for answering the survey.
func (c customers) thanks(inc *intake.Incident) intake.Reply {
	return intake.Reply{Text: say(inc.Language, func(l string) string { return phrase("thanks", l) }), Language: inc.Language, Auto: true}
}

// surveyAsked reports whether the customer was sent the survey.
func surveyAsked(inc *intake.Incident) bool {
	for _, e := range inc.Timeline {
		if e.Kind == intake.EventReply && e.Reply != nil && len(e.Reply.Buttons) > 0 &&
			strings.HasPrefix(e.Reply.Buttons[0].Action, ActionRatePrefix) {
			return true
		}
	}
	return false
}

// rating reads a survey answer: a rate:N button or a message that is just a
// digit from 1 to 5 (such as "4", "4/5" or "5!").
func rating(msg *intake.Message) int {
	s := strings.TrimSpace(msg.Text)
	if a, ok := strings.CutPrefix(msg.Action, ActionRatePrefix); ok {
		s = a
	}
	s = strings.TrimRight(strings.TrimSuffix(s, "/5"), ".! ")
	if len(s) == 1 && s[0] >= '1' && s[0] <= '5' {
		return int(s[0] - '0')
	}
	return 0
}

// SurveyAnswer records a customer's answer to the satisfaction survey on a
// resolved incident, thanks them and updates the card. It reports false,
// changing nothing, when msg is not such an answer. The spine asks it first
// about a customer's message on a resolved incident (channels.Humans).
func (d *Desk) SurveyAnswer(inc *intake.Incident, msg *intake.Message) (intake.Outcome, bool) {
	d = d.bound()
	if msg.FromAgent || inc.Open() || inc.Satisfaction != 0 || !surveyAsked(inc) {
		return intake.Outcome{}, false
	}
	n := rating(msg)
	if n == 0 {
		return intake.Outcome{}, false
	}
	inc.Satisfaction = n
	inc.Record(intake.Event{Kind: intake.EventNote, At: d.clock(), Actor: msg.From.ID, Channel: msg.Channel, MessageID: msg.ID,
		Text: d.toAgents("note_satisfaction", n)})
	out := intake.Outcome{Replies: []intake.Reply{d.customers.thanks(inc)}}
	if inc.CardReply != "" {
		out.Replies = append(out.Replies, d.cards.update(inc))
	}
	return out, true
}
