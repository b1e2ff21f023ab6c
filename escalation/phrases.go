package escalation

import (
	"fmt"
	"time"
)

// phrases holds every sentence the desk writes to customers, in Spanish and
// English, as fmt formats. A customer whose language is neither gets both.
var phrases = map[string]map[string]string{
	// ack: the incident number and the tier's name in the customer's language.
	"ack": {
		"es": "Tu solicitud quedó registrada como %s y pasó a nuestro equipo de soporte (%s).",
		"en": "Your request is registered as %s and was passed to our support team (%s).",
	},
	"ack_urgent_now": {
		"es": " Como es urgente, ya avisamos al equipo: una persona te responderá en este mismo hilo lo antes posible.",
		"en": " As it is urgent, the team has been alerted now: a person will follow up in this thread as soon as possible.",
	},
	"ack_open": {
		"es": " Una persona te responderá en este mismo hilo.",
		"en": " A person will follow up in this thread.",
	},
	// ack_closed: opening and closing time, time zone, then the next
	// opening (see when).
	"ack_closed": {
		"es": " Ahora estamos fuera de horario de atención (%s a %s, %s): queda en cola y una persona te responderá en este mismo hilo a partir del %s.",
		"en": " We are outside business hours (%s to %s, %s): it is queued and a person will follow up in this thread from %s.",
	},
	"ack_urgent_queued": {
		"es": " Lo marcamos como urgente: será lo primero que atendamos.",
		"en": " We marked it as urgent: it will be the first we take.",
	},
	// grouped: the report's number and its major incident's.
	"grouped": {
		"es": "Tu reporte quedó registrado como %s. Estamos atendiendo una falla general que afecta a varias personas (%s); te avisaremos en cuanto quede resuelta.",
		"en": "Your report is registered as %s. We are working on a wider problem affecting several people (%s); we will let you know as soon as it is resolved.",
	},
	// resolved: the incident's number and the resolution, then the survey.
	"resolved": {
		"es": "Tu incidencia %s quedó resuelta.\n\nSolución: %s\n\n¿Qué tan satisfecho quedaste con la atención? Responde con un número del 1 (nada) al 5 (mucho).",
		"en": "Your incident %s is resolved.\n\nResolution: %s\n\nHow satisfied are you with the support you got? Reply with a number from 1 (not at all) to 5 (very).",
	},
	"thanks": {
		"es": "¡Gracias por tu respuesta!",
		"en": "Thank you for your answer!",
	},
	// cause starts the cause in the answer of a draft KB article.
	"cause": {
		"es": "Causa: ",
		"en": "Cause: ",
	},
}

// phrase returns phrase key in l (es or en), formatted with args.
func phrase(key, l string, args ...any) string { return fmt.Sprintf(phrases[key][l], args...) }

// say writes a text in the customer's language lang with in, which composes
// it in one language (es or en); any other language gets the Spanish text
// then the English one.
func say(lang string, in func(l string) string) string {
	if lang == "es" || lang == "en" {
		return in(lang)
	}
	return in("es") + "\n\n" + in("en")
}

var diasES = [...]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}

// when writes a moment for a customer in l: "lunes 23/11 a las 10:00",
// "Monday Nov 23 at 10:00".
func when(l string, t time.Time) string {
	if l == "es" {
		return diasES[t.Weekday()] + " " + t.Format("02/01") + " a las " + t.Format("15:04")
	}
	return t.Format("Monday Jan 2 at 15:04")
}
