package mailparse

import (
	"testing"
	"unicode/utf8"
)

func TestStripQuotes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Hello\nworld", "Hello\nworld"},
		{"gmail english", "Thanks, fixed.\n\nOn Mon, Mar 3, 2025 at 10:00 AM Support <soporte@example.com> wrote:\n> Did it work?\n", "Thanks, fixed."},
		{"gmail wrapped attribution", "Still broken.\n\nOn Mon, Mar 3, 2025 at 10:00 AM Support Team <\nsoporte@example.com> wrote:\n\n> Did it work?", "Still broken."},
		{"spanish", "Sigue igual.\n\nEl lun, 3 mar 2025 a las 10:00, Soporte (<soporte@example.com>) escribió:\n> ¿Funcionó?", "Sigue igual."},
		{"spanish without accent", "Listo.\nEl 3/3/2025 Soporte escribio:\nsin comillas", "Listo."},
		{"apple", "Ok\n\n> On 3 Mar 2025, at 10:00, Soporte <soporte@example.com> wrote:\n> \n> text", "Ok"},
		{"outlook spanish", "Ya quedó.\n\n________________________________\nDe: Soporte <soporte@example.com>\nEnviado: lunes, 3 de marzo de 2025 10:00\nPara: Juan <j@x.example>\nAsunto: Caso\n\nHola", "Ya quedó."},
		{"outlook english", "Done.\r\n\r\nFrom: Support <soporte@example.com>\r\nSent: Monday, March 3, 2025 10:00 AM\r\nTo: Ann <a@x.example>\r\nSubject: Case\r\n\r\nHi", "Done."},
		{"outlook bold from html", "Done.\n\n*From:* Support\n*Sent:* Monday\n*To:* Ann\n*Subject:* Case", "Done."},
		{"original message", "New text\n-----Original Message-----\nFrom: x\nold", "New text"},
		{"mensaje original", "Texto nuevo\n\n-------- Mensaje original --------\nAsunto: viejo\nold", "Texto nuevo"},
		{"signature", "Body here\n-- \nJohn Doe\nACME", "Body here"},
		{"signature trimmed", "Body here\n--\nJohn Doe", "Body here"},
		{"iphone", "Yes\n\nSent from my iPhone\n\n> quoted", "Yes"},
		{"enviado desde", "Sí\n\nEnviado desde mi iPhone", "Sí"},
		{"inline replies keep answers", "> Question one?\nAnswer one.\n> Question two?\nAnswer two.", "Answer one.\nAnswer two."},
		{"bottom posting", "On Mon, Support wrote:\n> Did it work?\n\nNo, it did not.", "No, it did not."},
		{"from line in prose is kept", "From: the accounting team we got this:\nthe printer is down", "From: the accounting team we got this:\nthe printer is down"},
		{"forward is kept", "---------- Forwarded message ---------\nFrom: Boss <b@x.example>\nDate: Mon\nSubject: VPN\nTo: me\n\nThe VPN is down", "---------- Forwarded message ---------\nFrom: Boss <b@x.example>\nDate: Mon\nSubject: VPN\nTo: me\n\nThe VPN is down"},
		{"all quoted falls back", "From: Boss <b@x.example>\nSent: Monday\nTo: me\nSubject: VPN\n\nThe VPN is down", "From: Boss <b@x.example>\nSent: Monday\nTo: me\nSubject: VPN\n\nThe VPN is down"},
		{"blank runs collapse", "a\n\n\n\nb  \n", "a\n\nb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripQuotes(tt.in); got != tt.want {
				t.Errorf("StripQuotes(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzStripQuotes(f *testing.F) {
	for _, s := range []string{
		"Hello\n\nOn Mon, X wrote:\n> q",
		"Hola\nEl lun, Y escribió:\n> q\nrespuesta",
		"a\n________________________________\nDe: x\nEnviado: y\nPara: z\nAsunto: w\n",
		"-- \nsig", "> only quote", "\r\n\r\n", "On\nwrote:", "From: a\nSent: b\nTo: c",
		"Sent from my iPhone", "\xff\xfe invalid", "-----Original Message-----",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := StripQuotes(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("StripQuotes(%q) = %q: invalid UTF-8", in, out)
		}
		if len(out) > len(in) {
			t.Fatalf("StripQuotes(%q) = %q: longer than the input", in, out)
		}
	})
}
