package config

import (
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
