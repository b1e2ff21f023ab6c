package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/httpapi"
	"github.com/intake-support/intake/store/bolt"
	"github.com/prometheus/client_golang/prometheus"
)

func newServer(t *testing.T, token string) (*httptest.Server, *bolt.Store) {
	t.Helper()
	api, s := newAPI(t, token)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, s
}

// newAPI opens a store with three incidents and the handler over it.
func newAPI(t *testing.T, token string) (*httpapi.Server, *bolt.Store) {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	for i, st := range []intake.Status{intake.StatusTriage, intake.StatusEscalated, intake.StatusEscalated} {
		id, _ := s.NextIncidentID(ctx)
		inc := &intake.Incident{ID: id, Status: st, Tier: intake.TierID([]string{"", "L2", "L3"}[i]),
			CreatedAt: time.Date(2026, 11, 1, 10, i, 0, 0, time.UTC), Triage: []byte(`{"secret":"state"}`)}
		if err := s.CreateIncident(ctx, inc, nil); err != nil {
			t.Fatal(err)
		}
	}
	return httpapi.New(s, token, prometheus.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil))), s
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPI(t *testing.T) {
	srv, _ := newServer(t, "s3cret")
	tests := []struct {
		name, path, token string
		code              int
		contains          []string
		excludes          []string
	}{
		{"healthz needs no token", "/healthz", "", 200, []string{"ok"}, nil},
		{"readyz", "/readyz", "", 200, []string{"ready"}, nil},
		{"metrics", "/metrics", "", 200, nil, nil},
		{"list without token", "/api/v1/incidents", "", 401, []string{"bearer"}, nil},
		{"list with wrong token", "/api/v1/incidents", "nope", 401, nil, nil},
		{"list all, newest first", "/api/v1/incidents", "s3cret", 200, []string{"INC-000003", "INC-000001"}, nil},
		{"list by status", "/api/v1/incidents?status=escalated", "s3cret", 200, []string{"INC-000002", "INC-000003"}, []string{"INC-000001"}},
		{"list by tier", "/api/v1/incidents?tier=L3", "s3cret", 200, []string{"INC-000003"}, []string{"INC-000002"}},
		{"unknown status", "/api/v1/incidents?status=lost", "s3cret", 400, []string{"unknown status"}, nil},
		{"bad limit", "/api/v1/incidents?limit=0", "s3cret", 400, nil, nil},
		{"one incident hides bot state", "/api/v1/incidents/INC-000002", "s3cret", 200, []string{`"timeline"`}, []string{"secret"}},
		{"unknown incident", "/api/v1/incidents/INC-999999", "s3cret", 404, nil, nil},
		{"malformed id", "/api/v1/incidents/123", "s3cret", 400, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, srv.URL+tt.path, tt.token)
			if code != tt.code {
				t.Fatalf("GET %s = %d, want %d; body %s", tt.path, code, tt.code, body)
			}
			for _, c := range tt.contains {
				if !strings.Contains(body, c) {
					t.Errorf("GET %s body lacks %q: %s", tt.path, c, body)
				}
			}
			for _, c := range tt.excludes {
				if strings.Contains(body, c) {
					t.Errorf("GET %s body has %q: %s", tt.path, c, body)
				}
			}
		})
	}
	_, body := get(t, srv.URL+"/api/v1/incidents", "s3cret")
	var list struct{ Incidents []struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Incidents) != 3 || list.Incidents[0].ID != "INC-000003" {
		t.Errorf("list = %s (%v), want 3 incidents newest first", body, err)
	}
}

func TestAPIDisabledWithoutToken(t *testing.T) {
	srv, _ := newServer(t, "")
	if code, _ := get(t, srv.URL+"/api/v1/incidents", ""); code != 403 {
		t.Fatalf("GET /api/v1/incidents with no token configured = %d, want 403", code)
	}
}

func TestReadyzReportsStoreDown(t *testing.T) {
	srv, s := newServer(t, "x")
	s.Close()
	if code, _ := get(t, srv.URL+"/readyz", ""); code != 503 {
		t.Fatalf("GET /readyz with the store closed = %d, want 503", code)
	}
}

func TestReadyzWaitsForEveryReadinessCheck(t *testing.T) {
	api, _ := newAPI(t, "x")
	var bound atomic.Bool
	api.AddReadiness("email", func() error {
		if !bound.Load() {
			return errors.New("SMTP listener on 127.0.0.1:2525 not bound yet")
		}
		return nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()
	if code, body := get(t, srv.URL+"/readyz", ""); code != 503 || !strings.Contains(body, "email: SMTP listener") {
		t.Fatalf("GET /readyz before the listener = %d %s, want 503 naming email", code, body)
	}
	bound.Store(true)
	if code, body := get(t, srv.URL+"/readyz", ""); code != 200 {
		t.Fatalf("GET /readyz once bound = %d %s, want 200", code, body)
	}
}

func TestReadyzShowsWarningsWithoutFailing(t *testing.T) {
	api, _ := newAPI(t, "x")
	var problem atomic.Value
	problem.Store("")
	api.AddWarning("slack", func() error {
		if p := problem.Load().(string); p != "" {
			return errors.New(p)
		}
		return nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()
	if code, body := get(t, srv.URL+"/readyz", ""); code != 200 || strings.Contains(body, "warning") {
		t.Fatalf("GET /readyz without a problem = %d %q, want 200 without a warning", code, body)
	}
	problem.Store("the bot token lacks the scopes users:read")
	if code, body := get(t, srv.URL+"/readyz", ""); code != 200 || !strings.Contains(body, "warning: slack: the bot token lacks the scopes users:read") {
		t.Fatalf("GET /readyz with a problem = %d %q, want 200 with the warning", code, body)
	}
}
