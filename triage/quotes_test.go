package triage

import "testing"

func TestBeforeShownMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"el Outlook me dice Cannot start Microsoft Outlook", "el Outlook me dice"},
		{"it shows Error de papel", "it shows"},
		{"me dice que no puedo entrar", "me dice que no puedo entrar"}, // no capital: own words
		{"nadie dice, Juan tampoco", "nadie dice, Juan tampoco"},       // punctuation ends the cue
	}
	for _, tt := range tests {
		if got := beforeShownMessage(tt.in); got != tt.want {
			t.Errorf("beforeShownMessage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithoutQuoted(t *testing.T) {
	tests := []struct{ in, want string }{
		{`me sale "Access denied" al entrar`, `me sale   al entrar`},
		{`it says «Acceso denegado»`, `it says  `},
		{`I can't open it, it says 'file is locked'`, `I can't open it, it says  `},
		{`l'ordinateur ne démarre pas`, `l'ordinateur ne démarre pas`},
		{`won't, can't, don't`, `won't, can't, don't`},
		{`an unclosed "quote stays`, `an unclosed "quote stays`},
		{"a quote \"does not\ncross\" lines", "a quote \"does not\ncross\" lines"},
	}
	for _, tt := range tests {
		if got := withoutQuoted(tt.in); got != tt.want {
			t.Errorf("withoutQuoted(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRouteDetectsTheLanguageAroundQuotedMessages: customers paste the error
// their software shows, often in another language than theirs; the reply
// must be in the language they wrote in.
func TestRouteDetectsTheLanguageAroundQuotedMessages(t *testing.T) {
	c := shippedClassifier(t)
	tests := []struct{ text, lang string }{
		{"Me sale el error 'The trust relationship between this workstation and the primary domain failed' al iniciar sesión", "es"},
		{"Al abrir Excel aparece: Microsoft Excel has stopped working. A problem caused the program to stop working correctly.", "es"},
		{"Cuando imprimo, la impresora muestra «Paper jam in tray 2, open the front cover and remove the paper»", "es"},
		{"Hi team, the printer shows 'Error de papel, abra la bandeja 2' and won't print", "en"},
		{"I can't log in, it says \"Acceso denegado, póngase en contacto con el administrador\" every time", "en"},
		{"Outlook says: No se puede iniciar Microsoft Outlook. No se puede abrir la ventana.", "en"},
		{"Hola, el Outlook me dice Cannot start Microsoft Outlook. Cannot open the Outlook window.", "es"},
		{"Buenos días, al entrar a la VPN me sale Authentication failed, please try again", "es"},
		{"Hi, when I print it shows Error de papel en la bandeja dos", "en"},
		{"Error: Access denied", "en"}, // nothing of their own left: the whole text decides
	}
	for _, tt := range tests {
		if d := c.Route(tt.text); d.Language != tt.lang {
			t.Errorf("Route(%q) language = %s, want %s", tt.text, d.Language, tt.lang)
		}
	}
}
