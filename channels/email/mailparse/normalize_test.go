package mailparse

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden inspect files under testdata/")

var testOurs = []string{"soporte@example.com"}

func TestNormalize(t *testing.T) {
	tests := []struct {
		file string
		opts NormalizeOptions
		// Expectations; zero values are not checked unless noted.
		from, subject string
		text          string   // exact stripped text
		contains      []string // substrings of the text
		absent        []string // must not appear in the text
		threadKeys    []string // exact raw thread keys (checked when not nil)
		autoReason    string   // exact reason; "" asserts a human message
		attachments   []string // "name|type|size", exact (checked when not nil)
		verified      bool
		verifiedBy    string
		bounceRcpts   []string
		bounceIDs     []string
		refused       error
	}{
		{
			file:       "gmail_reply_es.eml",
			from:       "maria.lopez@cliente.example",
			subject:    "Re: [INC-000123] No puedo entrar a la VPN",
			text:       "Hola, ya reinicié el equipo y sigue sin conectar. El error es 809.\n\nGracias,\nMaría",
			threadKeys: []string{"CAF=abc123+xyz@mail.gmail.com", "inc-000123.2@example.com", "inc-000123.1@example.com", "INC-000123"},
			verified:   true, verifiedBy: "dmarc",
		},
		{
			file:     "outlook_es.eml",
			from:     "jperez@empresa.example",
			contains: []string{`aparece "papel atascado" aunque no hay papel dentro.`, "Juan Pérez", "Departamento de Compras"},
			absent:   []string{"Enviado:", "Asunto:", "____", "¿La impresora"},
		},
		{
			file: "outlook_en.eml",
			text: "The reset link expired before I could use it. Can you send a new one?\n\nAnn",
		},
		{
			file:    "html_only.eml",
			subject: "Problema con la conexión",
			text:    "Hello team,\n\nThe Wi-Fi drops every 5 minutes & the VPN too.\nSteps so far:\n\n- Restarted the router\n- Updated drivers\n\nSee the status page (https://status.shop.example/incident/42).",
			absent:  []string{"alert", "color", "Ignored title", "hidden preheader"},
		},
		{
			file:    "latin1_qp.eml",
			from:    "jose@latin.example",
			subject: "Contraseña bloqueada",
			text:    "Mi contraseña está bloqueada desde ayer. ¿Pueden ayudarme? Gracias por la atención.\nSigno suelto: 100% =ZZ bien.",
		},
		{
			file:        "base64_utf8.eml",
			subject:     "Portátil no enciende",
			text:        "Buenos días,\nel portátil no enciende después de la actualización. ¿Qué hago?",
			attachments: []string{"factura año 2025.pdf|application/pdf|3000", "captura de pantallañ.png|image/png|8"},
		},
		{
			file:       "ooo_autosubmitted.eml",
			autoReason: "Auto-Submitted: auto-replied",
			threadKeys: []string{"ooo-1@cliente.example", "INC-000200"},
		},
		{file: "precedence_bulk.eml", autoReason: "Precedence: bulk"},
		{file: "list_id.eml", autoReason: "mailing list (List-Id)"},
		{
			file:        "dsn_bounce.eml",
			autoReason:  "bounce: delivery status report",
			bounceRcpts: []string{"maria.lopez@cliente.example"},
			bounceIDs:   []string{"inc-000123.3@example.com"},
			threadKeys:  []string{"20250311100004.ABC@mx.cliente.example", "inc-000123.3@example.com", "INC-000123"},
		},
		{
			file:       "plus_token.eml",
			text:       "Sigue fallando.",
			threadKeys: []string{"plus-1@cliente.example", "INC-000777"},
		},
		{
			file:     "subject_token.eml",
			text:     "La licencia ya funciona, gracias.",
			absent:   []string{"Tel."},
			verified: false,
		},
		{file: "auth_fail.eml", verified: false},
		{
			file:     "auth_trusted.eml",
			opts:     NormalizeOptions{TrustedAuthServID: "mx.example.com"},
			verified: true, verifiedBy: "dkim",
		},
		{
			file:       "from_us.eml",
			autoReason: "from our own address (mail loop)",
		},
		{file: "koi8r.eml", subject: "Привет", text: "Привет, мир!"},
		{file: "utf7.eml", text: "Hi Mom -☺-! A≢Α. £1"},
		{file: "no_from.eml", refused: ErrNoSender},
		{file: "not_message.eml", refused: ErrNotMessage},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".eml"), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			opts := tt.opts
			opts.OurAddresses = testOurs
			n, err := Normalize(bytes.NewReader(raw), opts)
			if tt.refused != nil {
				if !errors.Is(err, tt.refused) {
					t.Fatalf("Normalize(%s) error = %v, want %v", tt.file, err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%s): %v", tt.file, err)
			}
			checkInvariants(t, tt.file, n)
			m := n.Message
			if tt.from != "" && m.From.ID != tt.from {
				t.Errorf("Normalize(%s).From = %q, want %q", tt.file, m.From.ID, tt.from)
			}
			if tt.subject != "" && m.Subject != tt.subject {
				t.Errorf("Normalize(%s).Subject = %q, want %q", tt.file, m.Subject, tt.subject)
			}
			if tt.text != "" && m.Text != tt.text {
				t.Errorf("Normalize(%s).Text = %q, want %q", tt.file, m.Text, tt.text)
			}
			for _, s := range tt.contains {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Normalize(%s).Text = %q, want it to contain %q", tt.file, m.Text, s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(m.Text, s) {
					t.Errorf("Normalize(%s).Text = %q, want no %q", tt.file, m.Text, s)
				}
			}
			in := Inspect(n)
			if tt.threadKeys != nil && !slices.Equal(in.ThreadKeys, tt.threadKeys) {
				t.Errorf("Normalize(%s) thread keys = %q, want %q", tt.file, in.ThreadKeys, tt.threadKeys)
			}
			if m.AutoReplyReason != tt.autoReason {
				t.Errorf("Normalize(%s).AutoReplyReason = %q, want %q", tt.file, m.AutoReplyReason, tt.autoReason)
			}
			if tt.attachments != nil {
				var got []string
				for _, a := range m.Attachments {
					got = append(got, a.Name+"|"+a.Type+"|"+strconv.FormatInt(a.Size, 10))
				}
				if !slices.Equal(got, tt.attachments) {
					t.Errorf("Normalize(%s) attachments = %q, want %q", tt.file, got, tt.attachments)
				}
			}
			if n.SenderVerified != tt.verified || m.From.Verified != tt.verified {
				t.Errorf("Normalize(%s).SenderVerified = %v (auth %+v), want %v", tt.file, n.SenderVerified, n.Auth, tt.verified)
			}
			if tt.verifiedBy != "" && n.Auth.VerifiedBy != tt.verifiedBy {
				t.Errorf("Normalize(%s).Auth.VerifiedBy = %q, want %q", tt.file, n.Auth.VerifiedBy, tt.verifiedBy)
			}
			if tt.bounceRcpts != nil || tt.bounceIDs != nil {
				if n.Bounce == nil {
					t.Fatalf("Normalize(%s).Bounce = nil, want a bounce", tt.file)
				}
				if !slices.Equal(n.Bounce.Recipients, tt.bounceRcpts) || !slices.Equal(n.Bounce.MessageIDs, tt.bounceIDs) {
					t.Errorf("Normalize(%s).Bounce = %+v, want recipients %q, ids %q", tt.file, n.Bounce, tt.bounceRcpts, tt.bounceIDs)
				}
			}
			checkGolden(t, tt.file, n)
		})
	}
}

// checkGolden compares the inspect JSON with testdata/NAME.json (-update rewrites it).
func checkGolden(t *testing.T, file string, n *Normalized) {
	t.Helper()
	got, err := InspectJSON(n)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", strings.TrimSuffix(file, ".eml")+".json")
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("InspectJSON(%s) =\n%s\nwant\n%s", file, got, want)
	}
}
