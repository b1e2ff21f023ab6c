// Package slack is the Slack channel and the agents' desk: customer DMs and
// messages in intake channels become intake messages, incidents are shown to
// agents as Block Kit cards whose buttons and threads feed back into the
// inbox, and replies are posted escaped, per channel in order, through the
// Web API. It speaks Socket Mode or signed HTTP requests.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	slackapi "github.com/slack-go/slack"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
	"github.com/intake-support/intake/config"
)

// ErrConfig is returned by New for a configuration it cannot use.
var ErrConfig = errors.New("slack: bad configuration")

// errNotRunning is answered to Slack before Run has handed over the inbox,
// so that Slack retries the event later.
var errNotRunning = errors.New("slack: adapter not running yet")

// DefaultNotePrefix marks an agent's thread reply as an internal note when
// the configuration names none.
const DefaultNotePrefix = "//"

// Adapter is the Slack channels.Adapter and channels.Updater.
type Adapter struct {
	cfg    config.Slack
	log    *slog.Logger
	opts   options
	api    *slackapi.Client
	intake map[string]bool
	agents *agents
	lanes  *lanes
	seen   *seenSet
	names  *nameCache

	mu      sync.Mutex
	inbox   channels.Inbox
	botID   string
	ready   chan struct{}
	started bool
	// Health: Socket Mode's WebSocket is up, or (HTTP mode) auth.test
	// answered; the problem is a set-up mistake auth.test revealed.
	channels.Health
}

var (
	_ channels.Adapter   = (*Adapter)(nil)
	_ channels.Updater   = (*Adapter)(nil)
	_ channels.Connector = (*Adapter)(nil)
	_ channels.Diagnoser = (*Adapter)(nil)
)

// New returns an adapter for cfg; it receives messages once Run is called.
// Socket Mode is used when cfg.AppToken is set, HTTP mode (see Handlers)
// otherwise, which needs cfg.SigningSecret.
func New(cfg config.Slack, logger *slog.Logger, opts ...Option) (*Adapter, error) {
	if strings.TrimSpace(cfg.BotToken) == "" {
		return nil, fmt.Errorf("%w: bot_token is empty", ErrConfig)
	}
	if !cfg.SocketMode() && cfg.SigningSecret == "" {
		return nil, fmt.Errorf("%w: neither app_token (Socket Mode) nor signing_secret (HTTP) is set", ErrConfig)
	}
	if cfg.APIURL != "" && !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.NotePrefix == "" {
		cfg.NotePrefix = DefaultNotePrefix
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	apiOpts := []slackapi.Option{}
	if cfg.APIURL != "" {
		apiOpts = append(apiOpts, slackapi.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		apiOpts = append(apiOpts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	api := slackapi.New(cfg.BotToken, apiOpts...)
	a := &Adapter{
		cfg:    cfg,
		log:    logger.With("channel", string(intake.ChannelSlack)),
		opts:   o,
		api:    api,
		intake: map[string]bool{},
		lanes:  newLanes(o.now),
		seen:   newSeenSet(o.seenSize),
		names:  newNameCache(o.seenSize),
		ready:  make(chan struct{}),
	}
	a.agents = newAgents(cfg.Agents, api, o.now, o.agentsRefresh, a.log)
	for _, id := range cfg.IntakeChannels {
		a.intake[id] = true
	}
	return a, nil
}

// Channel returns intake.ChannelSlack.
func (a *Adapter) Channel() intake.Channel { return intake.ChannelSlack }

// Run learns the bot's own user ID, then receives messages until ctx is
// done: over Socket Mode, or, in HTTP mode, through Handlers.
func (a *Adapter) Run(ctx context.Context, inbox channels.Inbox) error {
	if inbox == nil {
		return fmt.Errorf("slack: run: nil inbox")
	}
	auth, err := a.api.AuthTestContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		if isPermanent(err) {
			return fmt.Errorf("slack: auth.test: %w", err)
		}
		// Our own messages are still recognised by their bot_id.
		a.log.Warn("auth.test failed; own messages recognised by bot_id only", "err", err)
	}
	a.mu.Lock()
	if a.started {
		a.mu.Unlock()
		return fmt.Errorf("slack: Run called twice")
	}
	a.started = true
	a.inbox = inbox
	if auth != nil {
		a.botID = auth.UserID
		a.SetConnected(!a.cfg.SocketMode())
		if missing := missingScopes(auth.Header); len(missing) > 0 {
			problem := scopeError(missing)
			a.SetProblem(problem)
			a.log.Error("slack app misconfigured", "err", problem)
		}
	}
	close(a.ready)
	a.mu.Unlock()
	a.log.Info("slack adapter running", "socket_mode", a.cfg.SocketMode())

	if a.cfg.SocketMode() {
		return a.runSocket(ctx)
	}
	<-ctx.Done()
	return nil
}

// accept hands msg to the inbox, failing when Run has not started yet.
func (a *Adapter) accept(ctx context.Context, msg *intake.Message) error {
	a.mu.Lock()
	inbox := a.inbox
	a.mu.Unlock()
	if inbox == nil {
		return errNotRunning
	}
	if err := inbox.Accept(ctx, msg); err != nil {
		return fmt.Errorf("accept %s: %w", msg.ID, err)
	}
	return nil
}

func (a *Adapter) botUserID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botID
}
