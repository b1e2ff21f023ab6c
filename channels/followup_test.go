package channels

import (
	"testing"

	"github.com/intake-support/intake"
)

func TestBaseSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"VPN no conecta", "vpn no conecta"},
		{"Re: VPN no conecta", "vpn no conecta"},
		{"RE: Fwd: RV:  VPN   no conecta [INC-000012]", "vpn no conecta"},
		{"AW: Re[2]: Drucker", "drucker"},
		{"Respuesta: hola", "respuesta: hola"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := baseSubject(tt.in); got != tt.want {
			t.Errorf("baseSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFollowsUp(t *testing.T) {
	inc := &intake.Incident{Subject: "VPN no conecta"}
	tests := []struct {
		subject, text string
		want          bool
	}{
		{"Re: VPN no conecta", "Sigue igual después de reiniciar el router, el equipo y el cliente de la VPN.", true},
		{"", "sí", true},
		{"", "ya lo intenté", true},
		{"Re: captura", "adjunto captura", true},
		{"", "", true}, // only attachments
		{"Laptop battery: different issue", "My laptop battery drains in an hour.", false},
		{"Monitor", "no enciende", false},
		{"", "La impresora del piso 3 no imprime nada desde esta mañana y sale una hoja en blanco.", false},
	}
	for _, tt := range tests {
		msg := &intake.Message{Subject: tt.subject, Text: tt.text}
		if got := followsUp(msg, inc); got != tt.want {
			t.Errorf("followsUp(%q, %q) = %v, want %v", tt.subject, tt.text, got, tt.want)
		}
	}
}
