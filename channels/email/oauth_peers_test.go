package email

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// tokenEndpoint is an OAuth2 token endpoint on loopback: it issues tok-1,
// tok-2... for the client-credentials and refresh-token grants and tells
// the mail servers below which tokens are valid.
type tokenEndpoint struct {
	URL               string // the token endpoint
	base              string // the server's root URL (introspection at /introspect)
	clientID, refresh string
	user              string // the mailbox the tokens are for
	mu                sync.Mutex
	secret            string // the secret it accepts
	issued            int
	grants, scopes    []string
	valid             map[string]bool
}

// tokenLifetime is the expires_in of the tokens issued, in seconds.
const tokenLifetime = 3600

func startTokenEndpoint(t testing.TB, clientID, secret, refresh string) *tokenEndpoint {
	t.Helper()
	e := &tokenEndpoint{clientID: clientID, secret: secret, refresh: refresh, user: "support@example.test",
		valid: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(srv.Close)
	e.base = srv.URL
	e.URL = srv.URL + "/tenant/oauth2/v2.0/token"
	return e
}

func (e *tokenEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Path == "/introspect" {
		e.introspect(w, r.PostForm.Get("token"))
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(p)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	refuse := func(status int, code, descr string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": descr})
	}
	if id != e.clientID || secret != e.secret {
		refuse(http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0")
		return
	}
	grant := r.PostForm.Get("grant_type")
	switch {
	case grant == "refresh_token" && r.PostForm.Get("refresh_token") != e.refresh:
		refuse(http.StatusBadRequest, "invalid_grant", "the refresh token is not valid")
		return
	case grant != "refresh_token" && grant != "client_credentials":
		refuse(http.StatusBadRequest, "unsupported_grant_type", grant)
		return
	}
	e.issued++
	tok := fmt.Sprintf("tok-%d", e.issued)
	e.valid[tok] = true
	e.grants = append(e.grants, grant)
	e.scopes = append(e.scopes, r.PostForm.Get("scope"))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": tokenLifetime})
}

// introspect answers an RFC 7662 introspection request (Dovecot's oauth2
// passdb asks it): active, for the mailbox user, while the token is valid.
func (e *tokenEndpoint) introspect(w http.ResponseWriter, token string) {
	e.mu.Lock()
	answer := map[string]any{"active": e.valid[token]}
	if e.valid[token] {
		answer["username"] = e.user
	}
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// expire makes the mail servers refuse tok from now on.
func (e *tokenEndpoint) expire(tok string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.valid, tok)
}

func (e *tokenEndpoint) setSecret(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secret = s
}

// Issued returns the number of tokens issued, their grants and scopes.
func (e *tokenEndpoint) Issued() (int, []string, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.issued, append([]string(nil), e.grants...), append([]string(nil), e.scopes...)
}

// saslLogin is one successful OAuth2 login seen by a mail server.
type saslLogin struct{ Mech, User, Token string }

// oauthChecker checks the SASL exchanges of the test mail servers against
// the token endpoint and records the logins that succeed.
type oauthChecker struct {
	ep     *tokenEndpoint
	user   string
	mechs  []string // the mechanisms offered
	refuse error    // what the protocol answers to a refused token
	mu     sync.Mutex
	logins []saslLogin
}

func (c *oauthChecker) Logins() []saslLogin {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]saslLogin(nil), c.logins...)
}

func (c *oauthChecker) check(mech, user, token string) bool {
	c.ep.mu.Lock()
	ok := user == c.user && c.ep.valid[token]
	c.ep.mu.Unlock()
	if ok {
		c.mu.Lock()
		c.logins = append(c.logins, saslLogin{mech, user, token})
		c.mu.Unlock()
	}
	return ok
}

// offered is mechs, or both OAuth2 mechanisms when it is empty.
func offered(mechs []string) []string {
	if len(mechs) == 0 {
		return []string{mechXOAUTH2, sasl.OAuthBearer}
	}
	return mechs
}

// server returns the SASL server of mech; onLogin runs after a success.
func (c *oauthChecker) server(mech string, onLogin func()) (sasl.Server, error) {
	switch mech {
	case sasl.OAuthBearer:
		return &refusingServer{refuse: c.refuse, Server: sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if !c.check(mech, o.Username, o.Token) {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
			}
			onLogin()
			return nil
		})}, nil
	case mechXOAUTH2:
		return &xoauth2TestServer{c: c, onLogin: onLogin}, nil
	}
	return nil, fmt.Errorf("mechanism %s not supported", mech)
}

// refusingServer answers a refused OAUTHBEARER token as the protocol does
// (go-sasl's server ends with its JSON error, which go-smtp sends as 454).
type refusingServer struct {
	sasl.Server
	refuse error
}

func (s *refusingServer) Next(resp []byte) ([]byte, bool, error) {
	challenge, done, err := s.Server.Next(resp)
	var bearerErr *sasl.OAuthBearerError
	if errors.As(err, &bearerErr) {
		err = s.refuse
	}
	return challenge, done, err
}

// xoauth2TestServer checks XOAUTH2 as Gmail does: a refused token gets a
// JSON challenge, the client answers with an empty response, and the
// server then says no.
type xoauth2TestServer struct {
	c       *oauthChecker
	onLogin func()
	refused bool
}

func (s *xoauth2TestServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case s.refused && len(resp) != 0:
		return nil, true, errors.New("XOAUTH2: want an empty response after the error challenge")
	case s.refused:
		return nil, true, s.c.refuse
	case resp == nil:
		return []byte{}, false, nil // ask for the initial response
	}
	fields := strings.Split(string(resp), "\x01")
	if len(fields) != 4 || !strings.HasPrefix(fields[0], "user=") || !strings.HasPrefix(fields[1], "auth=Bearer ") || fields[2] != "" || fields[3] != "" {
		return nil, true, fmt.Errorf("XOAUTH2: malformed response %q", resp)
	}
	if !s.c.check(mechXOAUTH2, strings.TrimPrefix(fields[0], "user="), strings.TrimPrefix(fields[1], "auth=Bearer ")) {
		s.refused = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	s.onLogin()
	return nil, true, nil
}

// startOAuthIMAP runs go-imap's in-memory server with one user that logs
// in by AUTHENTICATE XOAUTH2 or OAUTHBEARER (LOGIN with the password stays
// open for the test's own client).
func startOAuthIMAP(t testing.TB, ep *tokenEndpoint, mechs ...string) (imapPeer, *oauthChecker) {
	t.Helper()
	p := imapPeer{User: "support@example.test", Pass: "secret"}
	chk := &oauthChecker{ep: ep, user: p.User, mechs: offered(mechs), refuse: &imap.Error{Type: imap.StatusResponseTypeNo,
		Code: imap.ResponseCodeAuthenticationFailed, Text: "invalid token"}}
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(p.User, p.Pass)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &oauthIMAPSession{user: u, chk: chk}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       nopIMAPLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	p.Addr = ln.Addr().String()
	return p, chk
}

type oauthIMAPSession struct {
	*imapmemserver.UserSession // nil until logged in
	user                       *imapmemserver.User
	chk                        *oauthChecker
}

func (s *oauthIMAPSession) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

func (s *oauthIMAPSession) AuthenticateMechanisms() []string { return s.chk.mechs }

func (s *oauthIMAPSession) Authenticate(mech string) (sasl.Server, error) {
	return s.chk.server(mech, func() { s.UserSession = imapmemserver.NewUserSession(s.user) })
}

func (s *oauthIMAPSession) Close() error { return s.UserSession.Close() }

// startOAuthSMTP runs a go-smtp relay that takes AUTH XOAUTH2 or
// OAUTHBEARER, answering 535 to a refused token, and records the mails.
func startOAuthSMTP(t testing.TB, ep *tokenEndpoint, user string, mechs ...string) (*smtpRecorder, *oauthChecker) {
	t.Helper()
	chk := &oauthChecker{ep: ep, user: user, mechs: offered(mechs), refuse: &smtp.SMTPError{Code: 535,
		EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "invalid token"}}
	r := &smtpRecorder{user: user}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &oauthSMTPSession{recSession: recSession{r: r}, chk: chk}, nil
	}))
	srv.AllowInsecureAuth = true
	srv.Domain = "relay.test"
	srv.ErrorLog = slog.NewLogLogger(quietLogger().Handler(), slog.LevelError)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r, chk
}

type oauthSMTPSession struct {
	recSession
	chk *oauthChecker
}

func (s *oauthSMTPSession) AuthMechanisms() []string { return s.chk.mechs }

func (s *oauthSMTPSession) Auth(mech string) (sasl.Server, error) {
	return s.chk.server(mech, func() { s.auth = s.chk.user })
}
