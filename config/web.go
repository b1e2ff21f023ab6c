package config

import (
	"fmt"
	"strings"
	"time"

	intake "github.com/intake-support/intake"
)

// The roles of web desk users.
const (
	RoleAgent   = "agent"
	RoleManager = "manager"
)

// Defaults of the web desk, listed in REFERENCE.md.
const (
	DefaultSessionTTL    = 12 * time.Hour
	DefaultLoginAttempts = 5
	DefaultLoginWindow   = 15 * time.Minute
)

// Web configures the desk in a browser: agents and managers sign in at the
// HTTP listener. Without the section, or with enabled false, it is off.
type Web struct {
	Enabled bool      `yaml:"enabled"`
	Users   []WebUser `yaml:"users"`
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration `yaml:"session_ttl"`
	// CookieSecure marks the session cookie Secure (sent over HTTPS only);
	// turn it off only for plain-http localhost.
	CookieSecure bool `yaml:"cookie_secure"`
	// SessionSecret signs session cookies; instances sharing a store must
	// share it. Empty: a random secret per process (sign-ins end on restart).
	SessionSecret string `yaml:"session_secret"`
	// LoginAttempts failed sign-ins per LoginWindow are allowed per address
	// and user; more are refused until the window refills.
	LoginAttempts int           `yaml:"login_attempts"`
	LoginWindow   time.Duration `yaml:"login_window"`
}

// WebUser is one person who signs in to the web desk.
type WebUser struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	// Role is agent (acts on incidents of Tiers) or manager (everything).
	Role  string          `yaml:"role"`
	Tiers []intake.TierID `yaml:"tiers"`
	// PasswordHash is a bcrypt hash, as printed by `intake passwd`.
	PasswordHash string `yaml:"password_hash"`
}

// ServedByDesk reports whether tier t's cards go to the web desk rather than
// Slack: the desk is on and the tier has no Slack channel, or Slack is off.
func (c *Config) ServedByDesk(t *Tier) bool {
	return c.Web.Enabled && (t.SlackChannel == "" || !c.Channels.Slack.Enabled())
}

func webDefaults(w *Web, d *decoder) {
	w.SessionTTL = orDur(w.SessionTTL, DefaultSessionTTL)
	w.LoginWindow = orDur(w.LoginWindow, DefaultLoginWindow)
	if w.LoginAttempts == 0 && !d.present("web.login_attempts") {
		w.LoginAttempts = DefaultLoginAttempts
	}
	if !d.present("web.cookie_secure") {
		w.CookieSecure = true
	}
}

func validateWeb(c *Config, d *decoder) {
	w := &c.Web
	if !w.Enabled {
		return
	}
	if len(w.Users) == 0 {
		d.failPath("web.users", "the web desk is enabled but nobody can sign in: add a user with `intake passwd`")
	}
	if w.LoginAttempts < 1 && !d.bad["web.login_attempts"] {
		d.failPath("web.login_attempts", fmt.Sprintf("must be at least 1, got %d", w.LoginAttempts))
	}
	if s := w.SessionSecret; s != "" && len(s) < 32 {
		d.failPath("web.session_secret", "must be at least 32 characters (such as the output of `openssl rand -hex 32`)")
	}
	seen := map[string]int{}
	for i, u := range w.Users {
		p := fmt.Sprintf("web.users[%d]", i)
		if u.Email == "" {
			d.required(p+".email", ": the address the user signs in with")
		} else if err := checkEmail(u.Email); err != nil {
			d.failPath(p+".email", err.Error())
		} else if j, dup := seen[strings.ToLower(u.Email)]; dup {
			d.failPath(p+".email", fmt.Sprintf("%s is also web.users[%d]", u.Email, j))
		} else {
			seen[strings.ToLower(u.Email)] = i
		}
		d.check(p+".role", oneOf(u.Role, RoleAgent, RoleManager))
		if u.Role == RoleAgent && len(u.Tiers) == 0 {
			d.failPath(p+".tiers", "an agent acts on the incidents of their tiers: list at least one, such as [L2]")
		}
		for j, t := range u.Tiers {
			d.check(fmt.Sprintf("%s.tiers[%d]", p, j), c.knownTier(t))
		}
		if u.PasswordHash == "" {
			d.required(p+".password_hash", ": a bcrypt hash printed by `intake passwd`")
		} else if !IsPasswordHash(u.PasswordHash) {
			d.failPath(p+".password_hash", "not a bcrypt hash ($2a$..., $2b$...): make one with `intake passwd`")
		}
	}
}

// IsPasswordHash reports whether s looks like a bcrypt hash.
func IsPasswordHash(s string) bool {
	return len(s) == 60 && (strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$"))
}
