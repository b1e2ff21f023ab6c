package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/intake-support/intake/config"
)

// seen is a small in-memory revocation list for the cookie tests.
type seen struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (s *seen) MarkSeen(_ context.Context, key string, _ time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.keys[key]
	s.keys[key] = true
	return !was, nil
}

func (s *seen) Seen(_ context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[key], nil
}

func TestSessionCookie(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, err := newAuth("", &seen{keys: map[string]bool{}}, clock)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newAuth("", &seen{keys: map[string]bool{}}, clock)
	for _, secure := range []bool{true, false} {
		cfg := &config.Web{SessionTTL: time.Hour, CookieSecure: secure,
			Users: []config.WebUser{{Name: "Ana", Email: "ana@example.com", Role: config.RoleAgent, PasswordHash: string(hash)}}}
		c, err := a.issue(cfg, &cfg.Users[0])
		if err != nil {
			t.Fatal(err)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != secure {
			t.Errorf("issue(cookie_secure %v) = HttpOnly %v SameSite %v Secure %v, want true Strict %v", secure, c.HttpOnly, c.SameSite, c.Secure, secure)
		}
		tests := []struct {
			name   string
			auth   *auth
			value  string
			later  time.Duration
			wantOK bool
		}{
			{"as issued", a, c.Value, 0, true},
			{"tampered", a, strings.Replace(c.Value, ".", "x.", 1), 0, false},
			{"signed by another secret", other, c.Value, 0, false},
			{"expired", a, c.Value, time.Hour, false},
			{"garbage", a, "nonsense", 0, false},
		}
		for _, tt := range tests {
			now = now.Add(tt.later)
			r := httptest.NewRequest(http.MethodGet, "/desk", nil)
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: tt.value})
			u, err := tt.auth.user(context.Background(), cfg, r)
			if (err == nil) != tt.wantOK {
				t.Errorf("user(%s) = %v, %v, want ok %v", tt.name, u, err, tt.wantOK)
			}
			now = now.Add(-tt.later)
		}
	}
}
