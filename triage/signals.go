package triage

import (
	"slices"
	"strings"

	"github.com/intake-support/intake/internal/textproc"
)

// normalized is a message reduced to folded tokens joined by single spaces,
// with a space at each end, so phrase checks are substring checks.
type normalized struct {
	s     string
	words int
}

func normalize(text string) normalized {
	toks := textproc.Tokens(text)
	return normalized{s: " " + strings.Join(toks, " ") + " ", words: len(toks)}
}

func (n normalized) hasAny(phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(n.s, " "+p+" ") {
			return true
		}
	}
	return false
}

// Phrases that ask for a person, in every supported language (folded).
var humanPhrases = []string{
	"hablar con una persona", "hablar con alguien", "hablar con un agente", "hablar con un humano",
	"hablar con un tecnico", "quiero un humano", "persona real", "atencion humana", "pasame con",
	"talk to a human", "talk to a person", "talk to someone", "talk to an agent", "speak to a human",
	"speak to a person", "speak to someone", "speak with someone", "speak to an agent", "real person",
	"human please", "live agent", "human agent", "a real human", "connect me to an agent", "transfer me",
	"falar com uma pessoa", "falar com um atendente", "falar com alguem", "parler a quelqu un",
	"parler a une personne", "parler a un humain", "un conseiller", "mit einem menschen",
	"mit einem mitarbeiter", "parlare con una persona", "parlare con un operatore", "parlar amb una persona",
}

// Words that say nothing about the problem: greetings, thanks, "please" and
// the words around a request (folded).
var courtesyWords = wordSet(
	"hola", "buenos", "buenas", "dias", "tardes", "noches", "saludos", "gracias", "por", "favor", "porfa",
	"quiero", "quisiera", "necesito", "puedo", "puede", "podria", "me", "mi", "con", "de", "del", "el", "la",
	"un", "una", "que", "y", "o", "a", "para", "soporte", "ayuda", "ahora", "ya",
	"hi", "hello", "hey", "there", "good", "morning", "afternoon", "evening", "thanks", "thank", "you",
	"please", "pls", "can", "could", "may", "i", "we", "want", "would", "like", "need", "to", "with",
	"an", "the", "and", "or", "my", "support", "help", "now",
)

// Words that alone (in a short message) ask for a person.
var humanWords = []string{"agent", "agente", "human", "humano", "humain", "persona", "person", "operator", "operador", "mensch"}

// Phrases that signal an outage or an emergency.
var urgentPhrases = []string{
	"urgente", "urgent", "urgencia", "urgence", "dringend", "emergencia", "emergency", "asap",
	"esta caido", "esta caida", "estan caidos", "se cayo", "caida del servicio", "nadie puede", "ninguno puede",
	"todos los usuarios", "toda la oficina", "no funciona nada", "is down", "are down", "went down",
	"outage", "nobody can", "no one can", "everyone is affected", "entire office", "whole company",
	"production down", "prod down", "critical", "critico", "ausfall", "panne generale", "fora do ar",
}

// wordSet is a set of single words.
func wordSet(words ...string) map[string]bool {
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[w] = true
	}
	return set
}

// wordsBesides counts the words of n that are not in set.
func (n normalized) wordsBesides(set map[string]bool) int {
	count := 0
	for _, w := range strings.Fields(n.s) {
		if !set[w] {
			count++
		}
	}
	return count
}

// without returns n with every occurrence of phrases removed.
func (n normalized) without(phrases []string) normalized {
	s := n.s
	for _, p := range phrases {
		s = strings.ReplaceAll(s, " "+p+" ", " ")
	}
	return normalized{s: s, words: len(strings.Fields(s))}
}

func wantsHuman(n normalized) bool {
	if n.hasAny(humanPhrases) {
		return true
	}
	return n.words <= 3 && n.hasAny(humanWords)
}

func isUrgent(n normalized) bool { return n.hasAny(urgentPhrases) }

var yesPhrases = []string{
	"si", "sip", "yes", "yep", "yeah", "ok", "okay", "listo", "resuelto", "solucionado", "funciona",
	"ya funciona", "ya quedo", "gracias", "perfecto", "solved", "fixed", "works", "it works", "resolved",
	"thanks", "sim", "resolvido", "oui", "resolu", "ja", "geloest", "gelost", "funktioniert", "funziona",
	"risolto", "fet", "correcte", "thank you", "all good", "that worked", "that helped", "funciono",
	"se arreglo", "arreglado", "todo bien", "genial", "excelente", "great", "sorted", "did it", "working now",
	"it s working", "thx", "ty", "yup", "sii", "sep", "simon", "ya jala", "ya jalo", "jala", "ya sirve", "sirvio",
	"yes thx", "ok gracias", "vale", "de acuerdo", "cool", "nice",
}

// Phrases that say the problem is gone, whatever was asked: "sí, ya
// funciona" to a question about details resolves too (folded).
var fixedWords = []string{
	"ya funciona", "funciona", "ya quedo", "ya jala", "ya jalo", "ya sirve", "resuelto", "solucionado",
	"se soluciono", "se arreglo", "arreglado", "funciono", "sirvio", "works", "it works", "works now", "working now",
	"it s working", "solved", "fixed", "resolved", "sorted", "that worked", "that helped",
}

// Words that, opening a short message, say yes.
var yesOpeners = []string{"si", "sip", "sii", "yes", "yep", "yup", "ok", "okay", "listo", "perfecto", "thanks", "gracias"}

// saysFixed reports whether a message says the problem is solved, asked
// anything: a "solved" button, a phrase like "ya funciona", or a short
// message opening with yes ("ok gracias"). Longer messages are not taken
// for an answer.
func saysFixed(action string, n normalized) bool {
	if action == ActionSolved {
		return true
	}
	if action != "" || n.words > 8 || answerKind("", n) <= 0 {
		return false // a long message is about the problem, not an answer
	}
	if n.hasAny(fixedWords) {
		return true
	}
	first, _, _ := strings.Cut(strings.TrimSpace(n.s), " ")
	return n.words <= 4 && slices.Contains(yesOpeners, first)
}

// Replies to a choice that refuse every option (folded).
var nonePhrases = []string{"ninguno", "ninguna", "ninguno de los dos", "none", "neither", "none of them", "otro", "otra cosa", "something else"}

// Ordinal words and the option they pick (folded).
var ordinals = map[string]int{
	"1": 0, "uno": 0, "primero": 0, "primera": 0, "first": 0, "one": 0, "1st": 0,
	"2": 1, "dos": 1, "segundo": 1, "segunda": 1, "second": 1, "two": 1, "2nd": 1,
}

// chosen returns the option a short reply picks among n options ("1", "el
// segundo", "the first one"), or -1.
func chosen(n normalized, options int) int {
	if n.words > 6 {
		return -1
	}
	pick := -1
	for _, w := range strings.Fields(n.s) {
		if i, ok := ordinals[w]; ok && i < options {
			if pick >= 0 && pick != i {
				return -1 // "1 o 2"
			}
			pick = i
		}
	}
	return pick
}

// Negations that say the problem is gone ("ya no falla", "no more errors");
// they are taken out before looking for a "no".
var fixedPhrases = []string{
	"ya no falla", "ya no se cierra", "ya no se cuelga", "ya no se traba", "ya no da error", "ya no da problemas",
	"ya no sale", "ya no me sale", "ya no aparece", "ya no me aparece", "ya no pasa", "ya no ocurre",
	"ya no tengo el problema", "ya no tengo problemas", "ya no hay problema", "sin problemas", "ningun problema",
	"ningun error", "no hay problema", "no more errors", "no more problems", "no more issues", "no errors",
	"no issues", "no problems", "no problem", "no longer crashes", "no longer fails", "no longer freezes",
	"no longer happens", "doesn t crash anymore", "doesn t fail anymore", "doesn t freeze anymore",
	"doesn t happen anymore",
}

var noPhrases = []string{
	"no", "nop", "nope", "sigue igual", "sigue sin", "todavia no", "aun no", "no funciona",
	"no sirvio", "no se soluciono", "not", "not yet", "still", "still not", "doesn t", "didn t", "does not",
	"did not", "not solved", "not fixed", "nao", "ainda nao", "non", "toujours pas", "nein", "immer noch",
	"nicht", "ancora", "encara no", "continua", "persiste", "same problem", "mismo problema",
	"nel", "nop", "nopes", "no jala", "broken", "still broken", "sigue", "tampoco", "nothing changed",
	"didnt", "doesnt", "didn", "doesn",
}

// answerKind classifies a reply to "did that solve it?": +1 yes, -1 no, 0 neither.
// "no" wins when both appear ("no, sigue igual, gracias"), once the negations
// that mean yes ("ya no falla") are set aside.
func answerKind(action string, n normalized) int {
	switch action {
	case ActionSolved:
		return 1
	case ActionNotSolved:
		return -1
	}
	rest := n.without(fixedPhrases)
	if rest.hasAny(noPhrases) {
		return -1
	}
	if rest.s != n.s || rest.hasAny(yesPhrases) {
		return 1
	}
	return 0
}

// Button actions offered with "did that solve it?".
const (
	ActionSolved    = "solved"
	ActionNotSolved = "not_solved"
)

// Cues that a message already carries a detail.
var detailCues = map[string][]string{
	"since": {"desde", "ayer", "hoy", "hace", "esta manana", "anoche", "lunes", "martes", "miercoles", "jueves",
		"viernes", "since", "yesterday", "today", "ago", "this morning", "last night", "monday", "tuesday",
		"wednesday", "thursday", "friday", "semana", "week", "minutos", "minutes", "horas", "hours", "dias", "days"},
	"impact": {"only", "solo", "affects", "affected", "afecta", "afectado", "afectada", "todos", "todas", "nadie", "solo yo", "solo a mi", "solo mi", "equipo", "departamento", "oficina",
		"clientes", "usuarios", "everyone", "everybody", "nobody", "only me", "just me", "team", "department",
		"office", "customers", "users", "no puedo trabajar", "cannot work", "can t work", "bloqueado", "blocked"},
	"address": {"calle", "avenida", "av", "piso", "oficina", "edificio", "street", "st", "avenue", "floor", "building", "suite"},
	"availability": {"manana", "tarde", "lunes", "martes", "miercoles", "jueves", "viernes", "am", "pm", "morning",
		"afternoon", "monday", "tuesday", "wednesday", "thursday", "friday", "cualquier hora", "any time", "anytime"},
}

// missingDetails returns the names in want that the text does not carry yet
// and that details (already collected) lack.
func missingDetails(want []string, n normalized, have map[string]string) []string {
	var out []string
	for _, d := range want {
		if have[d] != "" {
			continue
		}
		switch d {
		case "description":
			if n.words >= 6 {
				continue
			}
		default:
			if cues, ok := detailCues[d]; ok && n.hasAny(cues) {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}
