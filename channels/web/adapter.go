// Package web is the desk in a browser: agents and managers sign in at the
// HTTP listener, see the tiers' queues and incidents, and act on them. It is
// one more channel beside Slack: the cards of tiers without a Slack channel
// are delivered to it, and every agent action (form or JSON) enters the
// durable inbox as an agent Message, exactly like a Slack click.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
	"github.com/intake-support/intake/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// RouteResult is the routing dry-run of one message, as `intake route` prints it.
type RouteResult struct {
	Language   string
	Category   string
	Confidence float64
	Article    string
	Missing    []string
	Action     string
	Reason     string
	Tier       string
	Rule       string
	Explain    []string
}

// Article is a knowledge base article as the managers' view lists it.
type Article struct {
	ID       string
	Category string
	Title    string
}

// Options are what the desk needs from the rest of the gateway.
type Options struct {
	Store store.Store
	// Inbox takes the agents' actions.
	Inbox channels.Inbox
	// Card renders an incident as agents see it (the escalation desk's card).
	Card func(*intake.Incident) *intake.Card
	// Route is the routing dry-run; nil hides the form.
	Route func(text, from string) (RouteResult, error)
	// Articles lists the knowledge base; nil shows no articles.
	Articles func() []Article
	Logger   *slog.Logger
	Clock    func() time.Time
	// Poll is how often the live view looks for changed incidents (1s when 0).
	Poll time.Duration
	// Wait bounds how long an action waits to be handled before answering
	// (5s when 0); the action stays queued either way.
	Wait time.Duration
}

// Adapter is the web desk.
type Adapter struct {
	cfg   atomic.Pointer[config.Config]
	opts  Options
	auth  *auth
	live  *hub
	pages map[string]*template.Template
	log   *slog.Logger
}

var (
	_ channels.Adapter = (*Adapter)(nil)
	_ channels.Updater = (*Adapter)(nil)
)

// New returns the desk of cfg.Web.
func New(cfg *config.Config, o Options) (*Adapter, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	if o.Wait == 0 {
		o.Wait = 5 * time.Second
	}
	au, err := newAuth(cfg.Web.SessionSecret, o.Store, o.Clock)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	a := &Adapter{opts: o, auth: au, pages: pages, log: o.Logger.With("channel", intake.ChannelWeb)}
	a.live = newHub(o.Store, o.Poll, a.log)
	a.cfg.Store(cfg)
	return a, nil
}

// Reload makes the desk use cfg (users, tiers) from the next request on.
func (a *Adapter) Reload(cfg *config.Config) { a.cfg.Store(cfg) }

func (a *Adapter) config() *config.Config { return a.cfg.Load() }

// Channel implements channels.Adapter.
func (a *Adapter) Channel() intake.Channel { return intake.ChannelWeb }

// Run watches the incidents for the live view until ctx is done. Agents'
// actions come in over HTTP (Handlers), not here.
func (a *Adapter) Run(ctx context.Context, _ channels.Inbox) error {
	a.live.run(ctx)
	return nil
}

// Send takes a card or a notice for a tier the desk serves. The desk shows
// incidents from the store, so delivering is telling open pages to refresh.
func (a *Adapter) Send(_ context.Context, r *intake.Reply) (channels.Sent, error) {
	a.live.wake()
	return channels.Sent{MessageID: "web:" + r.ID}, nil
}

// Update implements channels.Updater for card updates.
func (a *Adapter) Update(_ context.Context, _ intake.Conversation, _ string, _ *intake.Reply) error {
	a.live.wake()
	return nil
}

// Handlers returns the desk's routes, as http.ServeMux patterns, for the
// HTTP listener to mount.
func (a *Adapter) Handlers() map[string]http.Handler {
	static, _ := fs.Sub(staticFS, "static") // the embedded folder exists
	return map[string]http.Handler{
		"GET /{$}":                              http.RedirectHandler("/desk", http.StatusSeeOther),
		"GET /desk/static/":                     http.StripPrefix("/desk/static/", http.FileServerFS(static)),
		"GET /desk/login":                       http.HandlerFunc(a.loginPage),
		"POST /desk/login":                      http.HandlerFunc(a.loginSubmit),
		"POST /desk/logout":                     a.signedIn(a.logout),
		"GET /desk":                             a.signedIn(a.queuePage),
		"GET /desk/queue":                       a.signedIn(a.queueFragment),
		"GET /desk/events":                      a.signedIn(a.events),
		"GET /desk/incidents/{id}":              a.signedIn(a.incidentPage),
		"POST /desk/incidents/{id}/{action}":    a.signedIn(a.formAction),
		"GET /desk/manage":                      a.signedIn(a.managePage),
		"POST /desk/manage/route":               a.signedIn(a.routeForm),
		"POST /api/v1/incidents/{id}/{action}":  http.HandlerFunc(a.apiAction),
		"GET /desk/incidents/{id}/conversation": a.signedIn(a.incidentFragment),
	}
}
