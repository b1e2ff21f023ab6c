package email

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/internal/dovecot"
	"github.com/intake-support/intake/store"
)

// dovecotOAuthConf is the TESTING.md configuration with Dovecot's oauth2
// passdb for XOAUTH2 and OAUTHBEARER, which asks the test's token endpoint
// (D/oauth2.conf) whether a token is active; the password stays for the
// test's own client.
var dovecotOAuthConf = strings.NewReplacer(
	"auth_mechanisms = plain login", "auth_mechanisms = plain login xoauth2 oauthbearer",
	"passdb {\n  driver = passwd-file", "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = D/oauth2.conf\n}\npassdb {\n  driver = passwd-file\n  mechanisms = plain login",
).Replace(dovecot.Template)

// The poller logs in to a real Dovecot by either mechanism, Dovecot
// checking the token at the endpoint that issued it; a token the endpoint
// no longer knows is refused and the next session fetches a new one.
func TestIMAPOAuth2Dovecot(t *testing.T) {
	for _, mech := range []string{config.MechXOAUTH2, config.MechOAuthBearer} {
		t.Run(mech, func(t *testing.T) {
			ep := startTokenEndpoint(t, testClientID, testSecret, testRefresh)
			p := startDovecotConf(t, dovecotOAuthConf, map[string]string{"oauth2.conf": "introspection_mode = post\n" +
				"introspection_url = " + ep.base + "/introspect\nusername_attribute = username\n" +
				"active_attribute = active\nactive_value = true\n"})
			c := p.Client(t)
			cfg := imapConfig(p, "Done", "Failed")
			cfg.IMAP.Password, cfg.IMAP.OAuth2 = "", oauthConfig(ep, config.ProviderMicrosoft, mech)
			a, s := newIMAPAdapter(t, cfg)
			stop, inboxLen := runAdapter(t, a, s)
			appendMail(t, c, "INBOX", customerMail("ana@cliente.test", "d1@cliente.test", "uno", "no imprime"))
			waitFor(t, 10*time.Second, "the first message stored", func() bool { return inboxLen() == 1 })
			stop()
			ep.expire("tok-1") // revoked while intake was down: the held token is refused
			stop, inboxLen = runAdapter(t, a, s)
			appendMail(t, c, "INBOX", customerMail("ana@cliente.test", "d2@cliente.test", "dos", "sigue sin imprimir"))
			waitFor(t, 10*time.Second, "the second message stored", func() bool { return inboxLen() == 2 })
			stop()
			if n, _, _ := ep.Issued(); n != 2 {
				t.Errorf("token endpoint issued %d tokens, want 2 (one refused by Dovecot, one new)", n)
			}
		})
	}
}

func newIMAPAdapter(t *testing.T, cfg config.Email) (*Adapter, store.Store) {
	t.Helper()
	s := openBolt(t, "")
	a, err := New(cfg, s, quietLogger(), WithBackoff(20*time.Millisecond, 100*time.Millisecond), WithIdleMax(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return a, s
}

// runAdapter runs a until stop; a may run again after it.
func runAdapter(t *testing.T, a *Adapter, s store.Store) (stop func(), inboxLen func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx, &channels.StoreInbox{Store: s}); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop, func() int {
		n, _ := channels.InboxLen(context.Background(), s)
		return n
	}
}
