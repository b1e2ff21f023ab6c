package escalation

import (
	"fmt"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// deskPhrases holds every text the desk writes to agents (cards, their
// threads, on-call pages, manager and knowledge posts, draft articles), in
// Spanish and English, as fmt formats. Agents read the desk's language
// (config.Config.DeskLanguage); any language but Spanish gets English.
// Mentions are spans of their own: a text a mention follows ends where the
// mention goes, and the text after it has a key of its own.
var deskPhrases = map[string]map[string]string{
	// Card buttons; their actions (ActionClaim...) are what adapters send back.
	"button_claim":    {"es": "Tomar", "en": "Claim"},
	"button_release":  {"es": "Liberar", "en": "Release"},
	"button_escalate": {"es": "Escalar", "en": "Escalate"},
	"button_resolve":  {"es": "Resolver", "en": "Resolve"},

	// The labels of a card's standard facts (intake.CardLabels).
	"label_customer":    {"es": "Cliente", "en": "Customer"},
	"label_channel":     {"es": "Canal", "en": "Channel"},
	"label_status":      {"es": "Estado", "en": "Status"},
	"label_tier":        {"es": "Nivel", "en": "Tier"},
	"label_language":    {"es": "Idioma", "en": "Language"},
	"label_category":    {"es": "Categoría", "en": "Category"},
	"label_claimed_by":  {"es": "Tomada por", "en": "Claimed by"},
	"label_unclaimed":   {"es": "sin tomar", "en": "unclaimed"},
	"label_claim_due":   {"es": "Tomar antes de", "en": "Claim due"},
	"label_resolve_due": {"es": "Resolver antes de", "en": "Resolve due"},
	"label_reports":     {"es": "Reportes", "en": "Reports"},
	"label_overdue":     {"es": "vencido", "en": "overdue"},
	"label_escalate_to": {"es": "Escalar a…", "en": "Escalate to…"},

	// Card fields.
	"field_language":     {"es": "Idioma detectado", "en": "Detected language"},
	"field_reason":       {"es": "Motivo", "en": "Reason"},
	"field_tried":        {"es": "Probado por el nivel I", "en": "Level I tried"},
	"field_resolution":   {"es": "Solución", "en": "Resolution"},
	"field_satisfaction": {"es": "Satisfacción", "en": "Satisfaction"},
	"field_moved":        {"es": "Movida", "en": "Moved"},
	"field_grouped":      {"es": "Agrupada", "en": "Grouped"},
	// moved_to: the tier the incident went to; the mover's mention follows.
	"moved_to": {"es": "a %s por ", "en": "to %s by "},
	// grouped_under: the major incident's number.
	"grouped_under": {"es": "bajo la incidencia mayor %s", "en": "under major incident %s"},
	"no_subject":    {"es": "(sin asunto)", "en": "(no subject)"},

	// The plain text of a card (fallback): the holder's name, the number of reports.
	"fallback_claimed_by": {"es": " (tomada por %s)", "en": " (claimed by %s)"},
	"fallback_reports":    {"es": " - %d reportes", "en": " - %d reports"},

	// Incident statuses, as sentences name them.
	"status_new":               {"es": "nueva", "en": "new"},
	"status_triage":            {"es": "en triaje", "en": "in triage"},
	"status_awaiting_customer": {"es": "esperando al cliente", "en": "awaiting the customer"},
	"status_escalated":         {"es": "escalada", "en": "escalated"},
	"status_claimed":           {"es": "tomada", "en": "claimed"},
	"status_resolved":          {"es": "resuelta", "en": "resolved"},
	"status_closed":            {"es": "cerrada", "en": "closed"},

	// Answers to agents' actions, shown to the agent alone. The incident's
	// number comes first; a status is a status_ phrase.
	"unknown_action":   {"es": "Acción desconocida %q.", "en": "Unknown action %q."},
	"already_yours":    {"es": "%s ya es tuya.", "en": "You already hold %s."},
	"already_claimed":  {"es": "%s ya está tomada por ", "en": "%s is already claimed by "},
	"cannot_claim":     {"es": "%s no se puede tomar: está %s.", "en": "%s cannot be claimed: it is %s."},
	"only_holder":      {"es": "Solo quien tiene %s puede liberarla.", "en": "Only the agent holding %s can release it."},
	"not_open":         {"es": "%s está %s.", "en": "%s is %s."},
	"no_such_tier":     {"es": "%s no se puede escalar: no existe el nivel %q.", "en": "%s cannot be escalated: no tier %q."},
	"already_status":   {"es": "%s ya está %s.", "en": "%s is already %s."},
	"claimed_by_other": {"es": "%s está tomada por ", "en": "%s is claimed by "},
	"only_they":        {"es": "; solo esa persona puede resolverla.", "en": "; only they can resolve it."},

	// Notices in a card's thread, for the tier. released_by and
	// escalated_from (the tier it left) are followed by the agent's mention.
	"released_by":    {"es": "Liberada por ", "en": "Released by "},
	"needs_owner":    {"es": "; necesita a alguien que la tome.", "en": "; it needs an owner."},
	"escalated_from": {"es": "Escalada desde %s por ", "en": "Escalated from %s by "},
	// from_customer: the customer's name and message; attachment: name, type, size.
	"from_customer": {"es": "%s (cliente): %s", "en": "%s (customer): %s"},
	"attachment":    {"es": "\n[adjunto: %s, %s, %d bytes]", "en": "\n[attachment: %s, %s, %d bytes]"},

	// SLA clocks. waited: the incident, its tier, for how long; the
	// holder's mention precedes resolve_overdue.
	"waited":          {"es": "%s espera sin que nadie la tome en %s desde hace %s", "en": "%s has waited unclaimed in %s for %s"},
	"please_claim":    {"es": "; por favor, tómenla.", "en": "; please claim it."},
	"auto_escalated":  {"es": "Escalada automáticamente: esperó sin que nadie la tomara en %s durante %s.", "en": "Escalated automatically: it waited unclaimed in %s for %s."},
	"resolve_overdue": {"es": " %s lleva tomada más de resolve_within (%s) y aún no está resuelta.", "en": " %s has been claimed for longer than resolve_within (%s) and is not resolved yet."},

	// The on-call page: the incident, in_hours or out_of_hours, when,
	// its category; the tier's channel follows.
	"oncall_page":  {"es": "La incidencia urgente %s llegó %s (%s), categoría %s; su tarjeta está en ", "en": "Urgent incident %s arrived %s (%s), category %s; its card is in "},
	"in_hours":     {"es": "en horario de atención", "en": "in business hours"},
	"out_of_hours": {"es": "fuera del horario de atención", "en": "out of business hours"},

	// The knowledge channel's post of a tier III resolution: tier and
	// incident, then the resolver's mention; the category ends it.
	"shared_resolved": {"es": "Resuelta en %s: %s", "en": "Resolved in %s: %s"},
	"shared_by":       {"es": " por ", "en": " by "},
	"shared_problem":  {"es": "Problema:", "en": "Problem:"},
	"shared_cause":    {"es": "Causa:", "en": "Cause:"},
	"shared_fix":      {"es": "Solución:", "en": "Fix:"},
	"shared_draft":    {"es": "\nCategoría: %s; un borrador de artículo para la base de conocimiento espera aprobación.", "en": "\nCategory: %s; a draft KB article awaits approval."},
	// Why routing skipped a rule (the web desk's and `intake route`'s
	// explanation): the rule's name and the reason, one of the miss_ phrases.
	"why_not":             {"es": "regla %q: %s", "en": "rule %q: %s"},
	"route_none":          {"es": "ninguna regla coincidió: primer nivel", "en": "no rule matched: first tier"},
	"miss_category":       {"es": "la categoría %q no está en %v", "en": "category %q not in %v"},
	"miss_language":       {"es": "el idioma %q no está en %v", "en": "language %q not in %v"},
	"miss_language_not":   {"es": "el idioma %q está en language_not %v", "en": "language %q is in language_not %v"},
	"miss_channel":        {"es": "el canal %q no está en %v", "en": "channel %q not in %v"},
	"miss_domain":         {"es": "el dominio del remitente %q no está en %v", "en": "sender domain %q not in %v"},
	"miss_keywords":       {"es": "ninguna de las palabras clave %v está en el texto", "en": "none of the keywords %v in the text"},
	"miss_regex":          {"es": "la regex %q no coincide", "en": "regex %q does not match"},
	"miss_min_confidence": {"es": "la confianza %.2f es menor que min_confidence %.2f", "en": "confidence %.2f below min_confidence %.2f"},
	"miss_max_confidence": {"es": "la confianza %.2f es mayor que max_confidence %.2f", "en": "confidence %.2f above max_confidence %.2f"},
	"miss_vip":            {"es": "vip es %t, se pide %t", "en": "vip is %t, want %t"},
	"miss_hours":          {"es": "business_hours es %t, se pide %t", "en": "business_hours is %t, want %t"},
	"miss_urgent":         {"es": "urgent es %t, se pide %t", "en": "urgent is %t, want %t"},

	// Notes on the incident's timeline, which the web desk and inspect show.
	// note_routed: the tier and why (why_rule names the rule).
	"note_routed":          {"es": "enviada a %s: %s", "en": "routed to %s: %s"},
	"why_forced":           {"es": "la eligió el nivel I", "en": "forced by level I"},
	"why_rule":             {"es": "regla %s", "en": "rule %s"},
	"why_none":             {"es": "ninguna regla coincidió", "en": "no rule matched"},
	"note_claimed":         {"es": "tomada", "en": "claimed"},
	"note_released":        {"es": "liberada", "en": "released"},
	"note_satisfaction":    {"es": "satisfacción %d/5", "en": "satisfaction %d/5"},
	"note_grouped":         {"es": "agrupada bajo la incidencia mayor %s", "en": "grouped under major incident %s"},
	"note_major_resolved":  {"es": "incidencia mayor %s resuelta", "en": "major incident %s resolved"},
	"note_oncall":          {"es": "guardia avisada en %s", "en": "on-call alerted in %s"},
	"note_resolve_overdue": {"es": "resolve_within vencido", "en": "resolve_within passed"},
	// The claim clock's steps: how long the incident waited.
	"note_reminded":  {"es": "recordatorio: sin tomar desde hace %s", "en": "reminder: unclaimed for %s"},
	"note_unclaimed": {"es": "sin tomar desde hace %s", "en": "unclaimed for %s"},
	"note_managers":  {"es": "aviso a responsables: sin tomar desde hace %s", "en": "managers notified: unclaimed for %s"},
	"note_shared":    {"es": "compartida con el equipo; borrador de artículo escrito", "en": "shared with the team; draft KB article written"},

	// draft_header opens a draft article file (a YAML comment): incident, tier.
	"draft_header": {"es": "# Borrador de %s (nivel %s). Revísalo, completa el otro idioma y muévelo a la carpeta de la base de conocimiento.\n", "en": "# Draft from %s (tier %s). Review, complete the other language, and move into the KB folder.\n"},
}

// deskLang is the language of the agents' texts in cfg: Spanish when the
// desk's language is, else English.
func deskLang(cfg *config.Config) string {
	if cfg.DeskLanguage() == "es" {
		return "es"
	}
	return "en"
}

// deskPhrase returns desk phrase key in l (es or en), formatted with args.
func deskPhrase(key, l string, args ...any) string { return fmt.Sprintf(deskPhrases[key][l], args...) }

// toAgents returns desk phrase key in the desk's language, formatted with args.
func (s *scope) toAgents(key string, args ...any) string {
	return deskPhrase(key, deskLang(s.cfg), args...)
}

// statusName is a status as agents read it.
func (s *scope) statusName(st intake.Status) string {
	if _, ok := deskPhrases["status_"+string(st)]; !ok {
		return string(st)
	}
	return s.toAgents("status_" + string(st))
}

// deskTime writes a moment for agents, in the business-hours time zone.
func (s *scope) deskTime(t time.Time) string {
	loc := s.cfg.BusinessHours.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if deskLang(s.cfg) == "es" {
		return diasES[t.Weekday()] + " " + t.Format("2006-01-02 15:04 MST")
	}
	return t.Format("Mon 2006-01-02 15:04 MST")
}
