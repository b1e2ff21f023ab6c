// Package discordtest is a Discord test double: an HTTP server on loopback
// that speaks enough of the gateway (HELLO, IDENTIFY, READY, dispatches,
// heartbeats, RESUME with replay) and of the REST API (messages, threads,
// interactions, channels) to drive the real discordgo client in tests.
package discordtest

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Server is a Discord gateway and REST double. Its methods are safe for
// concurrent use.
type Server struct {
	t         testing.TB
	http      *httptest.Server
	upgrader  websocket.Upgrader
	heartbeat time.Duration
	nextID    atomic.Uint64
	bot       discordgo.User
	token     string // IDENTIFY with another token is closed with 4004
	// noPrivileged: IDENTIFY with a privileged intent is closed with 4014.
	noPrivileged bool

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever the state below changes
	sessionID  string
	seq        int64
	log        []event
	live       *gwConn // the identified or resumed connection, nil while none
	conns      map[*gwConn]struct{}
	identifies []Identify
	resumes    int
	replayed   int
	channels   map[string]*discordgo.Channel
	messages   []Message
	nonces     map[string]int // channel/nonce -> index in messages
	threads    []Thread
	responses  []InteractionResponse
	failures   []failure
	closed     bool
}

// Option configures a Server.
type Option func(*Server)

// WithHeartbeat sets the heartbeat interval announced in HELLO (default 1s).
func WithHeartbeat(d time.Duration) Option { return func(s *Server) { s.heartbeat = d } }

// WithToken makes the gateway close with 4004 (authentication failed) an
// IDENTIFY whose token is not "Bot "+token.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithoutPrivilegedIntents makes the gateway close with 4014 (disallowed
// intents) an IDENTIFY asking for a privileged intent (Message Content,
// Guild Members, Guild Presences), as Discord does for a bot whose portal
// switches are off.
func WithoutPrivilegedIntents() Option { return func(s *Server) { s.noPrivileged = true } }

// New starts a Server on 127.0.0.1 and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		t:         t,
		heartbeat: time.Second,
		changed:   make(chan struct{}),
		conns:     map[*gwConn]struct{}{},
		channels:  map[string]*discordgo.Channel{},
		nonces:    map[string]int{},
	}
	s.nextID.Store(1_200_000_000_000_000_000)
	s.bot = discordgo.User{ID: s.NewID(), Username: "intake-bot", Bot: true}
	for _, o := range opts {
		o(s)
	}
	s.http = httptest.NewServer(s.routes())
	t.Cleanup(s.Close)
	return s
}

// Close drops every gateway connection and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.live = nil
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.NetConn().Close()
	}
	s.http.Close()
}

// URL is the server's base URL; it stands in for https://discord.com, so the
// REST API is under URL()+"/api/v9/".
func (s *Server) URL() string { return s.http.URL }

// GatewayURL is the websocket URL the server's GET /api/v9/gateway returns.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/ws"
}

// BotUser is the user the bot token belongs to, as sent in READY and
// GET /users/@me.
func (s *Server) BotUser() discordgo.User { return s.bot }

// NewID returns a fresh snowflake.
func (s *Server) NewID() string { return strconv.FormatUint(s.nextID.Add(1), 10) }

// Stats counts what happened on the gateway.
type Stats struct {
	// Identifies and Resumes count the IDENTIFY (op 2) and RESUME (op 6)
	// payloads received; Replayed counts dispatches sent again on RESUME.
	Identifies, Resumes, Replayed int
	// Live is true while an identified or resumed connection is open.
	Live bool
}

// Stats returns the gateway counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Identifies: len(s.identifies), Resumes: s.resumes, Replayed: s.replayed, Live: s.live != nil}
}

// Identifies returns how many IDENTIFY payloads the gateway received.
func (s *Server) Identifies() int { return s.Stats().Identifies }

// LastIdentify returns the last IDENTIFY payload, and false if none came.
func (s *Server) LastIdentify() (Identify, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.identifies) == 0 {
		return Identify{}, false
	}
	return s.identifies[len(s.identifies)-1], true
}

// WaitFor waits up to timeout until cond holds and fails the test if it does
// not. cond gets the gateway counters and is checked again whenever the
// gateway or a recorded REST call changes; it may call the server's getters.
func (s *Server) WaitFor(timeout time.Duration, what string, cond func(Stats) bool) {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		st := Stats{Identifies: len(s.identifies), Resumes: s.resumes, Replayed: s.replayed, Live: s.live != nil}
		ch := s.changed
		s.mu.Unlock()
		if cond(st) {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			s.t.Fatalf("discordtest: timed out after %s waiting for %s (stats %+v)", timeout, what, st)
			return
		}
	}
}

// WaitLive waits until a client has identified or resumed.
func (s *Server) WaitLive(timeout time.Duration) {
	s.t.Helper()
	s.WaitFor(timeout, "a live gateway connection", func(st Stats) bool { return st.Live })
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// AddChannel registers a channel that GET /channels/{id} returns and that
// message helpers use to fill in the guild.
func (s *Server) AddChannel(ch discordgo.Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := ch
	s.channels[ch.ID] = &c
}

// AddTextChannel registers a guild text channel and returns its ID.
func (s *Server) AddTextChannel(guildID, name string) string {
	id := s.NewID()
	s.AddChannel(discordgo.Channel{ID: id, GuildID: guildID, Name: name, Type: discordgo.ChannelTypeGuildText})
	return id
}

// AddDM registers a DM channel between the bot and userID and returns its ID.
func (s *Server) AddDM(userID string) string {
	id := s.NewID()
	s.AddChannel(discordgo.Channel{ID: id, Type: discordgo.ChannelTypeDM,
		Recipients: []*discordgo.User{{ID: userID, Username: "user" + userID}}})
	return id
}

func (s *Server) channel(id string) (discordgo.Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	if !ok {
		return discordgo.Channel{}, false
	}
	return *c, true
}

// UserMessage dispatches a MESSAGE_CREATE written by userID in channelID (its
// guild taken from the registered channel) and returns the message ID.
func (s *Server) UserMessage(channelID, userID, content string) string {
	ch, _ := s.channel(channelID)
	m := discordgo.Message{
		ID:        s.NewID(),
		ChannelID: channelID,
		GuildID:   ch.GuildID,
		Content:   content,
		Timestamp: time.Now().UTC().Truncate(time.Millisecond),
		Author:    &discordgo.User{ID: userID, Username: "user" + userID},
		Type:      discordgo.MessageTypeDefault,
	}
	s.Dispatch("MESSAGE_CREATE", m)
	return m.ID
}

// PressButton dispatches an INTERACTION_CREATE for a click on the button
// customID of messageID in channelID by userID, and returns the interaction ID.
func (s *Server) PressButton(channelID, userID, messageID, customID string) string {
	ch, _ := s.channel(channelID)
	u := &discordgo.User{ID: userID, Username: "user" + userID}
	d := map[string]any{
		"id":             s.NewID(),
		"application_id": s.bot.ID,
		"type":           discordgo.InteractionMessageComponent,
		"channel_id":     channelID,
		"token":          "itoken-" + s.NewID(),
		"version":        1,
		"data":           map[string]any{"custom_id": customID, "component_type": discordgo.ButtonComponent},
		"message":        map[string]any{"id": messageID, "channel_id": channelID, "author": s.bot},
	}
	if ch.GuildID != "" {
		d["guild_id"] = ch.GuildID
		d["member"] = map[string]any{"user": u}
	} else {
		d["user"] = u
	}
	s.Dispatch("INTERACTION_CREATE", d)
	return d["id"].(string)
}

// Dispatch sends an op 0 event of type typ with payload v to the live
// connection, or keeps it for RESUME replay when none is live, and returns
// its sequence number.
func (s *Server) Dispatch(typ string, v any) int64 {
	s.t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		s.t.Errorf("discordtest: marshal %s: %v", typ, err)
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	ev := event{seq: s.seq, typ: typ, data: raw, replay: true}
	s.log = append(s.log, ev)
	if s.live != nil {
		// A failed write is what a dropped connection looks like; the
		// client resumes and gets the event from the log.
		_ = s.live.write(ev.frame())
	}
	return ev.seq
}

// DropConnection closes the live gateway connection without a close frame,
// as a network failure would; dispatches until the client resumes are
// replayed to it.
func (s *Server) DropConnection() {
	s.mu.Lock()
	c := s.live
	s.live = nil
	s.notifyLocked()
	s.mu.Unlock()
	if c != nil {
		_ = c.ws.NetConn().Close()
	}
}

// InvalidateSession forgets the current session so that the next RESUME is
// answered with op 9 (invalid session, not resumable).
func (s *Server) InvalidateSession() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessionID = ""
}
