package email

import (
	"context"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// loginIMAP logs the new connection in: LOGIN with the password, or
// AUTHENTICATE with an OAuth2 token. A refused token is dropped, so the
// next connection fetches a new one.
func (a *Adapter) loginIMAP(ctx context.Context, cl *imapclient.Client) error {
	c := a.cfg.IMAP
	if a.imapToken == nil {
		if err := cl.Login(c.Username, c.Password).Wait(); err != nil {
			return fmt.Errorf("imap login %s: %w", c.Username, err)
		}
		return nil
	}
	mech := strings.ToUpper(c.OAuth2.Mechanism)
	if !cl.Caps().Has(imap.Cap("AUTH=" + mech)) {
		return fmt.Errorf("imap %s does not offer AUTHENTICATE %s (see oauth2.mechanism)", c.Addr, mech)
	}
	token, _, err := a.imapToken.token(ctx)
	if err != nil {
		return err
	}
	sc := saslClient(c.OAuth2.Mechanism, c.Username, token, c.Addr)
	if err := cl.Authenticate(sc); err != nil {
		a.imapToken.invalidate()
		return fmt.Errorf("imap authenticate %s as %s: %w", mech, c.Username, sc.explain(err))
	}
	return nil
}

// authSMTP authenticates to the smtp_out relay: AUTH PLAIN with the
// password when a username is set, or an OAuth2 token. A token endpoint
// that fails leaves the reply to the outbox's retries; a refused token is
// dropped, and when it was an older one the reply is retried with a new
// token instead of being given up.
func (a *Adapter) authSMTP(ctx context.Context, c *smtp.Client) error {
	out := a.cfg.SMTPOut
	if a.smtpToken == nil {
		if out.Username == "" {
			return nil
		}
		if err := c.Auth(sasl.NewPlainClient("", out.Username, out.Password)); err != nil {
			return classifySMTP(stageAuth, fmt.Errorf("smtp_out auth: %w", err))
		}
		return nil
	}
	mech := strings.ToUpper(out.OAuth2.Mechanism)
	if ok, _ := c.Extension("AUTH"); ok && !c.SupportsAuth(mech) {
		return fmt.Errorf("smtp_out %s does not offer AUTH %s (see oauth2.mechanism)", out.Addr, mech)
	}
	token, fresh, err := a.smtpToken.token(ctx)
	if err != nil {
		return err
	}
	sc := saslClient(out.OAuth2.Mechanism, out.Username, token, out.Addr)
	if err := c.Auth(sc); err != nil {
		a.smtpToken.invalidate()
		err = fmt.Errorf("smtp_out auth %s as %s: %w", mech, out.Username, sc.explain(err))
		if !fresh {
			return err
		}
		return classifySMTP(stageAuth, err)
	}
	return nil
}
