package email

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/intake-support/intake/config"
)

// OAuth2 for IMAP and smtp_out. A mailToken holds the access token of one
// connection and fetches a new one from the token endpoint when none is
// held, when it expires within tokenEarly, or after the mail server refused
// it. Fetches are serialized, so concurrent sends share one request. The
// client secret and the tokens appear in no error and no log line.
const (
	// tokenEarly renews a token this long before it expires, so that a
	// token is not refused halfway through a login.
	tokenEarly = time.Minute
	// tokenTimeout bounds one request to the token endpoint.
	tokenTimeout = 30 * time.Second
)

// refusalCodes are the OAuth2 error codes (RFC 6749 section 5.2) that a
// retry cannot fix: the configuration or the grant must change.
var refusalCodes = map[string]bool{
	"invalid_client": true, "invalid_grant": true, "unauthorized_client": true,
	"invalid_scope": true, "unsupported_grant_type": true, "invalid_request": true,
}

// mailToken is the OAuth2 access token of one mail connection.
type mailToken struct {
	conn   string // "imap" or "smtp_out"
	cfg    config.OAuth2
	now    func() time.Time
	client *http.Client

	// fetching serializes requests to the token endpoint; mu guards the
	// fields below and is never held during a request, so that Ready does
	// not wait for a slow endpoint.
	fetching sync.Mutex
	mu       sync.Mutex
	access   string
	expires  time.Time // zero: unknown, kept until the server refuses it
	refresh  string    // the refresh token; a rotated one replaces it
	refused  error     // the token endpoint's last refusal, until a token is issued
}

// newMailToken returns the token holder of conn, or nil when cfg is off.
func newMailToken(conn string, cfg config.OAuth2, now func() time.Time) *mailToken {
	if !cfg.Enabled() {
		return nil
	}
	return &mailToken{conn: conn, cfg: cfg, now: now, refresh: cfg.RefreshToken,
		client: &http.Client{Timeout: tokenTimeout}}
}

// held returns the held token if it is still valid, and the refresh token.
func (m *mailToken) held() (access, refresh string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.access != "" && (m.expires.IsZero() || m.now().Add(tokenEarly).Before(m.expires)) {
		return m.access, m.refresh
	}
	return "", m.refresh
}

// token returns a valid access token and whether it was fetched just now.
func (m *mailToken) token(ctx context.Context) (access string, fresh bool, err error) {
	m.fetching.Lock()
	defer m.fetching.Unlock()
	access, refresh := m.held()
	if access != "" {
		return access, false, nil
	}
	start := m.now()
	tok, err := m.fetch(ctx, refresh)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		err = m.describe(err)
		var r *tokenRefusedError
		if errors.As(err, &r) && r.permanent {
			m.refused = err
		}
		return "", false, err
	}
	m.refused = nil
	m.access, m.expires = tok.AccessToken, time.Time{}
	switch {
	case tok.ExpiresIn > 0:
		m.expires = start.Add(time.Duration(tok.ExpiresIn) * time.Second)
	case !tok.Expiry.IsZero():
		m.expires = start.Add(time.Until(tok.Expiry))
	}
	if tok.RefreshToken != "" && m.refresh != "" {
		m.refresh = tok.RefreshToken
	}
	return m.access, true, nil
}

// fetch asks the token endpoint: the refresh-token grant when a refresh
// token is configured, else client credentials.
func (m *mailToken) fetch(ctx context.Context, refresh string) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, tokenTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, m.client)
	c := m.cfg
	if refresh != "" {
		oc := &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: c.TokenURL}, Scopes: c.Scopes}
		// A source made for this one call holds an expired token, so it
		// always asks the endpoint; the caching is ours, on our clock.
		return oc.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh}).Token()
	}
	cc := &clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		TokenURL: c.TokenURL, Scopes: c.Scopes}
	return cc.Token(ctx)
}

// invalidate drops the held token after the mail server refused it.
func (m *mailToken) invalidate() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.access, m.expires = "", time.Time{}
}

// ready reports the token endpoint's refusal of the credentials, if the
// last request was refused.
func (m *mailToken) ready() error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refused
}

// tokenRefusedError is an answer of the token endpoint that is not a token.
type tokenRefusedError struct {
	conn, url   string
	code, descr string
	permanent   bool
}

func (e *tokenRefusedError) Error() string {
	s := fmt.Sprintf("%s oauth2: token endpoint %s refused: %s", e.conn, e.url, e.code)
	if e.descr != "" {
		s += " (" + e.descr + ")"
	}
	return s
}

// describe turns an error of the oauth2 package into one that names the
// connection, the endpoint and the OAuth2 error code; the response body is
// left out and the secrets are masked should the server echo them.
func (m *mailToken) describe(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if msg := m.mask(err.Error()); msg != err.Error() {
			return fmt.Errorf("%s oauth2: token endpoint %s: %s", m.conn, m.cfg.TokenURL, msg)
		}
		return fmt.Errorf("%s oauth2: token endpoint %s: %w", m.conn, m.cfg.TokenURL, err)
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	code := re.ErrorCode
	permanent := refusalCodes[code]
	if code == "" {
		code = fmt.Sprintf("HTTP %d", status)
		permanent = status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden
	}
	descr := re.ErrorDescription
	if i := strings.IndexAny(descr, "\r\n"); i >= 0 {
		descr = descr[:i]
	}
	if len(descr) > 200 {
		descr = strings.ToValidUTF8(descr[:200], "") + "..."
	}
	return &tokenRefusedError{conn: m.conn, url: m.cfg.TokenURL, code: m.mask(code),
		descr: m.mask(descr), permanent: permanent}
}

// mask replaces the client secret and the refresh tokens in s.
func (m *mailToken) mask(s string) string {
	for _, secret := range []string{m.cfg.ClientSecret, m.cfg.RefreshToken, m.refresh} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[secret]")
		}
	}
	return s
}
