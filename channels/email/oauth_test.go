package email

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
)

const (
	testClientID = "intake-app"
	testSecret   = "s3cr3t-client-value"
	testRefresh  = "r3fr3sh-token-value"
)

// manualClock is a clock the test moves; it starts at the real time, since
// the token endpoint's answers are read on it.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newManualClock() *manualClock { return &manualClock{t: time.Now()} }

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// oauthConfig is an oauth2 mapping as config leaves it after its defaults.
func oauthConfig(ep *tokenEndpoint, provider, mech string) config.OAuth2 {
	o := config.OAuth2{Provider: provider, TokenURL: ep.URL, ClientID: testClientID, ClientSecret: testSecret, Mechanism: mech}
	switch provider {
	case config.ProviderMicrosoft:
		o.Scopes = []string{config.MicrosoftScope}
	case config.ProviderGoogle:
		o.Scopes, o.RefreshToken = []string{config.GoogleScope}, testRefresh
	}
	return o
}

// The IMAP poller logs in with a token from the endpoint, by either
// mechanism, with client credentials (Microsoft) or a refresh token (Google).
func TestIMAPOAuth2(t *testing.T) {
	tests := []struct {
		provider, mech string
		grant, scope   string
	}{
		{config.ProviderMicrosoft, config.MechXOAUTH2, "client_credentials", config.MicrosoftScope},
		{config.ProviderMicrosoft, config.MechOAuthBearer, "client_credentials", config.MicrosoftScope},
		{config.ProviderGoogle, config.MechXOAUTH2, "refresh_token", ""},
		{config.ProviderGoogle, config.MechOAuthBearer, "refresh_token", ""},
	}
	for _, tt := range tests {
		t.Run(tt.provider+"/"+tt.mech, func(t *testing.T) {
			ep := startTokenEndpoint(t, testClientID, testSecret, testRefresh)
			p, chk := startOAuthIMAP(t, ep)
			appendMail(t, p.Client(t), "INBOX", customerMail("ana@cliente.test", "o1@cliente.test", "ayuda", "no imprime"))
			cfg := imapConfig(p, "", "")
			cfg.IMAP.Password, cfg.IMAP.OAuth2 = "", oauthConfig(ep, tt.provider, tt.mech)
			_, inboxLen := runIMAPIntake(t, cfg)
			waitFor(t, 10*time.Second, "the message stored", func() bool { return inboxLen() == 1 })
			logins := chk.Logins()
			if len(logins) == 0 {
				t.Fatalf("IMAP server saw no OAuth2 login")
			}
			want := saslLogin{Mech: strings.ToUpper(tt.mech), User: p.User, Token: "tok-1"}
			if logins[0] != want {
				t.Errorf("first login = %+v, want %+v", logins[0], want)
			}
			n, grants, scopes := ep.Issued()
			if n < 1 || grants[0] != tt.grant || scopes[0] != tt.scope {
				t.Errorf("token endpoint issued %d, grants %q, scopes %q; want grant %q, scope %q", n, grants, scopes, tt.grant, tt.scope)
			}
		})
	}
}

// A token is reused while it is valid, and a new one is fetched when it
// is about to expire or after the relay refused it.
func TestSMTPOAuth2Refresh(t *testing.T) {
	for _, mech := range []string{config.MechXOAUTH2, config.MechOAuthBearer} {
		t.Run(mech, func(t *testing.T) {
			ep := startTokenEndpoint(t, testClientID, testSecret, testRefresh)
			rec, chk := startOAuthSMTP(t, ep, "soporte@example.test")
			clk := newManualClock()
			cfg := config.Email{Address: "soporte@example.test", SMTPOut: config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone,
				Username: "soporte@example.test", OAuth2: oauthConfig(ep, config.ProviderMicrosoft, mech)}}
			a, err := New(cfg, openBolt(t, ""), quietLogger(), WithClock(clk.Now))
			if err != nil {
				t.Fatal(err)
			}
			send := func(step string) error {
				t.Helper()
				_, err := a.Send(context.Background(), testReply())
				return err
			}
			steps := []struct {
				name    string
				before  func()
				ok      bool
				tokenIs string // the token of the last login
			}{
				{"first send fetches a token", func() {}, true, "tok-1"},
				{"a send within the hour reuses it", func() { clk.Advance(30 * time.Minute) }, true, "tok-1"},
				{"near expiry a new token is fetched", func() { clk.Advance(29*time.Minute + 30*time.Second); ep.expire("tok-1") }, true, "tok-2"},
				{"a revoked token fails the send, retryably", func() { ep.expire("tok-2") }, false, "tok-2"},
				{"the retry fetches a new token", func() {}, true, "tok-3"},
			}
			for _, s := range steps {
				s.before()
				err := send(s.name)
				if (err == nil) != s.ok {
					t.Fatalf("%s: Send = %v, want ok %v", s.name, err, s.ok)
				}
				if err != nil {
					if channels.IsPermanent(err) {
						t.Errorf("%s: Send = %v, permanent; want retryable", s.name, err)
					}
					if !strings.Contains(err.Error(), "535") {
						t.Errorf("%s: Send = %v, want the relay's 535", s.name, err)
					}
					continue
				}
				logins := chk.Logins()
				if got := logins[len(logins)-1].Token; got != s.tokenIs {
					t.Errorf("%s: relay login with %q, want %q", s.name, got, s.tokenIs)
				}
			}
			if n, _, _ := ep.Issued(); n != 3 {
				t.Errorf("token endpoint issued %d tokens, want 3", n)
			}
			if got := len(rec.Mails()); got != 4 {
				t.Errorf("relay got %d mails, want 4", got)
			}
		})
	}
}

// Concurrent sends share one token request.
func TestMailTokenConcurrent(t *testing.T) {
	ep := startTokenEndpoint(t, testClientID, testSecret, testRefresh)
	m := newMailToken("smtp_out", oauthConfig(ep, config.ProviderGoogle, config.MechXOAUTH2), time.Now)
	var wg sync.WaitGroup
	toks := make([]string, 8)
	for i := range toks {
		wg.Go(func() {
			tok, _, err := m.token(context.Background())
			if err != nil {
				t.Errorf("token() = %v", err)
			}
			toks[i] = tok
		})
	}
	wg.Wait()
	for i, tok := range toks {
		if tok != "tok-1" {
			t.Errorf("token() #%d = %q, want tok-1", i, tok)
		}
	}
	if n, _, _ := ep.Issued(); n != 1 {
		t.Errorf("token endpoint issued %d tokens, want 1", n)
	}
}

// A token endpoint that refuses the client names the connection and the
// OAuth2 error in the logs, in the send error and in Ready, never the
// secret; once it issues tokens again, IMAP logs in and Ready clears.
func TestOAuth2RefusedClient(t *testing.T) {
	ep := startTokenEndpoint(t, testClientID, "the-right-secret", testRefresh)
	p, chk := startOAuthIMAP(t, ep)
	rec, _ := startOAuthSMTP(t, ep, p.User)
	appendMail(t, p.Client(t), "INBOX", customerMail("ana@cliente.test", "o2@cliente.test", "ayuda", "no imprime"))
	cfg := imapConfig(p, "", "")
	cfg.IMAP.Password, cfg.IMAP.OAuth2 = "", oauthConfig(ep, config.ProviderMicrosoft, config.MechXOAUTH2)
	cfg.SMTPOut = config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone, Username: p.User,
		OAuth2: oauthConfig(ep, config.ProviderGoogle, config.MechOAuthBearer)}
	var logs syncBuffer
	s := openBolt(t, "")
	a, err := New(cfg, s, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		WithBackoff(20*time.Millisecond, 100*time.Millisecond), WithIdleMax(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx, &channels.StoreInbox{Store: s}); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	// The poller records the refusal for Ready, then logs it.
	waitFor(t, 10*time.Second, "Ready and the log to report the refusal", func() bool {
		return a.Ready() != nil && strings.Contains(logs.String(), "invalid_client")
	})
	_, sendErr := a.Send(context.Background(), testReply())
	checks := []struct{ what, text string }{
		{"Ready()", a.Ready().Error()},
		{"Send()", errString(sendErr)},
		{"the log", logs.String()},
	}
	for _, c := range checks {
		if !strings.Contains(c.text, "invalid_client") || !strings.Contains(c.text, "oauth2") {
			t.Errorf("%s = %q, want the connection and invalid_client named", c.what, c.text)
		}
		for _, secret := range []string{testSecret, testRefresh} {
			if strings.Contains(c.text, secret) {
				t.Errorf("%s shows a secret: %q", c.what, c.text)
			}
		}
	}
	if sendErr != nil && channels.IsPermanent(sendErr) {
		t.Errorf("Send() = %v, permanent; want retried by the outbox", sendErr)
	}
	if len(chk.Logins()) != 0 {
		t.Errorf("IMAP logins = %v, want none without a token", chk.Logins())
	}

	ep.setSecret(testSecret) // the administrator fixes the secret at the provider
	waitFor(t, 10*time.Second, "the message stored", func() bool {
		n, _ := channels.InboxLen(context.Background(), s)
		return n == 1
	})
	if _, err := a.Send(context.Background(), testReply()); err != nil {
		t.Errorf("Send() = %v once the secret is right, want nil", err)
	}
	if err := a.Ready(); err != nil {
		t.Errorf("Ready() = %v once both connections got tokens, want nil", err)
	}
}

// A server that does not offer the configured mechanism gets a clear error
// before any token is fetched.
func TestOAuth2MechanismNotOffered(t *testing.T) {
	ep := startTokenEndpoint(t, testClientID, testSecret, testRefresh)
	p, _ := startOAuthIMAP(t, ep, "OAUTHBEARER")
	rec, _ := startOAuthSMTP(t, ep, p.User, "OAUTHBEARER")
	cfg := imapConfig(p, "", "")
	cfg.IMAP.Password, cfg.IMAP.OAuth2 = "", oauthConfig(ep, config.ProviderMicrosoft, config.MechXOAUTH2)
	cfg.SMTPOut = config.SMTPOut{Addr: rec.Addr, TLS: config.TLSNone, Username: p.User, OAuth2: cfg.IMAP.OAuth2}
	a, err := New(cfg, openBolt(t, ""), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	_, imapErr := a.dialIMAP(context.Background(), make(chan struct{}, 1))
	_, sendErr := a.Send(context.Background(), testReply())
	for _, c := range []struct{ what, got, want string }{
		{"dialIMAP", errString(imapErr), "does not offer AUTHENTICATE XOAUTH2"},
		{"Send", errString(sendErr), "does not offer AUTH XOAUTH2"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s() = %s, want %q", c.what, c.got, c.want)
		}
	}
	if n, _, _ := ep.Issued(); n != 0 {
		t.Errorf("token endpoint issued %d tokens, want 0", n)
	}
}

func TestMailTokenDescribe(t *testing.T) {
	m := newMailToken("imap", config.OAuth2{Provider: config.ProviderGoogle, TokenURL: "https://idp.test/token",
		ClientSecret: testSecret, RefreshToken: testRefresh}, time.Now)
	tests := []struct {
		name      string
		err       *oauth2.RetrieveError
		want      string
		permanent bool
	}{
		{"invalid_client", &oauth2.RetrieveError{ErrorCode: "invalid_client", ErrorDescription: "AADSTS7000215: Invalid client secret.\r\nTrace ID: 1"},
			"imap oauth2: token endpoint https://idp.test/token refused: invalid_client (AADSTS7000215: Invalid client secret.)", true},
		{"echoed secrets", &oauth2.RetrieveError{ErrorCode: "invalid_grant", ErrorDescription: "bad token " + testRefresh + " for " + testSecret},
			"imap oauth2: token endpoint https://idp.test/token refused: invalid_grant (bad token [secret] for [secret])", true},
		{"server error", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 503}, Body: []byte(testSecret)},
			"imap oauth2: token endpoint https://idp.test/token refused: HTTP 503", false},
		{"no code, 401", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 401}},
			"imap oauth2: token endpoint https://idp.test/token refused: HTTP 401", true},
	}
	for _, tt := range tests {
		err := m.describe(tt.err)
		var r *tokenRefusedError
		if err.Error() != tt.want || !errors.As(err, &r) || r.permanent != tt.permanent {
			t.Errorf("describe(%s) = %q (permanent %v), want %q (permanent %v)", tt.name, err, r != nil && r.permanent, tt.want, tt.permanent)
		}
	}
}

func TestNewOAuth2Mechanism(t *testing.T) {
	tests := []struct {
		mech string
		ok   bool
	}{{config.MechXOAUTH2, true}, {config.MechOAuthBearer, true}, {"", false}, {"plain", false}}
	for _, tt := range tests {
		cfg := config.Email{Address: "soporte@example.test", SMTPOut: config.SMTPOut{Addr: "127.0.0.1:25", Username: "soporte@example.test",
			OAuth2: config.OAuth2{Provider: config.ProviderGeneric, TokenURL: "http://127.0.0.1:9/token", ClientID: "c", Mechanism: tt.mech}}}
		_, err := New(cfg, openBolt(t, ""), nil)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrConfig)) {
			t.Errorf("New(mechanism %q) = %v, want ok %v", tt.mech, err, tt.ok)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
