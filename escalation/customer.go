package escalation

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/intake-support/intake"
)

// ActionRatePrefix starts the action of a survey button: "rate:1" to "rate:5".
const ActionRatePrefix = "rate:"

// say picks the text in the customer's language: Spanish, English, or both
// when the language is neither.
func say(lang, es, en string) string {
	switch lang {
	case "es":
		return es
	case "en":
		return en
	}
	return es + "\n\n" + en
}

var diasES = [...]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}

// ackCustomer tells the customer their incident number, the tier's name in
// their language, and when a person will reply. It is the one text that
// states timing, so it never says two things: an urgent incident whose
// on-call target was alerted (oncall) or that arrives in business hours is
// "the team is alerted now"; anything else out of hours is "queued until"
// the next opening, in the desk's time zone.
func (d *Desk) ackCustomer(inc *intake.Incident, now time.Time, oncall bool) intake.Reply {
	es := fmt.Sprintf("Tu solicitud quedó registrada como %s y pasó a nuestro equipo de soporte (%s).", inc.ID, d.tierNameIn(inc.Tier, "es"))
	en := fmt.Sprintf("Your request is registered as %s and was passed to our support team (%s).", inc.ID, d.tierNameIn(inc.Tier, "en"))
	h := ClockFor(d.cfg, d.tier(inc.Tier))
	urgent := isUrgent(inc)
	switch {
	case urgent && (oncall || h.Open(now)):
		es += " Como es urgente, ya avisamos al equipo: una persona te responderá en este mismo hilo lo antes posible."
		en += " As it is urgent, the team has been alerted now: a person will follow up in this thread as soon as possible."
	case h.Open(now):
		es += " Una persona te responderá en este mismo hilo."
		en += " A person will follow up in this thread."
	default:
		next := h.NextOpen(now).In(h.loc())
		bh := d.cfg.BusinessHours
		es += fmt.Sprintf(" Ahora estamos fuera de horario de atención (%s a %s, %s): queda en cola y una persona te responderá en este mismo hilo a partir del %s %s a las %s.",
			bh.From, bh.To, h.loc(), diasES[next.Weekday()], next.Format("02/01"), next.Format("15:04"))
		en += fmt.Sprintf(" We are outside business hours (%s to %s, %s): it is queued and a person will follow up in this thread from %s.",
			bh.From, bh.To, h.loc(), next.Format("Monday Jan 2 at 15:04"))
		if urgent {
			es += " Lo marcamos como urgente: será lo primero que atendamos."
			en += " We marked it as urgent: it will be the first we take."
		}
	}
	return intake.Reply{Text: say(inc.Language, es, en), Language: inc.Language, Auto: true}
}

// resolvedCustomer gives the customer the resolution and the one-question survey.
func (d *Desk) resolvedCustomer(inc *intake.Incident, who string) intake.Reply {
	res := inc.Resolution
	if res == "" {
		res = "-"
	}
	es := fmt.Sprintf("Tu incidencia %s quedó resuelta.\n\nSolución: %s\n\n¿Qué tan satisfecho quedaste con la atención? Responde con un número del 1 (nada) al 5 (mucho).", inc.ID, res)
	en := fmt.Sprintf("Your incident %s is resolved.\n\nResolution: %s\n\nHow satisfied are you with the support you got? Reply with a number from 1 (not at all) to 5 (very).", inc.ID, res)
	r := intake.Reply{Text: say(inc.Language, es, en), Language: inc.Language, Author: who}
	for i := 1; i <= 5; i++ {
		r.Buttons = append(r.Buttons, intake.Button{Action: ActionRatePrefix + strconv.Itoa(i), Label: strconv.Itoa(i)})
	}
	return r
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
		Text: fmt.Sprintf("satisfaction %d/5", n)})
	out := intake.Outcome{Replies: []intake.Reply{{
		Text:     say(inc.Language, "¡Gracias por tu respuesta!", "Thank you for your answer!"),
		Language: inc.Language, Auto: true,
	}}}
	if inc.CardReply != "" {
		out.Replies = append(out.Replies, d.cardUpdate(inc))
	}
	return out, true
}
