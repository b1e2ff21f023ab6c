package triage

import "testing"

func TestWithoutWords(t *testing.T) {
	drop := map[string]bool{"outlook": true, "wi": true, "fi": true, "zoom": true}
	tests := []struct{ in, want string }{
		{"Outlook no me abre", "  no me abre"},
		{"el Wi-Fi va lento", "el  -  va lento"},
		{"OUTLOOK, Zoom", "OUTLOOK, Zoom"}, // nothing would be left: unchanged
		{"la impresora no imprime", "la impresora no imprime"},
		{"zoom 2024", "zoom 2024"}, // digits alone are not a language
		{"", ""},
	}
	for _, tt := range tests {
		if got := withoutWords(tt.in, drop); got != tt.want {
			t.Errorf("withoutWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSharedWordsAreTheKBsWordsInBothLanguages(t *testing.T) {
	shared := sharedWords(loadDefaultKB(t), []string{"es", "en"})
	for _, w := range []string{"outlook", "vpn", "teams", "zoom"} {
		if !shared[w] {
			t.Errorf("%q is written in both languages of the shipped KB but is not shared", w)
		}
	}
	for _, w := range []string{"contrasena", "password", "impresora", "printer", "the", "el"} {
		if shared[w] {
			t.Errorf("%q is shared; it belongs to one language", w)
		}
	}
	if got := sharedWords(loadDefaultKB(t), []string{"en"}); len(got) != 0 {
		t.Errorf("a one-language desk shares %d words, want none", len(got))
	}
}
