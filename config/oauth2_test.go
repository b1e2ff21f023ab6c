package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOAuth2Defaults(t *testing.T) {
	const head = "channels:\n  email:\n    address: soporte@example.com\n    outbox_dir: outbox\n    imap:\n      addr: imap.example.com:993\n      username: soporte@example.com\n      oauth2: "
	tests := []struct {
		name, oauth2                string
		tokenURL, scopes, mechanism string
	}{
		{"microsoft from tenant", "{provider: microsoft, tenant: contoso.onmicrosoft.com, client_id: c, client_secret: s}",
			"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", MicrosoftScope, MechXOAUTH2},
		{"microsoft own endpoint and scopes", "{provider: microsoft, token_url: 'http://127.0.0.1:9/token', client_id: c, client_secret: s, scopes: [a, b]}",
			"http://127.0.0.1:9/token", "a b", MechXOAUTH2},
		{"google", "{provider: google, client_id: c, client_secret: s, refresh_token: r, mechanism: oauthbearer}",
			GoogleTokenURL, GoogleScope, MechOAuthBearer},
		{"generic has no scopes", "{provider: generic, token_url: 'https://idp.example.com/token', client_id: c, client_secret: s}",
			"https://idp.example.com/token", "", MechXOAUTH2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("oauth2.yaml", []byte(head+tt.oauth2+"\ntiers:\n  - {id: L2, slack_channel: C0L2}\n"), nil)
			if err != nil {
				t.Fatalf("Parse(%q) = %v, want no error", tt.oauth2, err)
			}
			o := cfg.Channels.Email.IMAP.OAuth2
			for _, c := range []struct{ key, got, want string }{
				{"token_url", o.TokenURL, tt.tokenURL},
				{"scopes", strings.Join(o.Scopes, " "), tt.scopes},
				{"mechanism", o.Mechanism, tt.mechanism},
			} {
				if c.got != c.want {
					t.Errorf("Parse(%q) %s = %q, want %q", tt.oauth2, c.key, c.got, c.want)
				}
			}
			if out := cfg.Channels.Email.SMTPOut.OAuth2; out.Enabled() || out.Mechanism != "" {
				t.Errorf("Parse(%q) smtp_out.oauth2 = %+v, want off", tt.oauth2, out)
			}
		})
	}
}

func TestCheckTokenURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://login.microsoftonline.com/t/oauth2/v2.0/token", true},
		{"http://127.0.0.1:8080/token", true},
		{"http://[::1]:8080/token", true},
		{"http://localhost/token", true},
		{"http://idp.example.com/token", false},
		{"ftp://idp.example.com/token", false},
		{"/token", false},
	}
	for _, tt := range tests {
		if err := checkTokenURL(tt.url); (err == nil) != tt.ok {
			t.Errorf("checkTokenURL(%q) = %v, want ok %v", tt.url, err, tt.ok)
		}
	}
}

// The configurations in docs/mail-oauth.md are valid as written.
func TestMailOAuthGuideExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "mail-oauth.md"))
	if err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"M365_TENANT_ID": "00000000-0000-0000-0000-000000000000", "M365_CLIENT_ID": "c",
		"M365_CLIENT_SECRET": "s", "GMAIL_CLIENT_ID": "c", "GMAIL_CLIENT_SECRET": "s", "GMAIL_REFRESH_TOKEN": "r"})
	providers := map[string]bool{}
	for i, block := range strings.Split(string(doc), "```yaml\n")[1:] {
		text, _, _ := strings.Cut(block, "```")
		text = dedent(text) + "tiers:\n  - {id: L2, slack_channel: C0L2}\n"
		cfg, err := Parse("mail-oauth.md", []byte(text), env)
		if err != nil {
			t.Errorf("Parse(yaml block %d of docs/mail-oauth.md) = %v, want no error", i+1, err)
			continue
		}
		in, out := cfg.Channels.Email.IMAP.OAuth2, cfg.Channels.Email.SMTPOut.OAuth2
		if !in.Enabled() || in.TokenURL == "" || out.Provider != in.Provider || out.TokenURL != in.TokenURL {
			t.Errorf("yaml block %d: imap.oauth2 = %+v, smtp_out.oauth2 = %+v; want both set alike", i+1, in, out)
		}
		providers[in.Provider] = true
	}
	if !providers[ProviderMicrosoft] || !providers[ProviderGoogle] {
		t.Errorf("docs/mail-oauth.md examples cover %v, want microsoft and google", providers)
	}
}

// dedent removes the indentation of the first line from every line.
func dedent(s string) string {
	indent := len(s) - len(strings.TrimLeft(s, " "))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if len(l) >= indent && strings.TrimSpace(l[:indent]) == "" {
			lines[i] = l[indent:]
		}
	}
	return strings.Join(lines, "\n")
}
