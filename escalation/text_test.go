package escalation

import "testing"

func TestSimilarity(t *testing.T) {
	tests := []struct {
		name         string
		a, la, b, lb string
		atLeast      float64
		below        float64
	}{
		{"same words", "El correo no funciona", "es", "el correo no funciona", "es", 1, 1.01},
		{"inflections and function words", "El correo no funciona, no puedo enviar", "es", "no funcionan los correos y no puedo enviar nada", "es", 0.6, 1},
		{"accents", "La conexión está caída", "es", "la conexion esta caida", "es", 1, 1.01},
		{"english phrasing", "The VPN is down", "en", "VPN down for everyone", "en", 0.6, 1},
		{"different problems", "El correo no funciona", "es", "La VPN de Monterrey está caída", "es", 0, 0.2},
		{"only function words", "no es que", "es", "the and of", "en", 0, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := similarity(tt.a, tt.la, tt.b, tt.lb)
			if got < tt.atLeast || got >= tt.below {
				t.Errorf("similarity(%q, %q) = %.2f, want in [%.2f, %.2f)", tt.a, tt.b, got, tt.atLeast, tt.below)
			}
		})
	}
}
