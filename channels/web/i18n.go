package web

import (
	"net/http"
	"strings"
)

// phrases are the desk's words, per language; every key exists in both.
var phrases = map[string]map[string]string{
	"en": {
		"title": "Support desk", "signin": "Sign in", "email": "Email", "password": "Password", "signout": "Sign out",
		"queue": "Queue", "manage": "Managers' view", "tier": "Tier", "all_tiers": "All my tiers",
		"incident": "Incident", "status": "Status", "sla": "SLA left", "claim_due": "Claim by", "resolve_due": "Resolve by", "language": "Language", "category": "Category",
		"customer": "Customer", "channel": "Channel", "subject": "Subject", "claimed_by": "Claimed by",
		"unclaimed": "unclaimed", "overdue": "overdue", "empty_queue": "Nothing waiting. New incidents appear here as they arrive.",
		"conversation": "Conversation", "details": "What the bot collected", "timeline": "Timeline", "notes": "Internal notes",
		"claim": "Claim", "release": "Release", "escalate": "Escalate", "resolve": "Resolve", "reply": "Reply to the customer",
		"note": "Add internal note", "send_reply": "Send reply", "add_note": "Add note", "resolution": "Resolution",
		"escalate_to": "Escalate to", "next_tier": "the next tier", "note_optional": "Note (optional)",
		"no_messages": "No messages yet.", "no_notes": "No notes yet.", "bot": "bot", "you": "you",
		"read_only": "You can read this incident; only agents of its tier can act on it.",
		"live":      "Live updates on", "offline": "Live updates paused; reload to refresh",
		"back": "Back to the queue", "language_switch": "Español", "other_lang": "es",
		"period": "Period", "from": "From", "to": "To", "show": "Show",
		"volumes": "Volumes", "incidents": "incidents", "deflection": "Resolved by Level I", "first_reply": "Time to first reply",
		"claim_time": "Time to claim", "resolve_time": "Time to resolve", "breaches": "SLA breaches", "csat": "Satisfaction",
		"by_tier": "By tier", "by_category": "By category", "by_language": "By language", "by_channel": "By channel",
		"median": "median", "target": "target", "answers": "answers", "count": "count",
		"route_title": "Routing dry-run", "route_text": "Message", "route_from": "Sender (optional)", "route_go": "Route",
		"article": "Article", "missing": "Missing details", "action": "Action", "rule": "Rule", "confidence": "Confidence",
		"kb_title": "Knowledge base", "answered": "Answered", "failed": "Did not help",
		"error": "Something is wrong", "refused": "Refused",
	},
	"es": {
		"title": "Mesa de soporte", "signin": "Entrar", "email": "Correo", "password": "Contraseña", "signout": "Salir",
		"queue": "Cola", "manage": "Vista de gestión", "tier": "Nivel", "all_tiers": "Todos mis niveles",
		"incident": "Incidente", "status": "Estado", "sla": "SLA restante", "claim_due": "Tomar antes de", "resolve_due": "Resolver antes de", "language": "Idioma", "category": "Categoría",
		"customer": "Cliente", "channel": "Canal", "subject": "Asunto", "claimed_by": "Tomado por",
		"unclaimed": "sin tomar", "overdue": "vencido", "empty_queue": "Nada en espera. Los incidentes nuevos aparecen aquí al llegar.",
		"conversation": "Conversación", "details": "Lo que reunió el bot", "timeline": "Historial", "notes": "Notas internas",
		"claim": "Tomar", "release": "Liberar", "escalate": "Escalar", "resolve": "Resolver", "reply": "Responder al cliente",
		"note": "Añadir nota interna", "send_reply": "Enviar respuesta", "add_note": "Añadir nota", "resolution": "Resolución",
		"escalate_to": "Escalar a", "next_tier": "el siguiente nivel", "note_optional": "Nota (opcional)",
		"no_messages": "Aún no hay mensajes.", "no_notes": "Aún no hay notas.", "bot": "bot", "you": "tú",
		"read_only": "Puedes leer este incidente; solo los agentes de su nivel pueden actuar.",
		"live":      "Actualización en vivo", "offline": "Actualización en pausa; recarga la página",
		"back": "Volver a la cola", "language_switch": "English", "other_lang": "en",
		"period": "Periodo", "from": "Desde", "to": "Hasta", "show": "Mostrar",
		"volumes": "Volumen", "incidents": "incidentes", "deflection": "Resueltos por el Nivel I", "first_reply": "Tiempo a la primera respuesta",
		"claim_time": "Tiempo hasta tomarlo", "resolve_time": "Tiempo hasta resolverlo", "breaches": "SLA incumplidos", "csat": "Satisfacción",
		"by_tier": "Por nivel", "by_category": "Por categoría", "by_language": "Por idioma", "by_channel": "Por canal",
		"median": "mediana", "target": "objetivo", "answers": "respuestas", "count": "número",
		"route_title": "Prueba de enrutamiento", "route_text": "Mensaje", "route_from": "Remitente (opcional)", "route_go": "Enrutar",
		"article": "Artículo", "missing": "Datos faltantes", "action": "Acción", "rule": "Regla", "confidence": "Confianza",
		"kb_title": "Base de conocimiento", "answered": "Respondió", "failed": "No ayudó",
		"error": "Algo salió mal", "refused": "Rechazado",
	},
}

// langCookie keeps the language a person picked.
const langCookie = "intake_lang"

// language picks es or en: the ?lang= choice, then the cookie, then the
// browser's Accept-Language.
func language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); phrases[l] != nil {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && phrases[c.Value] != nil {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if base, _, _ := strings.Cut(tag, "-"); phrases[base] != nil {
			return base
		}
	}
	return "en"
}
