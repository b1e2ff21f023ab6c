package lang

import "testing"

func TestDetect(t *testing.T) {
	d := New()
	tests := []struct {
		name, text, want string
	}{
		{"es accents", "No puedo iniciar sesión, olvidé mi contraseña", "es"},
		{"es no accents", "no puedo iniciar sesion olvide mi contrasena", "es"},
		{"es short", "sí, ya funciona", "es"},
		{"es human", "quiero hablar con una persona", "es"},
		{"en short", "human please", "en"},
		{"en", "My laptop won't connect to the VPN since yesterday", "en"},
		{"pt", "Não consigo acessar minha conta, preciso de ajuda", "pt"},
		{"fr", "Je n'arrive pas à me connecter à mon compte", "fr"},
		{"de", "Ich kann mich nicht in mein Konto einloggen", "de"},
		{"it", "Non riesco ad accedere al mio account, ho bisogno di aiuto", "it"},
		{"ca", "No puc iniciar la sessió al meu compte, necessito ajuda", "ca"},
		{"mixed mostly es", "Hola, el VPN no funciona y tengo un meeting importante", "es"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Detect(tt.text).Lang; got != tt.want {
				t.Errorf("Detect(%q) = %s, want %s", tt.text, got, tt.want)
			}
		})
	}
}

func TestDetectNoLetters(t *testing.T) {
	d := New()
	for _, s := range []string{"", "   ", "😀😀", "12345 !!!", "\x00\x01\xff"} {
		if got := d.Detect(s); got.Lang != "" {
			t.Errorf("Detect(%q) = %q, want none", s, got.Lang)
		}
	}
}

func TestDetectPrefer(t *testing.T) {
	d := New()
	if got := d.DetectPrefer("call alex", []string{"es", "en"}, 6).Lang; got != "en" {
		t.Errorf("DetectPrefer(%q) = %s, want en", "call alex", got)
	}
}
