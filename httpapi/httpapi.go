// Package httpapi serves intake's HTTP surface: health and readiness probes,
// Prometheus metrics, the read-only incidents API and the outbox's
// dead-letter queue behind a bearer token.
// Channels that receive webhooks (Slack over HTTP) mount their handlers on it.
package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is intake's HTTP handler.
type Server struct {
	mux      *http.ServeMux
	store    store.Store
	token    string
	logger   *slog.Logger
	checks   []readiness
	warnings []readiness
}

// readiness is a named condition /readyz waits for besides the store.
type readiness struct {
	name  string
	ready func() error
}

// New returns the HTTP handler. An empty token disables the incidents API:
// every request to it is refused rather than served without authentication.
func New(s store.Store, token string, gatherer prometheus.Gatherer, logger *slog.Logger) *Server {
	srv := &Server{mux: http.NewServeMux(), store: s, token: token, logger: logger}
	srv.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	srv.mux.HandleFunc("GET /readyz", srv.ready)
	srv.mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	srv.mux.Handle("GET /api/v1/incidents", srv.authorized(srv.listIncidents))
	srv.mux.Handle("GET /api/v1/incidents/{id}", srv.authorized(srv.getIncident))
	srv.mux.Handle("GET /api/v1/outbox/dead", srv.authorized(srv.listDead))
	srv.mux.Handle("POST /api/v1/outbox/dead/{id}/retry", srv.authorized(srv.retryDead))
	return srv
}

// AddReadiness makes /readyz answer 503, naming name and the error, while
// ready returns an error. Call it before serving.
func (s *Server) AddReadiness(name string, ready func() error) {
	s.checks = append(s.checks, readiness{name, ready})
}

// AddWarning makes /readyz name name and the error in its body while warn
// returns one, without failing readiness: a chat channel's set-up problem
// (a missing Slack scope, a refused Discord intent) must not take the other
// channels out of service.
func (s *Server) AddWarning(name string, warn func() error) {
	s.warnings = append(s.warnings, readiness{name, warn})
}

// Handle mounts another handler, such as the Slack webhooks.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.logger.Warn("readiness check failed", "err", err)
		writeError(w, http.StatusServiceUnavailable, "store unreachable")
		return
	}
	for _, c := range s.checks {
		if err := c.ready(); err != nil {
			writeError(w, http.StatusServiceUnavailable, c.name+": "+err.Error())
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	body := "ready\n"
	for _, c := range s.warnings {
		if err := c.ready(); err != nil {
			body += "warning: " + c.name + ": " + err.Error() + "\n"
		}
	}
	_, _ = w.Write([]byte(body))
}

// authorized lets a request through only with the configured bearer token.
func (s *Server) authorized(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token == "" {
			writeError(w, http.StatusForbidden, "the incidents API is disabled: set http.api_token in the configuration")
			return
		}
		got, ok := bearer(r.Header.Get("Authorization"))
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="intake"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		next(w, r)
	})
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.Filter{Status: intake.Status(q.Get("status")), Tier: intake.TierID(q.Get("tier")), Limit: 100}
	if f.Status != "" && !f.Status.Valid() {
		writeError(w, http.StatusBadRequest, "unknown status "+strconv.Quote(string(f.Status)))
		return
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be a number from 1 to 1000")
			return
		}
		f.Limit = n
	}
	if c := q.Get("cursor"); c != "" {
		pos, err := decodeCursor(c)
		if err != nil {
			writeError(w, http.StatusBadRequest, "cursor: "+err.Error()+"; pass next_cursor from the previous page as it is")
			return
		}
		f.Before = &pos
	}
	page := f.Limit
	f.Limit++ // one more than the page tells whether a next page exists
	incs, err := s.store.ListIncidents(r.Context(), f)
	if err != nil {
		s.logger.Error("list incidents", "err", err)
		writeError(w, http.StatusInternalServerError, "could not list incidents")
		return
	}
	body := map[string]any{}
	if len(incs) > page {
		incs = incs[:page]
		next := encodeCursor(store.PositionOf(incs[page-1]))
		body["next_cursor"] = next
		w.Header().Set("Link", "<"+nextURL(r, next)+`>; rel="next"`)
	}
	summaries := make([]summary, 0, len(incs))
	for _, inc := range incs {
		summaries = append(summaries, summarize(inc))
	}
	body["incidents"] = summaries
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	id, ok := intake.ParseIncidentID(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusBadRequest, "not an incident id: want INC-000123")
		return
	}
	inc, err := s.store.GetIncident(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, string(id)+" not found")
		return
	}
	if err != nil {
		s.logger.Error("get incident", "incident", id, "err", err)
		writeError(w, http.StatusInternalServerError, "could not read the incident")
		return
	}
	inc.Triage = nil // the bot's private state
	writeJSON(w, http.StatusOK, inc)
}

// summary is an incident in a list: everything but the timeline.
type summary struct {
	ID        intake.IncidentID `json:"id"`
	Status    intake.Status     `json:"status"`
	Tier      intake.TierID     `json:"tier,omitempty"`
	Customer  intake.Customer   `json:"customer"`
	Subject   string            `json:"subject,omitempty"`
	Language  string            `json:"language,omitempty"`
	Category  string            `json:"category,omitempty"`
	ClaimedBy string            `json:"claimed_by,omitempty"`
	// Automatic marks a closed incident holding only an automatic message.
	Automatic bool `json:"automatic,omitempty"`
	// Undelivered lists replies waiting in the dead-letter queue.
	Undelivered []string  `json:"undelivered,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func summarize(inc *intake.Incident) summary {
	return summary{ID: inc.ID, Status: inc.Status, Tier: inc.Tier, Customer: inc.Customer, Subject: inc.Subject,
		Language: inc.Language, Category: inc.Category, ClaimedBy: inc.ClaimedBy, Automatic: inc.Automatic, Undelivered: inc.Undelivered, CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
