package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/config"
)

// Cookie names.
const (
	sessionCookie = "intake_session"
	loginCookie   = "intake_login" // the CSRF token of the sign-in form
)

// Errors a sign-in or a request is refused with.
var (
	ErrBadCredentials = errors.New("wrong email or password")
	ErrTooManyLogins  = errors.New("too many failed sign-ins: wait a few minutes")
	ErrNoSession      = errors.New("not signed in, or the session has expired")
	ErrBadCSRF        = errors.New("missing or wrong form token: reload the page and try again")
	ErrForbidden      = errors.New("not allowed for your role or tiers")
)

// User is a signed-in person.
type User struct {
	Name    string
	Email   string
	Role    string
	Tiers   []intake.TierID
	Session string // the session ID, for CSRF tokens and logout
}

// Manager reports whether the user sees and acts on everything.
func (u *User) Manager() bool { return u.Role == config.RoleManager }

// MayAct reports whether the user may act on incidents of tier t.
func (u *User) MayAct(t intake.TierID) bool { return u.Manager() || slices.Contains(u.Tiers, t) }

// session is what the signed cookie carries.
type session struct {
	Email   string `json:"u"`
	ID      string `json:"s"`
	Expires int64  `json:"e"`
}

// auth signs people in and out and checks sessions and CSRF tokens.
type auth struct {
	secret   []byte
	revoked  revocations
	now      func() time.Time
	mu       sync.Mutex
	limiters map[string]*limiter
}

type limiter struct {
	l    *rate.Limiter
	seen time.Time
}

// revocations remembers signed-out sessions until they would have expired.
type revocations interface {
	MarkSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
	Seen(ctx context.Context, key string) (bool, error)
}

func newAuth(secret string, revoked revocations, now func() time.Time) (*auth, error) {
	key := []byte(secret)
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("session secret: %w", err)
		}
	}
	return &auth{secret: key, revoked: revoked, now: now, limiters: map[string]*limiter{}}, nil
}

// HashPassword returns the bcrypt hash `intake passwd` prints.
func HashPassword(password string) (string, error) {
	if len(password) < 8 {
		return "", errors.New("the password must have at least 8 characters")
	}
	if len(password) > 72 {
		return "", errors.New("the password must have at most 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), 12)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when the email is unknown, so that a wrong
// email takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("intake-no-such-user"), bcrypt.MinCost)

// login checks the credentials of email at client address ip, counting
// failures against the rate limit of ip and email.
func (a *auth) login(cfg *config.Web, ip, email, password string) (*config.WebUser, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	lim := a.limiter(cfg, ip+"|"+email)
	if lim.Tokens() < 1 {
		return nil, ErrTooManyLogins
	}
	u := findUser(cfg, email)
	hash := dummyHash
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	if err := bcrypt.CompareHashAndPassword(hash, []byte(password)); err != nil || u == nil {
		lim.Allow()
		return nil, ErrBadCredentials
	}
	return u, nil
}

func (a *auth) limiter(cfg *config.Web, key string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for k, l := range a.limiters { // forget quiet clients so the map stays small
		if now.Sub(l.seen) > 2*cfg.LoginWindow {
			delete(a.limiters, k)
		}
	}
	l, ok := a.limiters[key]
	if !ok {
		every := rate.Every(cfg.LoginWindow / time.Duration(cfg.LoginAttempts))
		l = &limiter{l: rate.NewLimiter(every, cfg.LoginAttempts)}
		a.limiters[key] = l
	}
	l.seen = now
	return l.l
}

func findUser(cfg *config.Web, email string) *config.WebUser {
	for i := range cfg.Users {
		if strings.EqualFold(cfg.Users[i].Email, email) {
			return &cfg.Users[i]
		}
	}
	return nil
}

// issue returns the session cookie of a new sign-in by u.
func (a *auth) issue(cfg *config.Web, u *config.WebUser) (*http.Cookie, error) {
	id, err := randomID()
	if err != nil {
		return nil, err
	}
	exp := a.now().Add(cfg.SessionTTL)
	b, err := json.Marshal(session{Email: strings.ToLower(u.Email), ID: id, Expires: exp.Unix()})
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	val := base64.RawURLEncoding.EncodeToString(b) + "." + a.sign(b)
	return a.cookie(cfg, sessionCookie, val, exp), nil
}

func (a *auth) cookie(cfg *config.Web, name, value string, exp time.Time) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", Expires: exp, HttpOnly: true,
		Secure: cfg.CookieSecure, SameSite: http.SameSiteStrictMode}
}

func (a *auth) sign(b []byte) string {
	m := hmac.New(sha256.New, a.secret)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// user returns the signed-in user of r, or ErrNoSession.
func (a *auth) user(ctx context.Context, cfg *config.Web, r *http.Request) (*User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, ErrNoSession
	}
	payload, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return nil, ErrNoSession
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || !hmac.Equal([]byte(sig), []byte(a.sign(b))) {
		return nil, ErrNoSession
	}
	var s session
	if err := json.Unmarshal(b, &s); err != nil || a.now().Unix() >= s.Expires {
		return nil, ErrNoSession
	}
	if gone, err := a.revoked.Seen(ctx, revokedKey(s.ID)); err != nil {
		return nil, fmt.Errorf("check session: %w", err)
	} else if gone {
		return nil, ErrNoSession
	}
	u := findUser(cfg, s.Email) // a user removed from the file is signed out
	if u == nil {
		return nil, ErrNoSession
	}
	return &User{Name: u.Name, Email: strings.ToLower(u.Email), Role: u.Role, Tiers: u.Tiers, Session: s.ID}, nil
}

// logout revokes the session of u until it would have expired.
func (a *auth) logout(ctx context.Context, cfg *config.Web, u *User) error {
	if _, err := a.revoked.MarkSeen(ctx, revokedKey(u.Session), cfg.SessionTTL); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

func revokedKey(session string) string { return "web:signed-out:" + session }

// csrf is the form token of a session.
func (a *auth) csrf(session string) string { return a.sign([]byte("csrf:" + session)) }

// checkCSRF reports whether r carries the session's token, in the form
// field csrf or the X-CSRF-Token header.
func (a *auth) checkCSRF(r *http.Request, session string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(a.csrf(session))) == 1
}

func randomID() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// clientIP is the address the request came from (no proxy headers are
// trusted: a client could forge them to escape the rate limit).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
