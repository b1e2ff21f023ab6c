// Package discord is the Discord channel: messages in the configured support
// channels and DMs to the bot become intake messages, each support request in
// a thread of its own, and replies go back to that thread or DM.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/intake-support/intake"
	"github.com/intake-support/intake/channels"
)

// Intents are the gateway intents the adapter asks for: guild messages and
// DMs, and their content (a privileged intent, to be enabled for the bot in
// the developer portal).
const Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentsMessageContent

// Permissions are what the bot's invite asks for in each intake channel:
// see the channel and its history, reply, and open and write in the thread
// each incident gets. docs/discord.md's invite URL carries this number.
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionCreatePublicThreads |
	discordgo.PermissionSendMessagesInThreads

// Config is what the adapter needs from the configuration.
type Config struct {
	// Token is the bot token, with or without the "Bot " prefix.
	Token string
	// IntakeChannels are the IDs of the channels where customers write; a
	// message there opens a thread. DMs to the bot always count.
	IntakeChannels []string
	// APIURL, when set, replaces https://discord.com for REST calls (paths
	// such as /api/v9/channels/... are kept), to use a proxy or a test double.
	APIURL string
	// GatewayURL, when set, is the websocket URL used instead of the one
	// Discord's GET /gateway returns.
	GatewayURL string
}

// ErrConfig is returned by New for a configuration it cannot use.
var ErrConfig = errors.New("discord: bad configuration")

// Adapter is the Discord channels.Adapter.
type Adapter struct {
	cfg     Config
	log     *slog.Logger
	session *discordgo.Session
	intake  map[string]bool
	opts    options

	guard    *identifyGuard
	channels *channelCache
	seen     *seenSet
	lanes    *lanes

	mu      sync.Mutex
	running bool
	selfID  string
	// Health: the gateway connection is up; the problem is why Discord
	// rejected the bot, once it has.
	channels.Health
}

var (
	_ channels.Adapter   = (*Adapter)(nil)
	_ channels.Connector = (*Adapter)(nil)
	_ channels.Diagnoser = (*Adapter)(nil)
)

// New returns an adapter for cfg; it connects when Run is called.
func New(cfg Config, logger *slog.Logger, opts ...Option) (*Adapter, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, fmt.Errorf("%w: token is empty", ErrConfig)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	token := cfg.Token
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	client, err := httpClient(cfg)
	if err != nil {
		return nil, err
	}
	s.Client = client
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second}
	s.Identify.Intents = Intents
	s.StateEnabled = false
	// The adapter reconnects itself, with backoff and the IDENTIFY guard.
	s.ShouldReconnectOnError = false
	s.ShouldReconnectVoiceOnSessionError = false
	// Handlers only queue; running them in the read loop keeps gateway order.
	s.SyncEvents = true
	// discordgo logs through a package-level logger; what matters comes back
	// to the adapter as errors and events and is logged here, with slog.
	s.LogLevel = -1

	a := &Adapter{
		cfg:      cfg,
		log:      logger.With("channel", string(intake.ChannelDiscord)),
		session:  s,
		intake:   map[string]bool{},
		opts:     o,
		guard:    newIdentifyGuard(o.identifyBurst, o.identifyEvery, o.identifyGap),
		channels: newChannelCache(o.cacheSize),
		seen:     newSeenSet(o.cacheSize),
		lanes:    newLanes(),
	}
	for _, id := range cfg.IntakeChannels {
		a.intake[id] = true
	}
	return a, nil
}

// httpClient builds the REST client: base's transport (or the default one),
// with discord.com rewritten to cfg.APIURL and GET /gateway answered with
// cfg.GatewayURL when those are set.
func httpClient(cfg Config) (*http.Client, error) {
	c := &http.Client{Timeout: 20 * time.Second}
	if cfg.APIURL == "" && cfg.GatewayURL == "" {
		return c, nil
	}
	t := &rewriteTransport{base: c.Transport, gateway: cfg.GatewayURL}
	if t.base == nil {
		t.base = http.DefaultTransport
	}
	if cfg.APIURL != "" {
		u, err := url.Parse(strings.TrimSuffix(cfg.APIURL, "/"))
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("%w: api_url %q is not an http(s) URL", ErrConfig, cfg.APIURL)
		}
		t.api = u
	}
	if cfg.GatewayURL != "" {
		u, err := url.Parse(cfg.GatewayURL)
		if err != nil || u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss") {
			return nil, fmt.Errorf("%w: gateway_url %q is not a ws(s) URL", ErrConfig, cfg.GatewayURL)
		}
	}
	c.Transport = t
	return c, nil
}

// Channel returns intake.ChannelDiscord.
func (a *Adapter) Channel() intake.Channel { return intake.ChannelDiscord }

// Run connects to the gateway and hands messages to inbox until ctx is done.
// It returns nil when ctx is cancelled, and an error when Discord rejects the
// bot for good (bad token, disallowed intents) or Run is already running.
func (a *Adapter) Run(ctx context.Context, inbox channels.Inbox) error {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("discord: run: already running")
	}
	a.running = true
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.running = false
		a.mu.Unlock()
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := newReceiver(a, inbox)
	remove := r.register(a.session)
	defer remove()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.work(ctx)
	}()
	err := a.connect(ctx, r)
	cancel()
	wg.Wait()
	r.waitInteractions()
	return err
}

// self returns the bot's user ID once READY has been received.
func (a *Adapter) self() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.selfID
}

func (a *Adapter) setSelf(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.selfID = id
}
