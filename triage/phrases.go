package triage

import (
	"fmt"
	"strings"
)

// phrases holds every bot sentence in es and en; other languages are never
// answered by the bot (they are escalated with an es+en acknowledgement).
var phrases = map[string]map[string]string{
	"greet": {
		"es": "Hola, soy el asistente de soporte. Ya registré tu caso.",
		"en": "Hi, I'm the support assistant. I've logged your case.",
	},
	"ask": {
		"es": "Voy a pasar tu caso a una persona del equipo de soporte. Para que no tenga que volver a preguntarte, ¿me indicas lo siguiente?",
		"en": "I'll pass your case to a person on the support team. So they don't have to ask you again, could you tell me the following?",
	},
	"choose": {
		"es": "Quiero asegurarme de entenderte. ¿Es alguno de estos?",
		"en": "I want to be sure I understand. Is it one of these?",
	},
	"choose_how": {
		"es": "Responde 1 o 2, o cuéntame un poco más del problema.",
		"en": "Reply 1 or 2, or tell me a bit more about the problem.",
	},
	"close_out_of_scope": {
		"es": "Cierro este caso. Si en realidad es un problema técnico, responde a este mensaje y lo verá una persona del equipo.",
		"en": "I'm closing this case. If it is a technical problem after all, reply to this message and a person on the team will look at it.",
	},
	"unanswered": {
		"es": "No tuve respuesta a mis preguntas, así que sigo adelante.",
		"en": "I didn't hear back on my questions, so I'm going ahead.",
	},
	"expired_question": {
		"es": "Como no tuvimos respuesta, cierro el caso. Si todavía necesitas ayuda, responde a este mensaje.",
		"en": "As we haven't heard back, I'm closing the case. If you still need help, reply to this message.",
	},
	"describe": {
		"es": "Hola, soy el asistente de soporte. ¿Me describes el problema con un poco más de detalle? Por ejemplo: qué intentabas hacer, qué mensaje aparece y desde cuándo pasa.",
		"en": "Hi, I'm the support assistant. Could you describe the problem in a bit more detail? For example: what you were trying to do, what message you see and since when it happens.",
	},
	"answer": {
		"es": "Esto suele resolverlo:",
		"en": "This usually solves it:",
	},
	"confirm": {
		// How to answer is each channel's to say: buttons in chat, a line
		// of reply words in email (channels/email/send.go).
		"es": "¿Se solucionó?",
		"en": "Did that solve it?",
	},
	"resolved": {
		"es": "¡Perfecto! Doy el caso por resuelto. Si vuelve a pasar, responde a este mensaje y lo reabrimos.",
		"en": "Great! I'm marking the case as resolved. If it happens again, reply to this message and we'll reopen it.",
	},
	"expired": {
		"es": "Como no tuvimos respuesta, doy el caso por resuelto. Si el problema sigue, responde a este mensaje y lo reabrimos.",
		"en": "As we haven't heard back, I'm marking the case as resolved. If the problem persists, reply to this message and we'll reopen it.",
	},
	"escalate": {
		// The desk's acknowledgement follows in the same message, with the
		// incident number and when a person will reply.
		"es": "Paso tu caso a un especialista del equipo de soporte, con todo lo que me contaste.",
		"en": "I'm passing your case to a support specialist with everything you've told me.",
	},
	"urgent": {
		// No timing here: the desk's acknowledgement, in the same message,
		// says whether the team is alerted now or when it will reply.
		"es": "Entendido, es urgente.",
		"en": "Understood, this is urgent.",
	},
	"first_checks": {
		"es": "Mientras tanto, estas comprobaciones pueden ayudar:",
		"en": "Meanwhile, these first checks may help:",
	},
	"yes": {"es": "Sí, se solucionó", "en": "Yes, solved"},
	"no":  {"es": "No, sigue igual", "en": "No, still broken"},
}

// detailQuestions asks for one detail by name.
var detailQuestions = map[string]map[string]string{
	"description":  {"es": "¿Qué ocurre exactamente y qué mensaje de error ves?", "en": "What exactly happens, and what error message do you see?"},
	"since":        {"es": "¿Desde cuándo ocurre?", "en": "Since when has it been happening?"},
	"impact":       {"es": "¿A quién afecta (solo a ti, a tu equipo, a toda la oficina) y te impide trabajar?", "en": "Who is affected (just you, your team, the whole office), and does it stop you from working?"},
	"address":      {"es": "¿En qué dirección (y piso u oficina) hay que ir?", "en": "What address (and floor or room) should we go to?"},
	"availability": {"es": "¿Qué días y horas te vienen bien para la visita?", "en": "Which days and times suit you for the visit?"},
}

// say returns phrase key in lang (es or en; anything else gets en).
func say(key, lang string) string {
	p := phrases[key]
	if s, ok := p[lang]; ok {
		return s
	}
	return p["en"]
}

// bilingual is the English and Spanish text of key, for languages the bot
// does not speak.
func bilingual(key string) string {
	return say(key, "en") + "\n\n" + say(key, "es")
}

func askDetails(names []string, lang string) string {
	var b strings.Builder
	b.WriteString(say("ask", lang))
	for _, n := range names {
		q := detailQuestions[n][replyLang(lang)]
		if q == "" {
			q = n + "?"
		}
		fmt.Fprintf(&b, "\n- %s", q)
	}
	return b.String()
}

// replyLang maps a language to the one the bot writes in.
func replyLang(lang string) string {
	if lang == "es" {
		return "es"
	}
	return "en"
}

// joinNames lists detail names for a note.
func joinNames(names []string) string { return strings.Join(names, ", ") }
